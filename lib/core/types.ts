/**
 * Shared domain shapes of Sitemap Forge: what the crawler produces and what the sitemap writer consumes.
 * Pure types and constants only (no I/O), so `lib/crawl`, `lib/sitemap`, `lib/db`, `inngest/` and the CLI agree.
 *
 * Field terms follow sitemaps.org (urlset, sitemapindex, loc, lastmod, changefreq, priority) and
 * RFC 9309 / Google's indexing docs (noindex, nofollow, canonical, robots.txt).
 */

/** sitemaps.org: at most 50,000 URLs per urlset file and per sitemapindex file. */
export const MAX_URLS_PER_FILE = 50_000;
/** sitemaps.org: at most 52,428,800 bytes (50 MiB) per file, uncompressed. */
export const MAX_BYTES_PER_FILE = 52_428_800;

/**
 * Why a URL met during a crawl is not listed in the sitemap. Every URL the crawler sees and leaves out gets exactly one.
 * - robots_disallowed: robots.txt (RFC 9309) disallows it for our user agent; never fetched.
 * - robots_unavailable: robots.txt answered 5xx or was unreachable, so RFC 9309 says fetch nothing.
 * - noindex_meta / noindex_header: `<meta name="robots" content="noindex">` / `X-Robots-Tag: noindex`.
 * - canonical_elsewhere: rel=canonical names another URL (its links are still followed).
 * - redirect: the URL answered 3xx; the target is crawled instead.
 * - redirect_limit: more than 5 redirect hops, or a redirect loop.
 * - http_error: final status other than 200 (4xx, 5xx, 204, …).
 * - not_html: answered 200 with a non-HTML Content-Type (PDF, image, …).
 * - fetch_error: network error, timeout, body over the cap.
 * - off_origin: a redirect or link left the sitemap's origin.
 * - max_depth / max_pages: a crawl bound was reached before the URL was fetched.
 * - excluded_by_rule: a user rule left it out (`exclude`, or `crawl_only`: fetched and followed, never listed).
 * - blocked_host: the SSRF guard refused the address (private/loopback not on the allow-list).
 * - url_too_long: longer than the sitemap's `maxUrlLength` (sitemaps.org: a <loc> is under 2,048 characters).
 * - crawl_trap: a trap cap left it out (too many query variants of one path, too many path segments, or a
 *   path segment sequence repeated; lib/crawl/traps.ts documents the caps).
 * - duplicate: the sitemap collapses duplicates (`collapseDuplicates`) and another URL with the same main-content
 *   hash is listed instead (target = the URL kept); set after the crawl, never by the crawler itself.
 */
export const EXCLUSION_REASONS = [
  "robots_disallowed",
  "robots_unavailable",
  "noindex_meta",
  "noindex_header",
  "canonical_elsewhere",
  "redirect",
  "redirect_limit",
  "http_error",
  "not_html",
  "fetch_error",
  "off_origin",
  "max_depth",
  "max_pages",
  "excluded_by_rule",
  "blocked_host",
  "url_too_long",
  "crawl_trap",
  "duplicate",
] as const;
export type ExclusionReason = (typeof EXCLUSION_REASONS)[number];

/** One URL of a run's inventory: listed (`included`) or left out with a `reason`. */
export type CrawlRecord = {
  /** Normalised absolute URL (WHATWG URL, no fragment). */
  url: string;
  /** Final HTTP status of this URL's own response, or null when it was never fetched. */
  status: number | null;
  included: boolean;
  reason: ExclusionReason | null;
  /** W3C Datetime (ISO 8601 with timezone) from Last-Modified, or null. Never the crawl time. */
  lastmod: string | null;
  /** Link distance from the nearest seed: the start URL, or a URL imported from a robots.txt sitemap (seeds = 0). */
  depth: number;
  /** For reason "redirect": the normalised Location target. For "canonical_elsewhere": the canonical URL. */
  target?: string | null;
  /**
   * Hex sha256 of the page's main content, for truthful lastmod; set for every HTML page answered 200 (listed or
   * not). Main content = the text nodes outside head/title/script/style/noscript/template/nav/header/footer
   * elements, as written in the source (character references not decoded), each trimmed with every whitespace
   * run that contains a line break or tab collapsed to one space, empty nodes dropped, joined by single spaces
   * (lib/crawl/html.ts ParsedPage.contentHash). For a page rendered with JavaScript, the rendered DOM's text.
   */
  contentHash?: string | null;
  /** Sitemap extensions found on the page (images, hreflang alternates, video, news). */
  data?: PageExtensions | null;
  /** Validators of the response as sent (ETag and Last-Modified field values), for conditional requests next run. */
  etag?: string | null;
  lastModifiedHeader?: string | null;
  /** The server answered 304 Not Modified and the record was replayed from the previous snapshot. */
  notModified?: boolean;
  /**
   * The first page whose links led the crawl to this URL (the redirecting URL for a redirect target), or null for a
   * seed (the start URL, robots.txt sitemap imports) and for a URL queued before a resumed crawl step.
   */
  foundOn?: string | null;
  /**
   * Distinct crawled pages linking to this URL (followable same-origin links, after the URL policy) when the record
   * was emitted; the final count of the run is only known when the crawl ends (`CrawlSummary.inlinks`).
   */
  inlinks?: number;
  /** Media type of the response without parameters, lower case (`text/html`), or null (no request or no header). */
  contentType?: string | null;
  /** Where `lastmod` comes from: "server" = the Last-Modified header; "content" = the content hash's first sighting. */
  lastmodSource?: "content" | "server" | null;
  /** What explains the reason (see {@link UrlDetail}), or null. */
  detail?: UrlDetail | null;
};

/**
 * The detail of a record's reason, stored with the run's inventory (RunUrl.detail) and shown by the URL inventory API.
 * The canonical URL (canonical_elsewhere), redirect target (redirect) and kept URL (duplicate) live in `target`.
 */
export type UrlDetail = {
  /** reason "redirect": "http" for a 3xx with Location, "meta_refresh" for an instant `<meta http-equiv="refresh">`. */
  redirectKind?: "http" | "meta_refresh";
  /** reason "robots_disallowed": the robots.txt rule that decided, as written (`Disallow: /private/`), 1-based line. */
  robotsRule?: string;
  robotsLine?: number;
  /** reason "noindex_meta" / "noindex_header" (or a noindex page listed anyway): where the noindex came from. */
  noindex?: ("meta" | "x-robots-tag")[];
};

/** Google image sitemap: only image:loc (title/caption/etc. are deprecated). */
export type VideoInfo = {
  thumbnailLoc: string;
  title: string;
  description: string;
  contentLoc?: string | null;
  playerLoc?: string | null;
  durationSec?: number | null;
  publicationDate?: string | null;
};
export type NewsInfo = { publicationName: string; language: string; publicationDate: string; title: string };

/** Extension data of one page (Google's sitemap extensions; hreflang per Google's localized-versions docs). */
export type PageExtensions = {
  /** Absolute image URLs, ≤ 1,000, same origin or an allowed image host. */
  images?: string[];
  /** hreflang alternates of the page's cluster, from <link rel="alternate" hreflang> and Link: headers. */
  alternates?: { hreflang: string; href: string }[];
  video?: VideoInfo[];
  news?: NewsInfo | null;
};

/**
 * What a full fetch of a page found, stored per sitemap and replayed when the next run's conditional request is
 * answered 304 Not Modified (the body is not sent again, so its links must come from here).
 */
export type PageSnapshot = {
  status: number | null;
  included: boolean;
  reason: ExclusionReason | null;
  target?: string | null;
  contentHash?: string | null;
  data?: PageExtensions | null;
  links: { url: string; nofollow: boolean }[];
};

export type ChangeFreq = "always" | "hourly" | "daily" | "weekly" | "monthly" | "yearly" | "never";

/**
 * One `<url>` of a urlset (sitemaps.org 0.9), plus the optional extension data of the page (the same field names as
 * `PageExtensions`, so `{ loc, lastmod, ...record.data }` is a valid entry). The writer validates and normalises every
 * extension value and drops what cannot be written (see lib/sitemap/extensions.ts); it never throws for them.
 */
export type SitemapEntry = {
  /** Absolute http(s) URL; the writer percent-encodes IRIs and escapes XML exactly once. */
  loc: string;
  /** W3C Datetime string or Date; written with a timezone. Omitted when absent. */
  lastmod?: string | Date | null;
  changefreq?: ChangeFreq | null;
  /** 0.0 … 1.0 */
  priority?: number | null;
  /** Google image extension: absolute image URLs (`<image:image><image:loc>`); ≤ 1,000 unique valid ones are written. */
  images?: readonly string[] | null;
  /** hreflang cluster of the page (`<xhtml:link rel="alternate">`), ideally including the page itself. */
  alternates?: readonly { hreflang: string; href: string }[] | null;
  /** Google video extension: videos with thumbnail, title, description and a content or player URL. */
  video?: readonly VideoInfo[] | null;
  /** Google News extension: written only when the writer is given a news `now` and the article is ≤ 2 days old. */
  news?: NewsInfo | null;
  /** Page title, used as the link text of the HTML sitemap (the URL is shown when absent). Plain text, unescaped. */
  title?: string | null;
};

/**
 * What a user rule does with the URLs it matches (first matching rule wins; no match = crawl_list):
 * - crawl_list: fetch, follow its links, list it when indexable (the default behaviour).
 * - crawl_only: fetch and follow its links, but never list it (record reason "excluded_by_rule").
 * - list_only: list it without fetching (no status, no lastmod); robots.txt and the depth cap still apply.
 * - exclude: neither fetched nor listed (reason "excluded_by_rule").
 */
export const RULE_ACTIONS = ["crawl_list", "crawl_only", "list_only", "exclude"] as const;
export type RuleAction = (typeof RULE_ACTIONS)[number];

/**
 * One URL rule. `syntax`:
 * - "glob": robots.txt pattern syntax. A pattern starting with "/" (or "*") is matched against the URL's path and
 *   query; one starting with "http://" or "https://" against the whole URL. `*` matches any run of characters
 *   (including "/" and "?"), a final `$` anchors the end, anything else is literal and the match is a prefix
 *   match: "/blog/" = everything under /blog/, "*.pdf$" = every PDF, "/*?sort=" = every sorted listing.
 * - "regex": a JavaScript regular expression (no flags) searched (unanchored) in the whole normalised URL.
 */
export type CrawlRule = { action: RuleAction; pattern: string; syntax: "glob" | "regex" };

/** Query strings: keep all parameters, drop them all, or keep only `queryAllowlist` parameter names. */
export type QueryPolicy = "keep" | "strip" | "allowlist";
/** Trailing slash of paths: keep as linked, add one to directory-like paths, or remove it (never from "/"). */
export type TrailingSlashPolicy = "keep" | "add" | "remove";
/** JavaScript rendering: never, only for pages whose static HTML looks like an empty app shell, or every page. */
export type RenderJsMode = "off" | "auto" | "always";

/**
 * Credentials for a staging site, sent ONLY to the start URL's exact origin (scheme, host, port) — never to
 * another host, not even along a redirect. Stored encrypted (lib/auth/secrets.ts); plaintext only in memory.
 */
export type SiteAuth = {
  basicAuth?: { username: string; password: string } | null;
  /** Extra request header fields (name → value). Names that the crawler owns are refused (see lib/crawl/fetch.ts). */
  headers?: Record<string, string> | null;
  /** Cookies sent as one `Cookie` field (name → value). */
  cookies?: Record<string, string> | null;
};

/**
 * Request header names a sitemap's custom headers may not set: the ones the crawler owns (robots matching,
 * decompression, conditional requests), hop-by-hop and framing fields (RFC 9110 §7.6.1), and Authorization /
 * Cookie, which have their own settings. Lower-case.
 */
export const FORBIDDEN_CUSTOM_HEADERS: ReadonlySet<string> = new Set([
  "host",
  "user-agent",
  "accept-encoding",
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "upgrade",
  "te",
  "trailer",
  "proxy-authorization",
  "proxy-connection",
  "if-none-match",
  "if-modified-since",
  "authorization",
  "cookie",
]);

/**
 * Crawl bounds and policy of one run. Units: ms, bytes, pages, characters.
 * Fields after `maxBodyBytes` are optional: an omitted field takes its value from {@link DEFAULT_CRAWL_SETTINGS}.
 */
export type CrawlSettings = {
  startUrl: string;
  /** Stop after this many fetched pages (robots.txt not counted). */
  maxPages: number;
  /** Max link distance from a seed (the start URL or a URL imported from a robots.txt sitemap). */
  maxDepth: number;
  /** Parallel requests to the origin. */
  concurrency: number;
  /** Sent as User-Agent; its product token is matched against robots.txt groups. */
  userAgent: string;
  respectRobots: boolean;
  /** Per-request total deadline, ms. */
  timeoutMs: number;
  /** Max body bytes read per response (decompressed). */
  maxBodyBytes: number;

  /** URL rules, first match wins (see {@link CrawlRule}). */
  rules?: CrawlRule[];
  queryPolicy?: QueryPolicy;
  /** Parameter names kept when `queryPolicy` is "allowlist" (exact, case-sensitive). */
  queryAllowlist?: string[];
  trailingSlash?: TrailingSlashPolicy;
  /** URLs longer than this many characters are recorded "url_too_long" and never fetched. */
  maxUrlLength?: number;
  /** Space requests to the origin by robots.txt `Crawl-delay` (seconds) of our group, capped at 30 s. */
  respectCrawlDelay?: boolean;
  /** Read robots.txt `Sitemap:` files and crawl the same-origin URLs they list as extra seeds. */
  importRobotsSitemaps?: boolean;
  /** Trap cap: distinct query strings crawled per path (origin + path); more → "crawl_trap". */
  maxQueryVariants?: number;
  /** Trap cap: path segments per URL; more → "crawl_trap". */
  maxPathSegments?: number;
  /** Trap cap: times a run of 1–3 path segments may repeat back to back (`/a/a` = 1 repeat); more → "crawl_trap". */
  maxSegmentRepeats?: number;
  /** Staging-site credentials (decrypted); sent only to the start URL's origin. */
  auth?: SiteAuth | null;
  renderJs?: RenderJsMode;
  /** Extract `<img>` URLs into `CrawlRecord.data.images`. */
  images?: boolean;
  /** Hosts besides the site's own whose images are listed (exact host names; "*.example.com" for subdomains). */
  imageHosts?: string[];
  /** Extract hreflang alternates (`<link rel=alternate hreflang>` and `Link:` headers). */
  hreflang?: boolean;
  /** Extract VideoObject structured data (JSON-LD). */
  video?: boolean;
  /** Extract NewsArticle structured data (JSON-LD). */
  news?: boolean;
  /** news:publication name and language; fall back to the article's publisher.name / inLanguage / `<html lang>`. */
  newsPublicationName?: string | null;
  newsLanguage?: string | null;
  /**
   * Leave out pages that say noindex (`<meta name="robots">` or `X-Robots-Tag`, generic or for our product token),
   * recorded "noindex_meta" / "noindex_header". Default true. False: such pages are listed like any other (their
   * links are followed either way; nofollow is `followNofollow`'s business).
   */
  excludeNoindex?: boolean;
  /**
   * Follow links that ask not to be followed: `rel=nofollow` on a link, and every link of a page whose robots meta
   * tag or X-Robots-Tag says nofollow. Default false (not followed, so pages reachable only that way are never met).
   */
  followNofollow?: boolean;
  /**
   * Leave out pages whose `<link rel="canonical">` names another URL, recorded "canonical_elsewhere" with the
   * canonical as `target` (the page's links are still followed). Default true. False: listed anyway.
   */
  respectCanonical?: boolean;
};

/** Honest default user agent: names the product and where to read about it. */
export const DEFAULT_USER_AGENT = "SitemapForgeBot/0.1 (+https://github.com/sitemap-forge/sitemap-forge)";

export const DEFAULT_CRAWL_SETTINGS: Required<Omit<CrawlSettings, "startUrl">> = {
  maxPages: 10_000,
  maxDepth: 50,
  concurrency: 8,
  userAgent: DEFAULT_USER_AGENT,
  respectRobots: true,
  timeoutMs: 15_000,
  maxBodyBytes: 10 * 1024 * 1024,
  rules: [],
  queryPolicy: "keep",
  queryAllowlist: [],
  trailingSlash: "keep",
  maxUrlLength: 2047,
  respectCrawlDelay: false,
  importRobotsSitemaps: true,
  maxQueryVariants: 50,
  maxPathSegments: 30,
  maxSegmentRepeats: 1,
  auth: null,
  renderJs: "off",
  images: true,
  imageHosts: [],
  hreflang: true,
  video: false,
  news: false,
  newsPublicationName: null,
  newsLanguage: null,
  excludeNoindex: true,
  followNofollow: false,
  respectCanonical: true,
};
