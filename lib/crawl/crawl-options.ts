/**
 * The options, progress snapshots and summary of one crawl (lib/crawl/crawler.ts crawl()). Types only.
 * Units: ms, page requests, URLs.
 */
import type { CrawlRecord, ExclusionReason, PageSnapshot } from "@/lib/core/types";
import type { FetchError, LookupFn } from "./fetch";
import type { SiteSitemapAudit } from "./site-audit";
import type { RobotsOutcome } from "./robots";
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
  /**
   * Audit the site's own sitemaps (lib/crawl/site-audit.ts): read them (robots.txt `Sitemap:` lines, else
   * `/sitemap.xml`) in the same pass as the robots.txt sitemap import, note which of their URLs crawled pages link to
   * and what the crawl decided about each; the result is `CrawlSummary.audit`. Default false.
   */
  audit?: boolean;
  /** 429/503 back-off overrides (tests). Defaults: 3 retries, 1 s base, 30 s cap (lib/crawl/pacer.ts). */
  retry?: { maxRetries?: number; baseDelayMs?: number; maxDelayMs?: number };
  /**
   * Time budget (ms since the epoch, Date.now()): once it passes, no new page is fetched; visits under way finish,
   * every URL still queued or found later is recorded "max_pages" (a crawl bound), and the summary's `stoppedBy`
   * says "time_budget". The crawl then resolves normally. Default: none.
   */
  deadline?: number;
  /**
   * End of this call's slice of a longer crawl (ms since the epoch; a bounded job step, lib/runs/execute.ts): once it
   * passes, no new page is fetched and the visits under way finish, but unlike `deadline` nothing is recorded for the
   * URLs still queued: they stay in `frontier` for a resumed call, and the summary says `paused: true`. `deadline`
   * wins when both have passed. Default: none.
   */
  pauseAt?: number;
  /** Rendering overrides: Chromium path (default env CHROMIUM_PATH or /usr/bin/chromium), tab pool size (default 2). */
  render?: { executablePath?: string; pages?: number };
  /**
   * Referrer and inlink tracking (records' `foundOn` and `inlinks`, the summary's `inlinks`). Default true; false
   * only for the benchmark's baseline (bench/crawl-speed.ts).
   */
  linkStats?: boolean;
};

/**
 * How the start URL's own visit ended (the crawl's first visit), so a run that lists nothing can say why
 * (lib/core/run-outcome.ts). Null when the start URL was not fetched by this call (robots.txt unreachable or
 * blocked, a rule, a resumed crawl that had already visited it).
 */
export type StartOutcome = {
  /** The URL whose answer ended the visit: the start URL, or the last hop of its same-origin redirect chain. */
  url: string;
  /** Its HTTP status, or null when no response arrived. */
  status: number | null;
  /** The fetch error (DNS, refused connection, TLS, timeout, SSRF guard, …), or null. */
  error: FetchError | null;
  /** The visit ended at a redirect to another origin (scheme, host or port differ): the normalised target. */
  offOriginTarget: string | null;
};

/** What robots.txt of the start URL's origin came to (lib/crawl/robots.ts), for a run's failure cause. */
export type RobotsSummary = {
  outcome: RobotsOutcome;
  /** Status of the last robots.txt response, or null when none arrived. */
  status: number | null;
  /** The fetch error when robots.txt was unreachable or blocked without a response, else null. */
  error: FetchError | null;
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
  /** With `audit`: the site's own sitemaps and the crawl's view of their URLs (lib/crawl/site-audit.ts). */
  audit?: SiteSitemapAudit;
  /** robots.txt of the start URL's origin. */
  robots: RobotsSummary;
  /** How the start URL's visit ended (see {@link StartOutcome}). */
  start: StartOutcome | null;
  /** "time_budget" when `deadline` passed and left URLs unfetched; else null. */
  stoppedBy: "time_budget" | null;
  /** True when `pauseAt` passed with URLs still queued: the crawl is not done (they stay in the frontier). */
  paused: boolean;
  /**
   * With `paused`: queued URLs a shorter path moved up after they were queued, with their new depth (the frontier
   * store still holds them at the old one; a durable caller stores these before resuming). Else empty.
   */
  lowered: { url: string; depth: number }[];
  /**
   * Final inlink counts: URL → distinct crawled pages whose followable same-origin links point to it (self-links not
   * counted). Only URLs with at least one; absent with `linkStats: false`. One counter per URL met, no link lists.
   */
  inlinks?: Map<string, number>;
};
