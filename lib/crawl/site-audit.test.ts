import { Readable } from "node:stream";
import zlib from "node:zlib";
import type http from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_CRAWL_SETTINGS, type CrawlRecord, type CrawlSettings } from "@/lib/core/types";
import { crawl } from "./crawler";
import { auditFindings, countFindings, createAuditCollector, type AuditFinding, type SiteSitemapAudit } from "./site-audit";
import { AUDIT_SITE_EXPECTED, findingLine, startAuditSite } from "@/tests/helpers/audit-site";
import { page, startSite, type TestSite } from "@/tests/helpers/site";

const sites: TestSite[] = [];
afterEach(async () => {
  await Promise.all(sites.splice(0).map((s) => s.close()));
});

async function auditOf(s: TestSite, settings: Partial<CrawlSettings> = {}) {
  const records: CrawlRecord[] = [];
  const summary = await crawl(
    { ...DEFAULT_CRAWL_SETTINGS, startUrl: `${s.origin}/`, concurrency: 4, timeoutMs: 5_000, ...settings },
    { allowHosts: [s.hostPort], audit: true, onRecord: (r) => void records.push(r) },
  );
  const findings: AuditFinding[] = [];
  for await (const f of auditFindings(summary.audit!, { listed: records.filter((r) => r.included).map((r) => r.url) })) findings.push(f);
  return { summary, records, findings, lines: findings.map((f) => findingLine(s.origin, f)).sort() };
}

describe("sitemap audit in a crawl", () => {
  it("finds every kind of problem of a site's own sitemaps", async () => {
    const s = await startAuditSite();
    sites.push(s);
    const { summary, lines, findings } = await auditOf(s);
    expect(lines).toEqual(AUDIT_SITE_EXPECTED);
    expect(summary.audit).toMatchObject({ source: "robots", found: true, truncated: false });
    // The DOCTYPE file's URLs are not used, and nothing was expanded.
    expect(summary.audit!.urls.map((u) => u.url).join(" ")).not.toMatch(/lol|xxe|passwd/);
    const moved = findings.find((f) => f.url.endsWith("/moved"))!;
    expect(moved.detail).toEqual({ status: 301, target: `${s.origin}/about` });
    expect(countFindings(findings)).toEqual({ sitemap_error: 3, not_indexable: 8, not_crawled: 0, missing_from_sitemap: 1, orphan: 1 });
  });

  it("reads /sitemap.xml when robots.txt names none; without import, unmet sitemap URLs are not crawled and orphans", async () => {
    const s = await startAuditSite({ robotsSitemap: false });
    sites.push(s);
    const { summary, lines } = await auditOf(s, { importRobotsSitemaps: false });
    expect(summary.audit).toMatchObject({ source: "default", found: true });
    expect(lines).toContain("not_crawled - /orphan");
    expect(lines).toContain("orphan - /orphan");
    expect(lines).toContain("missing_from_sitemap - /unlisted");
    expect(lines).toContain("not_indexable noindex_meta /noindex");
    // The gzip urlset is only in the index, which this robots.txt does not name: /blog is a page the sitemap lacks.
    expect(lines).toContain("missing_from_sitemap - /blog");
    expect(lines.filter((l) => l.startsWith("sitemap_error"))).toEqual([]);
  });

  it("a site without sitemaps (404 at /sitemap.xml) has no findings", async () => {
    const s = await startSite({ "/": { body: page(["/a"]) }, "/a": { body: page(["/"]) } });
    sites.push(s);
    const { summary, findings } = await auditOf(s);
    expect(summary.audit).toMatchObject({ source: "default", found: false, urls: [] });
    expect(findings).toEqual([]);
  });

  it("does not fetch sitemaps when robots.txt is unreachable", async () => {
    const s = await startSite({ "/robots.txt": { status: 500, body: "" } });
    sites.push(s);
    const { summary } = await auditOf(s, {});
    expect(summary.audit).toMatchObject({ source: null, found: false });
    expect(s.requests.filter((p) => p.includes("sitemap"))).toEqual([]);
  }, 30_000);
});

describe("hostile sitemaps in the audit are findings, never expanded", () => {
  it("a 1 GB gzip bomb, 10 levels of indexes, 50k+ URLs, a DTD and a non-XML body", async () => {
    type H = (req: http.IncomingMessage, res: http.ServerResponse) => void;
    const xml = (body: (o: string) => string, type = "application/xml"): H => (req, res) => {
      res.writeHead(200, { "content-type": type });
      res.end(body(`http://${req.headers.host}`));
    };
    const bomb: H = (_req, res) => {
      res.writeHead(200, { "content-type": "application/gzip" });
      let sent = 0;
      const mib = Buffer.alloc(1 << 20, 0x20); // 1 GiB of spaces inside <urlset>, 1 MiB at a time
      const src = new Readable({
        read() {
          if (sent === 0) this.push(`<?xml version="1.0"?><urlset>`);
          if (sent >= 1024) return void this.push(null);
          sent++;
          this.push(mib);
        },
      });
      src.pipe(zlib.createGzip({ level: 1 })).pipe(res);
      res.on("close", () => src.destroy());
    };
    const routes: Record<string, H> = {
      "/robots.txt": xml((o) => ["bomb.xml.gz", "i0.xml", "big.xml", "dtd.xml", "text.xml"].map((f) => `Sitemap: ${o}/${f}`).join("\n"), "text/plain"),
      "/bomb.xml.gz": bomb,
      "/big.xml": xml((o) => `<urlset>${Array.from({ length: 50_001 }, (_, i) => `<url><loc>${o}/p${i}</loc></url>`).join("")}</urlset>`),
      "/dtd.xml": xml(() => `<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://169.254.169.254/dtd"><urlset></urlset>`),
      "/text.xml": xml(() => "User-agent: *", "text/plain"),
      "/": xml(() => page([]), "text/html"),
    };
    for (let i = 0; i < 10; i++) routes[`/i${i}.xml`] = xml((o) => `<sitemapindex><sitemap><loc>${o}/i${i + 1}.xml</loc></sitemap></sitemapindex>`);
    const s = await startSite(routes);
    sites.push(s);
    const rss0 = process.memoryUsage().rss;
    const { lines, summary } = await auditOf(s, { maxPages: 10 });
    expect(process.memoryUsage().rss - rss0).toBeLessThan(300 * 1024 * 1024);
    expect(lines.filter((l) => l.startsWith("sitemap_error")).sort()).toEqual([
      "sitemap_error doctype /dtd.xml",
      "sitemap_error nested_too_deep /i2.xml",
      "sitemap_error not_sitemap /text.xml",
      "sitemap_error too_large /bomb.xml.gz",
      "sitemap_error too_many_urls /big.xml",
    ]);
    expect(summary.audit!.urls).toHaveLength(50_000);
    expect(s.requests.filter((p) => /^\/i\d/.test(p))).toEqual(["/i0.xml", "/i1.xml", "/i2.xml"]);
  }, 60_000);
});

describe("auditFindings", () => {
  const o = "https://e.com";
  const audit = (urls: SiteSitemapAudit["urls"], more: Partial<SiteSitemapAudit> = {}): SiteSitemapAudit => ({
    source: "robots",
    found: true,
    files: [{ url: `${o}/sitemap.xml`, root: "urlset", locs: urls.length }],
    problems: [],
    urls,
    truncated: false,
    startUrl: `${o}/`,
    ...more,
  });
  const all = async (it: AsyncIterable<AuditFinding>) => {
    const out: string[] = [];
    for await (const f of it) out.push(findingLine(o, f));
    return out;
  };

  it("prefers the given inventory lookup over the crawl's notes, and can leave orphans out", async () => {
    const a = audit([
      { url: `${o}/a`, linked: false, offOrigin: false, verdict: { included: true, reason: null, status: 200, target: null } },
      { url: `${o}/b`, linked: true, offOrigin: false, verdict: null },
    ]);
    const verdicts = async (urls: string[]) => new Map(urls.filter((u) => u.endsWith("/b")).map((u) => [u, { included: false, reason: "noindex_header", status: 200, target: null }]));
    expect(await all(auditFindings(a, { verdicts, listed: [`${o}/c`], orphans: false }))).toEqual([
      "not_crawled - /a",
      "not_indexable noindex_header /b",
      "missing_from_sitemap - /c",
    ]);
  });

  it("a truncated audit or one without a readable sitemap reports no missing pages", async () => {
    const truncated = audit([], { truncated: true });
    expect(await all(auditFindings(truncated, { listed: [`${o}/c`] }))).toEqual(["sitemap_error too_many_urls /sitemap.xml"]);
    expect(await all(auditFindings(audit([], { found: false }), { listed: [`${o}/c`] }))).toEqual([]);
  });

  it("the collector stops at its cap and keeps verdicts of records met while reading", () => {
    const c = createAuditCollector({ originPrefix: `${o}/`, startUrl: `${o}/`, normalize: (l) => l, maxUrls: 2 });
    c.record({ url: `${o}/a`, status: 200, included: true, reason: null, lastmod: null, depth: 0 });
    expect([c.add(`${o}/a`), c.add(`${o}/a`), c.add(`${o}/b`), c.add(`${o}/c`)]).toEqual([true, true, true, false]);
    c.doneReading({ source: "robots", result: { files: 1, urls: 3, errors: [], read: [{ url: `${o}/s.xml`, root: "urlset", locs: 3 }] } });
    c.link(`${o}/b`);
    const r = c.result();
    expect(r.truncated).toBe(true);
    expect(r.urls).toEqual([
      { url: `${o}/a`, linked: false, offOrigin: false, verdict: { included: true, reason: null, status: 200, target: null } },
      { url: `${o}/b`, linked: true, offOrigin: false, verdict: null },
    ]);
  });
});
