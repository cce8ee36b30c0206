import { jsonList } from "@/lib/api/response";
import { listRunDuplicates } from "@/lib/api/run-urls";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";

// GET /api/v1/runs/{id}/duplicates – the run's duplicate clusters (URLs with identical main content), under the list
// grammar (default size:desc), each with its first `members` URLs
export const GET = withApiAuth<{ id: string }>(async ({ req, params, principal }) => {
  const page = await listRunDuplicates(principal.userId, params.id, req);
  return jsonList(page.items, page.nextCursor);
}, { scope: "read" });

export const { POST, PUT, PATCH, DELETE } = methodsNotAllowed(["GET"]);
