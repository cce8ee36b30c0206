/**
 * Crawls one origin and reports every URL it meets as a {@link CrawlRecord}: listed, or left out with a reason.
 *
 * In:  CrawlSettings (lib/core/types.ts; units ms, bytes, pages, characters; omitted optional fields take
 *      DEFAULT_CRAWL_SETTINGS) and {@link CrawlOptions} (sinks, cancellation, allow-list, DNS lookup, frontier,
 *      resume seed, revalidation hooks).
 * Out: records streamed to `onRecord` (awaited, so a slow sink slows the crawl instead of buffering), and a
 *      {@link CrawlSummary}. Nothing is kept per page after it is processed: memory grows with the seen-set only.
 * Errors: throws RangeError/TypeError for invalid settings (rules, credentials) or allow-list before any request;
 *      rejects with `signal.reason` when aborted (in-flight requests are cancelled, their URLs get no record);
 *      rejects with the sink's error if `onRecord`/`onProgress`/`onPageLinks`/`revalidate` throws. HTTP and
 *      network failures never throw: they become records.
 *
 * Order and bounds:
 * - robots.txt first (RFC 9309; lib/crawl/robots.ts, fetched once per origin per crawl). Unreachable
 *   (5xx/network, after 429/503 retries) → the start URL is recorded "robots_unavailable" and no page is fetched.
 *   Origin refused by the SSRF guard → "blocked_host". With `respectCrawlDelay`, request starts to the origin are
 *   spaced by its Crawl-delay (capped at 30 s, lib/crawl/pacer.ts).
 * - With `importRobotsSitemaps`, the `Sitemap:` files of robots.txt (same origin, or a host:port on the
 *   allow-list; robots.txt of their host respected) are read (lib/crawl/sitemaps.ts) and their same-origin URLs
 *   become extra seeds at depth 0, up to `maxPages` of them.
 * - Breadth-first without a level barrier (see run()): up to `concurrency` requests, lowest depth first, and a URL
 *   of depth d is dispatched only while no visit of depth ≤ d-2 is still running. A URL's recorded depth is its true
 *   shortest link distance from a seed and `maxDepth` is exact: a queued URL met again through a shorter path is
 *   moved to that depth, and a URL beyond `maxDepth` is recorded "max_depth" only when no running or queued page can
 *   still reach it through a shorter path.
 * - `maxPages` counts page requests (redirect hops included; robots.txt, sitemaps, 429/503 retries and
 *   rendering subrequests excluded). Once reached, every URL still queued or discovered later is "max_pages".
 * - 429 and 503 are retried up to 3 times after Retry-After (seconds or HTTP-date) or 1/2/4 s, each wait capped
 *   at 30 s; the wait pauses every request to the origin, not only the one that got the answer.
 * - Only same-origin links are followed; other-origin links are ignored without a record.
 *
 * What happens to a newly met same-origin URL (each link is first normalised: WHATWG URL, fragment dropped, then
 * the sitemap's URL policy — session ids stripped, query policy, trailing-slash policy — lib/core/url.ts),
 * in this order, first hit wins: longer than `maxUrlLength` → "url_too_long"; a rule `exclude` →
 * "excluded_by_rule"; robots.txt disallows → "robots_disallowed"; deeper than `maxDepth` → queued and, unless a
 * shorter path turns up before its turn, "max_depth"; over a trap cap (lib/crawl/traps.ts) → "crawl_trap"; a rule
 * `list_only` → listed without fetching; a path ending in a well-known non-HTML file extension
 * ({@link NON_HTML_EXTENSIONS}: images, PDFs, office documents, archives, audio/video, fonts, CSS/JS) → "not_html"
 * without a request (status null); else queued.
 *
 * Listing policy (sitemaps.org lists canonical, indexable URLs; Google Search Central's robots meta tag,
 * X-Robots-Tag and rel=canonical docs): a fetched URL is listed when it answered 200 with an HTML Content-Type,
 * no rule says `crawl_only` (→ "excluded_by_rule"), and it has no noindex (header or meta, generic or scoped to
 * our product token) and no rel=canonical naming another URL. `nofollow` (meta or header) stops link discovery
 * on that page; rel=nofollow skips that one link. Three settings relax this: `excludeNoindex: false` lists noindex
 * pages, `respectCanonical: false` lists pages canonicalised elsewhere, `followNofollow: true` follows nofollow
 * links and the links of nofollow pages.
 * Redirects (301/302/303/307/308 with Location) are followed here, hop by hop through the guarded fetcher:
 * the redirecting URL gets "redirect" (target = Location), a target on another origin turns it into
 * "off_origin" (never fetched, so staging credentials never leave the origin), more than {@link MAX_REDIRECTS}
 * hops or a loop turns the whole chain into "redirect_limit". `lastmod` comes only from Last-Modified
 * (ISO 8601 UTC), never from the crawl time.
 * JavaScript rendering (`renderJs`, lib/crawl/render.ts): "always" renders every 200 HTML page without a static
 * noindex, "auto" only those that look like an empty app shell (html.ts looksLikeEmptyShell); the rendered DOM
 * then supplies links, directives, canonical, content hash and extensions.
 *
 * Hooks for incremental crawls: every record of a 200 HTML page carries `contentHash`, `etag`,
 * `lastModifiedHeader`; `onPageLinks` receives the followable links of each fully fetched HTML page (for
 * snapshots); `revalidate` supplies validators for a conditional GET, and a 304 replays the stored snapshot
 * (record with `notModified: true`, `lastmod` null for the caller to fill, its links followed).
 */
import {
  DEFAULT_CRAWL_SETTINGS,
  EXCLUSION_REASONS,
  type CrawlRecord,
  type CrawlSettings,
  type ExclusionReason,
  type PageSnapshot,
} from "@/lib/core/types";
import { createUrlPolicy, normalizeUrl, originOf } from "@/lib/core/url";
import { allowHostsFromEnv, createFetcher, credentialHeaders, headerValue, parseAllowHosts, type FetchRequestOptions, type FetchResult, type LookupFn } from "./fetch";
import { createMemoryFrontier, type FrontierItem, type FrontierStore } from "./frontier";
import { extractPageData, isHtmlContentType, looksLikeEmptyShell, looksLikeHtml, parsePage, parseXRobotsTag, type PageLink, type ParsedPage } from "./html";
import { createPacer, MAX_CRAWL_DELAY_MS, MAX_RETRIES, retryDelayMs } from "./pacer";
import { createRenderer, type Renderer } from "./render";
import { allowAll, createRobotsCache, productToken, type RobotsPolicy } from "./robots";
import { compileRules } from "./rules";
import { importSitemaps } from "./sitemaps";
import { createTrapGuard } from "./traps";

/** Redirect hops followed per URL before the chain is "redirect_limit" (same cap as RFC 9309 for robots.txt). */
export const MAX_REDIRECTS = 5;

/**
 * Path extensions (lower case, without the dot) of files that are never HTML: a link to `/x/report.pdf` or
 * `/img/a.JPG?v=2` is recorded "not_html" (status null) without a request. Images, PDFs and office documents,
 * archives and installers, audio and video, fonts, stylesheets and scripts. Deliberately absent: extensions a
 * server may map to HTML (.php, .asp, .jsp, .cgi, .pl, .xml, .txt, .json, none). A rule `list_only` still lists
 * such a URL without fetching it.
 */
export const NON_HTML_EXTENSIONS: ReadonlySet<string> = new Set(
  (
    "pdf jpg jpeg png gif webp avif svg svgz ico bmp tif tiff heic psd " +
    "doc docx xls xlsx ppt pptx odt ods odp rtf epub " +
    "zip gz tgz tar bz2 xz 7z rar dmg exe msi iso apk deb rpm " +
    "mp3 m4a wav flac ogg oga opus aac mp4 m4v mov avi wmv webm mkv mpg mpeg flv " +
    "woff woff2 ttf otf eot css js mjs map"
  ).split(" "),
);

/** True when the path of the normalised absolute `url` (query ignored) ends in a {@link NON_HTML_EXTENSIONS} entry. */
export function hasNonHtmlExtension(url: string, pathStart: number): boolean {
  const q = url.indexOf("?", pathStart);
  const end = q < 0 ? url.length : q;
  const dot = url.lastIndexOf(".", end - 1);
  if (dot <= pathStart || end - dot > 6 || end - dot < 2) return false;
  if (url.indexOf("/", dot) >= 0 && url.indexOf("/", dot) < end) return false;
  return NON_HTML_EXTENSIONS.has(url.slice(dot + 1, end).toLowerCase());
}

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

type Settings = Required<Omit<CrawlSettings, "startUrl">> & { startUrl: string };

/** Settings with every optional field filled from DEFAULT_CRAWL_SETTINGS (undefined means "default"). */
function withDefaults(settings: CrawlSettings): Settings {
  const out = { ...DEFAULT_CRAWL_SETTINGS } as Settings;
  for (const [k, v] of Object.entries(settings)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

function validate(settings: Settings): string {
  const int = (name: keyof Settings, min: number) => {
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
  int("maxUrlLength", 1);
  int("maxQueryVariants", 1);
  int("maxPathSegments", 1);
  int("maxSegmentRepeats", 0);
  const oneOf = (name: keyof Settings, values: readonly string[]) => {
    if (!values.includes(settings[name] as string)) throw new TypeError(`CrawlSettings.${name} must be one of ${values.join(", ")}`);
  };
  oneOf("queryPolicy", ["keep", "strip", "allowlist"]);
  oneOf("trailingSlash", ["keep", "add", "remove"]);
  oneOf("renderJs", ["off", "auto", "always"]);
  const start = normalizeUrl(settings.startUrl);
  if (start === null) throw new TypeError(`CrawlSettings.startUrl must be an absolute http(s) URL without credentials: ${settings.startUrl}`);
  return start;
}

/** Origin of a normalised absolute URL, by string search (no parsing on the hot path). */
function originPart(url: string): string {
  const slash = url.indexOf("/", url.indexOf("//") + 2);
  return slash < 0 ? url : url.slice(0, slash);
}

/**
 * Crawls `settings.startUrl`'s origin (see module doc for order, bounds and listing policy).
 * Resolves with the summary once the frontier is empty or `maxPages` is reached and drained.
 */
export async function crawl(settings: CrawlSettings, opts: CrawlOptions = {}): Promise<CrawlSummary> {
  const t0 = performance.now();
  const s = withDefaults(settings);
  const policy = createUrlPolicy(s);
  const startUrl = policy(validate(s));
  const origin = originOf(startUrl)!;
  const originPrefix = origin + "/";
  const pathStart = origin.length;
  const token = productToken(s.userAgent);
  const rules = compileRules(s.rules);
  const traps = createTrapGuard(s);
  const creds = credentialHeaders(s.auth);
  const allowList = new Set(opts.allowHosts ? parseAllowHosts(opts.allowHosts) : allowHostsFromEnv());
  const { signal } = opts;
  const maxRetries = opts.retry?.maxRetries ?? MAX_RETRIES;
  const retryOpts = { baseMs: opts.retry?.baseDelayMs, maxMs: opts.retry?.maxDelayMs };
  const fetcher = createFetcher({
    userAgent: s.userAgent,
    timeoutMs: s.timeoutMs,
    maxBodyBytes: s.maxBodyBytes,
    allowHosts: [...allowList],
    lookup: opts.lookup,
    connections: s.concurrency,
    credentials: Object.keys(creds).length > 0 ? { origin, headers: creds } : null,
  });
  const pacer = createPacer();
  const frontier = opts.frontier ?? createMemoryFrontier();
  const parseOpts = {
    url: "",
    contentType: null as string | null,
    botToken: token,
    images: s.images,
    hreflang: s.hreflang,
    structuredData: s.video || s.news,
    shell: s.renderJs === "auto",
  };
  const wantsData = s.images || s.hreflang || s.video || s.news;

  let pagesFetched = opts.seed?.pagesFetched ?? 0;
  let queued = 0;
  let urlsListed = 0;
  let urlsExcluded = 0;
  let retries = 0;
  let pagesRendered = 0;
  let pagesNotModified = 0;
  let sitemapFilesRead = 0;
  let sitemapUrlsImported = 0;
  let renderer: Renderer | null = null;
  const excludedByReason = Object.fromEntries(EXCLUSION_REASONS.map((r) => [r, 0])) as Record<ExclusionReason, number>;
  const progressEvery = opts.progressIntervalMs ?? 1000;
  let lastProgress = 0;
  const progress = (force = false): void | Promise<void> => {
    if (!opts.onProgress) return;
    const now = performance.now();
    if (!force && now - lastProgress < progressEvery) return;
    lastProgress = now;
    return opts.onProgress({ pagesFetched, pagesQueued: Math.max(0, queued), urlsListed, urlsExcluded, excludedByReason: { ...excludedByReason } });
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

  /**
   * Every request of the crawl (pages, robots.txt, sitemaps, rendering subrequests) goes through here:
   * politeness spacing and pauses per origin, and bounded retries of 429/503.
   */
  const fetchPaced = async (url: string, ro: FetchRequestOptions = {}): Promise<FetchResult> => {
    const key = originPart(url);
    for (let attempt = 0; ; attempt++) {
      const wait = pacer.acquire(key, signal);
      if (wait) await wait;
      const res = await fetcher.fetch(url, ro);
      if (!res.error && (res.status === 429 || res.status === 503) && attempt < maxRetries) {
        retries++;
        pacer.pause(key, retryDelayMs(headerValue(res.headers, "retry-after"), attempt, retryOpts));
        continue;
      }
      return res;
    }
  };
  const robotsCache = createRobotsCache({ fetcher: { fetch: fetchPaced }, userAgent: s.userAgent, signal, enabled: s.respectRobots });
  let robots: RobotsPolicy = allowAll("disabled");

  // The in-memory store answers synchronously; awaiting only real promises saves a microtask per link.
  const markSeen = (url: string): boolean | Promise<boolean> => frontier.markSeen(url);
  /**
   * URL → depth, for every URL this crawl queued (or was told is queued, `seed.inStore`) and has not dispatched
   * yet. A shorter path found later lowers the depth here, in place: the store keeps the item where it is and the
   * scheduler dispatches it with the lowered depth (see run()). `moved` holds the queued URLs so lowered, and
   * `movedAt[d]` how many of them are at depth d (for the scheduler's check, without scanning them; usually
   * none or a few), for the scheduler's check; DONE marks a queued URL recorded early (its item is skipped).
   */
  const pending = new Map<string, number>();
  const moved = new Map<string, number>();
  const movedAt: number[] = [];
  const unmove = (url: string) => {
    const d = moved.get(url);
    if (d === undefined) return;
    moved.delete(url);
    movedAt[d]--;
  };
  const DONE = -1;
  const push = (item: FrontierItem): void | Promise<void> => {
    queued++;
    pending.set(item.url, item.depth);
    return frontier.push(item);
  };

  /** The depth-independent checks of a newly seen same-origin URL: a reason, or its rule action. */
  const screenHead = (url: string): ExclusionReason | "list_only" | null => {
    if (url.length > s.maxUrlLength) return "url_too_long";
    const action = rules ? rules(url, pathStart) : "crawl_list";
    if (action === "exclude") return "excluded_by_rule";
    if (!robots.isAllowed(url)) return "robots_disallowed";
    return action === "list_only" ? "list_only" : null;
  };
  /** The checks after the depth cap: trap caps, list_only, non-HTML extensions. */
  const screenTail = (url: string, listOnly: boolean): ExclusionReason | "list" | null => {
    if (traps.check(url, pathStart) !== null) return "crawl_trap";
    if (listOnly) return "list";
    return hasNonHtmlExtension(url, pathStart) ? "not_html" : null;
  };
  /** Why a newly seen same-origin URL within the depth cap is not to be fetched; "list" for list_only; null to fetch. */
  const screen = (url: string): ExclusionReason | "list" | null => {
    const head = screenHead(url);
    if (head !== null && head !== "list_only") return head;
    return screenTail(url, head === "list_only");
  };
  const settleVerdict = (url: string, depth: number, verdict: ExclusionReason | "list"): void | Promise<void> =>
    verdict === "list" ? emit({ url, status: null, included: true, reason: null, lastmod: null, depth }) : exclude(url, depth, verdict);

  /** Queues a newly seen same-origin URL or records why not (see module doc). */
  const admit = (url: string, depth: number): void | Promise<void> => {
    if (depth > s.maxDepth) {
      // Not final yet: a page still running or queued may reach it through a shorter path (see run()).
      const head = screenHead(url);
      if (head !== null && head !== "list_only") return exclude(url, depth, head);
      return push({ url, depth });
    }
    const verdict = screen(url);
    if (verdict === null) return push({ url, depth });
    return settleVerdict(url, depth, verdict);
  };

  /**
   * A URL already seen was met again at link distance `depth`: when it is still queued at a greater depth, its
   * depth is lowered in place. Crossing back under `maxDepth` runs the checks that a URL beyond the cap skipped
   * (trap caps, list_only, extensions); a URL they settle is recorded now and its queue item skipped later.
   */
  const lower = (url: string, depth: number): void | Promise<void> => {
    const current = pending.get(url);
    if (current === undefined || current === DONE || depth >= current) return;
    if (current > s.maxDepth && depth <= s.maxDepth) {
      const head = screenHead(url);
      const verdict = head === "list_only" ? screenTail(url, true) : (head ?? screenTail(url, false));
      if (verdict !== null) {
        pending.set(url, DONE);
        unmove(url);
        return settleEarly(url, depth, current, verdict);
      }
    }
    pending.set(url, depth);
    unmove(url);
    moved.set(url, depth);
    movedAt[depth] = (movedAt[depth] ?? 0) + 1;
  };
  const settleEarly = async (url: string, depth: number, queuedDepth: number, verdict: ExclusionReason | "list") => {
    await settleVerdict(url, depth, verdict);
    // Its queue item is dead: a durable store may drop it now that the URL has its record.
    if (frontier.complete) await frontier.complete({ url, depth: queuedDepth });
  };

  /** Queues the same-origin, followable links of a page found at depth `depth - 1`. */
  const discover = async (links: readonly PageLink[], depth: number) => {
    for (const link of links) {
      if ((link.nofollow && !s.followNofollow) || !link.url.startsWith(originPrefix)) continue;
      const url = policy(link.url);
      let isNew = markSeen(url);
      if (typeof isNew !== "boolean") isNew = await isNew;
      const next = isNew ? admit(url, depth) : pending.size > 0 ? lower(url, depth) : undefined;
      if (next) await next;
    }
  };

  const wantBody = ({ status, contentType }: { status: number; contentType: string | null }) =>
    status === 200 && (contentType === null || isHtmlContentType(contentType));

  const parse = (body: Buffer, url: string, contentType: string | null): ParsedPage => {
    parseOpts.url = url;
    parseOpts.contentType = contentType;
    return parsePage(body, parseOpts);
  };

  /** Records a final (non-redirect) response and follows its links. */
  const settle = async (res: FetchResult, depth: number) => {
    const lastModifiedHeader = headerValue(res.headers, "last-modified");
    const rec = {
      url: res.url,
      status: res.status,
      lastmod: httpDateToIso(lastModifiedHeader),
      depth,
      etag: headerValue(res.headers, "etag"),
      lastModifiedHeader,
    };
    if (res.error) {
      return emit({ ...rec, included: false, reason: res.error.code === "blocked_host" ? "blocked_host" : "fetch_error" });
    }
    if (res.status !== 200) return emit({ ...rec, included: false, reason: "http_error" });
    const html = res.contentType !== null ? isHtmlContentType(res.contentType) : res.body !== null && looksLikeHtml(res.body);
    if (!html || res.body === null) return emit({ ...rec, included: false, reason: "not_html" });

    let page = parse(res.body, res.url, res.contentType);
    const header = parseXRobotsTag(res.headers["x-robots-tag"], token);
    if (
      s.renderJs !== "off" &&
      !header.noindex &&
      !page.robots.noindex &&
      (s.renderJs === "always" || looksLikeEmptyShell(page))
    ) {
      renderer ??= createRenderer({
        fetcher: { fetch: fetchPaced },
        origin,
        userAgent: s.userAgent,
        timeoutMs: s.timeoutMs,
        isAllowed: (u) => robots.isAllowed(u),
        pages: opts.render?.pages,
        executablePath: opts.render?.executablePath,
      });
      const rendered = await renderer.render(res.url, res);
      signal?.throwIfAborted();
      if (rendered.html !== null) {
        pagesRendered++;
        page = parse(Buffer.from(rendered.html, "utf8"), res.url, "text/html; charset=utf-8");
      }
    }
    const data = wantsData ? extractPageData(page, res.url, res.headers, s) : null;
    const pageRec = { ...rec, contentHash: page.contentHash, data };
    const canonical = page.canonical !== null && page.canonical.startsWith(originPrefix) ? policy(page.canonical) : page.canonical;
    if (rules && rules(res.url, pathStart) === "crawl_only") await emit({ ...pageRec, included: false, reason: "excluded_by_rule" });
    else if (header.noindex && s.excludeNoindex) await emit({ ...pageRec, included: false, reason: "noindex_header" });
    else if (page.robots.noindex && s.excludeNoindex) await emit({ ...pageRec, included: false, reason: "noindex_meta" });
    else if (canonical !== null && canonical !== res.url && s.respectCanonical) {
      await emit({ ...pageRec, included: false, reason: "canonical_elsewhere", target: canonical });
    } else await emit({ ...pageRec, included: true, reason: null });

    const pageNofollow = header.nofollow || page.robots.nofollow;
    if (opts.onPageLinks) {
      const links: { url: string; nofollow: boolean }[] = [];
      for (const l of page.links) {
        if (l.url.startsWith(originPrefix)) links.push({ url: policy(l.url), nofollow: pageNofollow || l.nofollow });
      }
      await opts.onPageLinks(res.url, links);
    }
    if (!pageNofollow || s.followNofollow) await discover(page.links, depth + 1);
  };

  /** A 304 answer to a conditional request: the stored snapshot stands in for the page. */
  const replay = async (res: FetchResult, item: FrontierItem, rv: Revalidation) => {
    pagesNotModified++;
    const snap = rv.snapshot;
    let included = snap.included;
    let reason = snap.reason;
    // Rules and listing settings may have changed since the snapshot was taken.
    if (!included && ((!s.excludeNoindex && (reason === "noindex_meta" || reason === "noindex_header")) || (!s.respectCanonical && reason === "canonical_elsewhere"))) {
      included = true;
      reason = null;
    }
    if (included && rules && rules(item.url, pathStart) === "crawl_only") {
      included = false;
      reason = "excluded_by_rule";
    }
    await emit({
      url: item.url,
      status: snap.status,
      included,
      reason,
      target: included ? null : (snap.target ?? null),
      lastmod: null,
      depth: item.depth,
      contentHash: snap.contentHash ?? null,
      data: snap.data ?? null,
      etag: headerValue(res.headers, "etag") ?? rv.etag ?? null,
      lastModifiedHeader: headerValue(res.headers, "last-modified") ?? rv.lastModified ?? null,
      notModified: true,
    });
    await discover(snap.links, item.depth + 1);
  };

  /** Fetches one frontier item, following its redirect chain inline (each hop counts as a page request). */
  const visit = async (item: FrontierItem) => {
    let rv: Revalidation | null = null;
    let conditional: Record<string, string> | undefined;
    if (opts.revalidate) {
      rv = (await opts.revalidate(item.url)) ?? null;
      if (rv && (rv.etag || rv.lastModified)) {
        conditional = {};
        if (rv.etag) conditional["if-none-match"] = rv.etag;
        if (rv.lastModified) conditional["if-modified-since"] = rv.lastModified;
      } else rv = null;
    }
    const chain: CrawlRecord[] = [];
    let url = item.url;
    for (;;) {
      const res = await fetchPaced(url, { signal, readBody: wantBody, headers: chain.length === 0 ? conditional : undefined });
      if (res.error?.code === "aborted") return; // cancelled: the crawl rejects, no record for a half-done fetch
      if (rv && chain.length === 0 && res.status === 304 && !res.error) return replay(res, item, rv);
      const isRedirect = res.status !== null && res.status >= 300 && res.status < 400 && !res.error && !!res.location;
      if (!isRedirect) {
        for (const r of chain) await emit(r);
        return settle(res, item.depth);
      }
      const raw = res.location!;
      let target = raw.startsWith(originPrefix) ? policy(raw) : raw;
      // The URL policy must not undo the server's own redirect (/a → /a/ under "remove" would loop forever).
      if (target !== raw && (target === url || chain.some((r) => r.url === target))) target = raw;
      const lastmod = httpDateToIso(headerValue(res.headers, "last-modified"));
      const hop: CrawlRecord = { url, status: res.status, included: false, reason: "redirect", lastmod, depth: item.depth, target };
      chain.push(hop);
      let next: "fetch" | "stop" = "stop";
      let after: (() => Promise<void>) | null = null;
      if (!target.startsWith(originPrefix)) hop.reason = "off_origin";
      else if (chain.some((r) => r.url === target) || chain.length > MAX_REDIRECTS) {
        for (const r of chain) r.reason = "redirect_limit";
      } else if (!(await markSeen(target))) {
        // Already met elsewhere: it has (or will get) its own record; it may be queued deeper than this chain.
        const lowered = lower(target, item.depth);
        if (lowered) after = () => lowered;
      } else {
        const verdict = screen(target);
        if (verdict === "list") after = () => emit({ url: target, status: null, included: true, reason: null, lastmod: null, depth: item.depth });
        else if (verdict !== null) after = () => exclude(target, item.depth, verdict);
        else if (pagesFetched >= s.maxPages) after = () => exclude(target, item.depth, "max_pages");
        else next = "fetch";
      }
      if (next === "stop") {
        for (const r of chain) await emit(r);
        if (after) await after();
        return;
      }
      pagesFetched++;
      url = target;
    }
  };

  /** robots.txt `Sitemap:` files → extra seeds (see module doc). */
  const importRobotsSitemaps = async () => {
    const result = await importSitemaps(robots.sitemaps, {
      fetch: fetchPaced,
      signal,
      mayFetch: async (u) => {
        const o = originOf(u);
        if (o === null) return false;
        if (o !== origin) {
          const h = new URL(u);
          if (!allowList.has(`${h.hostname}:${h.port || (h.protocol === "https:" ? 443 : 80)}`)) return false;
        }
        return (await robotsCache.get(o)).isAllowed(u);
      },
      onUrl: async (loc) => {
        const n = normalizeUrl(loc);
        if (n === null || !n.startsWith(originPrefix)) return;
        const url = policy(n);
        if (!(await markSeen(url))) return;
        sitemapUrlsImported++;
        await admit(url, 0);
        return sitemapUrlsImported < s.maxPages;
      },
    });
    sitemapFilesRead = result.files;
  };

  try {
    signal?.throwIfAborted();
    if (s.respectRobots) {
      robots = await robotsCache.get(origin);
      signal?.throwIfAborted();
      if (s.respectCrawlDelay && robots.crawlDelaySec) pacer.setDelay(origin, Math.min(robots.crawlDelaySec * 1000, MAX_CRAWL_DELAY_MS));
    }
    if (opts.seed) {
      for (const u of opts.seed.seen) await markSeen(u);
      for (const item of opts.seed.queue) await push(item);
      for (const item of opts.seed.inStore ?? []) {
        const known = pending.get(item.url);
        if (known === undefined || item.depth < known) pending.set(item.url, item.depth);
      }
    }
    // A store that comes pre-filled (a resumed crawl) knows its own queue length.
    if (frontier.size) queued = await frontier.size();
    if (await markSeen(startUrl)) {
      if (robots.outcome === "blocked") await exclude(startUrl, 0, "blocked_host");
      else if (robots.outcome === "unreachable") await exclude(startUrl, 0, "robots_unavailable");
      else await admit(startUrl, 0);
    }
    if (s.importRobotsSitemaps && robots.sitemaps.length > 0 && robots.outcome === "parsed") await importRobotsSitemaps();
    if (robots.outcome !== "blocked" && robots.outcome !== "unreachable") await run();
    await progress(true);
    return {
      pagesFetched,
      urlsListed,
      urlsExcluded,
      excludedByReason,
      robotsSitemaps: robots.sitemaps,
      sitemapFilesRead,
      sitemapUrlsImported,
      pagesRendered,
      pagesNotModified,
      retries,
      durationMs: Math.round(performance.now() - t0),
    };
  } finally {
    await (renderer as Renderer | null)?.close();
    await fetcher.close();
  }

  /**
   * The scheduler: keeps up to `concurrency` visits running, lowest depth first, without a barrier between levels.
   *
   * Why depths stay exact: an item of depth d is dispatched only while every running visit has depth ≥ d-1. The
   * store hands out the lowest depth first, so nothing queued is shallower than d either, and every page that runs
   * from now on has depth ≥ d-1 and links at depth ≥ d: none can reach the item through a shorter path. While
   * a visit of depth ≤ d-2 still runs, the item waits (`held`); levels overlap by one, so the pipeline stays full
   * except behind a rare straggler two levels up. A queued URL that a shorter path reaches later gets the lower
   * depth in place (`lower`; by the argument above that is one level at most, so it still comes out before any
   * item two levels deeper; queued items so moved are also checked, `movedAtOrBelow`), and a URL beyond `maxDepth` gets
   * its "max_depth" record only when it is dispatched, i.e. once no shorter path can turn up. With a store that is
   * not lowest-depth-first, or after a resume, the same checks hold items back instead; when nothing runs, the
   * held item goes (exactness then rests on the store's order).
   */
  async function run(): Promise<void> {
    let inFlight = 0;
    /** Running visits per depth, and a lower bound of the smallest depth with one. */
    const runningAt: number[] = [];
    let lowRunning = 0;
    const minRunning = (): number => {
      if (inFlight === 0) return Infinity;
      while (!runningAt[lowRunning]) lowRunning++;
      return lowRunning;
    };
    /** True when a queued URL lowered in place, other than `url` itself, has a depth ≤ `max`. */
    const movedAtOrBelow = (max: number, url: string): boolean => {
      const own = moved.get(url);
      for (let d = 0; d <= max; d++) if ((movedAt[d] ?? 0) - (own === d ? 1 : 0) > 0) return true;
      return false;
    };
    let held: FrontierItem | null = null;
    let failure: { error: unknown } | null = null;
    let wake: (() => void) | null = null;
    const running = new Set<Promise<void>>();

    while (!failure && !signal?.aborted) {
      while (inFlight < s.concurrency && !failure) {
        let item: FrontierItem | null = held;
        held = null;
        if (item === null) {
          item = await frontier.shift();
          if (item === null) break;
          queued--;
        }
        const known = pending.get(item.url);
        if (known === DONE) {
          pending.delete(item.url); // recorded when a shorter path brought it under maxDepth
          continue;
        }
        if (known !== undefined && known < item.depth) item = { url: item.url, depth: known }; // lowered in place
        // Wait while a running page, or a queued one moved up, is two or more levels shallower (see above).
        if (item.depth - 1 > minRunning() || (moved.size > 0 && movedAtOrBelow(item.depth - 2, item.url))) {
          if (inFlight > 0) {
            held = item;
            break;
          }
        }
        if (known !== undefined) {
          pending.delete(item.url);
          unmove(item.url);
        }
        if (item.depth > s.maxDepth) {
          await exclude(item.url, item.depth, "max_depth");
          if (frontier.complete) await frontier.complete(item);
          continue;
        }
        if (pagesFetched >= s.maxPages) {
          await exclude(item.url, item.depth, "max_pages");
          if (frontier.complete) await frontier.complete(item);
          continue;
        }
        pagesFetched++;
        inFlight++;
        const current = item;
        const d = current.depth;
        runningAt[d] = (runningAt[d] ?? 0) + 1;
        if (d < lowRunning) lowRunning = d;
        const task: Promise<void> = visit(current)
          // An aborted visit left no record: its item must stay queued in a durable store.
          .then(() => (frontier.complete && !signal?.aborted ? frontier.complete(current) : undefined))
          .then(() => progress())
          .catch((error: unknown) => {
            failure ??= { error };
          })
          .finally(() => {
            inFlight--;
            runningAt[d]--;
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
