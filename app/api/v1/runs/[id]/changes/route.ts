import { readQuery } from "@/lib/api/request";
import { jsonList } from "@/lib/api/response";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { AppError } from "@/lib/core/errors";
import { listRunChanges } from "@/lib/db/runs";
import { ZRunChangesQuery } from "@/lib/schemas/runs";

/** Cursors are the last URL of the previous page, base64url-encoded so they stay opaque and query-string safe. */
const encodeCursor = (url: string | null) => (url === null ? null : Buffer.from(url, "utf8").toString("base64url"));
function decodeCursor(cursor: string | undefined): string | null {
  if (cursor === undefined) return null;
  const url = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, "base64url").toString("utf8") : "";
  if (!/^https?:\/\/\S+$/.test(url)) throw new AppError("invalid_value", "`cursor` is not a cursor this API returned.", { field: "cursor" });
  return url;
}

// GET /api/v1/runs/{id}/changes – URLs added, removed or changed by the run, in URL order
// (?kind=added|removed|changed&limit=1..100&cursor=)
export const GET = withApiAuth<{ id: string }>(async ({ req, params, principal }) => {
  const q = readQuery(req, ZRunChangesQuery);
  const page = await listRunChanges({
    runId: params.id,
    userId: principal.userId,
    kind: q.kind,
    limit: q.limit,
    cursor: decodeCursor(q.cursor),
  });
  if (!page) throw new AppError("not_found", `Run ${params.id} not found.`);
  return jsonList(page.items, encodeCursor(page.nextCursor));
}, { scope: "read" });

export const { POST, PUT, PATCH, DELETE } = methodsNotAllowed(["GET"]);
