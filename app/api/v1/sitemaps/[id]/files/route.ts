import { jsonList } from "@/lib/api/response";
import { publicFileUrl } from "@/lib/api/sitemaps";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { AppError } from "@/lib/core/errors";
import { listPublishedFiles } from "@/lib/db/files";
import { findSitemap } from "@/lib/db/sitemaps";
import type { TFileDto } from "@/lib/schemas/files";

// GET /api/v1/sitemaps/{id}/files – every published file with its download and public URLs (one page, next_cursor null)
export const GET = withApiAuth<{ id: string }>(async ({ params, principal }) => {
  if (!(await findSitemap({ userId: principal.userId, sitemapId: params.id }))) {
    throw new AppError("not_found", `Sitemap ${params.id} not found.`);
  }
  const files = await listPublishedFiles({ sitemapId: params.id, userId: principal.userId });
  const data: TFileDto[] = files.map((f) => ({
    ...f,
    download_url: `/api/v1/sitemaps/${encodeURIComponent(params.id)}/files/${encodeURIComponent(f.name)}`,
    public_url: publicFileUrl(params.id, f.name),
  }));
  return jsonList(data, null);
}, { scope: "read" });

export const { POST, PUT, PATCH, DELETE } = methodsNotAllowed(["GET"]);
