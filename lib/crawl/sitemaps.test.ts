import { Readable } from "node:stream";
import zlib from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { createFetcher, type Fetcher } from "./fetch";
import { createSitemapXmlParser, importSitemaps, MAX_SITEMAP_BYTES, MAX_SITEMAP_LEVEL } from "./sitemaps";
import { startSite, type RouteSpec, type TestSite } from "@/tests/helpers/site";

const urlset = (locs: string[]) =>
  `<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">` +
  locs.map((l) => `<url><loc>${l}</loc><image:image><image:loc>${l}.jpg</image:loc></image:image></url>`).join("") +
  `</urlset>`;
const index = (locs: string[]) =>
  `<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${locs.map((l) => `<sitemap><loc>${l}</loc></sitemap>`).join("")}</sitemapindex>`;

describe("createSitemapXmlParser", () => {
  const read = (xml: string, chunk = 7) => {
    const locs: string[] = [];
    const maps: string[] = [];
    const p = createSitemapXmlParser({ loc: (l) => void locs.push(l), sitemap: (l) => void maps.push(l) });
    for (let i = 0; i < xml.length; i += chunk) p.write(xml.slice(i, i + chunk)); // streamed in small pieces
    p.end();
    return { locs, maps, root: p.root() };
  };

  it("reads <url><loc> of a urlset (entities decoded, whitespace trimmed), not extension locs", () => {
    const r = read(urlset(["https://e.com/a?x=1&amp;y=2", " https://e.com/b "]));
    expect(r).toEqual({ locs: ["https://e.com/a?x=1&y=2", "https://e.com/b"], maps: [], root: "urlset" });
  });

  it("reads <sitemap><loc> of an index", () => {
    expect(read(index(["https://e.com/s1.xml", "https://e.com/s2.xml.gz"])).maps).toEqual(["https://e.com/s1.xml", "https://e.com/s2.xml.gz"]);
  });

  it("never expands DTD entities: no billion laughs, no XXE", () => {
    const laughs =
      `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">` +
      `<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY xxe SYSTEM "file:///etc/passwd">]>` +
      `<urlset><url><loc>https://e.com/&lol3;</loc></url><url><loc>&xxe;</loc></url><url><loc>https://e.com/ok</loc></url></urlset>`;
    const r = read(laughs);
    expect(r.locs).toEqual(["https://e.com/&lol3;", "&xxe;", "https://e.com/ok"]);
    expect(r.locs.join("")).not.toContain("root:");
  });

  it("a wrong root is not a sitemap", () => {
    expect(read(`<html><body><url><loc>https://e.com/x</loc></url></body></html>`)).toMatchObject({ locs: [], root: "html" });
  });
});

describe("importSitemaps", () => {
  const sites: TestSite[] = [];
  let fetcher: Fetcher | null = null;
  afterEach(async () => {
    await fetcher?.close();
    fetcher = null;
    await Promise.all(sites.splice(0).map((s) => s.close()));
  });
  const load = async (routes: Record<string, RouteSpec | ((req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => void)>) => {
    const site = await startSite(routes);
    sites.push(site);
    fetcher = createFetcher({ userAgent: "SitemapForgeBot/0.1", timeoutMs: 10_000, maxBodyBytes: 10_000_000, allowHosts: [site.hostPort] });
    return site;
  };

  it("follows an index to plain and gzip children (Content-Encoding or a bare .gz file); reports failures", async () => {
    // Bodies name the site's own origin, known from the Host header.
    const serve = (type: string, body: (o: string) => string | Buffer, headers: Record<string, string> = {}) =>
      (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => {
        res.writeHead(200, { "content-type": type, ...headers });
        res.end(body(`http://${req.headers.host}`));
      };
    const site = await load({
      "/index.xml": serve("application/xml", (o) => index([`${o}/a.xml`, `${o}/b.xml.gz`, `${o}/c.xml`, `${o}/missing.xml`, `${o}/a.xml`])),
      "/a.xml": serve("application/xml", (o) => urlset([`${o}/p1`, `${o}/p2`])),
      "/b.xml.gz": serve("application/gzip", (o) => zlib.gzipSync(urlset([`${o}/p3`]))),
      "/c.xml": serve("application/xml", (o) => zlib.gzipSync(urlset([`${o}/p4`])), { "content-encoding": "gzip" }),
    });
    const o = site.origin;
    const urls: string[] = [];
    const r = await importSitemaps([`${o}/index.xml`], { fetch: fetcher!.fetch, mayFetch: () => true, onUrl: (u) => void urls.push(u) });
    expect(urls).toEqual([`${o}/p1`, `${o}/p2`, `${o}/p3`, `${o}/p4`]);
    expect(r.files).toBe(5);
    expect(r.errors).toEqual([
      { url: `${o}/missing.xml`, code: "http_error", error: "HTTP 404" },
    ]);
    expect(site.requests.filter((p) => p === "/a.xml")).toHaveLength(1); // listed twice, fetched once
  });

  it("a 1 GB gzip bomb is cut at the 50 MiB cap; URLs before the cut are kept", async () => {
    const site = await load({
      "/bomb.xml.gz": (_req, res) => {
        res.writeHead(200, { "content-type": "application/gzip" });
        const head = `<?xml version="1.0"?><urlset><url><loc>https://e.com/first</loc></url><url><loc>https://e.com/`;
        let sent = 0;
        const zeros = Buffer.alloc(1 << 20, 0x61); // 1 MiB of "a": the loc that never ends
        const src = new Readable({
          read() {
            if (sent === 0) this.push(head);
            if (sent >= 1024) return void this.push(null);
            sent++;
            this.push(zeros);
          },
        });
        const gz = zlib.createGzip({ level: 1 });
        src.pipe(gz).pipe(res);
        res.on("close", () => src.destroy());
      },
    });
    const urls: string[] = [];
    const rss0 = process.memoryUsage().rss;
    const r = await importSitemaps([`${site.origin}/bomb.xml.gz`], { fetch: fetcher!.fetch, mayFetch: () => true, onUrl: (u) => void urls.push(u) });
    expect(urls).toEqual(["https://e.com/first"]);
    expect(r.errors).toContainEqual({ url: `${site.origin}/bomb.xml.gz`, code: "too_large", error: `larger than ${MAX_SITEMAP_BYTES} bytes; read up to the cap` });
    expect(process.memoryUsage().rss - rss0).toBeLessThan(150 * 1024 * 1024);
  }, 60_000);

  it("asks mayFetch for every file (from robots.txt and from indexes) and honours onUrl's stop", async () => {
    const site = await load({});
    const asked: string[] = [];
    const r = await importSitemaps([`${site.origin}/a.xml`, "http://169.254.169.254/latest/meta-data"], {
      fetch: fetcher!.fetch,
      mayFetch: (u) => (asked.push(u), false),
      onUrl: () => {},
    });
    expect(asked).toEqual([`${site.origin}/a.xml`, "http://169.254.169.254/latest/meta-data"]);
    expect(r.files).toBe(0);
    expect(site.requests).toEqual([]);
  });

  describe("hostile sitemaps are reported, never expanded", () => {
    type Handler = (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => void;
    const serve = (body: (o: string) => string | Buffer, type = "application/xml"): Handler => (req, res) => {
      res.writeHead(200, { "content-type": type });
      res.end(body(`http://${req.headers.host}`));
    };
    const read = async (routes: Record<string, Handler>, first: string, maxFiles?: number) => {
      const site = await load(routes);
      const urls: string[] = [];
      const r = await importSitemaps([`${site.origin}${first}`], { fetch: fetcher!.fetch, mayFetch: () => true, onUrl: (u) => void urls.push(u), maxFiles });
      const path = (u: string) => u.slice(site.origin.length);
      return { urls, r, codes: r.errors.map((e) => `${e.code} ${path(e.url)}`), site };
    };

    it("a DOCTYPE with entities (XXE, billion laughs): reported, its URLs unused", async () => {
      const { urls, codes, r } = await read(
        {
          "/s.xml": serve(
            (o) =>
              `<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;"><!ENTITY xxe SYSTEM "file:///etc/passwd">]>` +
              `<urlset><url><loc>${o}/&lol2;</loc></url><url><loc>&xxe;</loc></url><url><loc>${o}/ok</loc></url></urlset>`,
          ),
        },
        "/s.xml",
      );
      expect(urls).toEqual([]);
      expect(codes).toEqual(["doctype /s.xml"]);
      expect(r.read).toEqual([{ url: expect.stringContaining("/s.xml"), root: "urlset", locs: 0 }]);
    });

    it("10 levels of indexes: read to the allowed depth, the rest reported", async () => {
      const routes: Record<string, Handler> = {};
      for (let i = 0; i < 10; i++) routes[`/i${i}.xml`] = serve((o) => index([`${o}/i${i + 1}.xml`]));
      routes["/i10.xml"] = serve((o) => urlset([`${o}/deep`]));
      const { urls, codes, site } = await read(routes, "/i0.xml");
      expect(urls).toEqual([]);
      expect(codes).toEqual([`nested_too_deep /i${MAX_SITEMAP_LEVEL}.xml`]);
      expect(site.requests).toEqual(["/i0.xml", "/i1.xml", "/i2.xml"]);
    });

    it("more than 50,000 URLs in one file: the first 50,000 are read, the rest reported", async () => {
      const { urls, codes } = await read({ "/big.xml": serve((o) => urlset(Array.from({ length: 50_010 }, (_, i) => `${o}/p${i}`))) }, "/big.xml");
      expect(urls).toHaveLength(50_000);
      expect(codes).toEqual(["too_many_urls /big.xml"]);
    }, 30_000);

    it("a non-XML body, an HTML page and corrupt gzip are reported", async () => {
      const routes: Record<string, Handler> = {
        "/i.xml": serve((o) => index([`${o}/json.xml`, `${o}/page.xml`, `${o}/bad.xml.gz`, `${o}/empty.xml`])),
        "/json.xml": serve(() => `{"urls": ["/a"]}`, "application/json"),
        "/page.xml": serve(() => `<!DOCTYPE html><html><body>hi</body></html>`, "text/html"),
        "/bad.xml.gz": serve(() => Buffer.concat([zlib.gzipSync(urlset(["https://e.com/a"])).subarray(0, 20), Buffer.alloc(40, 7)]), "application/gzip"),
        "/empty.xml": serve(() => ""),
      };
      const { codes } = await read(routes, "/i.xml");
      // Corrupt gzip may end as a gzip error or as a body without a root element; either way it is reported.
      expect(codes.filter((c) => !c.startsWith("gzip_error"))).toEqual(["not_sitemap /json.xml", "not_sitemap /page.xml", "not_sitemap /bad.xml.gz", "not_sitemap /empty.xml"]);
    });

    it("the file budget: files beyond it are reported once, not fetched", async () => {
      const routes: Record<string, Handler> = { "/i.xml": serve((o) => index(Array.from({ length: 5 }, (_, i) => `${o}/c${i}.xml`))) };
      for (let i = 0; i < 5; i++) routes[`/c${i}.xml`] = serve((o) => urlset([`${o}/p${i}`]));
      const { urls, codes } = await read(routes, "/i.xml", 3);
      expect(urls).toHaveLength(2);
      expect(codes).toEqual(["too_many_files /c2.xml"]);
    });
  });
});
