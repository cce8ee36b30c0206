import { noContent } from "@/lib/api/response";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { AppError } from "@/lib/core/errors";
import { findSitemap } from "@/lib/db/sitemaps";
import { deleteSitemapUrlById } from "@/lib/db/urls";

// DELETE /api/v1/sitemaps/{id}/urls/{urlId} – remove one pushed URL; 204, 404 when not this sitemap's
export const DELETE = withApiAuth<{ id: string; urlId: string }>(async ({ params, principal }) => {
  const sm = await findSitemap({ userId: principal.userId, sitemapId: params.id });
  if (!sm) throw new AppError("not_found", `Sitemap ${params.id} not found.`);
  if (!(await deleteSitemapUrlById(sm.id, params.urlId))) throw new AppError("not_found", `URL ${params.urlId} not found.`);
  return noContent();
}, { scope: "write" });

export const { GET, POST, PUT, PATCH } = methodsNotAllowed(["DELETE"]);
