/**
 * Crawls one origin and reports every URL it meets as a {@link CrawlRecord}: listed, or left out with a reason.
 *
 * In:  CrawlSettings (lib/core/types.ts; units ms, bytes, pages) and {@link CrawlOptions} (sinks, cancellation,
 *      allow-list, DNS lookup, frontier store).
 * Out: records streamed to `onRecord` (awaited, so a slow sink slows the crawl instead of buffering), and a
 *      {@link CrawlSummary}. Nothing is kept per page after it is processed: memory grows with the seen-set only.
 * Errors: throws RangeError/TypeError for invalid settings or allow-list before any request; rejects with
 *      `signal.reason` when aborted (in-flight requests are cancelled, their URLs get no record); rejects with the
 *      sink's error if `onRecord` throws. HTTP and network failures never throw: they become records.
 *
 * Order and bounds:
 * - robots.txt first (RFC 9309; lib/crawl/robots.ts). Unreachable (5xx/network) → the start URL is recorded
 *   "robots_unavailable" and no page is fetched. Origin refused by the SSRF guard → "blocked_host".
 * - Breadth-first by depth with a barrier: depth d+1 starts only after every depth-d page is done, so a URL's
 *   depth is its true shortest link distance and `maxDepth` is exact. Up to `concurrency` requests in flight.
 * - `maxPages` counts page requests (redirect hops included, robots.txt excluded). Once reached, every URL still
 *   queued or discovered later is recorded "max_pages" and never fetched.
 * - Only same-origin links are followed; other-origin links are ignored without a record.
 *
 * Listing policy (sitemaps.org lists canonical, indexable URLs; Google Search Central's robots meta tag,
 * X-Robots-Tag and rel=canonical docs): a URL is listed when it answered 200 with an HTML Content-Type and has
 * no noindex (header or meta, generic or scoped to our product token) and no rel=canonical naming another URL.
 * `nofollow` (meta or header) stops link discovery on that page; rel=nofollow skips that one link.
 * Redirects (301/302/303/307/308 with Location) are followed here, hop by hop through the guarded fetcher:
 * the redirecting URL gets "redirect" (target = Location), a target on another origin turns it into
 * "off_origin", more than {@link MAX_REDIRECTS} hops or a loop turns the whole chain into "redirect_limit".
 * `lastmod` comes only from Last-Modified (converted to ISO 8601 UTC), never from the crawl time.
 */
import { EXCLUSION_REASONS, type CrawlRecord, type CrawlSettings, type ExclusionReason } from "@/lib/core/types";
import { normalizeUrl, originOf } from "@/lib/core/url";
import { createFetcher, headerValue, type FetchResult, type LookupFn } from "./fetch";
import { createMemoryFrontier, type FrontierItem, type FrontierStore } from "./frontier";
import { isHtmlContentType, looksLikeHtml, parsePage, parseXRobotsTag, type PageLink } from "./html";
import { allowAll, fetchRobots, productToken, type RobotsPolicy } from "./robots";

/** Redirect hops followed per URL before the chain is "redirect_limit" (same cap as RFC 9309 for robots.txt). */
export const MAX_REDIRECTS = 5;

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
  /** Frontier and seen-set. Default: in memory. */
  frontier?: FrontierStore;
};

export type CrawlSummary = {
  pagesFetched: number;
  urlsListed: number;
  urlsExcluded: number;
  /** Count per reason; every reason of EXCLUSION_REASONS is present (0 when unused). */
  excludedByReason: Record<ExclusionReason, number>;
  /** `Sitemap:` URLs from robots.txt, normalised (empty when robots.txt was not parsed). */
  robotsSitemaps: string[];
  /** Wall time of the crawl, ms. */
  durationMs: number;
};

/** Converts an HTTP-date (RFC 9110 §5.6.7) to ISO 8601 UTC without milliseconds; null when absent/invalid. */
export function httpDateToIso(value: string | null): string | null {
  if (!value) return null;
  // IMF-fixdate, the form every current server sends: "Sun, 06 Nov 1994 08:49:37 GMT" → "1994-11-06T08:49:37Z".
  const m = IMF_FIXDATE.exec(value.trim());
  if (m) {
    const month = MONTHS.indexOf(m[2]);
    if (month >= 0) {
      const ms = Date.UTC(+m[3], month, +m[1], +m[4], +m[5], +m[6]);
      if (Number.isFinite(ms)) return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
    }
    return null;
  }
  // Obsolete forms (RFC 850, asctime) that recipients MUST still accept (RFC 9110 §5.6.7); asctime carries
  // no zone but is GMT by definition, while Date.parse would read it as local time.
  const ms = Date.parse(/(GMT|UTC|Z|[+-]\d{2}:?\d{2})$/i.test(value.trim()) ? value : `${value} GMT`);
  if (!Number.isFinite(ms)) return null;
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}
const IMF_FIXDATE = /^[A-Za-z]{3}, (\d{2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function validate(settings: CrawlSettings): string {
  const int = (name: keyof CrawlSettings, min: number) => {
    const v = settings[name];
    if (typeof v !== "number" || !Number.isInteger(v) || v < min) {
      throw new RangeError(`CrawlSettings.${name} must be an integer ≥ ${min}, got ${String(v)}`);
    }
  };
  int("maxPages", 0);
  int("maxDepth", 0);
  int("concurrency", 1);
  int("timeoutMs", 1);
  int("maxBodyBytes", 1);
  const start = normalizeUrl(settings.startUrl);
  if (start === null) throw new TypeError(`CrawlSettings.startUrl must be an absolute http(s) URL without credentials: ${settings.startUrl}`);
  return start;
}

/**
 * Crawls `settings.startUrl`'s origin (see module doc for order, bounds and listing policy).
 * Resolves with the summary once the frontier is empty or `maxPages` is reached and drained.
 */
export async function crawl(settings: CrawlSettings, opts: CrawlOptions = {}): Promise<CrawlSummary> {
  const t0 = performance.now();
  const startUrl = validate(settings);
  const origin = originOf(startUrl)!;
  const originPrefix = origin + "/";
  const token = productToken(settings.userAgent);
  const { signal } = opts;
  const fetcher = createFetcher({
    userAgent: settings.userAgent,
    timeoutMs: settings.timeoutMs,
    maxBodyBytes: settings.maxBodyBytes,
    allowHosts: opts.allowHosts,
    lookup: opts.lookup,
    connections: settings.concurrency,
  });
  const frontier = opts.frontier ?? createMemoryFrontier();

  let pagesFetched = 0;
  let queued = 0;
  let urlsListed = 0;
  let urlsExcluded = 0;
  const excludedByReason = Object.fromEntries(EXCLUSION_REASONS.map((r) => [r, 0])) as Record<ExclusionReason, number>;
  const progressEvery = opts.progressIntervalMs ?? 1000;
  let lastProgress = 0;
  const progress = (force = false): void | Promise<void> => {
    if (!opts.onProgress) return;
    const now = performance.now();
    if (!force && now - lastProgress < progressEvery) return;
    lastProgress = now;
    return opts.onProgress({ pagesFetched, pagesQueued: queued, urlsListed, urlsExcluded, excludedByReason: { ...excludedByReason } });
  };

  const emit = async (record: CrawlRecord) => {
    if (record.included) urlsListed++;
    else {
      urlsExcluded++;
      excludedByReason[record.reason!]++;
    }
    if (opts.onRecord) await opts.onRecord(record);
  };
  const exclude = (url: string, depth: number, reason: ExclusionReason, extra: Partial<CrawlRecord> = {}) =>
    emit({ url, status: null, included: false, reason, lastmod: null, depth, ...extra });

  let robots: RobotsPolicy = allowAll("disabled");

  // The in-memory store answers synchronously; awaiting only real promises saves a microtask per link.
  const markSeen = (url: string): boolean | Promise<boolean> => frontier.markSeen(url);
  const push = (item: FrontierItem): void | Promise<void> => {
    queued++;
    return frontier.push(item);
  };

  /** Queues the same-origin, followable links of a page found at depth `depth - 1`. */
  const discover = async (links: PageLink[], depth: number) => {
    for (const link of links) {
      if (link.nofollow || !link.url.startsWith(originPrefix)) continue;
      let isNew = markSeen(link.url);
      if (typeof isNew !== "boolean") isNew = await isNew;
      if (!isNew) continue;
      if (!robots.isAllowed(link.url)) await exclude(link.url, depth, "robots_disallowed");
      else if (depth > settings.maxDepth) await exclude(link.url, depth, "max_depth");
      else {
        const pushed = push({ url: link.url, depth });
        if (pushed) await pushed;
      }
    }
  };

  const wantBody = ({ status, contentType }: { status: number; contentType: string | null }) =>
    status === 200 && (contentType === null || isHtmlContentType(contentType));

  /** Records a final (non-redirect) response and follows its links. */
  const settle = async (res: FetchResult, depth: number) => {
    const lastmod = httpDateToIso(headerValue(res.headers, "last-modified"));
    const rec = { url: res.url, status: res.status, lastmod, depth };
    if (res.error) {
      return emit({ ...rec, included: false, reason: res.error.code === "blocked_host" ? "blocked_host" : "fetch_error" });
    }
    if (res.status !== 200) return emit({ ...rec, included: false, reason: "http_error" });
    const html = res.contentType !== null ? isHtmlContentType(res.contentType) : res.body !== null && looksLikeHtml(res.body);
    if (!html || res.body === null) return emit({ ...rec, included: false, reason: "not_html" });

    const page = parsePage(res.body, { url: res.url, contentType: res.contentType, botToken: token });
    const header = parseXRobotsTag(res.headers["x-robots-tag"], token);
    if (header.noindex) await emit({ ...rec, included: false, reason: "noindex_header" });
    else if (page.robots.noindex) await emit({ ...rec, included: false, reason: "noindex_meta" });
    else if (page.canonical !== null && page.canonical !== res.url) {
      await emit({ ...rec, included: false, reason: "canonical_elsewhere", target: page.canonical });
    } else await emit({ ...rec, included: true, reason: null });
    if (!header.nofollow && !page.robots.nofollow) await discover(page.links, depth + 1);
  };

  /** Fetches one frontier item, following its redirect chain inline (each hop counts as a page request). */
  const visit = async (item: FrontierItem) => {
    const chain: CrawlRecord[] = [];
    let url = item.url;
    for (;;) {
      const res = await fetcher.fetch(url, { signal, readBody: wantBody });
      if (res.error?.code === "aborted") return; // cancelled: the crawl rejects, no record for a half-done fetch
      const isRedirect = res.status !== null && res.status >= 300 && res.status < 400 && !res.error && !!res.location;
      if (!isRedirect) {
        for (const r of chain) await emit(r);
        return settle(res, item.depth);
      }
      const target = res.location!;
      const lastmod = httpDateToIso(headerValue(res.headers, "last-modified"));
      const hop: CrawlRecord = { url, status: res.status, included: false, reason: "redirect", lastmod, depth: item.depth, target };
      chain.push(hop);
      let next: "fetch" | "stop" = "stop";
      let after: (() => Promise<void>) | null = null;
      if (!target.startsWith(originPrefix)) hop.reason = "off_origin";
      else if (chain.some((r) => r.url === target) || chain.length > MAX_REDIRECTS) {
        for (const r of chain) r.reason = "redirect_limit";
      } else if (!(await markSeen(target))) {
        // Already met elsewhere: it has (or will get) its own record.
      } else if (!robots.isAllowed(target)) after = () => exclude(target, item.depth, "robots_disallowed");
      else if (pagesFetched >= settings.maxPages) after = () => exclude(target, item.depth, "max_pages");
      else next = "fetch";
      if (next === "stop") {
        for (const r of chain) await emit(r);
        if (after) await after();
        return;
      }
      pagesFetched++;
      url = target;
    }
  };

  try {
    signal?.throwIfAborted();
    if (settings.respectRobots) {
      robots = await fetchRobots(origin, { fetcher, userAgent: settings.userAgent, signal });
      signal?.throwIfAborted();
    }
    await markSeen(startUrl);
    if (robots.outcome === "blocked") await exclude(startUrl, 0, "blocked_host");
    else if (robots.outcome === "unreachable") await exclude(startUrl, 0, "robots_unavailable");
    else if (!robots.isAllowed(startUrl)) await exclude(startUrl, 0, "robots_disallowed");
    else {
      await push({ url: startUrl, depth: 0 });
      await run();
    }
    await progress(true);
    return {
      pagesFetched,
      urlsListed,
      urlsExcluded,
      excludedByReason,
      robotsSitemaps: robots.sitemaps,
      durationMs: Math.round(performance.now() - t0),
    };
  } finally {
    await fetcher.close();
  }

  /** The scheduler: keeps up to `concurrency` visits running, one depth level at a time. */
  async function run(): Promise<void> {
    let inFlight = 0;
    let level = 0;
    let held: FrontierItem | null = null;
    let failure: { error: unknown } | null = null;
    let wake: (() => void) | null = null;
    const running = new Set<Promise<void>>();

    while (!failure && !signal?.aborted) {
      while (inFlight < settings.concurrency && !failure) {
        let item: FrontierItem | null = held;
        held = null;
        if (item === null) {
          item = await frontier.shift();
          if (item === null) break;
          queued--;
        }
        if (item.depth > level && inFlight > 0) {
          held = item; // BFS barrier: finish this depth first, its pages may still find shallower links
          break;
        }
        level = item.depth;
        if (pagesFetched >= settings.maxPages) {
          await exclude(item.url, item.depth, "max_pages");
          continue;
        }
        pagesFetched++;
        inFlight++;
        const task: Promise<void> = visit(item)
          .then(() => progress())
          .catch((error: unknown) => {
            failure ??= { error };
          })
          .finally(() => {
            inFlight--;
            running.delete(task);
            wake?.();
          });
        running.add(task);
      }
      if (inFlight === 0) {
        if (held !== null) continue;
        break;
      }
      await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
    }
    await Promise.allSettled(running);
    if (failure) throw (failure as { error: unknown }).error;
    signal?.throwIfAborted();
  }
}
