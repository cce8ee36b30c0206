/**
 * The crawler's scheduler without a level barrier (exact shortest depths, exact maxDepth, pipelined levels), the
 * listing switches `excludeNoindex` / `followNofollow` / `respectCanonical`, and requests saved on URLs that
 * cannot be listed (non-HTML extensions). Loopback sites only.
 */
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_CRAWL_SETTINGS, type CrawlRecord, type CrawlSettings } from "@/lib/core/types";
import { crawl, hasNonHtmlExtension, type CrawlOptions } from "./crawler";
import { createMemoryFrontier } from "./frontier";
import { page, type RouteHandler, type RouteSpec } from "@/tests/helpers/site";
import { closeTestSites, run as crawlTestSite, startTestSite } from "@/tests/helpers/crawl";

afterEach(closeTestSites);

/** The shared crawl-a-test-site helper, with a 5 s request timeout (these sites answer slowly on purpose). */
const run = (routes: Record<string, RouteSpec | RouteHandler>, settings: Partial<CrawlSettings> = {}, opts: CrawlOptions = {}) =>
  crawlTestSite(routes, { timeoutMs: 5_000, ...settings }, opts);

/** A page answered after `ms`. */
const slow =
  (ms: number, links: string[]): RouteHandler =>
  (_req, res) =>
    void setTimeout(() => res.writeHead(200, { "content-type": "text/html" }).end(page(links)), ms);

describe("scheduler: no barrier between depth levels", () => {
  it("a depth-2 page starts while a slow depth-1 page is still running (levels overlap)", async () => {
    const r = await run({
      "/": { body: page(["/slow", "/a"]) },
      "/slow": slow(400, []),
      "/a": { body: page(["/b"]) },
      "/b": { body: page() },
    });
    expect(r.listed).toEqual(["/", "/a", "/b", "/slow"]);
    // With a strict BFS barrier /b (depth 2) would wait for /slow (depth 1): ≥ 400 ms later.
    expect(r.at("/b") - r.at("/slow")).toBeLessThan(300);
    expect(r.byPath.get("/b")?.depth).toBe(2);
  });

  it("a page two levels below a running one waits for it, so a shorter path found by it still counts", async () => {
    // /t is 2 links away via /slow, 3 via /a → /b. /b (depth 2) runs while /slow does; /t (first met at depth 3)
    // must wait, then moves up to depth 2 when /slow links it. Fetched once.
    const r = await run({
      "/": { body: page(["/slow", "/a"]) },
      "/slow": slow(400, ["/t"]),
      "/a": { body: page(["/b"]) },
      "/b": { body: page(["/t"]) },
      "/t": { body: page(["/u"]) },
      "/u": { body: page() },
    });
    expect(r.byPath.get("/t")).toMatchObject({ included: true, depth: 2 });
    expect(r.byPath.get("/u")).toMatchObject({ included: true, depth: 3 });
    expect(r.pageRequests.filter((p) => p === "/t")).toHaveLength(1);
    expect(r.at("/t")).toBeGreaterThan(r.at("/slow") + 350);
  });

  it("maxDepth is exact: beyond it → max_depth unless a shorter path turns up before its turn", async () => {
    const r = await run(
      {
        "/": { body: page(["/slow", "/a"]) },
        "/slow": slow(300, ["/near"]),
        "/a": { body: page(["/b"]) },
        "/b": { body: page(["/near", "/far"]) },
        "/near": { body: page() },
        "/far": { body: page() },
      },
      { maxDepth: 2 },
    );
    expect(r.byPath.get("/near")).toMatchObject({ included: true, depth: 2, status: 200 });
    expect(r.byPath.get("/far")).toMatchObject({ included: false, reason: "max_depth", depth: 3, status: null });
    expect(r.pageRequests).not.toContain("/far");
  });

  it("a URL beyond maxDepth moved up by a shorter path goes through the checks it skipped (list_only rule)", async () => {
    // /lo is first met at depth 3 via /a → /b (beyond maxDepth 2, so only queued), then at depth 2 via /slow:
    // moved up, its list_only rule applies → listed without a request, at depth 2.
    const r = await run(
      {
        "/": { body: page(["/slow", "/a"]) },
        "/slow": slow(300, ["/lo"]),
        "/a": { body: page(["/b"]) },
        "/b": { body: page(["/lo"]) },
      },
      { maxDepth: 2, rules: [{ action: "list_only", pattern: "/lo", syntax: "glob" }] },
    );
    expect(r.byPath.get("/lo")).toMatchObject({ included: true, status: null, depth: 2 });
    expect(r.pageRequests).not.toContain("/lo");
  });

  it("every page of a multi-level site gets its level as depth, with 8 requests at a time", async () => {
    // A chain of levels, each with 8 pages answered after 40 ms; every page links all pages of the next level.
    const routes: Record<string, RouteSpec | RouteHandler> = {};
    const level = (d: number) => Array.from({ length: 8 }, (_, i) => `/l${d}-${i}`);
    routes["/"] = { body: page(level(1)) };
    for (let d = 1; d <= 6; d++) for (const p of level(d)) routes[p] = slow(40, d < 6 ? level(d + 1) : []);
    const r = await run(routes, { concurrency: 8 });
    expect(r.listed).toHaveLength(49);
    for (let d = 1; d <= 6; d++) for (const p of level(d)) expect(r.byPath.get(p)?.depth).toBe(d);
    // Each level's 8 pages are answered 40 ms after arrival, so a crawler that keeps 8 requests going has all 8
    // on the wire at once; a serial crawl would show 1, and a crawler over its limit more than 8.
    expect(r.site.maxInFlight).toBe(8);
  });

  it("resumed queue items given as seed.inStore can still move up", async () => {
    const frontier = createMemoryFrontier();
    await startTestSite({});
    // The store already holds /t at depth 3 (a checkpoint); / is recorded, /slow queued at depth 1.
    const routes = {
      "/slow": slow(200, ["/t"]),
      "/t": { body: page() },
    };
    const site = await startTestSite(routes);
    const o = site.origin;
    for (const u of [`${o}/`, `${o}/slow`, `${o}/t`]) frontier.markSeen(u);
    frontier.push({ url: `${o}/slow`, depth: 1 });
    frontier.push({ url: `${o}/t`, depth: 3 });
    const records: CrawlRecord[] = [];
    await crawl(
      { ...DEFAULT_CRAWL_SETTINGS, startUrl: `${o}/`, concurrency: 4, timeoutMs: 5_000 },
      {
        allowHosts: [site.hostPort],
        frontier,
        seed: { seen: [], queue: [], inStore: [{ url: `${o}/slow`, depth: 1 }, { url: `${o}/t`, depth: 3 }] },
        onRecord: (x) => void records.push(x),
      },
    );
    expect(records.find((x) => x.url === `${o}/t`)).toMatchObject({ included: true, depth: 2 });
    expect(site.requests.filter((p) => p === "/t")).toHaveLength(1);
  });
});

describe("listing switches", () => {
  const routes = (): Record<string, RouteSpec | RouteHandler> => ({
    "/": { body: page(["/meta-noindex", "/header-noindex", "/dup", "/nf-page"]) + `<a rel="nofollow" href="/nf-link">x</a>` },
    "/meta-noindex": { body: page([], `<meta name="robots" content="noindex">`) },
    "/header-noindex": { body: page(), headers: { "x-robots-tag": "noindex" } },
    "/dup": { body: page([], `<link rel="canonical" href="/">`) },
    "/nf-page": { body: page(["/behind-nf-page"], `<meta name="robots" content="nofollow">`) },
    "/nf-link": { body: page() },
    "/behind-nf-page": { body: page() },
  });

  it("defaults: noindex and canonical-elsewhere pages left out with reasons, nofollow not followed", async () => {
    const r = await run(routes());
    expect(r.listed).toEqual(["/", "/nf-page"]);
    expect(r.byPath.get("/meta-noindex")?.reason).toBe("noindex_meta");
    expect(r.byPath.get("/header-noindex")?.reason).toBe("noindex_header");
    expect(r.byPath.get("/dup")).toMatchObject({ reason: "canonical_elsewhere" });
    expect(r.byPath.has("/nf-link")).toBe(false);
    expect(r.byPath.has("/behind-nf-page")).toBe(false);
    expect(r.pageRequests).not.toContain("/nf-link");
  });

  it("excludeNoindex: false lists noindex pages (meta and header)", async () => {
    const r = await run(routes(), { excludeNoindex: false });
    expect(r.byPath.get("/meta-noindex")).toMatchObject({ included: true, reason: null });
    expect(r.byPath.get("/header-noindex")).toMatchObject({ included: true, reason: null });
    expect(r.byPath.get("/dup")?.reason).toBe("canonical_elsewhere");
  });

  it("respectCanonical: false lists pages canonicalised elsewhere", async () => {
    const r = await run(routes(), { respectCanonical: false });
    expect(r.byPath.get("/dup")).toMatchObject({ included: true, reason: null });
    expect(r.byPath.get("/meta-noindex")?.reason).toBe("noindex_meta");
  });

  it("followNofollow: true follows rel=nofollow links and the links of nofollow pages", async () => {
    const r = await run(routes(), { followNofollow: true });
    expect(r.byPath.get("/nf-link")).toMatchObject({ included: true, depth: 1 });
    expect(r.byPath.get("/behind-nf-page")).toMatchObject({ included: true, depth: 2 });
  });
});

describe("requests saved on URLs that cannot be listed", () => {
  it("hasNonHtmlExtension: the last path segment's extension, query ignored, case-insensitive", () => {
    const o = "http://h";
    const t = (p: string) => hasNonHtmlExtension(o + p, o.length);
    expect(t("/a/report.PDF")).toBe(true);
    expect(t("/img/x.jpg?v=2")).toBe(true);
    expect(t("/app.js")).toBe(true);
    expect(t("/page.html")).toBe(false);
    expect(t("/index.php?f=a.pdf")).toBe(false);
    expect(t("/v1.2/docs")).toBe(false);
    expect(t("/")).toBe(false);
    expect(t("/pdf")).toBe(false);
  });

  it("links to images, PDFs, CSS are recorded not_html without a GET; a list_only rule still lists them", async () => {
    const r = await run(
      {
        "/": { body: page(["/files/a.pdf", "/img/b.JPG", "/static/site.css", "/report.pdf", "/page.html"]) },
        "/page.html": { body: page() },
      },
      { rules: [{ action: "list_only", pattern: "/report.pdf", syntax: "glob" }] },
    );
    for (const p of ["/files/a.pdf", "/img/b.JPG", "/static/site.css"]) {
      expect(r.byPath.get(p)).toMatchObject({ included: false, reason: "not_html", status: null });
    }
    expect(r.byPath.get("/report.pdf")).toMatchObject({ included: true, status: null });
    expect(r.pageRequests.sort()).toEqual(["/", "/page.html"]);
  });

  it("a redirect to a PDF records the target not_html without fetching it", async () => {
    const r = await run({
      "/": { body: page(["/dl"]) },
      "/dl": { status: 302, headers: { location: "/files/x.pdf" } },
    });
    expect(r.byPath.get("/dl")).toMatchObject({ reason: "redirect", status: 302 });
    expect(r.byPath.get("/files/x.pdf")).toMatchObject({ reason: "not_html", status: null });
    expect(r.pageRequests).not.toContain("/files/x.pdf");
  });
});

describe("scheduler: pausing at the end of a bounded step (CrawlOptions.pauseAt)", () => {
  const site = { "/": { body: page(["/a", "/b", "/c"]) }, "/a": { body: page(["/d"]) }, "/b": { body: page() }, "/c": { body: page() }, "/d": { body: page() } };

  it("past pauseAt, no new visit starts: the queue stays in the frontier, unrecorded, and the summary says paused", async () => {
    const frontier = createMemoryFrontier();
    const r = await run(site, { concurrency: 1 }, { frontier, pauseAt: Date.now() });
    // One visit per call at least (the start URL), then the pause: its links stay queued, without a record.
    expect(r.pageRequests).toEqual(["/"]);
    expect(r.listed).toEqual(["/"]);
    expect(r.summary).toMatchObject({ paused: true, stoppedBy: null, lowered: [] });
    expect(await frontier.size?.()).toBe(3);
    const left: string[] = [];
    for (let item = await frontier.shift(); item; item = await frontier.shift()) left.push(new URL(item.url).pathname);
    expect(left).toEqual(["/a", "/b", "/c"]);
  });

  it("a crawl whose frontier empties before pauseAt is not paused; past both, the time budget wins", async () => {
    const done = await run(site, { concurrency: 1 }, { pauseAt: Date.now() + 60_000 });
    expect(done.summary.paused).toBe(false);
    expect(done.listed).toEqual(["/", "/a", "/b", "/c", "/d"]);
    const budget = await run(site, { concurrency: 1 }, { pauseAt: Date.now(), deadline: Date.now() });
    expect(budget.summary).toMatchObject({ paused: false, stoppedBy: "time_budget" });
    expect(budget.records.filter((x) => x.reason === "max_pages").length).toBeGreaterThan(0);
  });
});
