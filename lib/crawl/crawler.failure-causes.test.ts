/**
 * Why a crawl listed nothing, on loopback fixtures: the crawl summary's `robots` and `start` facts, turned into a
 * run failure by lib/core/run-outcome.ts diagnoseEmptyCrawl (the same call the job and the CLI make); and the
 * warnings of a crawl cut short by maxPages / maxDepth / the trap caps.
 */
import net from "node:net";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_CRAWL_SETTINGS, type CrawlSettings } from "@/lib/core/types";
import { diagnoseEmptyCrawl, runWarnings, type RunFailure } from "@/lib/core/run-outcome";
import { crawl, type CrawlOptions } from "./crawler";
import { closeTestSites, run, startTestSite } from "@/tests/helpers/crawl";
import { page } from "@/tests/helpers/site";

afterEach(closeTestSites);

/** Crawls `startUrl` and diagnoses the (empty) result like crawlRun does. */
async function diagnose(startUrl: string, settings: Partial<CrawlSettings> = {}, opts: CrawlOptions = {}): Promise<RunFailure> {
  const s = { ...DEFAULT_CRAWL_SETTINGS, startUrl, timeoutMs: 3_000, ...settings };
  let listed = 0;
  const summary = await crawl(s, { ...opts, onRecord: (r) => void (r.included && listed++) });
  expect(listed).toBe(0);
  return diagnoseEmptyCrawl({ startUrl, robots: summary.robots, start: summary.start, excludedByReason: summary.excludedByReason, timeoutMs: s.timeoutMs });
}

/** A port on 127.0.0.1 with nothing listening (bound, then closed). */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe("failure causes of a crawl that lists nothing", () => {
  it("an unresolvable .invalid host name → dns_not_found", async () => {
    const f = await diagnose("http://no-such-host.invalid/");
    expect(f.code).toBe("dns_not_found");
    expect(f.message).toContain("no-such-host.invalid");
    expect(f.detail).toMatchObject({ host: "no-such-host.invalid", port: 80, cause: "ENOTFOUND" });
    expect(f.hint).toMatch(/typo/);
  });

  it("a closed port → connection_refused", async () => {
    const port = await closedPort();
    const f = await diagnose(`http://127.0.0.1:${port}/`, {}, { allowHosts: [`127.0.0.1:${port}`] });
    expect(f.code).toBe("connection_refused");
    expect(f.detail).toMatchObject({ host: "127.0.0.1", port, cause: "ECONNREFUSED" });
  });

  it("a closed port with robots.txt off: the start URL's own fetch says connection_refused", async () => {
    const port = await closedPort();
    const f = await diagnose(`http://127.0.0.1:${port}/`, { respectRobots: false }, { allowHosts: [`127.0.0.1:${port}`] });
    expect(f.code).toBe("connection_refused");
  });

  it("a loopback host not on the allow-list → blocked_by_ssrf_guard, naming CRAWL_ALLOW_HOSTS and --allow-host", async () => {
    const site = await startTestSite({ "/": { body: page() } });
    const f = await diagnose(`${site.origin}/`, {}, { allowHosts: [] });
    expect(f.code).toBe("blocked_by_ssrf_guard");
    expect(f.hint).toContain(`CRAWL_ALLOW_HOSTS`);
    expect(f.hint).toContain(`--allow-host ${site.hostPort}`);
    expect(f.detail).toMatchObject({ host: "127.0.0.1", port: site.port });
    expect(site.requests).toEqual([]);
  });

  it("a 404 root → start_url_http_error with the status", async () => {
    const r = await run({ "/robots.txt": { status: 404, body: "" } });
    const f = diagnoseEmptyCrawl({ startUrl: `${r.site.origin}/`, ...r.summary });
    expect(f).toMatchObject({ code: "start_url_http_error", detail: { status: 404, url: `${r.site.origin}/` } });
    expect(f.message).toContain("404");
  });

  it("a root that redirects off the origin → start_url_redirect_off_origin, the target offered as new start URL", async () => {
    const r = await run({ "/": { status: 301, headers: { location: "https://www.example.org/en/" } } });
    const f = diagnoseEmptyCrawl({ startUrl: `${r.site.origin}/`, ...r.summary });
    expect(f.code).toBe("start_url_redirect_off_origin");
    expect(f.detail).toMatchObject({ status: 301, target: "https://www.example.org/en/", suggestedStartUrl: "https://www.example.org/en/" });
    expect(f.hint).toContain("https://www.example.org/en/");
    expect(r.site.requests.filter((p) => p !== "/robots.txt")).toEqual(["/"]);
  });

  it("a same-origin redirect to a 404 names the last hop", async () => {
    const r = await run({ "/": { status: 302, headers: { location: "/home" } } });
    const f = diagnoseEmptyCrawl({ startUrl: `${r.site.origin}/`, ...r.summary });
    expect(f).toMatchObject({ code: "start_url_http_error", detail: { status: 404, url: `${r.site.origin}/home` } });
  });

  it("robots.txt answering 500 → robots_5xx (RFC 9309: nothing crawled)", async () => {
    const r = await run({ "/robots.txt": { status: 500, body: "oops" }, "/": { body: page() } }, {}, { retry: { maxRetries: 0 } });
    const f = diagnoseEmptyCrawl({ startUrl: `${r.site.origin}/`, ...r.summary });
    expect(f).toMatchObject({ code: "robots_5xx", detail: { status: 500, robotsUrl: `${r.site.origin}/robots.txt` } });
    expect(f.message).toContain("RFC 9309");
    expect(r.pageRequests).toEqual([]);
  });

  it("robots.txt unreachable (the connection is dropped) → robots_unreachable, not robots_5xx", async () => {
    const r = await run({ "/robots.txt": (req) => req.socket.destroy(), "/": { body: page() } });
    const f = diagnoseEmptyCrawl({ startUrl: `${r.site.origin}/`, ...r.summary });
    expect(f.code).toBe("robots_unreachable");
    expect(f.detail).toMatchObject({ robotsUrl: `${r.site.origin}/robots.txt` });
    expect(f.message).toContain("RFC 9309");
    expect(r.pageRequests).toEqual([]);
  });

  it("robots.txt that does not answer in time → robots_unreachable", async () => {
    const r = await run({ "/robots.txt": () => {}, "/": { body: page() } }, { timeoutMs: 300 });
    const f = diagnoseEmptyCrawl({ startUrl: `${r.site.origin}/`, ...r.summary });
    expect(f.code).toBe("robots_unreachable");
    expect(f.detail).toMatchObject({ cause: "timeout" });
  });

  it("a start URL that does not answer in time → timeout", async () => {
    const r = await run({ "/robots.txt": { status: 404 }, "/": () => {} }, { timeoutMs: 300 });
    const f = diagnoseEmptyCrawl({ startUrl: `${r.site.origin}/`, ...r.summary, timeoutMs: 300 });
    expect(f.code).toBe("timeout");
    expect(f.message).toContain("300 ms");
  });

  it("every page excluded → all_excluded with the top reasons and counts", async () => {
    const noindex = page([], `<meta name="robots" content="noindex">`);
    const r = await run({
      "/": { body: page(["/a", "/b", "/c", "/d.pdf"], `<meta name="robots" content="noindex">`) },
      "/a": { body: noindex },
      "/b": { body: noindex },
      "/c": { body: page([], `<link rel="canonical" href="https://other.example/c">`) },
    });
    expect(r.listed).toEqual([]);
    const f = diagnoseEmptyCrawl({ startUrl: `${r.site.origin}/`, ...r.summary });
    expect(f.code).toBe("all_excluded");
    expect(f.detail).toEqual({
      urlsExcluded: 5,
      topReasons: [
        { reason: "noindex_meta", count: 3 },
        { reason: "canonical_elsewhere", count: 1 },
        { reason: "not_html", count: 1 },
      ],
    });
    expect(f.message).toContain("noindex_meta (3)");
    expect(f.hint).toMatch(/noindex/);
  });
});

describe("warnings of a crawl cut short", () => {
  const site = {
    "/": { body: page(["/a", "/b", "/c"]) },
    "/a": { body: page(["/a/1", "/a/2"]) },
    "/b": { body: page() },
    "/c": { body: page() },
    "/a/1": { body: page() },
    "/a/2": { body: page() },
  };
  it("maxPages → max_pages_reached", async () => {
    const r = await run(site, { maxPages: 2, concurrency: 1 });
    expect(runWarnings(r.summary.excludedByReason)).toEqual(["max_pages_reached"]);
  });
  it("maxDepth → max_depth_reached", async () => {
    const r = await run(site, { maxDepth: 1 });
    expect(r.summary.excludedByReason.max_depth).toBe(2);
    expect(runWarnings(r.summary.excludedByReason)).toEqual(["max_depth_reached"]);
  });
  it("the trap caps → crawl_trap_capped", async () => {
    const r = await run({ "/": { body: page(["/x/x/x/x", "/y?a=1", "/y?a=2"]) }, "/y?a=1": { body: page() } }, { maxQueryVariants: 1 });
    expect(runWarnings(r.summary.excludedByReason)).toContain("crawl_trap_capped");
  });
  it("a complete crawl has none", async () => {
    const r = await run(site);
    expect(r.listed).toHaveLength(6);
    expect(runWarnings(r.summary.excludedByReason)).toEqual([]);
  });
});

describe("TLS", () => {
  it("https:// to a server that speaks plain HTTP → tls_error", async () => {
    const site = await startTestSite({ "/": { body: page() } });
    const f = await diagnose(`https://${site.hostPort}/`, {}, { allowHosts: [site.hostPort] });
    expect(f.code).toBe("tls_error");
    expect(f.hint).toMatch(/certificate|http:\/\//);
  });
});
