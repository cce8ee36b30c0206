import { readListQuery } from "@/lib/api/list-query";
import { jsonList } from "@/lib/api/response";
import { RUN_LIST_SPEC } from "@/lib/api/runs";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { AppError } from "@/lib/core/errors";
import { queryRuns, toRunDto } from "@/lib/db/runs";
import { findSitemap } from "@/lib/db/sitemaps";

// GET /api/v1/sitemaps/{id}/runs – the sitemap's runs (list grammar as GET /api/v1/runs; default createdAt:desc)
export const GET = withApiAuth<{ id: string }>(async ({ req, params, principal }) => {
  const q = readListQuery(req, RUN_LIST_SPEC);
  if (!(await findSitemap({ userId: principal.userId, sitemapId: params.id }))) {
    throw new AppError("not_found", `Sitemap ${params.id} not found.`);
  }
  const where = { AND: [{ sitemapId: params.id }, q.where] };
  const page = q.page(await queryRuns({ userId: principal.userId, where, orderBy: q.orderBy, take: q.take }));
  return jsonList(page.rows.map(toRunDto), page.nextCursor);
}, { scope: "read" });

export const { POST, PUT, PATCH, DELETE } = methodsNotAllowed(["GET"]);
