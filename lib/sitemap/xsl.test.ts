import { CHROMIUM_BASE_ARGS, chromiumPath } from "@/lib/core/chromium";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { SitemapEntry } from "@/lib/core/types";
import { SitemapOptionsError } from "./errors";
import { writeSitemapOutputs } from "./outputs";
import { SITEMAP_XSL, SITEMAP_XSL_PATH, sitemapXslResponse, xmlStylesheetPi } from "./xsl";
import { GET as xslRoute } from "@/app/sitemap.xsl/route";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "sf-xsl-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const U = (p: string) => `https://example.com${p}`;

describe("xmlStylesheetPi", () => {
  it("writes an absolute or root-relative href, encoded and with & escaped", () => {
    expect(xmlStylesheetPi("https://app.example.com/sitemap.xsl")).toBe(
      '<?xml-stylesheet type="text/xsl" href="https://app.example.com/sitemap.xsl"?>\n',
    );
    expect(xmlStylesheetPi("/sitemap.xsl?a=1&b=2")).toBe('<?xml-stylesheet type="text/xsl" href="/sitemap.xsl?a=1&amp;b=2"?>\n');
    expect(xmlStylesheetPi("https://app.example.com/x y/ß.xsl")).toContain('href="https://app.example.com/x%20y/%C3%9F.xsl"');
  });

  it("refuses hrefs that could break out of the PI or are not http(s)", () => {
    for (const bad of ["javascript:alert(1)", "sitemap.xsl", "//evil.example/x.xsl", '/a"b', "/a?>b", "/a b", "data:text/xsl,x", ""]) {
      expect(() => xmlStylesheetPi(bad), bad).toThrow(SitemapOptionsError);
    }
  });
});

describe("SITEMAP_XSL", () => {
  it("is a well-formed XSLT 1.0 stylesheet handling urlset and sitemapindex, without script", () => {
    const file = path.join(root, "s.xsl");
    fs.writeFileSync(file, SITEMAP_XSL);
    execFileSync("xmllint", ["--noout", "--nonet", file]); // throws if not well-formed
    expect(SITEMAP_XSL).toContain('<xsl:stylesheet version="1.0"');
    expect(SITEMAP_XSL).toContain('match="s:urlset"');
    expect(SITEMAP_XSL).toContain('match="s:sitemapindex"');
    expect(SITEMAP_XSL).not.toMatch(/<script|disable-output-escaping|document\(/i);
    expect(SITEMAP_XSL_PATH).toBe("/sitemap.xsl");
  });

  it("is served with text/xsl, a strong ETag, caching, nosniff, and 304 on If-None-Match", async () => {
    const res = sitemapXslResponse(new Request("http://app.test/sitemap.xsl"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/xsl; charset=utf-8");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("cache-control")).toBe("public, max-age=86400");
    const etag = res.headers.get("etag");
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    expect(await res.text()).toBe(SITEMAP_XSL);
    expect(Number(res.headers.get("content-length"))).toBe(Buffer.byteLength(SITEMAP_XSL));
    const again = sitemapXslResponse(new Request("http://app.test/sitemap.xsl", { headers: { "If-None-Match": `W/${etag}` } }));
    expect(again.status).toBe(304);
    const head = sitemapXslResponse(new Request("http://app.test/sitemap.xsl", { method: "HEAD" }));
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    // the public route app/sitemap.xsl/route.ts serves exactly this
    const routed = xslRoute(new Request(`http://app.test${SITEMAP_XSL_PATH}`));
    expect(routed.headers.get("content-type")).toBe("text/xsl; charset=utf-8");
    expect(await routed.text()).toBe(SITEMAP_XSL);
  });

  // A real browser: Chromium fetches the stylesheet named by the PI from the same origin and renders the table.
  // Skipped only outside CI when the browser is missing; in CI (CI=true) a missing Chromium fails the test.
  it.skipIf(!existsSync(chromiumPath()) && !process.env.CI)(
    "renders a readable table of a urlset (loc, lastmod, images, alternates) and of an index in Chromium",
    async () => {
      const dir = path.join(root, "site");
      const server = http.createServer(async (req, res) => {
        const url = new URL(req.url ?? "/", "http://127.0.0.1");
        if (url.pathname === SITEMAP_XSL_PATH) {
          const r = sitemapXslResponse(new Request(url, { method: req.method }));
          res.writeHead(r.status, Object.fromEntries(r.headers));
          res.end(Buffer.from(await r.arrayBuffer()));
          return;
        }
        const name = url.pathname.replace(/^\/s\/1\//, "");
        const file = path.join(dir, name);
        if (!/^[a-z0-9.-]+$/.test(name) || !fs.existsSync(file)) {
          res.writeHead(404).end();
          return;
        }
        // The same headers as app/s/[sitemapId]/[name] (lib/api/files.ts) for .xml files.
        res.writeHead(200, { "Content-Type": "application/xml; charset=utf-8", "X-Content-Type-Options": "nosniff" });
        res.end(fs.readFileSync(file));
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const { chromium } = await import("playwright-core");
      const browser = await chromium.launch({ executablePath: chromiumPath(), args: [...CHROMIUM_BASE_ARGS], headless: true, timeout: 60_000 });
      try {
        const entries: SitemapEntry[] = [
          {
            loc: U("/en/"),
            lastmod: "2026-11-20T10:00:00Z",
            images: [U("/a.jpg"), U("/b.jpg"), U("/c.jpg")],
            alternates: [
              { hreflang: "en", href: U("/en/") },
              { hreflang: "de", href: U("/de/") },
            ],
          },
          { loc: U("/de/"), alternates: [{ hreflang: "de", href: U("/de/") }, { hreflang: "en", href: U("/en/") }] },
          { loc: U("/x?a=1&b=<2>") },
        ];
        await writeSitemapOutputs(entries, {
          dir,
          fileName: "sitemap",
          baseUrl: `${origin}/s/1/`,
          maxFileEntries: 2,
          xslHref: `${origin}${SITEMAP_XSL_PATH}`,
        });
        const page = await browser.newPage();
        await page.goto(`${origin}/s/1/sitemap-1.xml`);
        await page.waitForSelector("table", { timeout: 30_000 });
        const rows = await page.$$eval("tbody tr", (trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent?.trim() ?? "")));
        expect(rows).toEqual([
          ["1", U("/en/"), "2026-11-20T10:00:00Z", "3", "de en"],
          ["2", U("/de/"), "", "", "de en"],
        ]);
        const hrefs = await page.$$eval("tbody a", (as) => as.map((a) => a.getAttribute("href")));
        // row 1: its loc, then alternates "de", "en"; row 2 likewise
        expect(hrefs).toEqual([U("/en/"), U("/de/"), U("/en/"), U("/de/"), U("/de/"), U("/en/")]);
        expect(await page.$$("script")).toHaveLength(0);

        await page.goto(`${origin}/s/1/sitemap-2.xml`);
        await page.waitForSelector("table", { timeout: 30_000 });
        expect(await page.$$eval("tbody td a", (as) => as.map((a) => a.textContent))).toEqual(["https://example.com/x?a=1&b=%3C2%3E"]);

        await page.goto(`${origin}/s/1/sitemap.xml`);
        await page.waitForSelector("table", { timeout: 30_000 });
        const indexRows = await page.$$eval("tbody tr", (trs) => trs.map((tr) => tr.querySelectorAll("td")[1]?.textContent?.trim()));
        expect(indexRows).toEqual([`${origin}/s/1/sitemap-1.xml`, `${origin}/s/1/sitemap-2.xml`]);
        expect(await page.textContent("body")).toContain("2 sitemap files");
      } finally {
        await browser.close();
        await new Promise((r) => server.close(r));
      }
    },
    120_000,
  );
});
