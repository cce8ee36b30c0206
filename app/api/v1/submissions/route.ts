import { readListQuery } from "@/lib/api/list-query";
import { jsonList } from "@/lib/api/response";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { listSubmissions, SUBMISSION_LIST_SPEC } from "@/lib/submit/list";

// GET /api/v1/submissions – the account's submission log, newest first (list grammar: filter[batchId], filter[status], …)
export const GET = withApiAuth(async ({ req, principal }) => {
  const q = readListQuery(req, SUBMISSION_LIST_SPEC);
  const page = await listSubmissions({ userId: principal.userId, q });
  return jsonList(page.items, page.nextCursor);
}, { scope: "read" });

export const { POST, PUT, PATCH, DELETE } = methodsNotAllowed(["GET"]);
