import { decodeCursor, encodeCursor } from "@/lib/api/pagination";
import { readJson, readQuery } from "@/lib/api/request";
import { json, jsonList } from "@/lib/api/response";
import { toSitemapDto, toSitemapDtos } from "@/lib/api/sitemaps";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { insertSitemap, listSitemaps } from "@/lib/db/sitemaps";
import { ZListQuery } from "@/lib/schemas/common";
import { ZCreateSitemapBody } from "@/lib/schemas/sitemaps";

// GET /api/v1/sitemaps – the caller's sitemaps, newest first (?limit=1..100&cursor=)
export const GET = withApiAuth(async ({ req, principal }) => {
  const q = readQuery(req, ZListQuery);
  const page = await listSitemaps({ userId: principal.userId, limit: q.limit, after: decodeCursor(q.cursor) });
  return jsonList(await toSitemapDtos(page.rows), encodeCursor(page.next));
}, { scope: "read" });

// POST /api/v1/sitemaps – create a sitemap; 201
export const POST = withApiAuth(async ({ req, principal }) => {
  const body = await readJson(req, ZCreateSitemapBody);
  const dto = await toSitemapDto(await insertSitemap({ userId: principal.userId, data: body }));
  return json(dto, { status: 201, headers: { Location: `/api/v1/sitemaps/${dto.id}` } });
}, { scope: "write" });

export const { PUT, PATCH, DELETE } = methodsNotAllowed(["GET", "POST"]);
