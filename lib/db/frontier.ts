/**
 * The persisted crawl state of a run, so a killed worker resumes instead of starting over (a crash mid-crawl
 * refetches at most 5 % of the pages already fetched).
 *
 * State, per run:
 * - `RunUrl`        every URL recorded (listed or left out). Never recorded twice (unique per run).
 * - `CrawlFrontier` every URL queued whose visit has not finished (`url`, `depth`, `seq` = queue order, `foundOn` = the
 *                   page whose link queued it, so the resumed crawl's record keeps "found on"). A row is
 *                   deleted only once its visit finished, i.e. after the page's record and all its links are stored.
 * The seen-set of a resumed crawl is the union of both; its queue is the CrawlFrontier rows in (depth, seq) order,
 * which is the crawler's breadth-first order. A row whose URL is also recorded is a visit cut short after its record
 * was written: it is visited again, so whatever its links led to is rediscovered (its record is kept, not duplicated).
 *
 * Consistency: `persistCrawlBatch` writes one journal batch (lib/runs/journal.ts) — records, their pages' PageState,
 * URLs queued, visits finished — in ONE statement (atomic), and batches are prefixes of the crawler's event stream, so the
 * database always holds a state the crawl really passed through. A kill therefore loses at most the visits not yet
 * written as finished, and those are visited again; no URL is lost.
 *
 * Units: counts of URLs; `seq` is a database sequence (monotonic, gaps allowed). Errors: database errors propagate.
 */
import type { CrawlRecord, ExclusionReason } from "@/lib/core/types";
import type { FrontierItem } from "@/lib/crawl/frontier";
import { Prisma } from "@/generated/prisma/client";
import { getDb } from "./client";
import { executeDirect } from "./raw";
import { upsertPageStatesSql, type PageObservation } from "./page-state";
import { inventoryColumns } from "./run-urls";

/** What a resumed crawl starts from. */
export type CrawlCheckpoint = {
  /** True when the run already recorded or queued something (a retried or resumed crawl step). */
  resumed: boolean;
  /** URLs recorded in RunUrl (done). */
  recorded: string[];
  /** Queued URLs whose visit did not finish, in crawl order (depth, then queue order). */
  queue: FrontierItem[];
  /** Counts of what is already recorded: the resumed crawl's counts are added to these. */
  totals: {
    /** Page requests already made: records with an HTTP status, plus network failures. */
    pagesFetched: number;
    urlsListed: number;
    urlsExcluded: number;
    excludedByReason: Partial<Record<ExclusionReason, number>>;
  };
};

/**
 * Loads a run's checkpoint. Reads RunUrl and CrawlFrontier by keyset pages (memory: the URL strings, as the in-memory
 * crawler's seen-set and queue would hold anyway).
 */
export async function loadCrawlCheckpoint(runId: string, pageSize = 10_000): Promise<CrawlCheckpoint> {
  const db = getDb();
  const recorded: string[] = [];
  let after: bigint | null = null;
  for (;;) {
    const rows: { id: bigint; url: string }[] = await db.runUrl.findMany({
      where: { runId, ...(after !== null ? { id: { gt: after } } : {}) },
      orderBy: { id: "asc" },
      select: { id: true, url: true },
      take: pageSize,
    });
    for (const r of rows) recorded.push(r.url);
    if (rows.length < pageSize) break;
    after = rows[rows.length - 1].id;
  }
  const queue: FrontierItem[] = [];
  let afterSeq: bigint | null = null;
  for (;;) {
    const rows: { url: string; depth: number; seq: bigint; foundOn: string | null }[] = await db.crawlFrontier.findMany({
      where: { runId, ...(afterSeq !== null ? { seq: { gt: afterSeq } } : {}) },
      orderBy: { seq: "asc" },
      select: { url: true, depth: true, seq: true, foundOn: true },
      take: pageSize,
    });
    for (const r of rows) queue.push(r.foundOn ? { url: r.url, depth: r.depth, from: r.foundOn } : { url: r.url, depth: r.depth });
    if (rows.length < pageSize) break;
    afterSeq = rows[rows.length - 1].seq;
  }
  // Stable sort: depth first (BFS), queue order within a depth.
  queue.sort((a, b) => a.depth - b.depth);

  const totals = await loadInventoryTotals(runId);
  return { resumed: recorded.length > 0 || queue.length > 0, recorded, queue, totals };
}

/** Counts of a run's stored inventory (exact, whatever the number of attempts that wrote it). */
export async function loadInventoryTotals(runId: string): Promise<CrawlCheckpoint["totals"]> {
  const counts = await getDb().$queryRaw<{ reason: string | null; included: boolean; fetched: bigint; n: bigint }[]>`
    SELECT reason, included,
           count(*) FILTER (WHERE status IS NOT NULL OR reason = 'fetch_error') AS fetched,
           count(*) AS n
    FROM "RunUrl" WHERE "runId" = ${runId}
    GROUP BY reason, included`;
  const totals: CrawlCheckpoint["totals"] = { pagesFetched: 0, urlsListed: 0, urlsExcluded: 0, excludedByReason: {} };
  for (const c of counts) {
    const n = Number(c.n);
    totals.pagesFetched += Number(c.fetched);
    if (c.included) totals.urlsListed += n;
    else {
      totals.urlsExcluded += n;
      if (c.reason) totals.excludedByReason[c.reason as ExclusionReason] = (totals.excludedByReason[c.reason as ExclusionReason] ?? 0) + n;
    }
  }
  return totals;
}

/** One batch of the crawl journal. */
export type CrawlBatch = {
  /** Inventory records, in the order the crawler emitted them. */
  records: CrawlRecord[];
  /** Pages with a content hash among `records`, for PageState (truthful lastmod, validators, snapshot). */
  pages: PageObservation[];
  /** URLs queued since the previous batch, in queue order. */
  queued: FrontierItem[];
  /** Frontier items whose visit finished since the previous batch. */
  completed: FrontierItem[];
};

/**
 * Writes one journal batch in a single SQL statement (data-modifying CTEs: atomic like a transaction, one round trip):
 * PageState of the batch's pages (whose first-seen times become the records' lastmod), the RunUrl records, the newly
 * queued CrawlFrontier rows, and removes the rows of finished visits. Idempotent (records and frontier rows already
 * stored are skipped).
 *
 * lastmod stored in RunUrl: the page's `hashFirstSeenAt` when it has a content hash, else the Last-Modified header
 * (`record.lastmod`), else null — see lib/db/page-state.ts for the rules.
 * Why one statement: a batch as a transaction of up to six statements (BEGIN, four writes, COMMIT) made the
 * per-statement costs, on PGlite on the server's own thread, a large part of a crawl's time (bench/RESULTS.md,
 * generate-speed).
 */
export async function persistCrawlBatch(opts: { runId: string; sitemapId: string; batch: CrawlBatch }): Promise<void> {
  const { runId, sitemapId, batch } = opts;
  if (!batch.records.length && !batch.queued.length && !batch.pages.length && !batch.completed.length) return;
  // A URL queued and finished within the same batch needs no row at all.
  const queuedNow = new Set(batch.queued.map((q) => q.url));
  const finishedNow = new Set(batch.completed.map((c) => c.url));
  const queued = batch.queued.filter((q) => !finishedNow.has(q.url)).map((q, i) => ({ url: q.url, depth: q.depth, from: q.from ?? null, i }));
  const finishedEarlierQueued = [...finishedNow].filter((u) => !queuedNow.has(u));
  // Each part is "name AS (statement)"; PostgreSQL runs every data-modifying CTE whether or not it is referenced.
  const parts: Prisma.Sql[] = [];
  const pageStates = upsertPageStatesSql(sitemapId, batch.pages, Prisma.sql`RETURNING s.url AS url, s."hashFirstSeenAt" AS first`);
  pageStates.forEach((statement, i) => parts.push(Prisma.sql`${Prisma.raw(`ps${i}`)} AS (${statement})`));
  if (batch.records.length) {
    const firstSeen = pageStates.length
      ? Prisma.raw(pageStates.map((_, i) => `SELECT url, first FROM ps${i}`).join(" UNION ALL "))
      : Prisma.raw(`SELECT NULL::text AS url, NULL::timestamp AS first WHERE false`);
    parts.push(Prisma.sql`first_seen AS (${firstSeen})`);
    parts.push(Prisma.sql`run_urls AS (
        INSERT INTO "RunUrl" ("runId", ${RUN_URL_INSERT.columns})
        SELECT ${runId}, ${RUN_URL_INSERT.values}
        FROM jsonb_to_recordset(${JSON.stringify(runUrlRows(batch.records))}::jsonb) AS r(${RUN_URL_INSERT.types})
        LEFT JOIN first_seen f ON r."contentHash" IS NOT NULL AND f.url = r.url
        ON CONFLICT ("runId", "url") DO NOTHING
        RETURNING 1)`);
  }
  if (finishedEarlierQueued.length) {
    // = ANY(ARRAY(…)): an index scan of the primary key per URL; `url IN (SELECT …)` was planned as a scan of all
    // the run's frontier rows per batch (no statistics on PGlite, stale ones mid-crawl on PostgreSQL).
    parts.push(Prisma.sql`finished AS (
        DELETE FROM "CrawlFrontier"
        WHERE "runId" = ${runId} AND url = ANY(ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(finishedEarlierQueued)}::jsonb)))
        RETURNING 1)`);
  }
  if (queued.length) {
    // ORDER BY keeps `seq` (a serial) in queue order, which is the order a resumed crawl replays.
    parts.push(Prisma.sql`queued AS (
        INSERT INTO "CrawlFrontier" ("runId", "url", "depth", "foundOn")
        SELECT ${runId}, q.url, q.depth, q.from
        FROM jsonb_to_recordset(${JSON.stringify(queued)}::jsonb) AS q(url text, depth int, "from" text, i int)
        ORDER BY q.i
        ON CONFLICT ("runId", "url") DO NOTHING
        RETURNING 1)`);
  }
  // The driver directly: the batch's JSON is large, and Prisma would serialise and parse it once more (executeDirect).
  await executeDirect(getDb(), Prisma.sql`WITH ${Prisma.join(parts, ",\n")} SELECT 1`);
}

/**
 * The RunUrl columns the crawl journal writes, and how each is read from a record: the ONE place that maps a
 * CrawlRecord to a stored row (adding a column is one line here). `type` is the PostgreSQL type the value is read
 * as from the batch's JSON (jsonb_to_recordset, alias `r`); `sql`, when given, converts it to the column's type or
 * takes it from the page's first-seen time (alias `f`, null for records without a content hash: see
 * persistCrawlBatch). `lastmod` is the record's Last-Modified (ISO 8601) for a record without a content hash, else null.
 */
const RUN_URL_COLUMNS: readonly { column: string; type: string; sql?: string; value(r: CrawlRecord, lastmod: string | null): unknown }[] = [
  { column: "url", type: "text", value: (r) => r.url },
  { column: "status", type: "int", value: (r) => r.status },
  { column: "included", type: "boolean", value: (r) => r.included },
  { column: "reason", type: "text", value: (r) => r.reason },
  {
    column: "lastmod",
    type: "timestamptz",
    // Whole seconds, as the sitemap shows them (PageState stores whole seconds; date_trunc keeps that exact).
    sql: `CASE WHEN r."contentHash" IS NOT NULL THEN date_trunc('second', f.first) ELSE (r."lastmod" AT TIME ZONE 'UTC') END`,
    value: (_r, lastmod) => lastmod,
  },
  { column: "depth", type: "int", value: (r) => r.depth },
  { column: "target", type: "text", value: (r) => r.target ?? null },
  { column: "contentHash", type: "text", value: (r) => r.contentHash ?? null },
  { column: "data", type: "jsonb", value: (r) => r.data ?? null },
  // the URL inventory's columns (lib/db/run-urls.ts inventoryColumns)
  { column: "foundOn", type: "text", value: (r) => r.foundOn ?? null },
  { column: "inlinks", type: "int", value: (r) => r.inlinks ?? 0 },
  { column: "contentType", type: "text", value: (r) => r.contentType ?? null },
  {
    column: "lastmodSource",
    type: "text",
    sql: `CASE WHEN r."contentHash" IS NOT NULL THEN CASE WHEN f.first IS NULL THEN NULL ELSE 'content' END ELSE r."lastmodSource" END`,
    value: (r, lastmod) => inventoryColumns(r, lastmod === null ? null : new Date(lastmod)).lastmodSource,
  },
  { column: "detail", type: "jsonb", value: (r) => inventoryColumns(r, null).detail },
];

/** The SQL fragments of {@link RUN_URL_COLUMNS} (identifiers and types are constants of this module, never input). */
const RUN_URL_INSERT = {
  columns: Prisma.raw(RUN_URL_COLUMNS.map((c) => `"${c.column}"`).join(", ")),
  values: Prisma.raw(RUN_URL_COLUMNS.map((c) => c.sql ?? `r."${c.column}"`).join(", ")),
  types: Prisma.raw(RUN_URL_COLUMNS.map((c) => `"${c.column}" ${c.type}`).join(", ")),
};

/**
 * A batch's records as RunUrl rows (objects keyed by column name, for jsonb_to_recordset). lastmod: for a record
 * without a content hash its Last-Modified (`record.lastmod`, when a valid date), else null (a hashed page's lastmod
 * is its PageState first-seen time, joined in SQL).
 */
function runUrlRows(records: readonly CrawlRecord[]): Record<string, unknown>[] {
  return records.map((r) => {
    const d = !r.contentHash && r.lastmod ? new Date(r.lastmod) : null;
    const lastmod = d && Number.isFinite(d.getTime()) ? d.toISOString() : null;
    return Object.fromEntries(RUN_URL_COLUMNS.map((c) => [c.column, c.value(r, lastmod)]));
  });
}

/** Drops a run's frontier (a finished or abandoned crawl has nothing queued). */
export async function clearCrawlFrontier(runId: string): Promise<void> {
  await getDb().crawlFrontier.deleteMany({ where: { runId } });
}
