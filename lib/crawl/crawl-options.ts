/**
 * The options, progress snapshots and summary of one crawl (lib/crawl/crawler.ts crawl()). Types only.
 * Units: ms, page requests, URLs.
 */
import type { CrawlRecord, ExclusionReason, PageSnapshot } from "@/lib/core/types";
import type { LookupFn } from "./fetch";
import type { FrontierItem, FrontierStore } from "./frontier";

export type CrawlProgress = {
  /** Page requests made so far (robots.txt excluded). */
  pagesFetched: number;
  /** URLs waiting in the frontier. */
  pagesQueued: number;
  urlsListed: number;
  urlsExcluded: number;
  /** Count per exclusion reason so far (a copy). */
  excludedByReason: Record<ExclusionReason, number>;
};

/** What `revalidate` returns for a URL fetched fully on an earlier run. */
export type Revalidation = {
  /** ETag field value as received (sent back as If-None-Match). */
  etag?: string | null;
  /** Last-Modified field value as received (sent back as If-Modified-Since). */
  lastModified?: string | null;
  /** What that earlier fetch found; replayed on 304 Not Modified. */
  snapshot: PageSnapshot;
};

export type CrawlOptions = {
  /** Receives every record once; awaited (may be async, e.g. a batching DB sink). A throw aborts the crawl. */
  onRecord?: (record: CrawlRecord) => void | Promise<void>;
  /**
   * Progress snapshots, at most one per `progressIntervalMs`, plus one at the end. Awaited like `onRecord`
   * (the page that triggered it waits); a throw aborts the crawl.
   */
  onProgress?: (progress: CrawlProgress) => void | Promise<void>;
  /** Minimum ms between two `onProgress` calls. Default 1000. */
  progressIntervalMs?: number;
  /** Cancels the crawl: in-flight requests are aborted and `crawl` rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Exact `host:port` entries exempt from the SSRF guard. Default: env CRAWL_ALLOW_HOSTS. */
  allowHosts?: readonly string[];
  /** DNS resolver used by the SSRF guard (tests inject answers). Default: dns.promises.lookup. */
  lookup?: LookupFn;
  /** Frontier and seen-set. Default: in memory. See frontier.ts for resuming with a store of your own. */
  frontier?: FrontierStore;
  /**
   * Resume state loaded into the frontier before the crawl starts: every URL already met (`seen`, recorded or
   * queued), the URLs still to fetch (`queue`, in order, with depth) and the page requests already spent
   * (`pagesFetched`, counted against `maxPages`). URLs in `seen` are never fetched or recorded again.
   */
  seed?: {
    seen: Iterable<string>;
    queue: readonly FrontierItem[];
    pagesFetched?: number;
    /**
     * Items the given `frontier` store already holds (a store pre-filled from a checkpoint): not pushed again, but
     * made known to the scheduler so a shorter path found later can still move them up (exact depths after a resume).
     */
    inStore?: readonly FrontierItem[];
  };
  /**
   * Called before the first request of each queued URL. Returning validators sends If-None-Match /
   * If-Modified-Since; a 304 answer replays `snapshot` (see module doc). Null/undefined = plain GET. Awaited.
   */
  revalidate?: (url: string) => Promise<Revalidation | null | undefined>;
  /**
   * Called for every HTML page answered 200 and fully fetched (not for 304 replays), with its same-origin links
   * after the URL policy; `nofollow` is true for rel=nofollow links and for all links of a page-level nofollow
   * page. What to store in `PageSnapshot.links`. Awaited.
   */
  onPageLinks?: (url: string, links: { url: string; nofollow: boolean }[]) => void | Promise<void>;
  /** 429/503 back-off overrides (tests). Defaults: 3 retries, 1 s base, 30 s cap (lib/crawl/pacer.ts). */
  retry?: { maxRetries?: number; baseDelayMs?: number; maxDelayMs?: number };
  /** Rendering overrides: Chromium path (default env CHROMIUM_PATH or /usr/bin/chromium), tab pool size (default 2). */
  render?: { executablePath?: string; pages?: number };
  /**
   * Referrer and inlink tracking (records' `foundOn` and `inlinks`, the summary's `inlinks`). Default true; false
   * only for the benchmark's baseline (bench/crawl-speed.ts).
   */
  linkStats?: boolean;
};

export type CrawlSummary = {
  pagesFetched: number;
  urlsListed: number;
  urlsExcluded: number;
  /** Count per reason; every reason of EXCLUSION_REASONS is present (0 when unused). */
  excludedByReason: Record<ExclusionReason, number>;
  /** `Sitemap:` URLs from robots.txt, normalised (empty when robots.txt was not parsed). */
  robotsSitemaps: string[];
  /** Sitemap files read and same-origin URLs taken from them as seeds (new ones only). */
  sitemapFilesRead: number;
  sitemapUrlsImported: number;
  /** Pages rendered with Chromium. */
  pagesRendered: number;
  /** 304 Not Modified answers replayed from snapshots. */
  pagesNotModified: number;
  /** Requests repeated after 429/503. */
  retries: number;
  /** Wall time of the crawl, ms. */
  durationMs: number;
  /**
   * Final inlink counts: URL → distinct crawled pages whose followable same-origin links point to it (self-links not
   * counted). Only URLs with at least one; absent with `linkStats: false`. One counter per URL met, no link lists.
   */
  inlinks?: Map<string, number>;
};
