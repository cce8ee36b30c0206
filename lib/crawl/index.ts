/**
 * Public surface of the crawler library. `crawl()` is the entry point; the rest is exported for callers that
 * need one piece (the SSRF-guarded fetcher for other outbound requests, robots.txt, page parsing).
 * No Next.js, Prisma or env access at import time; persistence is the caller's job (via `onRecord`).
 */
export { crawl, httpDateToIso, MAX_REDIRECTS, type CrawlOptions, type CrawlProgress, type CrawlSummary } from "./crawler";
export {
  allowHostsFromEnv,
  createFetcher,
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
  decodeHtml,
  detectCharset,
  isHtmlContentType,
  parsePage,
  parseRobotsDirectives,
  parseXRobotsTag,
  type PageLink,
  type ParsedPage,
  type RobotsDirectives,
} from "./html";
export { allowAll, fetchRobots, parseRobotsTxt, productToken, ROBOTS_MAX_BYTES, ROBOTS_MAX_REDIRECTS, type RobotsOutcome, type RobotsPolicy } from "./robots";
