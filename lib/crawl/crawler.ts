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
 * Specs: RFC 9309 (robots.txt), the sitemaps.org protocol (robots.txt `Sitemap:` files, what a sitemap lists), the
 *      WHATWG URL Standard (link resolution), RFC 9110 (redirect codes, Retry-After, conditional GET and 304), and
 *      Google Search Central's documentation of the robots meta tag, X-Robots-Tag, rel=canonical and meta refresh.
 *
 * Order and bounds:
 * - robots.txt first (RFC 9309; lib/crawl/robots.ts, fetched once per origin per crawl). Unreachable
 *   (5xx/network, after 429/503 retries) → the start URL is recorded "robots_unavailable" and no page is fetched.
 *   Origin refused by the SSRF guard → "blocked_host". With `respectCrawlDelay`, request starts to the origin are
 *   spaced by its Crawl-delay (capped at 30 s, lib/crawl/pacer.ts).
 * - With `importRobotsSitemaps`, the `Sitemap:` files of robots.txt (same origin, or a host:port on the
 *   allow-list; robots.txt of their host respected) are read (lib/crawl/sitemaps.ts) and their same-origin URLs
 *   become extra seeds at depth 0, up to `maxPages` of them.
 * - With the `audit` option, the same reading (or, when robots.txt names none, `/sitemap.xml`) also feeds the audit
 *   of the site's own sitemaps (lib/crawl/site-audit.ts): their URLs, which of them a followed link reaches, and the
 *   record of each; the result is the summary's `audit`. It adds no page request.
 * - Breadth-first without a level barrier (lib/crawl/scheduler.ts): up to `concurrency` requests, lowest depth first, and a URL
 *   of depth d is dispatched only while no visit of depth ≤ d-2 is still running. A URL's recorded depth is its true
 *   shortest link distance from a seed and `maxDepth` is exact: a queued URL met again through a shorter path is
 *   moved to that depth, and a URL beyond `maxDepth` is recorded "max_depth" only when no running or queued page can
 *   still reach it through a shorter path.
 * - `maxPages` counts page requests (redirect hops included; robots.txt, sitemaps, 429/503 retries and
 *   rendering subrequests excluded). Once reached, every URL still queued or discovered later is "max_pages"; the
 *   same once `opts.deadline` (a time budget) has passed, with `stoppedBy: "time_budget"` in the summary.
 *   `opts.pauseAt` (the end of a bounded job step) instead stops dispatching and leaves the queue in the frontier
 *   store, unrecorded, for a resumed call (`paused: true`, and the queued URLs whose depth was lowered in `lowered`).
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
 * hops or a loop turns the whole chain into "redirect_limit". An instant `<meta http-equiv="refresh">` in the head
 * of a 200 HTML page (./meta-refresh: delay under 1 s, a URL other than the page's own) is a hop of the same chain:
 * the page gets "redirect" with `redirectKind: "meta_refresh"` (3xx hops: "http"), is not listed and its links are
 * not followed; its target is followed under the same rules, limits and loop check. `lastmod` comes only from Last-Modified
 * (ISO 8601 UTC), never from the crawl time.
 * JavaScript rendering (`renderJs`, lib/crawl/render.ts): "always" renders every 200 HTML page without a static
 * noindex, "auto" only those that look like an empty app shell (html.ts looksLikeEmptyShell); the rendered DOM
 * then supplies links, directives, canonical, content hash and extensions.
 *
 * Hooks for incremental crawls: every record of a 200 HTML page (but a meta refresh redirect) carries `contentHash`, `etag`,
 * `lastModifiedHeader`; `onPageLinks` receives the followable links of each fully fetched HTML page (for
 * snapshots); `revalidate` supplies validators for a conditional GET, and a 304 replays the stored snapshot
 * (record with `notModified: true`, `lastmod` null for the caller to fill, its links followed).
 *
 * Size: this file is over 500 lines, about 90 of them this specification; crawl() is one closure over a crawl's shared
 * state, and its parts live in scheduler.ts, screen.ts, listing.ts, redirects.ts and meta-refresh.ts.
 */
import { EXCLUSION_REASONS, type CrawlRecord, type CrawlSettings, type ExclusionReason } from "@/lib/core/types";
import type { CrawlOptions, CrawlSummary, Revalidation, StartOutcome } from "./crawl-options";
import { httpDateToIso } from "@/lib/core/http-date";
import { createUrlPolicy, normalizeUrl, originOf } from "@/lib/core/url";
import { allowHostsFromEnv, createFetcher, credentialHeaders, headerValue, parseAllowHosts, type FetchRequestOptions, type FetchResult } from "./fetch";
import { createMemoryFrontier, type FrontierItem } from "./frontier";
import { extractPageData, isHtmlContentType, looksLikeEmptyShell, looksLikeHtml, parsePage, parseXRobotsTag, type PageLink, type ParsedPage, type RobotsDirectives } from "./html";
import { listingDecision, replayDecision } from "./listing";
import { createPacer, MAX_CRAWL_DELAY_MS, MAX_RETRIES, retryDelayMs } from "./pacer";
import { isInstantRefresh } from "./meta-refresh";
import { addRedirectHop, isRedirect, type RedirectKind } from "./redirects";
import { createRenderer, type Renderer } from "./render";
import { allowAll, createRobotsCache, productToken, type RobotsPolicy } from "./robots";
import { compileRules } from "./rules";
import { createScheduler, type CrawlCounters } from "./scheduler";
import { createScreen, type ScreenVerdict } from "./screen";
import { validateSettings, withDefaults } from "./settings";
import { createAuditCollector, type AuditCollector } from "./site-audit";
import { importSitemaps, type SitemapImportResult } from "./sitemaps";
import { createTrapGuard } from "./traps";

export { httpDateToIso } from "@/lib/core/http-date";
export { MAX_REDIRECTS } from "./redirects";
export { hasNonHtmlExtension, NON_HTML_EXTENSIONS } from "./screen";
export type { CrawlOptions, CrawlProgress, CrawlSummary, Revalidation, RobotsSummary, StartOutcome } from "./crawl-options";

/** The media type of a Content-Type field value, without parameters, lower case; null when absent or empty. */
export function mediaType(contentType: string | null | undefined): string | null {
  if (!contentType) return null;
  const semi = contentType.indexOf(";");
  const t = (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  return t === "" ? null : t;
}

/**
 * What the crawl keeps per linked URL for the inventory (see crawl(): referrers and inlinks): inlink count, the last
 * page counted, the page it was found on until its record is emitted, and whether the frontier's markSeen has
 * answered for it (then later links skip markSeen: one hash lookup per link, not two).
 */
type LinkStat = { n: number; page: number; from: string | null; seen: boolean };

/** The final inlink counts of a crawl: URL → count, URLs with at least one. */
function inlinkCounts(linked: Map<string, LinkStat>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [url, e] of linked) if (e.n > 0) out.set(url, e.n);
  return out;
}

/** Origin of a normalised absolute URL, by string search (no parsing on the hot path). */
function originPart(url: string): string {
  const slash = url.indexOf("/", url.indexOf("//") + 2);
  return slash < 0 ? url : url.slice(0, slash);
}

/**
 * Crawls `settings.startUrl`'s origin (see module doc for order, bounds and listing policy).
 * Resolves with the summary once the frontier is empty or `maxPages` is reached and drained.
 * The jobs live in their own modules: settings (./settings), URL checks (./screen), frontier scheduling
 * (./scheduler), redirects (./redirects), the listing decision (./listing); this function wires them to one origin.
 */
export async function crawl(settings: CrawlSettings, opts: CrawlOptions = {}): Promise<CrawlSummary> {
  const t0 = performance.now();
  const s = withDefaults(settings);
  const policy = createUrlPolicy(s);
  const startUrl = policy(validateSettings(s));
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

  const counters: CrawlCounters = { pagesFetched: opts.seed?.pagesFetched ?? 0, queued: 0 };
  let urlsListed = 0;
  let urlsExcluded = 0;
  let retries = 0;
  let pagesRendered = 0;
  let pagesNotModified = 0;
  let sitemapFilesRead = 0;
  let sitemapUrlsImported = 0;
  const audit: AuditCollector | null = opts.audit
    ? createAuditCollector({
        originPrefix,
        startUrl,
        normalize: (loc) => {
          const n = normalizeUrl(loc);
          return n === null || !n.startsWith(originPrefix) ? n : policy(n);
        },
      })
    : null;
  let renderer: Renderer | null = null;
  let start: StartOutcome | null = null;
  let stoppedBy: CrawlSummary["stoppedBy"] = null;
  const deadline = opts.deadline;
  /** True once the time budget has passed (asked only while page requests remain; see CrawlOptions.deadline). */
  const stopped = (): boolean => {
    if (deadline === undefined || Date.now() < deadline) return false;
    stoppedBy = "time_budget";
    return true;
  };
  const excludedByReason = Object.fromEntries(EXCLUSION_REASONS.map((r) => [r, 0])) as Record<ExclusionReason, number>;
  const progressEvery = opts.progressIntervalMs ?? 1000;
  let lastProgress = 0;
  const progress = (force = false): void | Promise<void> => {
    if (!opts.onProgress) return;
    const now = performance.now();
    if (!force && now - lastProgress < progressEvery) return;
    lastProgress = now;
    return opts.onProgress({
      pagesFetched: counters.pagesFetched,
      pagesQueued: Math.max(0, counters.queued),
      urlsListed,
      urlsExcluded,
      excludedByReason: { ...excludedByReason },
    });
  };

  // Referrers and inlinks (see CrawlRecord.foundOn/inlinks): one entry per linked URL with its count, the last page
  // counted (so a page linking twice counts once, without a set per page) and, until its record is emitted, the page
  // it was found on. One map lookup per link, which also answers "seen?" for URLs linked before; no link lists.
  const linkStats = opts.linkStats !== false;
  const linked = new Map<string, LinkStat>();
  let pageSeq = 0;

  const emit = async (record: CrawlRecord) => {
    if (linkStats) {
      const e = linked.get(record.url);
      if (e !== undefined) {
        if (e.from !== null) {
          record.foundOn = e.from;
          e.from = null;
        }
        if (e.n > 0) record.inlinks = e.n;
      }
    }
    audit?.record(record);
    if (record.included) urlsListed++;
    else {
      urlsExcluded++;
      excludedByReason[record.reason!]++;
    }
    if (opts.onRecord) await opts.onRecord(record);
  };
  const exclude = (url: string, depth: number, reason: ExclusionReason) => {
    const rule = reason === "robots_disallowed" ? (robots.disallowedBy?.(url) ?? null) : null;
    const detail = rule ? { robotsRule: rule.rule, robotsLine: rule.line } : null;
    return emit({ url, status: null, included: false, reason, lastmod: null, depth, ...(detail ? { detail } : {}) });
  };
  /** Records a URL settled without a request: listed (rule list_only) or left out. */
  const settleUnfetched = (url: string, depth: number, verdict: ExclusionReason | "list"): void | Promise<void> =>
    verdict === "list" ? emit({ url, status: null, included: true, reason: null, lastmod: null, depth }) : exclude(url, depth, verdict);

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
  const screen = createScreen({
    maxUrlLength: s.maxUrlLength,
    pathStart,
    rules,
    isAllowed: (url) => robots.isAllowed(url),
    trapCheck: (url, at) => traps.check(url, at),
  });

  // The in-memory store answers synchronously; awaiting only real promises saves a microtask per link.
  const markSeen = (url: string): boolean | Promise<boolean> => frontier.markSeen(url);
  const scheduler = createScheduler({
    frontier,
    counters,
    maxDepth: s.maxDepth,
    maxPages: s.maxPages,
    stopped,
    // A pause (the end of a job step) gives way to the time budget: past both, the crawl ends as before.
    paused: opts.pauseAt === undefined ? undefined : () => Date.now() >= opts.pauseAt! && (deadline === undefined || Date.now() < deadline),
    concurrency: s.concurrency,
    signal,
    recheck: screen.full,
    settle: settleUnfetched,
    visit: (item) => visit(item),
    afterVisit: () => progress(),
  });

  /** Queues a newly seen same-origin URL (linked from page `from`, if any) or records why not (see module doc). */
  const admit = (url: string, depth: number, from: string | null = null): void | Promise<void> => {
    if (depth > s.maxDepth) {
      // Not final yet: a page still running or queued may reach it through a shorter path (see scheduler.ts).
      const head = screen.head(url);
      if (head !== null && head !== "list_only") return exclude(url, depth, head);
      return scheduler.push({ url, depth, from });
    }
    const verdict: ScreenVerdict = screen.full(url);
    if (verdict === null) return scheduler.push({ url, depth, from });
    return settleUnfetched(url, depth, verdict);
  };

  /** Queues the same-origin, followable links of page `from`, found at depth `depth - 1`; counts its inlinks. */
  const discover = async (links: readonly PageLink[], depth: number, from: string) => {
    const page = ++pageSeq;
    for (const link of links) {
      if ((link.nofollow && !s.followNofollow) || !link.url.startsWith(originPrefix)) continue;
      const url = policy(link.url);
      audit?.link(url);
      let stat: LinkStat | undefined;
      if (linkStats) {
        stat = linked.get(url);
        if (stat === undefined) linked.set(url, (stat = { n: 0, page: 0, from: null, seen: false }));
        // A page linking to a URL several times counts once; a self-link not at all.
        if (stat.page !== page && url !== from) {
          stat.n++;
          stat.page = page;
        }
      }
      // A URL with an entry marked seen is known to the frontier: the lookup above stands in for markSeen's.
      let isNew: boolean | Promise<boolean> = stat?.seen ? false : markSeen(url);
      if (typeof isNew !== "boolean") isNew = await isNew;
      if (stat !== undefined) {
        stat.seen = true;
        if (isNew) stat.from = from;
      }
      const next = isNew ? admit(url, depth, from) : scheduler.lower(url, depth);
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

  /** Renders a 200 HTML page with Chromium when `renderJs` asks for it; the rendered page, or `page` unchanged. */
  const maybeRender = async (res: FetchResult, page: ParsedPage, headerNoindex: boolean): Promise<ParsedPage> => {
    if (s.renderJs === "off" || headerNoindex || page.robots.noindex) return page;
    if (s.renderJs !== "always" && !looksLikeEmptyShell(page)) return page;
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
    if (rendered.html === null) return page;
    pagesRendered++;
    return parse(Buffer.from(rendered.html, "utf8"), res.url, "text/html; charset=utf-8");
  };

  /**
   * The HTML page of a final (non-3xx) response, parsed, and rendered when `renderJs` asks for it (not when its head
   * already holds an instant meta refresh: that page is a redirect, whatever its scripts do); null for anything that
   * is not a 200 HTML page.
   */
  const readPage = async (res: FetchResult): Promise<{ page: ParsedPage; header: RobotsDirectives } | null> => {
    if (res.error || res.status !== 200 || res.body === null) return null;
    const html = res.contentType !== null ? isHtmlContentType(res.contentType) : looksLikeHtml(res.body);
    if (!html) return null;
    const header = parseXRobotsTag(res.headers["x-robots-tag"], token);
    const page = parse(res.body, res.url, res.contentType);
    if (refreshTarget(page, res.url) !== null) return { page, header };
    return { page: await maybeRender(res, page, header.noindex), header };
  };

  /** The target of `page`'s instant meta refresh (./meta-refresh), or null when it has none or it reloads `url`. */
  const refreshTarget = (page: ParsedPage, url: string): string | null => {
    const r = page.refresh;
    if (r === null || r.url === null || !isInstantRefresh(r.delaySec)) return null;
    const target = r.url.startsWith(originPrefix) ? policy(r.url) : r.url;
    return target === url || r.url === url ? null : r.url;
  };

  /** Records a final (non-redirect) response and follows its links; `read` is its page from {@link readPage}. */
  const settle = async (res: FetchResult, depth: number, read: { page: ParsedPage; header: RobotsDirectives } | null) => {
    const lastModifiedHeader = headerValue(res.headers, "last-modified");
    const lastmod = httpDateToIso(lastModifiedHeader);
    const rec = {
      url: res.url,
      status: res.status,
      lastmod,
      lastmodSource: lastmod ? ("server" as const) : null,
      depth,
      etag: headerValue(res.headers, "etag"),
      lastModifiedHeader,
      contentType: mediaType(res.contentType),
    };
    if (res.error) {
      return emit({ ...rec, included: false, reason: res.error.code === "blocked_host" ? "blocked_host" : "fetch_error" });
    }
    if (res.status !== 200) return emit({ ...rec, included: false, reason: "http_error" });
    if (read === null) return emit({ ...rec, included: false, reason: "not_html" });

    const { page, header } = read;
    const data = wantsData ? extractPageData(page, res.url, res.headers, s) : null;
    const canonical = page.canonical !== null && page.canonical.startsWith(originPrefix) ? policy(page.canonical) : page.canonical;
    const decision = listingDecision(
      res.url,
      {
        crawlOnly: rules !== null && rules(res.url, pathStart) === "crawl_only",
        noindexHeader: header.noindex,
        noindexMeta: page.robots.noindex,
        canonical,
      },
      s,
    );
    const noindex: ("meta" | "x-robots-tag")[] = [];
    if (header.noindex) noindex.push("x-robots-tag");
    if (page.robots.noindex) noindex.push("meta");
    await emit({ ...rec, contentHash: page.contentHash, data, ...decision, ...(noindex.length ? { detail: { noindex } } : {}) });

    const pageNofollow = header.nofollow || page.robots.nofollow;
    if (opts.onPageLinks) {
      const links: { url: string; nofollow: boolean }[] = [];
      for (const l of page.links) {
        if (l.url.startsWith(originPrefix)) links.push({ url: policy(l.url), nofollow: pageNofollow || l.nofollow });
      }
      await opts.onPageLinks(res.url, links);
    }
    if (!pageNofollow || s.followNofollow) await discover(page.links, depth + 1, res.url);
  };

  /** A 304 answer to a conditional request: the stored snapshot stands in for the page. */
  const replay = async (res: FetchResult, item: FrontierItem, rv: Revalidation) => {
    pagesNotModified++;
    const snap = rv.snapshot;
    const crawlOnly = rules !== null && rules(item.url, pathStart) === "crawl_only";
    await emit({
      url: item.url,
      status: snap.status,
      ...replayDecision(item.url, snap, crawlOnly, s),
      lastmod: null,
      depth: item.depth,
      contentHash: snap.contentHash ?? null,
      data: snap.data ?? null,
      etag: headerValue(res.headers, "etag") ?? rv.etag ?? null,
      lastModifiedHeader: headerValue(res.headers, "last-modified") ?? rv.lastModified ?? null,
      // A 304 rarely repeats Content-Type; the snapshot does not keep it.
      ...(res.contentType ? { contentType: mediaType(res.contentType) } : {}),
      notModified: true,
    });
    await discover(snap.links, item.depth + 1, item.url);
  };

  /** Validators for a conditional GET of `url` from `opts.revalidate`, or null for a plain GET. */
  const revalidation = async (url: string): Promise<{ rv: Revalidation; headers: Record<string, string> } | null> => {
    if (!opts.revalidate) return null;
    const rv = (await opts.revalidate(url)) ?? null;
    if (!rv || !(rv.etag || rv.lastModified)) return null;
    const headers: Record<string, string> = {};
    if (rv.etag) headers["if-none-match"] = rv.etag;
    if (rv.lastModified) headers["if-modified-since"] = rv.lastModified;
    return { rv, headers };
  };

  /** Fetches one frontier item, following its redirect chain inline (each hop counts as a page request). */
  const visit = async (item: FrontierItem) => {
    const cond = await revalidation(item.url);
    const chain: CrawlRecord[] = [];
    const isStart = start === null && item.url === startUrl;
    let url = item.url;
    for (;;) {
      const res = await fetchPaced(url, { signal, readBody: wantBody, headers: chain.length === 0 ? cond?.headers : undefined });
      if (res.error?.code === "aborted") return; // cancelled: the crawl rejects, no record for a half-done fetch
      if (cond && chain.length === 0 && res.status === 304 && !res.error) return replay(res, item, cond.rv);
      let hopRes = res;
      let kind: RedirectKind = "http";
      if (!isRedirect(res)) {
        const read = await readPage(res);
        const refresh = read === null ? null : refreshTarget(read.page, res.url);
        if (refresh === null) {
          if (isStart) start = { url: res.url, status: res.status, error: res.error ?? null, offOriginTarget: null };
          for (const r of chain) await emit(r);
          return settle(res, item.depth, read);
        }
        // An instant meta refresh: the page is a redirect hop like a 3xx (same origin check, limits and loops).
        hopRes = { ...res, location: refresh };
        kind = "meta_refresh";
      }
      const { hop, next } = addRedirectHop(chain, url, hopRes, item.depth, originPrefix, policy, kind);
      const target = hop.target!;
      if (isStart) start = { url, status: res.status, error: null, offOriginTarget: next === "off_origin" ? target : null };
      let after: (() => void | Promise<void>) | null = null;
      if (next === "follow") {
        const isNew = await markSeen(target);
        // A redirect target is found on the URL redirecting to it.
        if (isNew && linkStats) {
          const e = linked.get(target);
          if (e !== undefined) {
            e.from = url;
            e.seen = true;
          } else linked.set(target, { n: 0, page: 0, from: url, seen: true });
        }
        if (!isNew) {
          // Already met elsewhere: it has (or will get) its own record; it may be queued deeper than this chain.
          // Lowered now, before the chain's records are awaited, so the scheduler cannot dispatch it at the old depth.
          const lowered = scheduler.lower(target, item.depth);
          if (lowered) after = () => lowered;
        } else {
          const verdict = screen.full(target);
          if (verdict !== null) after = () => settleUnfetched(target, item.depth, verdict);
          else if (counters.pagesFetched >= s.maxPages || stopped()) after = () => exclude(target, item.depth, "max_pages");
          else {
            counters.pagesFetched++;
            url = target;
            continue;
          }
        }
      }
      for (const r of chain) await emit(r);
      if (after) await after();
      return;
    }
  };

  /**
   * robots.txt `Sitemap:` files → extra seeds when `seed` (see module doc), and the audit's URLs when auditing; the
   * audit reads `/sitemap.xml` when robots.txt names none (never a seed). One reading serves both.
   */
  const importRobotsSitemaps = async (urls: readonly string[], seed: boolean): Promise<SitemapImportResult> => {
    const result = await importSitemaps(urls, {
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
        const auditMore = audit !== null && audit.add(loc);
        const seeding = seed && sitemapUrlsImported < s.maxPages;
        if (!seeding) return auditMore;
        const n = normalizeUrl(loc);
        if (n === null || !n.startsWith(originPrefix)) return true;
        const url = policy(n);
        if (!(await markSeen(url))) return true;
        sitemapUrlsImported++;
        await admit(url, 0);
        return sitemapUrlsImported < s.maxPages || auditMore;
      },
    });
    sitemapFilesRead = result.files;
    return result;
  };

  try {
    signal?.throwIfAborted();
    if (s.respectRobots) {
      robots = await robotsCache.get(origin);
      signal?.throwIfAborted();
      if (s.respectCrawlDelay && robots.crawlDelaySec) pacer.setDelay(origin, Math.min(robots.crawlDelaySec * 1000, MAX_CRAWL_DELAY_MS));
    }
    if (opts.seed) {
      // A resumed crawl's queued URLs keep the page that linked them (stored with the frontier), so their records still
      // get "found on"; their inlink counts start again (the final counts never go down: lib/db/run-urls.ts).
      if (linkStats) {
        for (const item of [...opts.seed.queue, ...(opts.seed.inStore ?? [])])
          if (item.from) linked.set(item.url, { n: 0, page: 0, from: item.from, seen: true });
      }
      for (const u of opts.seed.seen) await markSeen(u);
      for (const item of opts.seed.queue) await scheduler.push(item);
      scheduler.knowInStore(opts.seed.inStore ?? []);
    }
    // A store that comes pre-filled (a resumed crawl) knows its own queue length.
    if (frontier.size) counters.queued = await frontier.size();
    if (await markSeen(startUrl)) {
      if (robots.outcome === "blocked") await exclude(startUrl, 0, "blocked_host");
      else if (robots.outcome === "unreachable") await exclude(startUrl, 0, "robots_unavailable");
      else await admit(startUrl, 0);
    }
    const robotsOk = robots.outcome !== "blocked" && robots.outcome !== "unreachable";
    const fromRobots = robots.sitemaps.length > 0 && robots.outcome === "parsed";
    if (audit && robotsOk) {
      const source = fromRobots ? "robots" : "default";
      const result = await importRobotsSitemaps(fromRobots ? robots.sitemaps : [`${origin}/sitemap.xml`], fromRobots && s.importRobotsSitemaps);
      audit.doneReading({ source, result });
    } else if (s.importRobotsSitemaps && fromRobots) await importRobotsSitemaps(robots.sitemaps, true);
    else audit?.doneReading({ source: null, result: null });
    let paused = false;
    if (robots.outcome !== "blocked" && robots.outcome !== "unreachable") paused = await scheduler.run();
    await progress(true);
    return {
      pagesFetched: counters.pagesFetched,
      urlsListed,
      urlsExcluded,
      excludedByReason,
      robotsSitemaps: robots.sitemaps,
      sitemapFilesRead,
      ...(audit ? { audit: audit.result() } : {}),
      sitemapUrlsImported,
      pagesRendered,
      pagesNotModified,
      retries,
      durationMs: Math.round(performance.now() - t0),
      robots: { outcome: robots.outcome, status: robots.status, error: robots.fetchError ?? null },
      start,
      stoppedBy,
      paused,
      lowered: paused ? scheduler.lowered() : [],
      ...(linkStats ? { inlinks: inlinkCounts(linked) } : {}),
    };
  } finally {
    await (renderer as Renderer | null)?.close();
    await fetcher.close();
  }
}
