import { readQuery } from "@/lib/api/request";
import { json } from "@/lib/api/response";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { ZSubmitQuery } from "@/lib/schemas/submissions";
import { requestSubmission, waitForBatch } from "@/lib/submit/submit";

// POST /api/v1/sitemaps/{id}/submit – submit the changed URLs of the published run to IndexNow and check robots.txt;
// 202 with the pending batch, or with ?wait=1..60 the finished batch (200) or the still pending one after the wait (202);
// 404 unknown sitemap, 409 nothing published yet, 503 job queue unavailable
export const POST = withApiAuth<{ id: string }>(async ({ req, params, principal }) => {
  const { wait } = readQuery(req, ZSubmitQuery);
  let batch = await requestSubmission({ userId: principal.userId, sitemapId: params.id });
  if (wait) batch = await waitForBatch({ userId: principal.userId, batchId: batch.batchId, waitSec: wait });
  const location = `/api/v1/submissions/${batch.batchId}`;
  return json(batch, { status: batch.status === "pending" ? 202 : 200, headers: { Location: location } });
}, { scope: "submit" });

export const { GET, PUT, PATCH, DELETE } = methodsNotAllowed(["POST"]);
