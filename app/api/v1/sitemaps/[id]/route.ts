import { readJson } from "@/lib/api/request";
import { json, noContent } from "@/lib/api/response";
import { toSitemapDto } from "@/lib/api/sitemaps";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { AppError } from "@/lib/core/errors";
import { deleteSitemap, findSitemap, updateSitemap } from "@/lib/db/sitemaps";
import { ZUpdateSitemapBody } from "@/lib/schemas/sitemaps";

const notFound = (id: string) => new AppError("not_found", `Sitemap ${id} not found.`);

// GET /api/v1/sitemaps/{id} – one sitemap with its last run and public URL
export const GET = withApiAuth<{ id: string }>(async ({ params, principal }) => {
  const row = await findSitemap({ userId: principal.userId, sitemapId: params.id });
  if (!row) throw notFound(params.id);
  return json(await toSitemapDto(row));
}, { scope: "read" });

// PATCH /api/v1/sitemaps/{id} – change any subset of the settings
export const PATCH = withApiAuth<{ id: string }>(async ({ req, params, principal }) => {
  const body = await readJson(req, ZUpdateSitemapBody);
  const row = await updateSitemap({ userId: principal.userId, sitemapId: params.id, data: body });
  if (!row) throw notFound(params.id);
  return json(await toSitemapDto(row));
}, { scope: "write" });

// DELETE /api/v1/sitemaps/{id} – delete the sitemap, its runs and file records; 204
export const DELETE = withApiAuth<{ id: string }>(async ({ params, principal }) => {
  const outcome = await deleteSitemap({ userId: principal.userId, sitemapId: params.id });
  if (outcome === "not_found") throw notFound(params.id);
  if (outcome === "active_run") throw new AppError("conflict", "A run of this sitemap is queued or running; delete it when the run ends.");
  return noContent();
}, { scope: "write" });

export const { POST, PUT } = methodsNotAllowed(["GET", "PATCH", "DELETE"]);
