import { jsonList } from "@/lib/api/response";
import { listRunUrls, runUrlsCsv, wantsCsv } from "@/lib/api/run-urls";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";

// GET /api/v1/runs/{id}/urls – every URL the run met (listed, or left out with its reason and detail), under the list
// grammar (default url:asc); `Accept: text/csv` or `?format=csv` streams the whole inventory as CSV
export const GET = withApiAuth<{ id: string }>(async ({ req, params, principal }) => {
  if (wantsCsv(req)) return runUrlsCsv(principal.userId, params.id, req);
  const page = await listRunUrls(principal.userId, params.id, req);
  return jsonList(page.items, page.nextCursor);
}, { scope: "read" });

export const { POST, PUT, PATCH, DELETE } = methodsNotAllowed(["GET"]);
