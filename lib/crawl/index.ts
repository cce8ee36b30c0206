/**
 * Public surface of the crawler library. `crawl()` is the entry point; the rest is exported for callers that
 * need one piece (the SSRF-guarded fetcher for other outbound requests, robots.txt, page parsing, sitemap import,
 * rules, trap caps, rendering).
 * No Next.js, Prisma or env access at import time; persistence is the caller's job (via `onRecord`, `onPageLinks`,
 * `revalidate` and a `FrontierStore`).
 */
export {
  crawl,
  httpDateToIso,
  MAX_REDIRECTS,
  type CrawlOptions,
  type CrawlProgress,
  type CrawlSummary,
  type Revalidation,
} from "./crawler";
export {
  allowHostsFromEnv,
  createFetcher,
  credentialHeaders,
  FORBIDDEN_CUSTOM_HEADERS,
  headerValue,
  isPublicAddress,
  parseAllowHosts,
  safeFetch,
  type FetchError,
  type FetchErrorCode,
  type Fetcher,
  type FetcherOptions,
  type FetchRequestOptions,
  type FetchResult,
  type LookupAddress,
  type LookupFn,
} from "./fetch";
export { createMemoryFrontier, type FrontierItem, type FrontierStore } from "./frontier";
export {
  alternatesFromLinkHeader,
  bestSrcsetCandidate,
  decodeHtml,
  detectCharset,
  extractPageData,
  isHtmlContentType,
  looksLikeEmptyShell,
  MAX_IMAGES_PER_PAGE,
  parseLinkHeader,
  parsePage,
  parseRobotsDirectives,
  parseXRobotsTag,
  SHELL_MAX_TEXT,
  type ExtensionSettings,
  type PageLink,
  type ParsedPage,
  type ParseOptions,
  type RobotsDirectives,
} from "./html";
export { createPacer, MAX_CRAWL_DELAY_MS, MAX_RETRIES, MAX_RETRY_DELAY_MS, parseRetryAfter, retryDelayMs, type OriginPacer } from "./pacer";
export { compilePattern, type PatternMatcher } from "./pattern";
export { CHROMIUM_ARGS, createRenderer, type Renderer, type RendererOptions, type RenderResult } from "./render";
export {
  allowAll,
  createRobotsCache,
  fetchRobots,
  parseRobotsTxt,
  productToken,
  ROBOTS_MAX_BYTES,
  ROBOTS_MAX_LINE_LENGTH,
  ROBOTS_MAX_REDIRECTS,
  tokenizeRobotsTxt,
  type RobotsCache,
  type RobotsOutcome,
  type RobotsPolicy,
} from "./robots";
export { compileRules, MAX_RULE_PATTERN_LENGTH, MAX_RULES, ruleError, rulesError, type RuleMatcher } from "./rules";
export { createSitemapXmlParser, importSitemaps, MAX_SITEMAP_BYTES, MAX_SITEMAP_FILES, type SitemapImportOptions, type SitemapImportResult } from "./sitemaps";
export { extractStructuredData, isoDurationToSeconds, MAX_VIDEOS_PER_PAGE } from "./structured-data";
export { createTrapGuard, hasRepeatedRun, type TrapCaps, type TrapKind } from "./traps";
