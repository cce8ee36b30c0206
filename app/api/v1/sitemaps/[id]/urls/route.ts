import { readListQuery } from "@/lib/api/list-query";
import { readJson } from "@/lib/api/request";
import { json, jsonList } from "@/lib/api/response";
import { CRAWL_URL_LIST_SPEC, listSource, PUSH_MAX_BYTES, PUSHED_URL_LIST_SPEC, readPushBody } from "@/lib/api/urls";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { AppError } from "@/lib/core/errors";
import { findSitemap } from "@/lib/db/sitemaps";
import { deleteSitemapUrlsByUrl, pushSitemapUrls, queryRunInventory, querySitemapUrls, toSitemapUrlDto } from "@/lib/db/urls";
import { ZDeleteUrlsBody, type TSitemapUrlDto } from "@/lib/schemas/urls";

const notFound = (id: string) => new AppError("not_found", `Sitemap ${id} not found.`);

// GET /api/v1/sitemaps/{id}/urls – pushed URLs (list grammar; default sort url:asc), or with ?source=crawl the
// listed URLs of the published run's crawl inventory
export const GET = withApiAuth<{ id: string }>(async ({ req, params, principal }) => {
  const source = listSource(req);
  const sm = await findSitemap({ userId: principal.userId, sitemapId: params.id });
  if (!sm) throw notFound(params.id);
  if (source === "crawl") {
    const q = readListQuery(req, CRAWL_URL_LIST_SPEC);
    if (!sm.publishedRunId) return jsonList([], null);
    const page = q.page(await queryRunInventory({ runId: sm.publishedRunId, where: q.where, orderBy: q.orderBy, take: q.take }));
    const items: TSitemapUrlDto[] = page.rows.map((r) => ({
      id: null,
      url: r.url,
      priority: null,
      changefreq: null,
      lastmod: r.lastmod?.toISOString() ?? null,
      source: "crawl",
      depth: r.depth,
      createdAt: null,
      updatedAt: null,
    }));
    return jsonList(items, page.nextCursor);
  }
  const q = readListQuery(req, PUSHED_URL_LIST_SPEC);
  const page = q.page(await querySitemapUrls({ sitemapId: sm.id, where: q.where, orderBy: q.orderBy, take: q.take }));
  return jsonList(page.rows.map(toSitemapUrlDto), page.nextCursor);
}, { scope: "read" });

// POST /api/v1/sitemaps/{id}/urls – push one URL ({url, priority?, changefreq?, lastmod?}: 201 created / 200 replaced,
// the stored URL) or up to 10,000 ({urls: [...]}: 200 with {received, created, updated}); all or nothing
export const POST = withApiAuth<{ id: string }>(async ({ req, params, principal }) => {
  const { bulk, items } = await readPushBody(req);
  const r = await pushSitemapUrls({ userId: principal.userId, sitemapId: params.id, items, source: "api", bulk });
  if (bulk) return json({ received: r.received, created: r.created, updated: r.updated });
  return json(toSitemapUrlDto(r.rows[0]), { status: r.created ? 201 : 200 });
}, { scope: "write", maxBodyBytes: PUSH_MAX_BYTES });

// DELETE /api/v1/sitemaps/{id}/urls?url=… (repeatable) or with a body {urls: [...]} – remove pushed URLs by value;
// 200 with {deleted}; 404 when none of them was pushed
export const DELETE = withApiAuth<{ id: string }>(async ({ req, params, principal }) => {
  const sm = await findSitemap({ userId: principal.userId, sitemapId: params.id });
  if (!sm) throw notFound(params.id);
  let urls = new URL(req.url).searchParams.getAll("url");
  if (!urls.length) {
    if (!req.headers.get("content-type")) throw new AppError("missing", "Name the URLs: ?url=… or a body {\"urls\": [...]}.", { field: "url" });
    urls = (await readJson(req, ZDeleteUrlsBody)).urls;
  }
  const deleted = await deleteSitemapUrlsByUrl(sm.id, urls);
  if (deleted === 0) throw new AppError("not_found", "None of these URLs was pushed to this sitemap.");
  return json({ deleted });
}, { scope: "write" });

export const { PUT, PATCH } = methodsNotAllowed(["GET", "POST", "DELETE"]);
