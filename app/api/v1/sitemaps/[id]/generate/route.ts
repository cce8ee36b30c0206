import { json } from "@/lib/api/response";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { AppError } from "@/lib/core/errors";
import { findUserAccount } from "@/lib/db/users";
import { requestRun } from "@/lib/runs/request-run";

// POST /api/v1/sitemaps/{id}/generate – queue a run; 202 with the run, 409 when inactive or a run is active,
// 403 quota_exceeded when the account has no crawl credits left (balance ≤ 0)
export const POST = withApiAuth<{ id: string }>(async ({ params, principal }) => {
  const account = await findUserAccount(principal.userId);
  if (!account || account.creditBalance <= 0) {
    throw new AppError("quota_exceeded", "No crawl credits left (balance ≤ 0); a run costs 1 credit per 100 pages fetched.");
  }
  const run = await requestRun({
    sitemapId: params.id,
    userId: principal.userId,
    trigger: principal.via === "key" ? "api" : "dashboard",
  });
  return json(run, { status: 202, headers: { Location: `/api/v1/runs/${run.id}` } });
}, { scope: "generate" });

export const { GET, PUT, PATCH, DELETE } = methodsNotAllowed(["POST"]);
