import iconv from "iconv-lite";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_CRAWL_SETTINGS, type CrawlRecord } from "@/lib/core/types";
import { crawl } from "./crawler";
import type { LookupFn } from "./fetch";
import { closeTestSites, reasonOf, robots, run, startTestSite } from "@/tests/helpers/crawl";
import { page, type RouteHandler, type RouteSpec } from "@/tests/helpers/site";

afterEach(closeTestSites);

describe("crawl: robots.txt", () => {
  it("fetches robots.txt first and never requests a disallowed URL", async () => {
    const r = await run({
      "/robots.txt": robots("User-agent: *\nDisallow: /private/\n"),
      "/": { body: page(["/public", "/private/secret", "/private/"]) },
      "/public": { body: page() },
    });
    expect(r.site.requests[0]).toBe("/robots.txt");
    expect(r.listed).toEqual(["/", "/public"]);
    expect(r.byPath.get("/private/secret")).toMatchObject({ reason: "robots_disallowed", status: null, depth: 1, included: false });
    expect(reasonOf(r, "/private/")).toBe("robots_disallowed");
    expect(r.pageRequests.some((p) => p.startsWith("/private"))).toBe(false);
  });

  it("applies longest match with Allow winning, in the group of our product token", async () => {
    const r = await run({
      "/robots.txt": robots(
        "User-agent: *\nDisallow: /\n\nUser-agent: SitemapForgeBot\nDisallow: /docs/\nAllow: /docs/public/\nDisallow: /docs/public/draft\nAllow: /same\nDisallow: /same\n",
      ),
      "/": { body: page(["/docs/a", "/docs/public/b", "/docs/public/draft-1", "/same", "/other"]) },
      "/docs/public/b": { body: page() },
      "/same": { body: page() },
      "/other": { body: page() },
    });
    expect(r.listed).toEqual(["/", "/docs/public/b", "/other", "/same"]);
    expect(reasonOf(r, "/docs/a")).toBe("robots_disallowed");
    expect(reasonOf(r, "/docs/public/draft-1")).toBe("robots_disallowed");
    expect(r.pageRequests.sort()).toEqual(["/", "/docs/public/b", "/other", "/same"]);
  });

  it("robots.txt 404 → everything allowed", async () => {
    const r = await run({ "/": { body: page(["/a"]) }, "/a": { body: page() } });
    expect(r.listed).toEqual(["/", "/a"]);
  });

  it.each([
    [500, 1],
    [503, 4], // 503 is retried 3 times with back-off before RFC 9309's "complete disallow" applies
  ])("robots.txt %i → start URL robots_unavailable and the server sees no page request", async (status, robotsRequests) => {
    const r = await run({ "/robots.txt": { status, body: "oops" }, "/": { body: page(["/a"]) } }, {}, { retry: { baseDelayMs: 5 } });
    expect(r.records).toEqual([{ url: `${r.site.origin}/`, status: null, included: false, reason: "robots_unavailable", lastmod: null, depth: 0 }]);
    expect(r.site.requests).toEqual(Array(robotsRequests).fill("/robots.txt"));
    expect(r.summary.pagesFetched).toBe(0);
  });

  it("robots.txt unreachable (connection reset) → nothing fetched", async () => {
    const r = await run({ "/robots.txt": (req) => req.socket.destroy(), "/": { body: page() } });
    expect(r.records.map((x) => x.reason)).toEqual(["robots_unavailable"]);
    expect(r.pageRequests).toEqual([]);
  });

  it("disallowed start URL → one record, nothing fetched", async () => {
    const r = await run({ "/robots.txt": robots("User-agent: *\nDisallow: /\n"), "/": { body: page() } });
    expect(r.records.map((x) => x.reason)).toEqual(["robots_disallowed"]);
    expect(r.pageRequests).toEqual([]);
  });

  it("exposes Sitemap: lines in the summary", async () => {
    const r = await run({ "/robots.txt": robots("Sitemap: http://example.com/sitemap.xml\n"), "/": { body: page() } });
    expect(r.summary.robotsSitemaps).toEqual(["http://example.com/sitemap.xml"]);
  });

  it("respectRobots: false skips robots.txt", async () => {
    const r = await run({ "/robots.txt": robots("User-agent: *\nDisallow: /\n"), "/": { body: page() } }, { respectRobots: false });
    expect(r.listed).toEqual(["/"]);
    expect(r.site.requests).toEqual(["/"]);
  });
});

describe("crawl: indexing directives", () => {
  it("X-Robots-Tag noindex (generic or for our token) excludes; other bots' scopes do not", async () => {
    const r = await run({
      "/": { body: page(["/h1", "/h2", "/h3", "/h4"]) },
      "/h1": { body: page(["/from-h1"]), headers: { "x-robots-tag": "noindex" } },
      "/h2": { body: page(), headers: { "x-robots-tag": "googlebot: noindex" } },
      "/h3": { body: page(["/from-h3"]), headers: { "x-robots-tag": "SitemapForgeBot: none" } },
      "/h4": { body: page(), headers: { "x-robots-tag": ["otherbot: noindex", "sitemapforgebot: noindex"] } },
      "/from-h1": { body: page() },
      "/from-h3": { body: page() },
    });
    expect(reasonOf(r, "/h1")).toBe("noindex_header");
    expect(r.byPath.get("/h1")?.status).toBe(200);
    expect(reasonOf(r, "/h3")).toBe("noindex_header");
    expect(reasonOf(r, "/h4")).toBe("noindex_header");
    expect(r.listed).toEqual(["/", "/from-h1", "/h2"]); // noindex still follows links; none = nofollow too
    expect(r.pageRequests).not.toContain("/from-h3");
  });

  it("<meta name=robots> / <meta name=our-token> noindex excludes, links still followed", async () => {
    const r = await run({
      "/": { body: page(["/m1", "/m2", "/m3"]) },
      "/m1": { body: page(["/child"], `<meta name="robots" content="noindex, follow">`) },
      "/m2": { body: page([], `<meta name="SitemapForgeBot" content="noindex">`) },
      "/m3": { body: page([], `<meta name="googlebot" content="noindex">`) },
      "/child": { body: page() },
    });
    expect(reasonOf(r, "/m1")).toBe("noindex_meta");
    expect(reasonOf(r, "/m2")).toBe("noindex_meta");
    expect(r.listed).toEqual(["/", "/child", "/m3"]);
  });

  it("canonical elsewhere excludes (with target) but links are followed; canonical to self lists", async () => {
    const r = await run({
      "/": { body: page(["/dup?utm=x", "/self", "/self-abs", "/self-frag"]) },
      "/dup?utm=x": { body: page(["/only-from-dup"], `<link rel="canonical" href="/orig">`) },
      "/self": { body: page([], `<link rel="canonical" href="self">`) },
      "/self-abs": (req, res) => {
        res.writeHead(200, { "content-type": "text/html" });
        res.end(page([], `<link rel="canonical" href="HTTP://${req.headers.host}/self-abs#top">`));
      },
      "/self-frag": { body: page([], `<link rel="canonical" href="/self-frag#main">`) },
      "/only-from-dup": { body: page() },
    });
    const dup = r.byPath.get("/dup?utm=x")!;
    expect(dup).toMatchObject({ reason: "canonical_elsewhere", status: 200, target: `${r.site.origin}/orig` });
    expect(r.listed).toEqual(["/", "/only-from-dup", "/self", "/self-abs", "/self-frag"]);
    expect(r.pageRequests).not.toContain("/orig"); // a canonical is not a link
  });
});

describe("crawl: redirects", () => {
  it("lists the target and records the source as redirect", async () => {
    const r = await run({
      "/": { body: page(["/old"]) },
      "/old": { status: 301, headers: { location: "/new#frag" } },
      "/new": { body: page() },
    });
    expect(r.byPath.get("/old")).toMatchObject({ reason: "redirect", status: 301, target: `${r.site.origin}/new`, depth: 1 });
    expect(r.byPath.get("/new")).toMatchObject({ included: true, status: 200, depth: 1 });
    expect(r.listed).toEqual(["/", "/new"]);
  });

  it("a redirect loop is redirect_limit for every URL of the chain", async () => {
    const r = await run({
      "/": { body: page(["/l1"]) },
      "/l1": { status: 302, headers: { location: "/l2" } },
      "/l2": { status: 302, headers: { location: "/l1" } },
    });
    expect(reasonOf(r, "/l1")).toBe("redirect_limit");
    expect(reasonOf(r, "/l2")).toBe("redirect_limit");
    expect(r.pageRequests.filter((p) => p.startsWith("/l"))).toEqual(["/l1", "/l2"]);
  });

  it("follows 5 hops; a 6th hop is redirect_limit and its target is never fetched", async () => {
    const routes: Record<string, RouteSpec> = { "/": { body: page(["/a0", "/b0"]) } };
    for (let i = 0; i < 5; i++) routes[`/a${i}`] = { status: 301, headers: { location: `/a${i + 1}` } };
    routes["/a5"] = { body: page() };
    for (let i = 0; i < 6; i++) routes[`/b${i}`] = { status: 307, headers: { location: `/b${i + 1}` } };
    routes["/b6"] = { body: page() };
    const r = await run(routes);
    expect(r.byPath.get("/a5")?.included).toBe(true);
    for (let i = 0; i < 5; i++) expect(reasonOf(r, `/a${i}`)).toBe("redirect");
    for (let i = 0; i < 6; i++) expect(reasonOf(r, `/b${i}`)).toBe("redirect_limit");
    expect(r.pageRequests).not.toContain("/b6");
    expect(r.byPath.has("/b6")).toBe(false);
  });

  it("a redirect leaving the origin is off_origin and not fetched; plain off-origin links get no record", async () => {
    const other = await startTestSite({ "/": { body: page() } });
    const r2 = await run({
      "/": { body: page(["/out", `${other.origin}/linked`, "https://example.org/ext"]) },
      "/out": { status: 302, headers: { location: `${other.origin}/landing` } },
    });
    expect(r2.byPath.get("/out")).toMatchObject({ reason: "off_origin", target: `${other.origin}/landing` });
    expect(r2.records.map((x) => x.url).filter((u) => !u.startsWith(r2.site.origin))).toEqual([]);
    expect(other.requests).toEqual([]);
  });

  it("a redirect to a robots-disallowed URL records the target as robots_disallowed, unfetched", async () => {
    const r = await run({
      "/robots.txt": robots("User-agent: *\nDisallow: /private\n"),
      "/": { body: page(["/go"]) },
      "/go": { status: 301, headers: { location: "/private" } },
    });
    expect(reasonOf(r, "/go")).toBe("redirect");
    expect(reasonOf(r, "/private")).toBe("robots_disallowed");
    expect(r.pageRequests).not.toContain("/private");
  });
});

describe("crawl: links", () => {
  it("nofollow: page-level meta and rel=nofollow links are not followed", async () => {
    const r = await run({
      "/": { body: `<a href="/nf-page">p</a><a href="/hidden" rel="nofollow">h</a><a href="/both" rel="nofollow">b</a><a href="/both">b</a>` },
      "/nf-page": { body: page(["/from-nf"], `<meta name="robots" content="nofollow">`) },
      "/both": { body: page() },
      "/hidden": { body: page() },
      "/from-nf": { body: page() },
    });
    expect(r.listed).toEqual(["/", "/both", "/nf-page"]);
    expect(r.pageRequests).not.toContain("/hidden");
    expect(r.pageRequests).not.toContain("/from-nf");
    expect(r.byPath.has("/hidden")).toBe(false);
  });

  it("resolves links against <base href>", async () => {
    const r = await run({
      "/": { body: page(["x.html"], `<base href="/sub/">`) },
      "/sub/x.html": { body: page() },
    });
    expect(r.listed).toEqual(["/", "/sub/x.html"]);
  });

  it("drops fragments and deduplicates: one request and one record per URL", async () => {
    const r = await run({ "/": { body: page(["/a#x", "/a#y", "/a", "/#top", "/a?"]) }, "/a": { body: page(["/#again"]) } });
    expect(r.pageRequests.filter((p) => p === "/a")).toEqual(["/a"]);
    expect(r.pageRequests.filter((p) => p === "/")).toEqual(["/"]);
    expect([...r.byPath.keys()].sort()).toEqual(["/", "/a", "/a?"]);
  });

  it("decodes a windows-1251 page by its <meta charset> before resolving links", async () => {
    const body = Buffer.concat([
      Buffer.from(`<html><head><meta charset="windows-1251"><title>t</title></head><body>`),
      iconv.encode(`<a href="/статья">Статья</a>`, "windows-1251"),
      Buffer.from(`</body></html>`),
    ]);
    const encoded = "/%D1%81%D1%82%D0%B0%D1%82%D1%8C%D1%8F";
    const r = await run({ "/": { body, type: "text/html" }, [encoded]: { body: page() } });
    expect(r.listed).toEqual(["/", encoded]);
  });
});

describe("crawl: responses that are not listed", () => {
  it("PDF → not_html; 404/500 → http_error with status; lastmod from Last-Modified only", async () => {
    const r = await run({
      "/": { body: page(["/doc.pdf", "/download?id=7", "/missing", "/broken", "/dated", "/no-type"]) },
      "/doc.pdf": { body: "%PDF-1.4 ...", type: "application/pdf" },
      "/download?id=7": { body: "%PDF-1.4 ...", type: "application/pdf" },
      "/broken": { status: 500, body: "x" },
      "/dated": { body: page(), headers: { "last-modified": "Sun, 06 Nov 1994 08:49:37 GMT" } },
      "/no-type": { body: "<!DOCTYPE html><html><body>sniffed</body></html>", type: null },
    });
    // A .pdf path is known not to be HTML: recorded without a request. Without the extension, the Content-Type
    // of the answer decides (and the body is not read).
    expect(r.byPath.get("/doc.pdf")).toMatchObject({ reason: "not_html", status: null, included: false });
    expect(r.pageRequests).not.toContain("/doc.pdf");
    expect(r.byPath.get("/download?id=7")).toMatchObject({ reason: "not_html", status: 200 });
    expect(r.byPath.get("/missing")).toMatchObject({ reason: "http_error", status: 404 });
    expect(r.byPath.get("/broken")).toMatchObject({ reason: "http_error", status: 500 });
    expect(r.byPath.get("/dated")).toMatchObject({ included: true, lastmod: "1994-11-06T08:49:37Z" });
    expect(r.byPath.get("/")?.lastmod).toBeNull(); // never the crawl time
    expect(r.byPath.get("/no-type")?.included).toBe(true);
  });

  it("a slow server is abandoned at the deadline (fetch_error) and the crawl goes on", async () => {
    // /slow never answers and /drip never ends: without the deadline this crawl would not finish at all.
    const r = await run(
      {
        "/": { body: page(["/slow", "/drip", "/ok"]) },
        "/slow": () => {},
        "/drip": (_req, res) => {
          res.writeHead(200, { "content-type": "text/html" });
          const t = setInterval(() => res.write("<p>x</p>"), 50);
          res.on("close", () => clearInterval(t));
        },
        "/ok": { body: page() },
      },
      { timeoutMs: 500 },
    );
    expect(reasonOf(r, "/slow")).toBe("fetch_error");
    expect(r.byPath.get("/drip")).toMatchObject({ reason: "fetch_error", status: 200 });
    expect(r.listed).toEqual(["/", "/ok"]);
  });

  it("a body over maxBodyBytes is fetch_error", async () => {
    const r = await run(
      { "/": { body: page(["/huge", "/small"]) }, "/huge": { body: page([], "", "x".repeat(200_000)) }, "/small": { body: page() } },
      { maxBodyBytes: 50_000 },
    );
    expect(r.byPath.get("/huge")).toMatchObject({ reason: "fetch_error", status: 200 });
    expect(r.listed).toEqual(["/", "/small"]);
  });
});

describe("crawl: bounds", () => {
  const chainSite = (n: number) => {
    const routes: Record<string, RouteSpec> = { "/": { body: page(["/p1", "/p2", "/p3", "/p4", "/p5"]) } };
    for (let i = 1; i <= n; i++) routes[`/p${i}`] = { body: page([`/q${i}`]) };
    for (let i = 1; i <= n; i++) routes[`/q${i}`] = { body: page() };
    return routes;
  };

  it("maxPages: exactly maxPages requests; the rest discovered is max_pages", async () => {
    const r = await run(chainSite(5), { maxPages: 3, concurrency: 1 });
    expect(r.summary.pagesFetched).toBe(3);
    expect(r.pageRequests).toEqual(["/", "/p1", "/p2"]); // BFS order with concurrency 1
    expect(r.listed).toEqual(["/", "/p1", "/p2"]);
    for (const p of ["/p3", "/p4", "/p5", "/q1", "/q2"]) expect(reasonOf(r, p), p).toBe("max_pages");
    expect(r.byPath.get("/p3")?.status).toBeNull();
  });

  it("maxPages with concurrency never overshoots", async () => {
    const r = await run(chainSite(5), { maxPages: 4, concurrency: 8 });
    expect(r.pageRequests).toHaveLength(4);
    expect(r.summary.pagesFetched).toBe(4);
  });

  it("maxDepth: links beyond it are max_depth and never fetched", async () => {
    const r = await run(chainSite(2), { maxDepth: 1 });
    expect(r.listed).toEqual(["/", "/p1", "/p2"]);
    expect(r.byPath.get("/q1")).toMatchObject({ reason: "max_depth", depth: 2, status: null });
    expect(r.pageRequests.some((p) => p.startsWith("/q"))).toBe(false);
  });

  it("depth is the shortest link distance even when a deeper path is discovered first (BFS barrier)", async () => {
    // /target is 2 links away via /slow and 3 via /fast → /f2. A crawler without a barrier between depths
    // reaches it through the fast branch first and wrongly cuts it at maxDepth 2.
    const r = await run(
      {
        "/": { body: page(["/slow", "/fast"]) },
        "/slow": (_req, res) => void setTimeout(() => res.writeHead(200, { "content-type": "text/html" }).end(page(["/target"])), 300),
        "/fast": { body: page(["/f2"]) },
        "/f2": { body: page(["/target"]) },
        "/target": { body: page() },
      },
      { maxDepth: 2, concurrency: 4 },
    );
    expect(r.byPath.get("/target")).toMatchObject({ included: true, depth: 2 });
  });

  it("maxPages 0 fetches nothing", async () => {
    const r = await run({ "/": { body: page() } }, { maxPages: 0 });
    expect(r.records.map((x) => x.reason)).toEqual(["max_pages"]);
    expect(r.pageRequests).toEqual([]);
  });
});

describe("crawl: SSRF guard", () => {
  it("127.0.0.1 without an allow-list → blocked_host and zero requests reach the server", async () => {
    const site = await startTestSite({ "/": { body: page() } });
    const records: CrawlRecord[] = [];
    const summary = await crawl(
      { ...DEFAULT_CRAWL_SETTINGS, startUrl: `${site.origin}/` },
      { allowHosts: [], onRecord: (rec) => void records.push(rec) },
    );
    expect(records.map((x) => x.reason)).toEqual(["blocked_host"]);
    expect(site.requests).toEqual([]);
    expect(summary.excludedByReason.blocked_host).toBe(1);
  });

  it.each(["http://2130706433:PORT/", "http://0x7f.1:PORT/", "http://[::ffff:127.0.0.1]:PORT/", "http://017700000001:PORT/"])(
    "start URL %s is refused",
    async (form) => {
      const site = await startTestSite({ "/": { body: page() } });
      const records: CrawlRecord[] = [];
      await crawl({ ...DEFAULT_CRAWL_SETTINGS, startUrl: form.replace("PORT", String(site.port)) }, { allowHosts: [], onRecord: (rec) => void records.push(rec) });
      expect(records.map((x) => x.reason)).toEqual(["blocked_host"]);
      expect(site.requests).toEqual([]);
    },
  );

  it("a host name whose (injected) DNS answer is 10.0.0.1 is refused", async () => {
    const lookup = vi.fn<LookupFn>(async () => [{ address: "10.0.0.1", family: 4 }]);
    const records: CrawlRecord[] = [];
    await crawl({ ...DEFAULT_CRAWL_SETTINGS, startUrl: "http://intranet.test/" }, { allowHosts: [], lookup, onRecord: (rec) => void records.push(rec) });
    expect(records.map((x) => x.reason)).toEqual(["blocked_host"]);
    expect(lookup).toHaveBeenCalledWith("intranet.test");
  });

  it("CRAWL_ALLOW_HOSTS is the default allow-list", async () => {
    const site = await startTestSite({ "/": { body: page() } });
    vi.stubEnv("CRAWL_ALLOW_HOSTS", site.hostPort);
    try {
      const s = await crawl({ ...DEFAULT_CRAWL_SETTINGS, startUrl: `${site.origin}/` });
      expect(s.urlsListed).toBe(1);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe("crawl: API", () => {
  it("summary counts match the records; onProgress fires; onRecord is awaited", async () => {
    const progress = vi.fn();
    let pending = 0;
    let maxPending = 0;
    const site = await startTestSite({ "/": { body: page(["/a", "/b", "/missing"]) }, "/a": { body: page() }, "/b": { body: page() } });
    const records: CrawlRecord[] = [];
    const s = await crawl(
      { ...DEFAULT_CRAWL_SETTINGS, startUrl: `${site.origin}/` },
      {
        allowHosts: [site.hostPort],
        onProgress: progress,
        progressIntervalMs: 0,
        onRecord: async (rec) => {
          pending++;
          maxPending = Math.max(maxPending, pending);
          await new Promise((r) => setTimeout(r, 5));
          records.push(rec);
          pending--;
        },
      },
    );
    expect(records).toHaveLength(4); // all awaited before crawl() resolved
    expect(s.urlsListed).toBe(3);
    expect(s.urlsExcluded).toBe(1);
    expect(s.excludedByReason.http_error).toBe(1);
    expect(Object.values(s.excludedByReason).reduce((a, b) => a + b, 0)).toBe(1);
    expect(s.pagesFetched).toBe(4);
    expect(progress).toHaveBeenLastCalledWith(
      expect.objectContaining({ pagesFetched: 4, pagesQueued: 0, urlsListed: 3, urlsExcluded: 1, excludedByReason: expect.objectContaining({ http_error: 1 }) }),
    );
  });

  it("an aborted signal rejects and stops fetching", async () => {
    const routes: Record<string, RouteSpec | RouteHandler> = { "/": { body: page(Array.from({ length: 50 }, (_, i) => `/p${i}`)) } };
    for (let i = 0; i < 50; i++) routes[`/p${i}`] = (_req, res) => void setTimeout(() => res.writeHead(200, { "content-type": "text/html" }).end(page()), 100);
    const site = await startTestSite(routes);
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error("cancelled by user")), 150);
    await expect(
      crawl({ ...DEFAULT_CRAWL_SETTINGS, startUrl: `${site.origin}/`, concurrency: 2 }, { allowHosts: [site.hostPort], signal: ac.signal }),
    ).rejects.toThrow("cancelled by user");
    const seen = site.requests.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(site.requests.length).toBe(seen);
    expect(seen).toBeLessThan(10);
  });

  it("a rejecting onProgress rejects the crawl (no unhandled rejection)", async () => {
    const site = await startTestSite({ "/": { body: page(["/a"]) }, "/a": { body: page() } });
    await expect(
      crawl(
        { ...DEFAULT_CRAWL_SETTINGS, startUrl: `${site.origin}/` },
        { allowHosts: [site.hostPort], progressIntervalMs: 0, onProgress: () => Promise.reject(new Error("progress sink down")) },
      ),
    ).rejects.toThrow("progress sink down");
  });

  it("a throwing onRecord rejects the crawl", async () => {
    const site = await startTestSite({ "/": { body: page() } });
    await expect(
      crawl({ ...DEFAULT_CRAWL_SETTINGS, startUrl: `${site.origin}/` }, { allowHosts: [site.hostPort], onRecord: () => Promise.reject(new Error("db down")) }),
    ).rejects.toThrow("db down");
  });

  it("rejects invalid settings before any request", async () => {
    await expect(crawl({ ...DEFAULT_CRAWL_SETTINGS, startUrl: "ftp://x/" })).rejects.toThrow(TypeError);
    await expect(crawl({ ...DEFAULT_CRAWL_SETTINGS, startUrl: "http://x/", concurrency: 0 })).rejects.toThrow(RangeError);
  });
});
