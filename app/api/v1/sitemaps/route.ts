import { readListQuery } from "@/lib/api/list-query";
import { readJson } from "@/lib/api/request";
import { json, jsonList } from "@/lib/api/response";
import { listSitemapsPage, SITEMAP_LIST_SPEC_RUN_SORTS, toSitemapDto, toSitemapDtos } from "@/lib/api/sitemaps";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { insertSitemap } from "@/lib/db/sitemaps";
import { ZCreateSitemapBody } from "@/lib/schemas/sitemaps";

// GET /api/v1/sitemaps – the caller's sitemaps (list grammar: ?size=&cursor=&sort=field:dir&filter[field][op]=;
// default sort createdAt:desc). 400 syntax_error / unknown_field / unknown_operation / invalid_value.
export const GET = withApiAuth(async ({ req, principal }) => {
  const q = readListQuery(req, SITEMAP_LIST_SPEC_RUN_SORTS);
  const page = await listSitemapsPage(principal.userId, q);
  return jsonList(await toSitemapDtos(page.rows, page.known), page.nextCursor);
}, { scope: "read" });

// POST /api/v1/sitemaps – create a sitemap; 201. 409 duplicate_entry (fileName), 422 invalid_value (templateId).
export const POST = withApiAuth(async ({ req, principal }) => {
  const body = await readJson(req, ZCreateSitemapBody);
  const dto = await toSitemapDto(await insertSitemap({ userId: principal.userId, data: body }));
  return json(dto, { status: 201, headers: { Location: `/api/v1/sitemaps/${dto.id}` } });
}, { scope: "write" });

export const { PUT, PATCH, DELETE } = methodsNotAllowed(["GET", "POST"]);
