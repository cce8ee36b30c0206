/**
 * Crawl policy features on loopback sites: rules, URL policy, robots.txt cache and Crawl-delay, robots.txt
 * sitemaps, 429/503 back-off, staging credentials, SSRF on every outbound path, and the incremental-crawl hooks.
 */
import zlib from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_CRAWL_SETTINGS, type CrawlRecord, type CrawlSettings } from "@/lib/core/types";
import { crawl, type CrawlOptions, type Revalidation } from "./crawler";
import { createMemoryFrontier, type FrontierItem } from "./frontier";
import { page, startSite, type RouteHandler, type RouteSpec, type TestSite } from "@/tests/helpers/site";

const sites: TestSite[] = [];
afterEach(async () => {
  await Promise.all(sites.splice(0).map((s) => s.close()));
});

async function site(routes: Record<string, RouteSpec | RouteHandler>, host?: string, port?: number): Promise<TestSite> {
  const s = await startSite(routes, { host, port });
  sites.push(s);
  return s;
}

async function run(s: TestSite, settings: Partial<CrawlSettings> = {}, opts: CrawlOptions = {}) {
  const records: CrawlRecord[] = [];
  const summary = await crawl(
    { ...DEFAULT_CRAWL_SETTINGS, startUrl: `${s.origin}/`, concurrency: 4, timeoutMs: 5_000, ...settings },
    { allowHosts: [s.hostPort], ...opts, onRecord: (r) => void records.push(r) },
  );
  const path = (u: string) => (u.startsWith(s.origin) ? u.slice(s.origin.length) : u);
  const byPath = new Map(records.map((r) => [path(r.url), r]));
  return {
    records,
    summary,
    byPath,
    listed: records.filter((r) => r.included).map((r) => path(r.url)).sort(),
    pageRequests: s.requests.filter((p) => p !== "/robots.txt"),
  };
}
const robots = (text: string): RouteSpec => ({ body: text, type: "text/plain" });
/** Serves `body(origin)` where origin comes from the Host header (for bodies that name the site itself). */
const dynamic =
  (type: string, body: (origin: string) => string | Buffer, headers: Record<string, string> = {}): RouteHandler =>
  (req, res) => {
    res.writeHead(200, { "content-type": type, ...headers });
    res.end(body(`http://${req.headers.host}`));
  };

describe("rules: four actions × glob or regex, first match wins", () => {
  it("exclude is never fetched; crawl_only is fetched and followed but not listed; list_only is listed unfetched", async () => {
    const s = await site({
      "/": { body: page(["/blog/a", "/blog/keep", "/tag/x", "/files/doc.pdf", "/about"]) },
      "/blog/a": { body: page() },
      "/blog/keep": { body: page() },
      "/tag/x": { body: page(["/found-via-tag"]) },
      "/found-via-tag": { body: page() },
      "/about": { body: page() },
    });
    const r = await run(s, {
      rules: [
        { action: "crawl_list", pattern: "/blog/keep", syntax: "glob" },
        { action: "exclude", pattern: "/blog/", syntax: "glob" },
        { action: "crawl_only", pattern: "^https?://[^/]+/tag/", syntax: "regex" },
        { action: "list_only", pattern: "*.pdf$", syntax: "glob" },
      ],
    });
    expect(r.listed).toEqual(["/", "/about", "/blog/keep", "/files/doc.pdf", "/found-via-tag"]);
    expect(r.byPath.get("/blog/a")).toMatchObject({ included: false, reason: "excluded_by_rule", status: null });
    expect(r.byPath.get("/tag/x")).toMatchObject({ included: false, reason: "excluded_by_rule", status: 200 });
    expect(r.byPath.get("/files/doc.pdf")).toMatchObject({ included: true, status: null, lastmod: null });
    expect(r.pageRequests).not.toContain("/blog/a");
    expect(r.pageRequests).not.toContain("/files/doc.pdf");
    expect(r.pageRequests).toContain("/tag/x");
  });

  it("rules apply to the start URL and to redirect targets; robots.txt still wins over list_only", async () => {
    const s = await site({
      "/robots.txt": robots("User-agent: *\nDisallow: /private/\n"),
      "/": { body: page(["/old", "/private/list-me"]) },
      "/old": { status: 301, headers: { location: "/excluded/new" } },
      "/excluded/new": { body: page() },
    });
    const r = await run(s, {
      rules: [
        { action: "exclude", pattern: "/excluded/", syntax: "glob" },
        { action: "list_only", pattern: "/private/", syntax: "glob" },
      ],
    });
    expect(r.byPath.get("/old")).toMatchObject({ reason: "redirect", target: `${s.origin}/excluded/new` });
    expect(r.byPath.get("/excluded/new")).toMatchObject({ reason: "excluded_by_rule" });
    expect(r.byPath.get("/private/list-me")).toMatchObject({ reason: "robots_disallowed" });
    expect(r.pageRequests).toEqual(["/", "/old"]);

    const excludedStart = await run(s, { rules: [{ action: "exclude", pattern: "/", syntax: "glob" }] });
    expect(excludedStart.records).toEqual([expect.objectContaining({ url: `${s.origin}/`, reason: "excluded_by_rule" })]);
  });

  it("an invalid rule is a TypeError before any request", async () => {
    const s = await site({ "/": { body: page() } });
    await expect(run(s, { rules: [{ action: "exclude", pattern: "(", syntax: "regex" }] })).rejects.toThrow(TypeError);
    expect(s.requests).toEqual([]);
  });
});

describe("URL policy: query strings, session ids, trailing slash, max URL length", () => {
  it("strip: every query variant collapses to its path, fetched once", async () => {
    const s = await site({ "/": { body: page(["/list?page=2", "/list?sort=asc", "/list"]) }, "/list": { body: page() } });
    const r = await run(s, { queryPolicy: "strip" });
    expect(r.listed).toEqual(["/", "/list"]);
    expect(r.pageRequests).toEqual(["/", "/list"]);
  });

  it("allowlist keeps only the named parameters", async () => {
    const s = await site({
      "/": { body: page(["/list?page=2&utm_source=x", "/list?utm_source=y", "/list?page=3"]) },
      "/list?page=2": { body: page() },
      "/list?page=3": { body: page() },
      "/list": { body: page() },
    });
    const r = await run(s, { queryPolicy: "allowlist", queryAllowlist: ["page"] });
    expect(r.listed).toEqual(["/", "/list", "/list?page=2", "/list?page=3"]);
  });

  it("session ids are always stripped before deduplication", async () => {
    const s = await site({
      "/": { body: page(["/a?PHPSESSID=1", "/a?PHPSESSID=2", "/b;jsessionid=XYZ", "/c?sid=9&x=1"]) },
      "/a": { body: page() },
      "/b": { body: page() },
      "/c?x=1": { body: page() },
    });
    const r = await run(s);
    expect(r.listed).toEqual(["/", "/a", "/b", "/c?x=1"]);
    expect(r.pageRequests.some((p) => /sessid|jsessionid|sid=/i.test(p))).toBe(false);
  });

  it("trailing slash add/remove; a server redirect that disagrees with the policy is followed, not looped", async () => {
    const s = await site({
      "/": { body: page(["/docs", "/guide/", "/file.pdf"]) },
      "/docs/": { body: page() },
      "/guide/": { status: 301, headers: { location: "/guide" } },
      "/guide": { body: page() },
      "/file.pdf": { body: "%PDF", type: "application/pdf" },
    });
    const r = await run(s, { trailingSlash: "add" });
    expect(r.listed).toEqual(["/", "/docs/", "/guide"]);
    expect(r.byPath.get("/guide/")).toMatchObject({ reason: "redirect", target: `${s.origin}/guide` });
    expect(r.byPath.get("/file.pdf")?.reason).toBe("not_html");

    const removed = await run(s, { trailingSlash: "remove" });
    expect(removed.byPath.get("/docs")?.status).toBe(404);
    expect(removed.listed).toEqual(["/", "/guide"]);
  });

  it("a URL over maxUrlLength is url_too_long and never fetched", async () => {
    const long = "/" + "x".repeat(200);
    const s = await site({ "/": { body: page([long, "/short"]) }, "/short": { body: page() } });
    const r = await run(s, { maxUrlLength: 100 });
    expect(r.byPath.get(long)).toMatchObject({ reason: "url_too_long", status: null });
    expect(r.pageRequests).toEqual(["/", "/short"]);
  });
});

describe("robots.txt: cache, Crawl-delay, sitemaps", () => {
  it("robots.txt is fetched once per origin per crawl, however many sitemaps live there", async () => {
    const other = await site({
      "/robots.txt": robots("User-agent: *\nDisallow: /blocked\n"),
      "/s1.xml": dynamic("application/xml", () => "<urlset/>"),
      "/s2.xml": dynamic("application/xml", () => "<urlset/>"),
      "/blocked/s3.xml": dynamic("application/xml", () => "<urlset/>"),
    });
    const s = await site({
      "/robots.txt": dynamic("text/plain", (o) =>
        [`Sitemap: ${o}/a.xml`, `Sitemap: ${o}/b.xml`, `Sitemap: ${other.origin}/s1.xml`, `Sitemap: ${other.origin}/s2.xml`, `Sitemap: ${other.origin}/blocked/s3.xml`, "User-agent: *", "Disallow:"].join("\n"),
      ),
      "/": { body: page() },
      "/a.xml": dynamic("application/xml", () => "<urlset/>"),
      "/b.xml": dynamic("application/xml", () => "<urlset/>"),
    });
    await run(s, {}, { allowHosts: [s.hostPort, other.hostPort] });
    expect(s.requests.filter((p) => p === "/robots.txt")).toHaveLength(1);
    expect(other.requests).toEqual(["/robots.txt", "/s1.xml", "/s2.xml"]); // its robots.txt once; /blocked honoured
  });

  it("a robots.txt served with a UTF-8 BOM and CRLF line ends applies (bytes handled before decoding)", async () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("User-agent: *\r\nDisallow: /private\r\n")]);
    const s = await site({ "/robots.txt": { body, type: "text/plain" }, "/": { body: page(["/private/x", "/public"]) }, "/public": { body: page() } });
    const r = await run(s);
    expect(r.byPath.get("/private/x")?.reason).toBe("robots_disallowed");
    expect(r.pageRequests).toEqual(["/", "/public"]);
  });

  it("Crawl-delay spaces request starts when respectCrawlDelay is on (and only then)", async () => {
    const routes = {
      "/robots.txt": robots("User-agent: *\nCrawl-delay: 0.25\nDisallow: /nothing\n"),
      "/": { body: page(["/a", "/b", "/c"]) },
      "/a": { body: page() },
      "/b": { body: page() },
      "/c": { body: page() },
    };
    const s = await site(routes);
    await run(s, { respectCrawlDelay: true, concurrency: 4 });
    const times = s.requestTimes.slice(1); // page requests, after robots.txt
    expect(times).toHaveLength(4);
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(240);

    const fast = await site(routes);
    await run(fast, { respectCrawlDelay: false, concurrency: 4 });
    const t = fast.requestTimes.slice(1);
    expect(t[3] - t[1]).toBeLessThan(200); // /a, /b, /c start together
  });

  it("imports robots.txt sitemaps (index, gzip) as depth-0 seeds: orphan pages get listed; other origins' URLs ignored", async () => {
    const s = await site({
      "/robots.txt": dynamic("text/plain", (o) => `User-agent: *\nDisallow: /private/\nSitemap: ${o}/sitemap_index.xml\n`),
      "/sitemap_index.xml": dynamic("application/xml", (o) => `<sitemapindex><sitemap><loc>${o}/s1.xml</loc></sitemap><sitemap><loc>${o}/s2.xml.gz</loc></sitemap></sitemapindex>`),
      "/s1.xml": dynamic("application/xml", (o) => `<urlset><url><loc>${o}/orphan</loc></url><url><loc>https://elsewhere.test/x</loc></url><url><loc>${o}/private/p</loc></url></urlset>`),
      "/s2.xml.gz": dynamic("application/gzip", (o) => zlib.gzipSync(`<urlset><url><loc>${o}/orphan2?PHPSESSID=1</loc></url><url><loc>${o}/</loc></url></urlset>`)),
      "/": { body: page() },
      "/orphan": { body: page(["/linked-from-orphan"]) },
      "/orphan2": { body: page() },
      "/linked-from-orphan": { body: page() },
    });
    const r = await run(s);
    expect(r.listed).toEqual(["/", "/linked-from-orphan", "/orphan", "/orphan2"]);
    expect(r.byPath.get("/orphan")?.depth).toBe(0);
    expect(r.byPath.get("/linked-from-orphan")?.depth).toBe(1);
    expect(r.byPath.get("/private/p")?.reason).toBe("robots_disallowed");
    expect(r.summary).toMatchObject({ sitemapFilesRead: 3, sitemapUrlsImported: 3 });
    expect(r.byPath.has("https://elsewhere.test/x")).toBe(false);

    const off = await run(s, { importRobotsSitemaps: false });
    expect(off.listed).toEqual(["/"]);
  });
});

describe("429 / 503 back-off", () => {
  it("retries after Retry-After (seconds) and pauses the whole origin meanwhile", async () => {
    let busyHits = 0;
    let pausedAt = 0;
    const slow: RouteHandler = (_req, res) => void setTimeout(() => res.writeHead(200, { "content-type": "text/html" }).end(page()), 200);
    const s = await site({
      "/": { body: page(["/busy", "/a", "/b", "/c", "/d", "/e"]) },
      "/busy": (_req, res) => {
        if (++busyHits === 1) {
          pausedAt = performance.now();
          return void res.writeHead(429, { "retry-after": "1", "content-type": "text/plain" }).end("slow down");
        }
        res.writeHead(200, { "content-type": "text/html" }).end(page());
      },
      "/a": slow,
      "/b": slow,
      "/c": slow,
      "/d": slow,
      "/e": slow,
    });
    const r = await run(s, { concurrency: 3 });
    expect(r.byPath.get("/busy")).toMatchObject({ status: 200, included: true });
    expect(r.summary.retries).toBe(1);
    // /a and /b were in flight (sent with /busy); when they finished (200 ms later), their workers' next requests
    // waited for the pause to end. 50 ms of slack covers requests sent before the 429 arrived.
    const startedDuringPause = s.requestTimes.filter((t) => t > pausedAt + 50 && t < pausedAt + 950);
    expect(startedDuringPause).toEqual([]);
    expect(s.requests.filter((p) => p !== "/robots.txt")).toHaveLength(8);
  });

  it("Retry-After as an HTTP-date; 503 retried at most 3 times, then http_error", async () => {
    let hits = 0;
    const s = await site({
      "/": { body: page(["/down", "/date"]) },
      "/down": { status: 503, body: "maintenance" },
      "/date": (_req, res) => {
        if (++hits === 1) {
          const at = new Date(Date.now() + 1500).toUTCString();
          return void res.writeHead(503, { "retry-after": at }).end();
        }
        res.writeHead(200, { "content-type": "text/html" }).end(page());
      },
    });
    const t0 = performance.now();
    const r = await run(s, { concurrency: 2 }, { retry: { baseDelayMs: 20 } });
    expect(r.byPath.get("/down")).toMatchObject({ status: 503, reason: "http_error" });
    expect(s.requests.filter((p) => p === "/down")).toHaveLength(4);
    expect(r.byPath.get("/date")).toMatchObject({ status: 200, included: true });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(400); // HTTP-date honoured (second resolution)
  });
});

describe("staging credentials", () => {
  const auth = { basicAuth: { username: "stage", password: "s3cret:ü" }, headers: { "X-Preview-Token": "tok" }, cookies: { gate: "open" } };

  it("are sent to the start origin on every request (robots.txt, pages, sitemaps)", async () => {
    const s = await site({
      "/robots.txt": dynamic("text/plain", (o) => `Sitemap: ${o}/sm.xml\n`),
      "/sm.xml": dynamic("application/xml", (o) => `<urlset><url><loc>${o}/from-sitemap</loc></url></urlset>`),
      "/": { body: page(["/a"]) },
      "/a": { body: page() },
      "/from-sitemap": { body: page() },
    });
    await run(s, { auth });
    expect(s.requests.sort()).toEqual(["/", "/a", "/from-sitemap", "/robots.txt", "/sm.xml"]);
    for (const h of s.requestHeaders) {
      expect(h.authorization).toBe("Basic " + Buffer.from("stage:s3cret:ü").toString("base64"));
      expect(h["x-preview-token"]).toBe("tok");
      expect(h.cookie).toBe("gate=open");
    }
  });

  it("are never sent to another origin, even an allow-listed one reached by a redirect", async () => {
    const other = await site({ "/robots.txt": robots("User-agent: *\nDisallow:\n"), "/x": { body: page() }, "/sm.xml": dynamic("application/xml", () => "<urlset/>") });
    const s = await site({
      "/robots.txt": { status: 301, headers: { location: `${other.origin}/robots.txt` } }, // RFC 9309: followed across hosts
      "/": { body: page(["/leave"]) },
      "/leave": { status: 302, headers: { location: `${other.origin}/x` } },
    });
    // Same host name, other port: another origin.
    const r = await run(s, { auth }, { allowHosts: [s.hostPort, other.hostPort] });
    expect(r.byPath.get("/leave")?.reason).toBe("off_origin");
    expect(other.requests).toEqual(["/robots.txt"]);
    for (const h of other.requestHeaders) {
      expect(h.authorization).toBeUndefined();
      expect(h.cookie).toBeUndefined();
      expect(h["x-preview-token"]).toBeUndefined();
    }
    expect(s.requestHeaders.every((h) => h.authorization !== undefined)).toBe(true);
  });

  it("a forbidden header name is a TypeError before any request", async () => {
    const s = await site({ "/": { body: page() } });
    await expect(run(s, { auth: { headers: { Host: "evil" } } })).rejects.toThrow(TypeError);
    await expect(run(s, { auth: { headers: { "X-A": "a\r\nInjected: 1" } } })).rejects.toThrow(TypeError);
    expect(s.requests).toEqual([]);
  });
});

describe("SSRF guard on every outbound path", () => {
  /** A "victim" on a loopback address that is never allow-listed. */
  const victim = () => site({ "/": { body: "secret" }, "/sitemap.xml": { body: "<urlset/>" }, "/robots.txt": robots("") }, "127.0.0.2");

  it("robots.txt Sitemap: lines to private or metadata addresses are never fetched", async () => {
    const v = await victim();
    const s = await site({
      "/robots.txt": robots(`Sitemap: ${v.origin}/sitemap.xml\nSitemap: http://169.254.169.254/latest/meta-data/\nSitemap: http://[::1]:${v.port}/sitemap.xml\n`),
      "/": { body: page() },
    });
    const r = await run(s);
    expect(r.listed).toEqual(["/"]);
    expect(v.requests).toEqual([]);
  });

  it("a cross-host canonical and cross-host links are never fetched", async () => {
    const v = await victim();
    const s = await site({ "/": { body: page([`${v.origin}/`], `<link rel="canonical" href="${v.origin}/">`) } });
    const r = await run(s);
    expect(r.byPath.get("/")).toMatchObject({ reason: "canonical_elsewhere", target: `${v.origin}/` });
    expect(v.requests).toEqual([]);
  });

  it("a robots.txt redirect hop to a private address is refused (re-checked per hop)", async () => {
    const v = await victim();
    const s = await site({ "/robots.txt": { status: 302, headers: { location: `${v.origin}/robots.txt` } }, "/": { body: page() } });
    const r = await run(s);
    expect(r.records.map((x) => x.reason)).toEqual(["robots_unavailable"]);
    expect(v.requests).toEqual([]);
  });
});

describe("incremental-crawl hooks", () => {
  const makeSite = () =>
    site({
      "/": (req, res) => {
        if (req.headers["if-none-match"] === '"v1"') return void res.writeHead(304, { etag: '"v1"' }).end();
        res.writeHead(200, { "content-type": "text/html", etag: '"v1"', "last-modified": "Sun, 06 Nov 1994 08:49:37 GMT" });
        res.end(page(["/a", "/b"], "", "<p>home</p>"));
      },
      "/a": { body: page(["/c"], "", "<p>a</p>") },
      "/b": { body: page([], '<meta name="robots" content="nofollow">', '<a href="/hidden">h</a>') },
      "/c": { body: page() },
      "/hidden": { body: page() },
    });

  it("records carry contentHash, etag and lastModifiedHeader; onPageLinks gets followable links per HTML page", async () => {
    const s = await makeSite();
    const links = new Map<string, { url: string; nofollow: boolean }[]>();
    const r = await run(s, {}, { onPageLinks: (u, l) => void links.set(u.slice(s.origin.length), l) });
    expect(r.byPath.get("/")).toMatchObject({ etag: '"v1"', lastModifiedHeader: "Sun, 06 Nov 1994 08:49:37 GMT", lastmod: "1994-11-06T08:49:37Z" });
    expect(r.byPath.get("/")?.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(r.byPath.get("/a")?.contentHash).not.toBe(r.byPath.get("/")?.contentHash);
    expect(links.get("/")).toEqual([
      { url: `${s.origin}/a`, nofollow: false },
      { url: `${s.origin}/b`, nofollow: false },
    ]);
    expect(links.get("/b")).toEqual([{ url: `${s.origin}/hidden`, nofollow: true }]); // page-level nofollow folded in
  });

  it("revalidate: validators sent; a 304 replays the snapshot (notModified, lastmod left null) and follows its links", async () => {
    const s = await makeSite();
    const snapshot = { status: 200, included: true, reason: null, contentHash: "ab".repeat(32), data: { images: [`${s.origin}/i.jpg`] }, links: [{ url: `${s.origin}/a`, nofollow: false }] };
    const asked: string[] = [];
    const revalidate = async (u: string): Promise<Revalidation | null> => {
      asked.push(u);
      return u === `${s.origin}/` ? { etag: '"v1"', lastModified: "Sun, 06 Nov 1994 08:49:37 GMT", snapshot } : null;
    };
    const pageLinks: string[] = [];
    const r = await run(s, {}, { revalidate, onPageLinks: (u) => void pageLinks.push(u) });
    expect(s.requestHeaders[1]).toMatchObject({ "if-none-match": '"v1"', "if-modified-since": "Sun, 06 Nov 1994 08:49:37 GMT" });
    expect(r.byPath.get("/")).toEqual({
      url: `${s.origin}/`,
      status: 200,
      included: true,
      reason: null,
      target: null,
      lastmod: null,
      depth: 0,
      contentHash: "ab".repeat(32),
      data: { images: [`${s.origin}/i.jpg`] },
      etag: '"v1"',
      lastModifiedHeader: "Sun, 06 Nov 1994 08:49:37 GMT",
      notModified: true,
    });
    expect(r.listed).toEqual(["/", "/a", "/c"]); // /b is not in the snapshot's links
    expect(r.summary.pagesNotModified).toBe(1);
    expect(pageLinks).not.toContain(`${s.origin}/`); // a 304 is not a full fetch
    expect(asked).toEqual([`${s.origin}/`, `${s.origin}/a`, `${s.origin}/c`]);
  });

  it("resume from a seed: nothing already seen is fetched or recorded again; maxPages counts from the seed", async () => {
    const s = await makeSite();
    const o = s.origin;
    const r = await run(s, { maxPages: 3 }, { seed: { seen: [`${o}/`, `${o}/a`, `${o}/b`], queue: [{ url: `${o}/b`, depth: 1 }], pagesFetched: 2 } });
    expect(r.pageRequests).toEqual(["/b"]);
    expect(r.records.map((x) => x.url)).toEqual([`${o}/b`]);
    expect(r.summary.pagesFetched).toBe(3);
  });

  it("a custom frontier store: pre-filled seen-set respected; complete() called once per visited item", async () => {
    const s = await makeSite();
    const o = s.origin;
    const inner = createMemoryFrontier();
    inner.markSeen(`${o}/`);
    inner.markSeen(`${o}/a`);
    inner.push({ url: `${o}/a`, depth: 1 });
    const completed: string[] = [];
    const frontier = { ...inner, complete: (item: FrontierItem) => void completed.push(item.url) };
    const r = await run(s, {}, { frontier });
    expect(r.pageRequests).toEqual(["/a", "/c"]);
    expect(completed).toEqual([`${o}/a`, `${o}/c`]);
  });
});

