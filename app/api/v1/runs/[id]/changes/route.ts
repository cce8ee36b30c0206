import { changesQuery } from "@/lib/api/runs";
import { jsonList } from "@/lib/api/response";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { AppError } from "@/lib/core/errors";
import { listRunChanges } from "@/lib/db/runs";

// GET /api/v1/runs/{id}/changes – URLs added, removed or changed by the run, under the list grammar (default url:asc;
// filter[kind]= or the shorthand ?kind=added|removed|changed)
export const GET = withApiAuth<{ id: string }>(async ({ req, params, principal }) => {
  const page = await listRunChanges({ runId: params.id, userId: principal.userId, q: changesQuery(req) });
  if (!page) throw new AppError("not_found", `Run ${params.id} not found.`);
  return jsonList(page.items, page.nextCursor);
}, { scope: "read" });

export const { POST, PUT, PATCH, DELETE } = methodsNotAllowed(["GET"]);
