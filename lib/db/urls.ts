/**
 * Pushed URLs (table SitemapUrl) and the URL stream an export writes.
 *
 * pushSitemapUrls: validates and upserts URLs into a sitemap, all or nothing. Each URL must be an absolute http(s)
 * URL on the sitemap's origin (scheme, host, port of startUrl); it is stored normalised (fragment dropped), so the
 * same page pushed twice is one row. A re-push replaces priority/changefreq/lastmod and source.
 * Errors (AppError, nothing written): not_found (not the user's sitemap), invalid_value 422 with `field` =
 * "url" (single) or "urls.<index>.url" (bulk) for a URL that is not absolute http(s) or not on the origin.
 *
 * iterateExportUrls: the URLs of a run's export, in URL order (database collation), keyset-paged so memory stays
 * flat: every URL the run lists (its crawl data: lastmod, depth, extensions, the page's Last-Modified header) with the
 * pushed priority/changefreq when the URL was also pushed, plus every pushed URL the crawl did not meet at all.
 * A pushed URL the crawl met and left out (noindex, canonicalised, robots.txt, 404, rule, …) is NOT written: the
 * crawl's decision wins, since listing a page the site itself marks as not indexable would make the sitemap lie.
 * The merge happens in one SQL query per page (UNION ALL ordered by url), so one <loc> appears once and the order is
 * the same on every attempt (the export stays byte-deterministic).
 */
import { randomUUID } from "node:crypto";
import { Prisma } from "@/generated/prisma/client";
import { AppError } from "@/lib/core/errors";
import type { PageExtensions } from "@/lib/core/types";
import { normalizeUrl, originOf } from "@/lib/core/url";
import type { TPushUrl, TSitemapUrlDto, UrlSource } from "@/lib/schemas/urls";
import { getDb, TX_OPTIONS } from "./client";

type UrlRow = Prisma.SitemapUrlGetPayload<object>;

/**
 * The API DTO of a pushed URL (table SitemapUrl): dates as ISO 8601 strings, `depth` null (a pushed URL carries none).
 */
export function toSitemapUrlDto(r: UrlRow): TSitemapUrlDto {
  return {
    id: r.id,
    url: r.url,
    priority: r.priority,
    changefreq: r.changefreq as TSitemapUrlDto["changefreq"],
    lastmod: r.lastmod?.toISOString() ?? null,
    source: r.source as TSitemapUrlDto["source"],
    depth: null,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

/** The normalised URL when it is absolute http(s) on `origin`, else null. */
export function urlOnOrigin(raw: string, origin: string): string | null {
  const u = normalizeUrl(raw);
  return u !== null && originOf(u) === origin && u.length <= 2047 ? u : null;
}

export type PushResult = { received: number; created: number; updated: number; rows: UrlRow[] };

/**
 * Upserts `items` (already schema-checked: priority 0..1, changefreq enum, lastmod ISO string) into the user's
 * sitemap `sitemapId` with `source`; `bulk` names errors "urls.<i>.url" instead of "url". Later duplicates of one
 * URL in the same request win. Returns counts and the stored rows (in request order, duplicates once).
 */
export async function pushSitemapUrls(opts: {
  userId: string;
  sitemapId: string;
  items: TPushUrl[];
  source: UrlSource;
  bulk?: boolean;
}): Promise<PushResult> {
  const db = getDb();
  const sm = await db.sitemap.findFirst({ where: { id: opts.sitemapId, userId: opts.userId }, select: { id: true, startUrl: true } });
  if (!sm) throw new AppError("not_found", `Sitemap ${opts.sitemapId} not found.`);
  const origin = originOf(sm.startUrl)!;
  const byUrl = new Map<string, { url: string; priority: number | null; changefreq: string | null; lastmod: Date | null }>();
  opts.items.forEach((it, i) => {
    const url = urlOnOrigin(it.url, origin);
    if (url === null) {
      throw new AppError("invalid_value", `${JSON.stringify(it.url.slice(0, 200))} is not an absolute http(s) URL on ${origin}.`, {
        field: opts.bulk ? `urls.${i}.url` : "url",
      });
    }
    byUrl.set(url, { url, priority: it.priority ?? null, changefreq: it.changefreq ?? null, lastmod: it.lastmod ? new Date(it.lastmod) : null });
  });
  const items = [...byUrl.values()];
  return db.$transaction(async (tx) => {
    const existing = new Set(
      (await tx.sitemapUrl.findMany({ where: { sitemapId: sm.id, url: { in: items.map((x) => x.url) } }, select: { url: true } })).map((r) => r.url),
    );
    const fresh = items.filter((x) => !existing.has(x.url));
    if (fresh.length) {
      await tx.sitemapUrl.createMany({ data: fresh.map((x) => ({ id: `u${randomUUID().replaceAll("-", "")}`, sitemapId: sm.id, source: opts.source, ...x })) });
    }
    const old = items.filter((x) => existing.has(x.url));
    for (const x of old) {
      await tx.sitemapUrl.update({
        where: { sitemapId_url: { sitemapId: sm.id, url: x.url } },
        data: { priority: x.priority, changefreq: x.changefreq, lastmod: x.lastmod, source: opts.source },
      });
    }
    const rows = await tx.sitemapUrl.findMany({ where: { sitemapId: sm.id, url: { in: items.map((x) => x.url) } } });
    const order = new Map(items.map((x, i) => [x.url, i]));
    rows.sort((a, b) => order.get(a.url)! - order.get(b.url)!);
    return { received: opts.items.length, created: fresh.length, updated: old.length, rows };
  }, { ...TX_OPTIONS, timeout: 120_000 });
}

/** One page of a sitemap's pushed URLs under the list grammar (`where`/`orderBy`/`take` as parsed). */
export async function querySitemapUrls(opts: {
  sitemapId: string;
  where: Prisma.SitemapUrlWhereInput;
  orderBy: Prisma.SitemapUrlOrderByWithRelationInput[];
  take: number;
}): Promise<UrlRow[]> {
  return getDb().sitemapUrl.findMany({ where: { AND: [{ sitemapId: opts.sitemapId }, opts.where] }, orderBy: opts.orderBy, take: opts.take });
}

/** One page of a run's listed URLs (the crawl inventory) under the list grammar. */
export async function queryRunInventory(opts: {
  runId: string;
  where: Prisma.RunUrlWhereInput;
  orderBy: Prisma.RunUrlOrderByWithRelationInput[];
  take: number;
}) {
  return getDb().runUrl.findMany({
    where: { AND: [{ runId: opts.runId, included: true }, opts.where] },
    orderBy: opts.orderBy,
    take: opts.take,
    select: { url: true, lastmod: true, depth: true },
  });
}

/** Deletes one pushed URL by id; false when it is not one of this sitemap's. */
export async function deleteSitemapUrlById(sitemapId: string, urlId: string): Promise<boolean> {
  return (await getDb().sitemapUrl.deleteMany({ where: { id: urlId, sitemapId } })).count === 1;
}

/** Deletes pushed URLs by value (normalised the way pushes store them); returns how many rows went. */
export async function deleteSitemapUrlsByUrl(sitemapId: string, urls: string[]): Promise<number> {
  const norm = urls.map((u) => normalizeUrl(u) ?? u);
  return (await getDb().sitemapUrl.deleteMany({ where: { sitemapId, url: { in: norm } } })).count;
}

export type ExportUrl = {
  url: string;
  /** RunUrl.lastmod (content-based) for crawled URLs; the pushed lastmod for pushed-only ones. */
  lastmod: Date | null;
  /** The page's Last-Modified header as last seen (PageState), crawled URLs only. */
  serverLastModified: string | null;
  data: PageExtensions | null;
  depth: number | null;
  priority: number | null;
  changefreq: string | null;
  crawled: boolean;
};

/** See the module doc. `pageSize` rows per query. */
export async function* iterateExportUrls(runId: string, sitemapId: string, pageSize = 5_000): AsyncGenerator<ExportUrl> {
  let after: string | null = null;
  for (;;) {
    const afterCond = (col: Prisma.Sql) => (after === null ? Prisma.sql`TRUE` : Prisma.sql`${col} > ${after}`);
    // Each branch is limited on its own ordered index scan ((runId, url) and (sitemapId, url)), so a page costs
    // O(pageSize) whatever the inventory size; the first pageSize of the merge are within those 2 × pageSize rows.
    const rows: ExportUrl[] = await getDb().$queryRaw<ExportUrl[]>`
      SELECT url, lastmod, "serverLastModified", data, depth, priority, changefreq, crawled FROM (
        (SELECT r.url AS url, r.lastmod AS lastmod, ps."lastModified" AS "serverLastModified", r.data AS data,
               r.depth AS depth, p.priority AS priority, p.changefreq AS changefreq, TRUE AS crawled
        FROM "RunUrl" r
        LEFT JOIN "SitemapUrl" p ON p."sitemapId" = ${sitemapId} AND p.url = r.url
        LEFT JOIN "PageState" ps ON ps."sitemapId" = ${sitemapId} AND ps.url = r.url
        WHERE r."runId" = ${runId} AND r.included AND ${afterCond(Prisma.sql`r.url`)}
        ORDER BY r.url
        LIMIT ${pageSize})
        UNION ALL
        (SELECT p.url, p.lastmod, NULL, NULL, NULL, p.priority, p.changefreq, FALSE
        FROM "SitemapUrl" p
        WHERE p."sitemapId" = ${sitemapId} AND ${afterCond(Prisma.sql`p.url`)}
          AND NOT EXISTS (SELECT 1 FROM "RunUrl" x WHERE x."runId" = ${runId} AND x.url = p.url)
        ORDER BY p.url
        LIMIT ${pageSize})
      ) u
      ORDER BY url
      LIMIT ${pageSize}`;
    yield* rows;
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1].url;
  }
}

/**
 * Listed URLs under each `prefix` (absolute URL prefixes) in run `runId`'s inventory, and pushed URLs of the
 * sitemap under it: counts keyed by prefix.
 */
export async function countUrlsByPrefix(runId: string | null, sitemapId: string, prefixes: string[]): Promise<Map<string, { crawled: number; pushed: number }>> {
  const db = getDb();
  const out = new Map<string, { crawled: number; pushed: number }>();
  for (const prefix of prefixes) {
    const [crawled, pushed] = await Promise.all([
      runId ? db.runUrl.count({ where: { runId, included: true, url: { startsWith: prefix } } }) : Promise.resolve(0),
      db.sitemapUrl.count({ where: { sitemapId, url: { startsWith: prefix } } }),
    ]);
    out.set(prefix, { crawled, pushed });
  }
  return out;
}
