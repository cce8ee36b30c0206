/**
 * Test-only: crawl a throw-away test site (tests/helpers/site.ts) and index the records by path, for the crawler's
 * vitest suites. Not imported by library code.
 */
import { expect } from "vitest";
import { DEFAULT_CRAWL_SETTINGS, type CrawlRecord, type CrawlSettings } from "@/lib/core/types";
import { crawl, type CrawlOptions } from "@/lib/crawl/crawler";
import { startSite, type RouteHandler, type RouteSpec, type TestSite } from "@/tests/helpers/site";

const sites: TestSite[] = [];
/** startSite, closed by closeTestSites. */
export async function startTestSite(routes: Record<string, RouteSpec | RouteHandler>): Promise<TestSite> {
  const site = await startSite(routes);
  sites.push(site);
  return site;
}

/** Closes every site `run` or `startTestSite` started; register with `afterEach(closeTestSites)`. */
export async function closeTestSites(): Promise<void> {
  await Promise.all(sites.splice(0).map((s) => s.close()));
}

export type Run = {
  site: TestSite;
  records: CrawlRecord[];
  /** Record by path (+query), e.g. "/a". */
  byPath: Map<string, CrawlRecord>;
  listed: string[];
  summary: Awaited<ReturnType<typeof crawl>>;
  /** Requests the server saw, robots.txt excluded. */
  pageRequests: string[];
  /** Arrival time (ms, performance.now) of the first request for `path`. */
  at: (path: string) => number;
};

/**
 * Serves `routes` on a test site and crawls it from "/" (concurrency 4, 3 s timeout, the site's host:port allowed),
 * asserting one record per URL. Paths in the result are relative to the site's origin.
 */
export async function run(
  routes: Record<string, RouteSpec | RouteHandler>,
  settings: Partial<CrawlSettings> = {},
  opts: CrawlOptions = {},
): Promise<Run> {
  const site = await startTestSite(routes);
  const records: CrawlRecord[] = [];
  const summary = await crawl(
    { ...DEFAULT_CRAWL_SETTINGS, startUrl: `${site.origin}/`, concurrency: 4, timeoutMs: 3_000, ...settings },
    { allowHosts: [site.hostPort], ...opts, onRecord: (r) => void records.push(r) },
  );
  const path = (u: string) => u.slice(site.origin.length);
  const byPath = new Map<string, CrawlRecord>();
  for (const r of records) {
    expect(byPath.has(path(r.url)), `duplicate record for ${r.url}`).toBe(false);
    byPath.set(path(r.url), r);
  }
  return {
    site,
    records,
    byPath,
    listed: records.filter((r) => r.included).map((r) => path(r.url)).sort(),
    summary,
    pageRequests: site.requests.filter((p) => p !== "/robots.txt"),
    at: (p) => site.requestTimes[site.requests.indexOf(p)],
  };
}

/** The reason of the record of `path`, if any. */
export const reasonOf = (r: Run, path: string) => r.byPath.get(path)?.reason;
/** A robots.txt route. */
export const robots = (text: string): RouteSpec => ({ body: text, type: "text/plain" });
