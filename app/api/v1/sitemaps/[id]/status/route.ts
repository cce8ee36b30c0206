import { json } from "@/lib/api/response";
import { sitemapStatus } from "@/lib/api/status";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { AppError } from "@/lib/core/errors";
import { findSitemap } from "@/lib/db/sitemaps";

// GET /api/v1/sitemaps/{id}/status – export status of the whole site and of each sub-scope
export const GET = withApiAuth<{ id: string }>(async ({ params, principal }) => {
  const sm = await findSitemap({ userId: principal.userId, sitemapId: params.id });
  if (!sm) throw new AppError("not_found", `Sitemap ${params.id} not found.`);
  return json(await sitemapStatus(sm));
}, { scope: "read" });

export const { POST, PUT, PATCH, DELETE } = methodsNotAllowed(["GET"]);
