/**
 * The generation pipeline shared by the Inngest job (inngest/functions/generate-sitemap.ts) and the command line
 * (scripts/crawl.ts): crawl a site into a sink of inventory records, then write the listed URLs as sitemap files.
 * One code path, two sinks: the job's sink is the database (RunUrl), the CLI's is memory. Records reach the sink
 * through the crawl journal (journal.ts) in batches; the job's crawl is also `durable` (frontier pushes and finished
 * visits go into the same batches, so a killed crawl resumes) and revalidates pages known from earlier runs.
 *
 * Units: batchSize in records, progressIntervalMs in ms. Errors: whatever the crawler and writer throw
 * (EmptySitemapError when nothing is listed).
 */
import { crawl, type CrawlOptions } from "@/lib/crawl/crawler";
import type { FrontierItem, FrontierStore } from "@/lib/crawl/frontier";
import type { CrawlRecord, CrawlSettings, ExclusionReason, SitemapEntry } from "@/lib/core/types";
import { DEFAULT_CRAWL_SETTINGS } from "@/lib/core/types";
import { writeSitemapOutputs, type SitemapOutputsOptions } from "@/lib/sitemap/outputs";
import { createCrawlJournal, createJournaledFrontier, type CrawlJournal, type JournalBatch, type JournalOptions } from "./journal";

export type CrawlProgress = {
  pagesFetched: number;
  pagesQueued: number;
  urlsListed: number;
  urlsExcluded: number;
  excludedByReason: Partial<Record<ExclusionReason, number>>;
};

export type RecordSink = {
  /**
   * Receives inventory records in batches (lib/runs/journal.ts), in emission order, one call at a time. `batch` also
   * carries the URLs queued, visits finished and page links of the same stretch of the crawl (for a durable sink that
   * writes them together). Awaited; while it runs, further records are buffered, and a durable crawl stops handing
   * out new URLs when too much is buffered.
   */
  write(records: CrawlRecord[], batch: JournalBatch): Promise<void>;
  /** Receives progress at most every progressIntervalMs, and once at the end, after the records it counts are written. */
  progress?(p: CrawlProgress): Promise<void> | void;
};

/** Where a resumed crawl starts (lib/db/frontier.ts `loadCrawlCheckpoint`). */
export type CrawlResume = {
  /** URLs already recorded: seen, never fetched or recorded again. */
  recorded: Iterable<string>;
  /** URLs queued whose visit did not finish, in crawl order. */
  queue: readonly FrontierItem[];
  /** Page requests already spent (counted against maxPages). */
  pagesFetched: number;
};

export type CrawlIntoOptions = {
  sink: RecordSink;
  signal?: AbortSignal;
  /** Exact host:port pairs allowed despite the SSRF guard (default: env CRAWL_ALLOW_HOSTS). */
  allowHosts?: string[];
  /** Records per batch, cap (default 500). */
  batchSize?: number;
  progressIntervalMs?: number;
  /**
   * Durable crawl (the job): frontier pushes, finished visits and page links go through the sink's batches, so the
   * sink can persist a resumable state; `resume` seeds the frontier from such a state. Off for the CLI.
   */
  durable?: boolean;
  resume?: CrawlResume | null;
  /** Conditional requests for pages fetched on an earlier run (lib/db/page-state.ts `createRevalidator`). */
  revalidate?: CrawlOptions["revalidate"];
  /** Journal tuning (tests). */
  journal?: Omit<Partial<JournalOptions>, "write">;
  /** Audit the site's own sitemaps (CrawlOptions.audit); the result is the summary's `audit`. */
  audit?: boolean;
  /** Time budget, ms since the epoch (lib/crawl/crawl-options.ts CrawlOptions.deadline). */
  deadline?: number;
  /**
   * Length of this call's slice of a crawl run as bounded steps, ms, counted from the start of the crawl proper (after
   * a worker's start-up): then the crawl pauses (CrawlOptions.pauseAt; lib/runs/execute.ts crawlStep).
   */
  pauseAfterMs?: number;
};

/** Fills crawl settings with defaults; `partial.startUrl` is required. */
export function crawlSettings(partial: Partial<CrawlSettings> & { startUrl: string }): CrawlSettings {
  const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined && v !== null));
  return { ...DEFAULT_CRAWL_SETTINGS, ...defined } as CrawlSettings;
}

/**
 * Bounds how far a durable crawl may run ahead of its journal writes, as a share of the crawl so far: before the
 * next URL is handed out, while more than max({@link LAG_FLOOR}, {@link LAG_SHARE} × events so far) events (records,
 * pushes, finished visits) wait to be written, the crawl waits for the journal. What a kill costs is the visits not
 * yet written as finished (lib/runs/journal.ts), so this keeps the refetch share after a kill small (≤ 5 %)
 * even when the database is slow (a loaded machine): without it, a crawl that never pauses between levels (the
 * scheduler has no BFS barrier) can run hundreds of pages ahead of a slow database.
 */
function boundLag<F extends FrontierStore>(frontier: F, journal: CrawlJournal): F {
  let events = 0;
  const shift = frontier.shift.bind(frontier);
  return {
    ...frontier,
    push(item: FrontierItem) {
      events++;
      return frontier.push(item);
    },
    complete(item: FrontierItem) {
      events += 2; // the visit's record and its completion
      return frontier.complete?.(item);
    },
    shift() {
      if (journal.buffered() > Math.max(LAG_FLOOR, LAG_SHARE * events)) return journal.flushed().then(() => shift());
      return shift();
    },
  };
}
/** Events buffered before {@link boundLag} waits, at least; and as a share of the events so far. */
export const LAG_FLOOR = 24;
export const LAG_SHARE = 0.03;

/**
 * Crawls `settings.startUrl` and streams every record (listed or left out) into the sink. Returns the crawl summary
 * (its counts cover this call only; a resumed crawl's totals are the sink's business).
 * Errors: whatever the crawler throws (AbortError on cancel), or the sink's error.
 */
export async function crawlInto(settings: CrawlSettings, opts: CrawlIntoOptions) {
  const journal = createCrawlJournal({
    write: (batch) => opts.sink.write(batch.records, batch),
    maxBatch: opts.batchSize ?? 500,
    ...opts.journal,
  });
  const frontier = opts.durable
    ? boundLag(createJournaledFrontier(journal, { recorded: opts.resume?.recorded, queue: opts.resume?.queue }), journal)
    : null;
  const queuedNow = (p: { pagesQueued: number }) => (frontier ? frontier.queued() : p.pagesQueued);
  let summary: Awaited<ReturnType<typeof crawl>>;
  try {
    summary = await crawl(settings, {
      signal: opts.signal,
      allowHosts: opts.allowHosts,
      deadline: opts.deadline,
      pauseAt: opts.pauseAfterMs === undefined ? undefined : Date.now() + opts.pauseAfterMs,
      progressIntervalMs: opts.progressIntervalMs ?? 500,
      ...(frontier ? { frontier } : {}),
      // The seeded frontier already holds the resumed queue; the seed carries the page budget already spent and
      // names the queued items, so a shorter path found after the resume still moves them up (exact depths).
      ...(opts.resume ? { seed: { seen: [], queue: [], pagesFetched: opts.resume.pagesFetched, inStore: opts.resume.queue } } : {}),
      ...(opts.revalidate ? { revalidate: opts.revalidate } : {}),
      ...(opts.audit ? { audit: true } : {}),
      ...(opts.durable ? { onPageLinks: (url: string, links: { url: string; nofollow: boolean }[]) => journal.pageLinks(url, links) } : {}),
      // Synchronous on purpose: see lib/runs/journal.ts for why a record must never wait for I/O here.
      onRecord: (r: CrawlRecord) => journal.record(r),
      onProgress: opts.sink.progress
        ? async (p) => {
            // Records are written before progress is reported, so counts never run ahead of the stored inventory.
            await journal.flushed();
            await opts.sink.progress!({ ...p, pagesQueued: queuedNow(p) });
          }
        : undefined,
    });
    await journal.drain();
  } catch (err) {
    journal.close();
    throw err;
  }
  const final: CrawlProgress = {
    pagesFetched: summary.pagesFetched,
    pagesQueued: 0,
    urlsListed: summary.urlsListed,
    urlsExcluded: summary.urlsExcluded,
    excludedByReason: summary.excludedByReason,
  };
  await opts.sink.progress?.(final);
  return summary;
}

export type OutputOptions = {
  dir: string;
  fileName: string;
  /** Absolute URL prefix where the files are served (for sitemap index <loc>s), ending in "/". */
  baseUrl: string;
  maxFileEntries: number;
  maxFileSize: number;
  gzip: boolean;
} & Omit<SitemapOutputsOptions, "dir" | "fileName" | "baseUrl" | "maxFileEntries" | "maxFileSize" | "gzip">;

/**
 * Writes listed URLs (caller gives a stable order) as the XML sitemap (urlset parts + index) and the requested extra
 * outputs into `opts.dir` (lib/sitemap/outputs.ts). Deterministic: the same entries give byte-identical files.
 */
export async function writeOutputs(entries: AsyncIterable<SitemapEntry> | Iterable<SitemapEntry>, opts: OutputOptions) {
  return writeSitemapOutputs(entries, opts);
}
