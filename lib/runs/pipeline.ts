/**
 * The generation pipeline shared by the Inngest job (inngest/functions/generate-sitemap.ts) and the command line
 * (scripts/crawl.ts): crawl a site into a sink of inventory records, then write the listed URLs as sitemap files.
 * One code path, two sinks: the job's sink is the database (RunUrl), the CLI's is memory.
 *
 * Units: batchSize in records, progressIntervalMs in ms. Errors: whatever the crawler and writer throw
 * (EmptySitemapError when nothing is listed).
 */
import { crawl } from "@/lib/crawl/crawler";
import type { CrawlRecord, CrawlSettings, ExclusionReason, SitemapEntry } from "@/lib/core/types";
import { DEFAULT_CRAWL_SETTINGS } from "@/lib/core/types";
import { writeSitemapFiles } from "@/lib/sitemap/writer";

export type CrawlProgress = {
  pagesFetched: number;
  pagesQueued: number;
  urlsListed: number;
  urlsExcluded: number;
  excludedByReason: Partial<Record<ExclusionReason, number>>;
};

export type RecordSink = {
  /** Receives inventory records in batches (awaited: a slow sink slows the crawl, memory stays bounded). */
  write(records: CrawlRecord[]): Promise<void>;
  /** Receives progress at most every progressIntervalMs, and once at the end. */
  progress?(p: CrawlProgress): Promise<void> | void;
};

export type CrawlIntoOptions = {
  sink: RecordSink;
  signal?: AbortSignal;
  /** Exact host:port pairs allowed despite the SSRF guard (default: env CRAWL_ALLOW_HOSTS). */
  allowHosts?: string[];
  batchSize?: number;
  progressIntervalMs?: number;
};

/** Fills crawl settings with defaults; `partial.startUrl` is required. */
export function crawlSettings(partial: Partial<CrawlSettings> & { startUrl: string }): CrawlSettings {
  const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined && v !== null));
  return { ...DEFAULT_CRAWL_SETTINGS, ...defined } as CrawlSettings;
}

/** Crawls `settings.startUrl` and streams every record (listed or left out) into the sink. Returns the crawl summary. */
export async function crawlInto(settings: CrawlSettings, opts: CrawlIntoOptions) {
  const batchSize = opts.batchSize ?? 500;
  const interval = opts.progressIntervalMs ?? 500;
  let batch: CrawlRecord[] = [];
  let lastProgress = 0;
  let latest: CrawlProgress | null = null;
  const flush = async () => {
    if (!batch.length) return;
    const out = batch;
    batch = [];
    await opts.sink.write(out);
  };
  const summary = await crawl(settings, {
    signal: opts.signal,
    allowHosts: opts.allowHosts,
    onRecord: async (r: CrawlRecord) => {
      batch.push(r);
      if (batch.length >= batchSize) await flush();
    },
    onProgress: async (p: Omit<CrawlProgress, "excludedByReason"> & { excludedByReason?: CrawlProgress["excludedByReason"] }) => {
      latest = { excludedByReason: {}, ...p };
      const now = Date.now();
      if (opts.sink.progress && now - lastProgress >= interval) {
        lastProgress = now;
        // Records are flushed before progress is reported, so counts never run ahead of the stored inventory.
        await flush();
        await opts.sink.progress(latest);
      }
    },
  });
  await flush();
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
};

/** Writes listed URLs (caller gives a stable order) as urlset parts + sitemap index into `opts.dir`. */
export async function writeOutputs(entries: AsyncIterable<SitemapEntry> | Iterable<SitemapEntry>, opts: OutputOptions) {
  return writeSitemapFiles(entries, {
    dir: opts.dir,
    fileName: opts.fileName,
    baseUrl: opts.baseUrl,
    maxFileEntries: opts.maxFileEntries,
    maxFileSize: opts.maxFileSize,
    gzip: opts.gzip,
  });
}
