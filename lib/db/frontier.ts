/**
 * The persisted crawl state of a run, so a killed worker resumes instead of starting over (a crash mid-crawl
 * refetches at most 5 % of the pages already fetched).
 *
 * State, per run:
 * - `RunUrl`        every URL recorded (listed or left out). Never recorded twice (unique per run).
 * - `CrawlFrontier` every URL queued whose visit has not finished (`url`, `depth`, `seq` = queue order). A row is
 *                   deleted only once its visit finished, i.e. after the page's record and all its links are stored.
 * The seen-set of a resumed crawl is the union of both; its queue is the CrawlFrontier rows in (depth, seq) order,
 * which is the crawler's breadth-first order. A row whose URL is also recorded is a visit cut short after its record
 * was written: it is visited again, so whatever its links led to is rediscovered (its record is kept, not duplicated).
 *
 * Consistency: `persistCrawlBatch` writes one journal batch (lib/runs/journal.ts) — records, their pages' PageState,
 * URLs queued, visits finished — in ONE transaction, and batches are prefixes of the crawler's event stream, so the
 * database always holds a state the crawl really passed through. A kill therefore loses at most the visits not yet
 * written as finished, and those are visited again; no URL is lost.
 *
 * Units: counts of URLs; `seq` is a database sequence (monotonic, gaps allowed). Errors: database errors propagate.
 */
import type { CrawlRecord, ExclusionReason } from "@/lib/core/types";
import type { FrontierItem } from "@/lib/crawl/frontier";
import { getDb, TX_OPTIONS } from "./client";
import { upsertPageStates, type PageObservation } from "./page-state";
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
    const rows: { url: string; depth: number; seq: bigint }[] = await db.crawlFrontier.findMany({
      where: { runId, ...(afterSeq !== null ? { seq: { gt: afterSeq } } : {}) },
      orderBy: { seq: "asc" },
      select: { url: true, depth: true, seq: true },
      take: pageSize,
    });
    for (const r of rows) queue.push({ url: r.url, depth: r.depth });
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
 * Writes one journal batch in a single transaction: PageState of the batch's pages (whose first-seen times become
 * the records' lastmod), the RunUrl records, the newly queued CrawlFrontier rows, and removes the rows of finished
 * visits. Idempotent (records and frontier rows already stored are skipped).
 *
 * lastmod stored in RunUrl: the page's `hashFirstSeenAt` when it has a content hash, else the Last-Modified header
 * (`record.lastmod`), else null — see lib/db/page-state.ts for the rules.
 */
export async function persistCrawlBatch(opts: { runId: string; sitemapId: string; batch: CrawlBatch }): Promise<void> {
  const { runId, sitemapId, batch } = opts;
  if (!batch.records.length && !batch.queued.length && !batch.pages.length && !batch.completed.length) return;
  // A URL queued and finished within the same batch needs no row at all.
  const queuedNow = new Set(batch.queued.map((q) => q.url));
  const finishedNow = new Set(batch.completed.map((c) => c.url));
  const queued = batch.queued.filter((q) => !finishedNow.has(q.url)).map((q, i) => ({ url: q.url, depth: q.depth, i }));
  const finishedEarlierQueued = [...finishedNow].filter((u) => !queuedNow.has(u));
  await getDb().$transaction(async (tx) => {
    const firstSeen = await upsertPageStates(tx, sitemapId, batch.pages);
    if (batch.records.length) {
      const rows = batch.records.map((r) => {
        const lastmod = r.contentHash ? (firstSeen.get(r.url) ?? null) : r.lastmod ? new Date(r.lastmod) : null;
        const ok = lastmod && Number.isFinite(lastmod.getTime()) ? lastmod : null;
        return {
          ...inventoryColumns(r, ok),
          url: r.url,
          status: r.status,
          included: r.included,
          reason: r.reason,
          lastmod: ok ? ok.toISOString() : null,
          depth: r.depth,
          target: r.target ?? null,
          hash: r.contentHash ?? null,
          data: r.data ?? null,
        };
      });
      await tx.$executeRaw`
        INSERT INTO "RunUrl" ("runId", "url", "status", "included", "reason", "lastmod", "depth", "target", "contentHash", "data",
                              "foundOn", "inlinks", "contentType", "lastmodSource", "detail")
        SELECT ${runId}, r.url, r.status, r.included, r.reason, (r.lastmod AT TIME ZONE 'UTC'), r.depth, r.target, r.hash, r.data,
               r."foundOn", r.inlinks, r."contentType", r."lastmodSource", r.detail
        FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
          AS r(url text, status int, included boolean, reason text, lastmod timestamptz, depth int, target text, hash text, data jsonb,
               "foundOn" text, inlinks int, "contentType" text, "lastmodSource" text, detail jsonb)
        ON CONFLICT ("runId", "url") DO NOTHING`;
    }
    if (finishedEarlierQueued.length) {
      await tx.$executeRaw`
        DELETE FROM "CrawlFrontier"
        WHERE "runId" = ${runId} AND url IN (SELECT jsonb_array_elements_text(${JSON.stringify(finishedEarlierQueued)}::jsonb))`;
    }
    if (queued.length) {
      // ORDER BY keeps `seq` (a serial) in queue order, which is the order a resumed crawl replays.
      await tx.$executeRaw`
        INSERT INTO "CrawlFrontier" ("runId", "url", "depth")
        SELECT ${runId}, q.url, q.depth
        FROM jsonb_to_recordset(${JSON.stringify(queued)}::jsonb) AS q(url text, depth int, i int)
        ORDER BY q.i
        ON CONFLICT ("runId", "url") DO NOTHING`;
    }
  }, TX_OPTIONS);
}

/** Drops a run's frontier (a finished or abandoned crawl has nothing queued). */
export async function clearCrawlFrontier(runId: string): Promise<void> {
  await getDb().crawlFrontier.deleteMany({ where: { runId } });
}
