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
 * - excluded_by_rule: a user include/exclude rule left it out.
 * - blocked_host: the SSRF guard refused the address (private/loopback not on the allow-list).
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
  /** Link distance from the start URL (start URL = 0). */
  depth: number;
  /** For reason "redirect": the normalised Location target. For "canonical_elsewhere": the canonical URL. */
  target?: string | null;
  /** hex sha256 of the page's main content (HTML pages answered 200), for truthful lastmod. */
  contentHash?: string | null;
  /** Sitemap extensions found on the page (images, hreflang alternates, video, news). */
  data?: PageExtensions | null;
  /** Validators of the response, for conditional requests on the next run. */
  etag?: string | null;
  lastModifiedHeader?: string | null;
  /** The server answered 304 Not Modified and the record was replayed from the previous snapshot. */
  notModified?: boolean;
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

/** One `<url>` of a urlset (sitemaps.org 0.9). */
export type SitemapEntry = {
  /** Absolute http(s) URL; the writer percent-encodes IRIs and escapes XML exactly once. */
  loc: string;
  /** W3C Datetime string or Date; written with a timezone. Omitted when absent. */
  lastmod?: string | Date | null;
  changefreq?: ChangeFreq | null;
  /** 0.0 … 1.0 */
  priority?: number | null;
};

/** Crawl bounds and policy of one run. Units: ms, bytes, pages. */
export type CrawlSettings = {
  startUrl: string;
  /** Stop after this many fetched pages (robots.txt not counted). */
  maxPages: number;
  /** Max link distance from the start URL. */
  maxDepth: number;
  /** Parallel requests to the origin. */
  concurrency: number;
  /** Sent as User-Agent; its product token is matched against robots.txt groups. */
  userAgent: string;
  respectRobots: boolean;
  /** Per-request total deadline, ms. */
  timeoutMs: number;
  /** Max body bytes read per response. */
  maxBodyBytes: number;
};

/** Honest default user agent: names the product and where to read about it. */
export const DEFAULT_USER_AGENT = "SitemapForgeBot/0.1 (+https://github.com/sitemap-forge/sitemap-forge)";

export const DEFAULT_CRAWL_SETTINGS: Omit<CrawlSettings, "startUrl"> = {
  maxPages: 10_000,
  maxDepth: 50,
  concurrency: 8,
  userAgent: DEFAULT_USER_AGENT,
  respectRobots: true,
  timeoutMs: 15_000,
  maxBodyBytes: 10 * 1024 * 1024,
};
