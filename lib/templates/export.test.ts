/**
 * Templates in the export: unit (built-in split → templated parts, XSD-valid by xmllint) and through the real run
 * pipeline on both backends (crawl a loopback site, export with an xml template; a template whose output is not a
 * valid sitemap fails the run and the previous files stay served).
 */
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { validateXml } from "@/tests/helpers/xmllint";
import { writeSitemapOutputs } from "@/lib/sitemap/outputs";
import { applySitemapTemplate, readUrlsetEntries, TemplateExportError } from "./export";

vi.mock("@/lib/jobs/events", () => ({ sendGenerateRequested: vi.fn(async () => ({ ids: ["x"] })) }));

export const XML_TEMPLATE = `<?xml version="1.0" encoding="UTF-8"?>
<!-- templated part {{ part.number }} of {{ part.count }} -->
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:image="http://www.google.com/schemas/sitemap-image/1.1" xmlns:xhtml="http://www.w3.org/1999/xhtml">
{%- for u in urls %}
  <url>
    <loc>{{ u.loc }}</loc>
    {%- if u.lastmod %}<lastmod>{{ u.lastmod }}</lastmod>{% endif %}
    {%- for a in u.alternates %}<xhtml:link rel="alternate" hreflang="{{ a.hreflang }}" href="{{ a.href }}"/>{% endfor %}
    {%- for i in u.images %}<image:image><image:loc>{{ i.loc }}</image:loc></image:image>{% endfor %}
  </url>
{%- endfor %}
</urlset>
`;

const entries = Array.from({ length: 5 }, (_, i) => ({
  loc: `https://www.example.com/p/${i}?a=1&b=${i}`,
  lastmod: "2026-11-0" + (i + 1),
  images: [`https://www.example.com/img/${i}.jpg`],
  alternates: [
    { hreflang: "en", href: `https://www.example.com/p/${i}?a=1&b=${i}` },
    { hreflang: "de", href: `https://www.example.com/de/p/${i}` },
  ],
}));

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "sf-tpl-"));
const tpl = (content: string, kind = "xml") => ({ id: "t1", name: "T", kind, content, version: 1 });

describe("applySitemapTemplate", () => {
  it("re-renders each part of the built-in split; parts are XSD-valid and the index is untouched", async () => {
    for (const gzip of [false, true]) {
      const dir = tmp();
      const written = await writeSitemapOutputs(entries, { dir, fileName: "sitemap", baseUrl: "https://files.example.com/s/1/", maxFileEntries: 2, gzip });
      const before = written.files.map((f) => ({ ...f }));
      const ext = gzip ? ".xml.gz" : ".xml";
      expect(written.files.filter((f) => f.kind === "urlset").map((f) => f.name)).toEqual([`sitemap-1${ext}`, `sitemap-2${ext}`, `sitemap-3${ext}`]);
      const out = await applySitemapTemplate(dir, written, { template: tpl(XML_TEMPLATE), sitemap: { name: "S", fileName: "sitemap", maxFileSize: 52_428_800 } });
      const parts = out.files.filter((f) => f.kind === "urlset");
      expect(parts.map((f) => f.urlCount)).toEqual([2, 2, 1]);
      for (const [i, f] of parts.entries()) {
        const file = path.join(dir, f.name);
        const bytes = fs.readFileSync(file);
        const text = (gzip ? gunzipSync(bytes) : bytes).toString("utf8");
        expect(text).toContain(`<!-- templated part ${i + 1} of 3 -->`);
        expect(text).toContain("?a=1&amp;b=");
        expect(f.bytes).toBe(bytes.length);
        expect(f.sha256).toBe((await import("node:crypto")).createHash("sha256").update(bytes).digest("hex"));
        await validateXml(file, "urlset");
        expect(readUrlsetEntries(text).map((u) => u.loc)).toEqual(entries.slice(i * 2, i * 2 + 2).map((e) => e.loc));
      }
      const index = out.files.find((f) => f.kind === "sitemapindex")!;
      expect(index).toEqual(before.find((f) => f.kind === "sitemapindex"));
      await validateXml(path.join(dir, index.name), "sitemapindex");
    }
  });

  it("renders a full 50,000-URL part within its time budget (2 s + 1 ms per URL)", async () => {
    const dir = tmp();
    const many = Array.from({ length: 50_000 }, (_, i) => ({ loc: `https://www.example.com/s-${i % 50}/p-${i}?q=${i}&x=y`, lastmod: "2026-11-01", images: [`https://www.example.com/i/${i}.jpg`] }));
    const written = await writeSitemapOutputs(many, { dir, fileName: "sitemap", baseUrl: "https://files.example.com/s/1/" });
    const out = await applySitemapTemplate(dir, written, { template: tpl(XML_TEMPLATE), sitemap: { name: "S", fileName: "sitemap", maxFileSize: 52_428_800 } });
    expect(out.files.filter((f) => f.kind === "urlset").map((f) => f.urlCount)).toEqual([50_000]);
    expect(fs.readFileSync(path.join(dir, "sitemap.xml"), "utf8")).toContain("<!-- templated part 1 of 1 -->");
  }, 120_000);

  it("passes images and hreflang alternates to the template", async () => {
    const dir = tmp();
    const written = await writeSitemapOutputs(entries.slice(0, 1), { dir, fileName: "sitemap", baseUrl: "https://files.example.com/s/1/" });
    const urls = readUrlsetEntries(fs.readFileSync(path.join(dir, "sitemap.xml"), "utf8"));
    // The built-in writer sorts alternates by hreflang; the template sees what the writer wrote.
    expect(urls[0]).toMatchObject({ loc: entries[0].loc, lastmod: "2026-11-01", images: [{ loc: entries[0].images[0] }], alternates: [...entries[0].alternates].reverse() });
    expect(written.files.filter((f) => f.kind === "urlset")).toHaveLength(1);
  });

  it.each([
    ["not well-formed", "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">{% for u in urls %}<url><loc>{{ u.loc | raw }}</loc></url>{% endfor %}</urlset>", /Not well-formed/],
    ["wrong namespace", "<urlset>{% for u in urls %}<url><loc>{{ u.loc }}</loc></url>{% endfor %}</urlset>", /root element must be/],
    ["relative loc", '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>/x</loc></url></urlset>', /not an absolute/],
    ["too big", '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{% for i in (1..2000) %}<!-- padding padding padding -->{% endfor %}</urlset>', /bytes/],
  ])("refuses output that is %s with a clear message", async (_name, content, why) => {
    const dir = tmp();
    const written = await writeSitemapOutputs(entries, { dir, fileName: "sitemap", baseUrl: "https://files.example.com/s/1/" });
    const p = applySitemapTemplate(dir, written, { template: tpl(content), sitemap: { name: "S", fileName: "sitemap", maxFileSize: 20_000 } });
    await expect(p).rejects.toBeInstanceOf(TemplateExportError);
    await expect(p).rejects.toThrow(why);
    await expect(p).rejects.toThrow(/previous files stay served/);
  });

  it("refuses an rss template and a template that breaks the sandbox", async () => {
    const dir = tmp();
    const written = await writeSitemapOutputs(entries, { dir, fileName: "sitemap", baseUrl: "https://files.example.com/s/1/" });
    const opts = { sitemap: { name: "S", fileName: "sitemap", maxFileSize: 52_428_800 } };
    await expect(applySitemapTemplate(dir, written, { ...opts, template: tpl("<rss/>", "rss") })).rejects.toThrow(/needs an xml or html template/);
    await expect(applySitemapTemplate(dir, written, { ...opts, template: tpl("{% for i in (1..100000000) %}x{% endfor %}") })).rejects.toThrow(/allocated too much/);
    await expect(applySitemapTemplate(dir, written, { ...opts, template: tpl("{% include '/etc/passwd' %}") })).rejects.toThrow(/not available/);
  });

  it("renders the HTML sitemap pages with an html template (500 URLs a page)", async () => {
    const dir = tmp();
    const many = Array.from({ length: 1001 }, (_, i) => ({ loc: `https://www.example.com/${i}` }));
    const written = await writeSitemapOutputs(many, { dir, fileName: "map", baseUrl: "https://files.example.com/s/1/", extraFormats: ["html"] });
    const html = `<!DOCTYPE html><title>{{ sitemap.name }} {{ page.number }}/{{ page.count }}</title><ul>{% for u in urls %}<li><a href="{{ u.loc }}">{{ u.loc }}</a></li>{% endfor %}</ul>{% if page.next %}<a rel="next" href="{{ page.next }}">next</a>{% endif %}`;
    const out = await applySitemapTemplate(dir, written, { template: tpl(html, "html"), sitemap: { name: "Shop", fileName: "map", maxFileSize: 52_428_800 } });
    const pages = out.files.filter((f) => f.kind === "html");
    expect(pages.map((f) => [f.name, f.urlCount])).toEqual([["map.html", 500], ["map-2.html", 500], ["map-3.html", 1]]);
    const first = fs.readFileSync(path.join(dir, "map.html"), "utf8");
    expect(first).toContain("<title>Shop 1/3</title>");
    expect(first).toContain('href="map-2.html"');
    expect((first.match(/<li>/g) ?? []).length).toBe(500);
  });
});

// ---- through the real run pipeline ----

const pages: Record<string, string> = {
  "/robots.txt": "User-agent: *\nAllow: /\n",
  "/": `<a href="/a">a</a><a href="/b?x=1&amp;y=2">b</a>`,
  "/a": "a",
  "/b?x=1&y=2": "b",
};
let server: http.Server;
let origin = "";
beforeAll(async () => {
  server = http.createServer((req, res) => {
    const body = pages[req.url ?? ""];
    if (body === undefined) return res.writeHead(404).end();
    res.writeHead(200, { "content-type": req.url === "/robots.txt" ? "text/plain" : "text/html; charset=utf-8" }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.CRAWL_ALLOW_HOSTS = new URL(origin).host;
  process.env.FILES_DIR = tmp();
  process.env.APP_URL = "http://sitemaps.test";
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

for (const backend of testBackends()) {
  describe(`a sitemap with an xml template on ${backend.name}`, () => {
    const t = useTestDb(backend);

    it("exports templated, XSD-valid files; a broken template fails the run and keeps the previous files served", async () => {
      const { requestRun } = await import("@/lib/runs/request-run");
      const { crawlRun, exportRun, failRun } = await import("@/lib/runs/execute");
      const { openPublishedFile } = await import("@/lib/db/files");
      const user = await t.db.user.create({ data: { email: `tpl-${backend.name}@example.com`, passwordHash: "x" } });
      const template = await t.db.template.create({ data: { userId: user.id, name: "x", kind: "xml", content: XML_TEMPLATE } });
      const sm = await t.db.sitemap.create({ data: { userId: user.id, name: "T", startUrl: `${origin}/`, fileName: "site", concurrency: 2, templateId: template.id } });

      const run1 = await requestRun({ sitemapId: sm.id, userId: user.id, trigger: "api" });
      await crawlRun(run1.id);
      await exportRun(run1.id);
      expect((await t.db.run.findUnique({ where: { id: run1.id } }))!.status).toBe("succeeded");
      const file = await openPublishedFile({ sitemapId: sm.id, name: "site.xml" });
      const text = await new Response(file!.stream).text();
      expect(text).toContain("<!-- templated part 1 of 1 -->");
      expect(text).toContain(`<loc>${origin}/b?x=1&amp;y=2</loc>`);
      const copy = path.join(tmp(), "site.xml");
      fs.writeFileSync(copy, text);
      await validateXml(copy, "urlset");

      await t.db.template.update({ where: { id: template.id }, data: { content: "<urlset>{% for u in urls %}<url><loc>{{ u.loc }}</loc></url>{% endfor %}</urlset>" } });
      const run2 = await requestRun({ sitemapId: sm.id, userId: user.id, trigger: "api" });
      await crawlRun(run2.id);
      const err = await exportRun(run2.id).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TemplateExportError);
      await failRun(run2.id, err);
      const failed = (await t.db.run.findUnique({ where: { id: run2.id } }))!;
      expect(failed.status).toBe("failed");
      expect(failed.error).toMatch(/not a valid sitemap.*root element must be <urlset/);
      expect(failed.errorCode).toBe("template_invalid");
      expect((await t.db.sitemap.findUnique({ where: { id: sm.id } }))!.publishedRunId).toBe(run1.id);
      const still = await openPublishedFile({ sitemapId: sm.id, name: "site.xml" });
      expect(await new Response(still!.stream).text()).toBe(text);
    });
  });
}
