import { readQuery } from "@/lib/api/request";
import { jsonList } from "@/lib/api/response";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { AppError } from "@/lib/core/errors";
import { listRunsForSitemap } from "@/lib/db/runs";
import { findSitemap } from "@/lib/db/sitemaps";
import { ZListQuery } from "@/lib/schemas/common";

// GET /api/v1/sitemaps/{id}/runs – the sitemap's runs, newest first (?limit=1..100&cursor=)
export const GET = withApiAuth<{ id: string }>(async ({ req, params, principal }) => {
  const q = readQuery(req, ZListQuery);
  if (!(await findSitemap({ userId: principal.userId, sitemapId: params.id }))) {
    throw new AppError("not_found", `Sitemap ${params.id} not found.`);
  }
  const page = await listRunsForSitemap({ sitemapId: params.id, userId: principal.userId, limit: q.limit, cursor: q.cursor });
  return jsonList(page.items, page.nextCursor);
}, { scope: "read" });

export const { POST, PUT, PATCH, DELETE } = methodsNotAllowed(["GET"]);
