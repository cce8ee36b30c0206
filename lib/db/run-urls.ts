/**
 * The URL inventory of a run (table RunUrl) beyond what resuming needs: the inventory columns of a record (found on,
 * inlinks, content type, lastmod source, reason detail), the run's final inlink counts, duplicate clusters
 * (URLs of the run whose main-content hash is identical) and the `collapseDuplicates` pass, and the reads of the
 * inventory API (GET /api/v1/runs/{id}/urls and /duplicates, lib/api/run-urls.ts).
 *
 * Duplicate cluster: the URLs of one run with the same `contentHash` (sha256 of the page's main content,
 * lib/core/types.ts CrawlRecord.contentHash), when there are at least two; its id is that hash (hex). Only HTML pages
 * answered 200 have a hash, listed or not.
 *
 * Kept URL of a cluster (collapseDuplicates): among the cluster's listed URLs, the one with the most inlinks, then
 * the shortest URL, then the first in byte order (`COLLATE "C"`, the same on every database), so the choice is
 * deterministic. The others get included = false, reason "duplicate", target = the kept URL.
 *
 * Errors: database errors propagate.
 */
import { Prisma } from "@/generated/prisma/client";
import { recordDetail } from "@/lib/core/inventory-csv";
import type { CrawlRecord, UrlDetail } from "@/lib/core/types";
import { getDb } from "./client";
import { executeDirect } from "./raw";

/** The inventory columns of one record, as persistCrawlBatch (lib/db/frontier.ts) stores them next to the others. */
export type InventoryColumns = {
  foundOn: string | null;
  inlinks: number;
  contentType: string | null;
  lastmodSource: "content" | "server" | null;
  detail: UrlDetail | null;
};

/**
 * The inventory columns of record `r` whose stored lastmod is `lastmod`: lastmodSource "content" when the lastmod
 * comes from the content hash's first sighting (the record has a hash), "server" when from Last-Modified, else null.
 * A redirect's kind goes into the detail: the record's `redirectKind` when the crawler set one, else "http".
 */
export function inventoryColumns(r: CrawlRecord, lastmod: Date | null): InventoryColumns {
  const detail = recordDetail(r);
  return {
    foundOn: r.foundOn ?? null,
    inlinks: r.inlinks ?? 0,
    contentType: r.contentType ?? null,
    lastmodSource: lastmod === null ? null : r.contentHash ? "content" : "server",
    detail,
  };
}

/** Rows per UPDATE of {@link storeInlinks}. */
const INLINK_CHUNK = 5_000;

/**
 * Stores a crawl's final inlink counts (CrawlSummary.inlinks) on the run's RunUrl rows, in chunks of 5,000 URLs.
 * A count never goes down (GREATEST): after a resumed crawl step, the counts already stored from the earlier attempt
 * are kept when the final attempt saw fewer links (it did not visit the pages fetched before the resume again).
 */
export async function storeInlinks(runId: string, counts: Map<string, number> | undefined): Promise<void> {
  if (!counts || counts.size === 0) return;
  let chunk: { u: string; n: number }[] = [];
  const flush = async () => {
    if (!chunk.length) return;
    // The driver directly: Prisma would serialise and parse the chunk's JSON once more (lib/db/raw.ts executeDirect).
    await executeDirect(
      getDb(),
      Prisma.sql`
      UPDATE "RunUrl" AS r SET "inlinks" = GREATEST(r."inlinks", c.n)
      FROM jsonb_to_recordset(${JSON.stringify(chunk)}::jsonb) AS c(u text, n int)
      WHERE r."runId" = ${runId} AND r."url" = c.u AND r."inlinks" < c.n`,
    );
    chunk = [];
  };
  for (const [u, n] of counts) {
    chunk.push({ u, n });
    if (chunk.length >= INLINK_CHUNK) await flush();
  }
  await flush();
}

/**
 * The collapseDuplicates pass over a finished crawl (see the module doc): in every cluster with two or more listed
 * URLs, all but the kept one become reason "duplicate" with target = the kept URL. Idempotent (a second pass finds
 * one listed URL per cluster). Returns how many URLs it left out.
 */
export async function collapseDuplicates(runId: string): Promise<number> {
  return getDb().$executeRaw`
    WITH ranked AS (
      SELECT "url", "contentHash",
             row_number() OVER (PARTITION BY "contentHash" ORDER BY "inlinks" DESC, length("url"), "url" COLLATE "C") AS rank,
             first_value("url") OVER (PARTITION BY "contentHash" ORDER BY "inlinks" DESC, length("url"), "url" COLLATE "C") AS kept
      FROM "RunUrl"
      WHERE "runId" = ${runId} AND "included" AND "contentHash" IS NOT NULL
    )
    UPDATE "RunUrl" AS r SET "included" = false, "reason" = 'duplicate', "target" = ranked.kept
    FROM ranked
    WHERE r."runId" = ${runId} AND r."url" = ranked."url" AND ranked.rank > 1`;
}

/** The columns one inventory row of the API needs. */
export const INVENTORY_SELECT = {
  id: true,
  url: true,
  status: true,
  included: true,
  reason: true,
  target: true,
  detail: true,
  depth: true,
  foundOn: true,
  inlinks: true,
  contentType: true,
  lastmod: true,
  lastmodSource: true,
  contentHash: true,
} as const;
export type InventoryRow = Prisma.RunUrlGetPayload<{ select: typeof INVENTORY_SELECT }>;

/** The run (id, sitemap, whether it is the sitemap's published run) when it is one of `userId`'s sitemaps', else null. */
export async function findRunForInventory(runId: string, userId: string) {
  const run = await getDb().run.findFirst({
    where: { id: runId, sitemap: { userId } },
    select: { id: true, sitemapId: true, sitemap: { select: { publishedRunId: true } } },
  });
  return run ? { id: run.id, sitemapId: run.sitemapId, publishedRunId: run.sitemap.publishedRunId } : null;
}

/** Up to `take` inventory rows of run `runId` matching `where`, in `orderBy` (the list grammar's keyset order). */
export async function queryInventoryRows(opts: {
  runId: string;
  where: Prisma.RunUrlWhereInput;
  orderBy: Prisma.RunUrlOrderByWithRelationInput[];
  take: number;
}): Promise<InventoryRow[]> {
  return getDb().runUrl.findMany({
    where: { AND: [{ runId: opts.runId }, opts.where] },
    orderBy: opts.orderBy,
    take: opts.take,
    select: INVENTORY_SELECT,
  });
}

/** Of `urls`, those listed by run `runId` (the URLs in its files). */
export async function listedAmong(runId: string, urls: string[]): Promise<Set<string>> {
  if (!urls.length) return new Set();
  const rows = await getDb().runUrl.findMany({ where: { runId, included: true, url: { in: urls } }, select: { url: true } });
  return new Set(rows.map((r) => r.url));
}

/** Of `hashes`, those shared by two or more URLs of run `runId` (duplicate cluster ids). */
export async function clusteredAmong(runId: string, hashes: string[]): Promise<Set<string>> {
  if (!hashes.length) return new Set();
  const rows = await getDb().$queryRaw<{ h: string }[]>`
    SELECT "contentHash" AS h FROM "RunUrl"
    WHERE "runId" = ${runId} AND "contentHash" IN (SELECT jsonb_array_elements_text(${JSON.stringify(hashes)}::jsonb))
    GROUP BY "contentHash" HAVING count(*) > 1`;
  return new Set(rows.map((r) => r.h));
}

/**
 * One duplicate cluster: id (the content hash), URLs in it, URLs of it the run lists, and its kept URL (the first of
 * its listed URLs, or left out as "duplicate", by most inlinks, shortest, byte order; else of all its URLs).
 */
export type ClusterRow = { id: string; size: number; listed: number; kept: string };

/**
 * One page of run `runId`'s duplicate clusters, ordered by (`sort` value, id) in `dir` with keyset `after`
 * (exclusive), `minSize`/`maxSize` bounds on the size. `kept` follows the module doc's order over all the cluster's
 * URLs (the URL a collapse keeps, or kept, when the cluster's listed URLs are all of them).
 */
export async function queryClusters(opts: {
  runId: string;
  sort: "size" | "id";
  dir: "asc" | "desc";
  after: { value: string | number; id: string } | null;
  sizeWhere: { op: "eq" | "ne" | "lt" | "lte" | "gt" | "gte"; value: number }[];
  take: number;
}): Promise<ClusterRow[]> {
  const P = Prisma;
  const cmp = opts.dir === "asc" ? P.raw(">") : P.raw("<");
  const dir = P.raw(opts.dir === "asc" ? "ASC" : "DESC");
  const OPS = { eq: "=", ne: "<>", lt: "<", lte: "<=", gt: ">", gte: ">=" } as const;
  const conds: Prisma.Sql[] = opts.sizeWhere.map((w) => P.sql`c.size ${P.raw(OPS[w.op])} ${w.value}`);
  if (opts.after) {
    conds.push(
      opts.sort === "id"
        ? P.sql`c.id ${cmp} ${String(opts.after.id)}`
        : P.sql`(c.size ${cmp} ${Number(opts.after.value)} OR (c.size = ${Number(opts.after.value)} AND c.id COLLATE "C" ${cmp} ${opts.after.id}))`,
    );
  }
  const where = conds.length ? P.sql`WHERE ${P.join(conds, " AND ")}` : P.empty;
  const order = opts.sort === "id" ? P.sql`c.id COLLATE "C" ${dir}` : P.sql`c.size ${dir}, c.id COLLATE "C" ${dir}`;
  const rows = await getDb().$queryRaw<{ id: string; size: bigint; listed: bigint; kept: string }[]>`
    SELECT c.id, c.size, c.listed, c.kept FROM (
      SELECT "contentHash" AS id, count(*) AS size, count(*) FILTER (WHERE "included") AS listed,
             (array_agg("url" ORDER BY ("included" OR "reason" = 'duplicate') DESC, "inlinks" DESC, length("url"), "url" COLLATE "C"))[1] AS kept
      FROM "RunUrl" WHERE "runId" = ${opts.runId} AND "contentHash" IS NOT NULL
      GROUP BY "contentHash" HAVING count(*) > 1
    ) c ${where}
    ORDER BY ${order}
    LIMIT ${opts.take}`;
  return rows.map((r) => ({ id: r.id, size: Number(r.size), listed: Number(r.listed), kept: r.kept }));
}

/**
 * The URLs of cluster `hash` in run `runId`: the first `limit` by most inlinks (then URL), returned in the kept order
 * of the module doc (most inlinks, shortest, byte order).
 */
export async function clusterMembers(runId: string, hash: string, limit: number) {
  const rows = await getDb().runUrl.findMany({
    where: { runId, contentHash: hash },
    orderBy: [{ inlinks: "desc" }, { url: "asc" }],
    take: limit,
    select: { url: true, status: true, included: true, reason: true, inlinks: true, depth: true },
  });
  return rows.sort((a, b) => b.inlinks - a.inlinks || a.url.length - b.url.length || (a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
}
