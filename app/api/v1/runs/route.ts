import { readListQuery } from "@/lib/api/list-query";
import { jsonList } from "@/lib/api/response";
import { RUN_LIST_SPEC } from "@/lib/api/runs";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { queryRuns, toRunDto } from "@/lib/db/runs";

// GET /api/v1/runs – runs of all the caller's sitemaps (the shop API's protocols). List grammar; filter/sort by
// id, number, sitemapId, status, trigger, createdAt, startedAt, finishedAt; default createdAt:desc.
export const GET = withApiAuth(async ({ req, principal }) => {
  const q = readListQuery(req, RUN_LIST_SPEC);
  const page = q.page(await queryRuns({ userId: principal.userId, where: q.where, orderBy: q.orderBy, take: q.take }));
  return jsonList(page.rows.map(toRunDto), page.nextCursor);
}, { scope: "read" });

export const { POST, PUT, PATCH, DELETE } = methodsNotAllowed(["GET"]);
