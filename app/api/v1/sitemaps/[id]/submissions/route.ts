import { readListQuery } from "@/lib/api/list-query";
import { jsonList } from "@/lib/api/response";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { AppError } from "@/lib/core/errors";
import { findSitemap } from "@/lib/db/sitemaps";
import { listSubmissions, SUBMISSION_LIST_SPEC } from "@/lib/submit/list";

// GET /api/v1/sitemaps/{id}/submissions – the sitemap's submission log, newest first (list grammar)
export const GET = withApiAuth<{ id: string }>(async ({ req, params, principal }) => {
  const q = readListQuery(req, SUBMISSION_LIST_SPEC);
  if (!(await findSitemap({ userId: principal.userId, sitemapId: params.id }))) {
    throw new AppError("not_found", `Sitemap ${params.id} not found.`);
  }
  const page = await listSubmissions({ userId: principal.userId, sitemapId: params.id, q });
  return jsonList(page.items, page.nextCursor);
}, { scope: "read" });

export const { POST, PUT, PATCH, DELETE } = methodsNotAllowed(["GET"]);
