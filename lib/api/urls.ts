/**
 * The pushed URLs endpoints (/api/v1/sitemaps/{id}/urls): the list specs (pushed URLs, and the published run's crawl
 * inventory for `?source=crawl`), reading a push body (one URL or `{ urls: [...] }`), one page of either list as
 * DTOs, and deleting pushed URLs by value. Other accounts' sitemaps are "not found" (404).
 */
import { AppError } from "@/lib/core/errors";
import type { RunUrlList, SitemapUrlList } from "@/lib/db/list-models";
import { findSitemap } from "@/lib/db/sitemaps";
import { deleteSitemapUrlsByUrl, queryRunInventory, querySitemapUrls, toSitemapUrlDto } from "@/lib/db/urls";
import { CHANGEFREQS } from "@/lib/schemas/sitemaps";
import { MAX_PUSH_URLS, URL_SOURCES, ZDeleteUrlsBody, ZPushUrl, type TPushUrl, type TSitemapUrlDto } from "@/lib/schemas/urls";
import { z } from "zod";
import { ListQueryError, readListQuery, type ListSpec } from "./list-query";
import { parseWith, readJson } from "./request";

/** Bulk pushes may be large: 10,000 URLs of up to 2,047 characters plus values. */
export const PUSH_MAX_BYTES = 8 * 1024 * 1024;

export const PUSHED_URL_LIST_SPEC: ListSpec<SitemapUrlList> = {
  defaultSort: { field: "url", dir: "asc" },
  fields: {
    id: { type: "string", column: "id", ops: ["eq", "ne", "in"] },
    url: { type: "string", column: "url" },
    source: { type: "enum", column: "source", values: URL_SOURCES },
    priority: { type: "number", column: "priority", nullable: true },
    changefreq: { type: "enum", column: "changefreq", values: CHANGEFREQS, nullable: true },
    lastmod: { type: "date", column: "lastmod", nullable: true },
    createdAt: { type: "date", column: "createdAt" },
    updatedAt: { type: "date", column: "updatedAt" },
  },
};

export const CRAWL_URL_LIST_SPEC: ListSpec<RunUrlList> = {
  defaultSort: { field: "url", dir: "asc" },
  idColumn: "url",
  fields: {
    url: { type: "string", column: "url" },
    lastmod: { type: "date", column: "lastmod", nullable: true },
    depth: { type: "int", column: "depth" },
  },
};

/** `?source=pushed|crawl` (default pushed); anything else → 400 invalid_value on `source`. */
export function listSource(req: Request): "pushed" | "crawl" {
  const s = new URL(req.url).searchParams.get("source") ?? "pushed";
  if (s !== "pushed" && s !== "crawl") {
    throw new ListQueryError("invalid_value", "`source` must be pushed (default) or crawl.", "source");
  }
  return s;
}

const ZBulk = z.strictObject({ urls: z.array(ZPushUrl).min(1).max(MAX_PUSH_URLS) });

/** One URL or `{ urls: [...] }` (422 from the schema; `urls.<i>.<field>` paths in bulk). */
export async function readPushBody(req: Request): Promise<{ bulk: boolean; items: TPushUrl[] }> {
  const body = await readJson(req, z.unknown(), { maxBytes: PUSH_MAX_BYTES });
  if (body !== null && typeof body === "object" && !Array.isArray(body) && "urls" in body) {
    return { bulk: true, items: parseWith(ZBulk, body).urls };
  }
  return { bulk: false, items: [parseWith(ZPushUrl, body)] };
}

const sitemapNotFound = (id: string) => new AppError("not_found", `Sitemap ${id} not found.`);

/**
 * One page of GET /api/v1/sitemaps/{id}/urls: the pushed URLs, or with `?source=crawl` the URLs listed by the
 * published run (none before the first publish), under the list grammar of `req`. Throws 404 not_found, 400 list errors.
 */
export async function listSitemapUrls(userId: string, sitemapId: string, req: Request): Promise<{ items: TSitemapUrlDto[]; nextCursor: string | null }> {
  const source = listSource(req);
  const sm = await findSitemap({ userId, sitemapId });
  if (!sm) throw sitemapNotFound(sitemapId);
  if (source === "pushed") {
    const q = readListQuery(req, PUSHED_URL_LIST_SPEC);
    const page = q.page(await querySitemapUrls({ sitemapId: sm.id, where: q.where, orderBy: q.orderBy, take: q.take }));
    return { items: page.rows.map(toSitemapUrlDto), nextCursor: page.nextCursor };
  }
  const q = readListQuery(req, CRAWL_URL_LIST_SPEC);
  if (!sm.publishedRunId) return { items: [], nextCursor: null };
  const page = q.page(await queryRunInventory({ runId: sm.publishedRunId, where: q.where, orderBy: q.orderBy, take: q.take }));
  const items = page.rows.map((r) => ({
    id: null,
    url: r.url,
    priority: null,
    changefreq: null,
    lastmod: r.lastmod?.toISOString() ?? null,
    source: "crawl" as const,
    depth: r.depth,
    createdAt: null,
    updatedAt: null,
  }));
  return { items, nextCursor: page.nextCursor };
}

/**
 * DELETE /api/v1/sitemaps/{id}/urls: removes the pushed URLs named by `?url=` (repeatable) or, without any, by a body
 * `{ urls: [...] }`; returns how many were removed. Throws 404 for an unknown sitemap or when none was pushed,
 * 422 missing when neither names a URL (and the body's own 4xx).
 */
export async function deletePushedUrls(userId: string, sitemapId: string, req: Request): Promise<number> {
  const sm = await findSitemap({ userId, sitemapId });
  if (!sm) throw sitemapNotFound(sitemapId);
  let urls = new URL(req.url).searchParams.getAll("url");
  if (!urls.length) {
    if (!req.headers.get("content-type")) throw new AppError("missing", "Name the URLs: ?url=… or a body {\"urls\": [...]}.", { field: "url" });
    urls = (await readJson(req, ZDeleteUrlsBody)).urls;
  }
  const deleted = await deleteSitemapUrlsByUrl(sm.id, urls);
  if (deleted === 0) throw new AppError("not_found", "None of these URLs was pushed to this sitemap.");
  return deleted;
}
