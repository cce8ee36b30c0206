/**
 * Pushed URLs: POST/GET/DELETE /api/v1/sitemaps/{id}/urls and DELETE …/urls/{urlId}, and how the export merges them
 * with a run's crawl inventory (order, no duplicate <loc>, pushed values on crawled URLs, crawl exclusions win,
 * output options, byte-determinism), validated with xmllint.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

vi.mock("next-auth", async (orig) => ({ ...(await orig<typeof import("next-auth")>()), getServerSession: vi.fn(async () => null) }));

import { POST as create } from "@/app/api/v1/sitemaps/route";
import { DELETE as removeMany, GET as listUrls, PATCH as patchUrls, POST as push } from "@/app/api/v1/sitemaps/[id]/urls/route";
import { DELETE as removeOne, GET as getOne } from "@/app/api/v1/sitemaps/[id]/urls/[urlId]/route";
import { openPublishedFile } from "@/lib/db/files";
import { exportRun } from "@/lib/runs/execute";
import { ZSitemapUrlDto } from "@/lib/schemas/urls";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { validateXml } from "@/tests/helpers/xmllint";
import { ctx, expectError, expectRateLimitHeaders, mockSession, req, seedUser, sitemapBody } from "./helpers";

afterEach(() => mockSession(null));
beforeAll(() => {
  process.env.FILES_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "sf-urls-"));
  process.env.APP_URL = "http://sitemaps.test";
});

const ORIGIN = "https://shop.example";

for (const backend of testBackends()) {
  describe(`pushed URLs on ${backend.name}`, () => {
    const t = useTestDb(backend);
    let alice: Awaited<ReturnType<typeof seedUser>>;
    let bob: Awaited<ReturnType<typeof seedUser>>;
    beforeAll(async () => {
      bob = await seedUser();
    });
    // A fresh account per test: the per-minute limit of one key would otherwise cut the suite short.
    beforeEach(async () => {
      alice = await seedUser();
    });
    const newSitemap = async (over: Record<string, unknown> = {}, key = alice.key) =>
      (await (await create(req("POST", "/api/v1/sitemaps", { key, body: sitemapBody({ startUrl: `${ORIGIN}/`, ...over }) }), ctx())).json()).data as {
        id: string;
        fileName: string;
      };
    const pushTo = (id: string, body: unknown, key = alice.key) => push(req("POST", `/api/v1/sitemaps/${id}/urls`, { key, body }), ctx({ id }));
    const listOf = async (id: string, qs = "", key = alice.key) => {
      const res = await listUrls(req("GET", `/api/v1/sitemaps/${id}/urls?${qs}`, { key }), ctx({ id }));
      expect(res.status).toBe(200);
      return (await res.json()) as { data: { id: string | null; url: string; source: string; priority: number | null }[]; next_cursor: string | null };
    };

    it("POST one URL → 201 with the stored URL (normalised); a re-push replaces its values → 200", async () => {
      const sm = await newSitemap();
      const res = await pushTo(sm.id, { url: `${ORIGIN}/a#frag`, priority: 0.8, changefreq: "daily", lastmod: "2030-01-02" });
      expect(res.status).toBe(201);
      expectRateLimitHeaders(res);
      const dto = ZSitemapUrlDto.strict().parse((await res.json()).data);
      expect(dto).toMatchObject({ url: `${ORIGIN}/a`, priority: 0.8, changefreq: "daily", lastmod: "2030-01-02T00:00:00.000Z", source: "api", depth: null });
      const again = await pushTo(sm.id, { url: `${ORIGIN}/a`, priority: null });
      expect(again.status).toBe(200);
      expect((await again.json()).data).toMatchObject({ id: dto.id, priority: null, changefreq: null, lastmod: null });
      expect(await t.db.sitemapUrl.count({ where: { sitemapId: sm.id } })).toBe(1);
    });

    it("POST bulk → counts; duplicates in one request are one row", async () => {
      const sm = await newSitemap();
      await pushTo(sm.id, { url: `${ORIGIN}/x` });
      const urls = Array.from({ length: 50 }, (_, i) => ({ url: `${ORIGIN}/p/${i}`, priority: i / 100 }));
      const res = await pushTo(sm.id, { urls: [...urls, { url: `${ORIGIN}/x`, changefreq: "weekly" }, { url: `${ORIGIN}/p/0` }] });
      expect(res.status).toBe(200);
      expect((await res.json()).data).toEqual({ received: 52, created: 50, updated: 1 });
      expect(await t.db.sitemapUrl.count({ where: { sitemapId: sm.id } })).toBe(51);
    });

    it("POST bulk of 10,000 URLs is accepted; 10,001 is 422", async () => {
      const sm = await newSitemap();
      const urls = Array.from({ length: 10_000 }, (_, i) => ({ url: `${ORIGIN}/bulk/${i}` }));
      const res = await pushTo(sm.id, { urls });
      expect((await res.json()).data).toEqual({ received: 10_000, created: 10_000, updated: 0 });
      await expectError(await pushTo(sm.id, { urls: [...urls, { url: `${ORIGIN}/one-more` }] }), 422, "invalid_value", "urls");
    }, 60_000);

    it("a bulk push over 1 MiB works with Idempotency-Key (replayed once stored); over 8 MiB is 413", async () => {
      const sm = await newSitemap();
      const urls = Array.from({ length: 8_000 }, (_, i) => ({ url: `${ORIGIN}/long/${"x".repeat(150)}/${i}`, priority: 0.5 }));
      expect(JSON.stringify({ urls }).length).toBeGreaterThan(1024 * 1024);
      const call = () => push(req("POST", `/api/v1/sitemaps/${sm.id}/urls`, { key: alice.key, body: { urls }, headers: { "idempotency-key": `bulk-${sm.id}` } }), ctx({ id: sm.id }));
      const first = await call();
      expect((await first.json()).data).toEqual({ received: 8_000, created: 8_000, updated: 0 });
      const again = await call();
      expect(again.headers.get("idempotent-replayed")).toBe("true");
      expect((await again.json()).data).toEqual({ received: 8_000, created: 8_000, updated: 0 });
      const huge = JSON.stringify({ urls: [{ url: `${ORIGIN}/${"y".repeat(9 * 1024 * 1024)}` }] });
      await expectError(await push(req("POST", `/api/v1/sitemaps/${sm.id}/urls`, { key: alice.key, raw: huge, headers: { "content-type": "application/json" } }), ctx({ id: sm.id })), 413, "payload_too_large");
    }, 60_000);

    const bad: [string, unknown, number, string, string | undefined][] = [
      ["another origin", { url: "https://other.example/a" }, 422, "invalid_value", "url"],
      ["another scheme", { url: "http://shop.example/a" }, 422, "invalid_value", "url"],
      ["a relative URL", { url: "/a" }, 422, "invalid_value", "url"],
      ["an ftp URL", { url: "ftp://shop.example/a" }, 422, "invalid_value", "url"],
      ["bulk with one bad URL at index 2", { urls: [{ url: `${ORIGIN}/1` }, { url: `${ORIGIN}/2` }, { url: "https://evil.example/" }] }, 422, "invalid_value", "urls.2.url"],
      ["priority 2", { url: `${ORIGIN}/a`, priority: 2 }, 422, "invalid_value", "priority"],
      ["bad changefreq", { url: `${ORIGIN}/a`, changefreq: "sometimes" }, 422, "invalid_value", "changefreq"],
      ["bad lastmod", { url: `${ORIGIN}/a`, lastmod: "yesterday" }, 422, "invalid_format", "lastmod"],
      ["missing url", { priority: 0.5 }, 422, "missing", "url"],
      ["unknown field", { url: `${ORIGIN}/a`, weight: 1 }, 422, "unknown_field", "weight"],
      ["empty bulk", { urls: [] }, 422, "invalid_value", "urls"],
    ];
    for (const [name, body, st, code, field] of bad) {
      it(`POST ${st} ${code} on ${name}; nothing written`, async () => {
        const sm = await newSitemap();
        await expectError(await pushTo(sm.id, body), st, code, field);
        expect(await t.db.sitemapUrl.count({ where: { sitemapId: sm.id } })).toBe(0);
      });
    }

    it("POST 404 on another account's sitemap, 415 without JSON, 400 on broken JSON", async () => {
      const sm = await newSitemap();
      await expectError(await pushTo(sm.id, { url: `${ORIGIN}/a` }, bob.key), 404, "not_found");
      await expectError(await push(req("POST", `/api/v1/sitemaps/${sm.id}/urls`, { key: alice.key, raw: "url=x", headers: { "content-type": "text/plain" } }), ctx({ id: sm.id })), 415, "unsupported_media_type");
      await expectError(await push(req("POST", `/api/v1/sitemaps/${sm.id}/urls`, { key: alice.key, raw: "{", headers: { "content-type": "application/json" } }), ctx({ id: sm.id })), 400, "syntax_error");
      expect(await t.db.sitemapUrl.count({ where: { sitemapId: sm.id } })).toBe(0);
    });

    it("GET lists pushed URLs with their source (grammar: filter, sort, pages); 400 on grammar errors; 404 for others", async () => {
      const sm = await newSitemap();
      await pushTo(sm.id, { urls: [{ url: `${ORIGIN}/c`, priority: 0.1 }, { url: `${ORIGIN}/a`, priority: 0.9 }, { url: `${ORIGIN}/b` }] });
      await t.db.sitemapUrl.create({ data: { sitemapId: sm.id, url: `${ORIGIN}/d`, source: "compat" } });
      const all = await listOf(sm.id);
      expect(all.data.map((u) => [u.url.slice(ORIGIN.length), u.source])).toEqual([["/a", "api"], ["/b", "api"], ["/c", "api"], ["/d", "compat"]]);
      expect((await listOf(sm.id, "filter[source]=compat")).data.map((u) => u.url)).toEqual([`${ORIGIN}/d`]);
      expect((await listOf(sm.id, "sort=priority:desc")).data.map((u) => u.url.slice(ORIGIN.length))).toEqual(["/a", "/c", "/b", "/d"]);
      const p1 = await listOf(sm.id, "size=3");
      const p2 = await listOf(sm.id, `size=3&cursor=${p1.next_cursor}`);
      expect([...p1.data, ...p2.data].map((u) => u.url)).toEqual(all.data.map((u) => u.url));
      expect(p2.next_cursor).toBeNull();
      await expectError(await listUrls(req("GET", `/api/v1/sitemaps/${sm.id}/urls?filter[colour]=x`, { key: alice.key }), ctx({ id: sm.id })), 400, "unknown_field", "colour");
      await expectError(await listUrls(req("GET", `/api/v1/sitemaps/${sm.id}/urls?source=elsewhere`, { key: alice.key }), ctx({ id: sm.id })), 400, "invalid_value", "source");
      await expectError(await listUrls(req("GET", `/api/v1/sitemaps/${sm.id}/urls`, { key: bob.key }), ctx({ id: sm.id })), 404, "not_found");
    });

    it("GET ?source=crawl lists the published run's listed URLs (empty before any publish)", async () => {
      const sm = await newSitemap();
      expect((await listOf(sm.id, "source=crawl")).data).toEqual([]);
      const run = await t.db.run.create({ data: { sitemapId: sm.id, trigger: "api", status: "succeeded" } });
      await t.db.runUrl.createMany({
        data: [
          { runId: run.id, url: `${ORIGIN}/`, included: true, depth: 0 },
          { runId: run.id, url: `${ORIGIN}/x`, included: true, depth: 1, lastmod: new Date("2030-01-01") },
          { runId: run.id, url: `${ORIGIN}/no`, included: false, reason: "noindex", depth: 1 },
        ],
      });
      await t.db.sitemap.update({ where: { id: sm.id }, data: { publishedRunId: run.id } });
      const r = await listOf(sm.id, "source=crawl&size=1");
      expect(r.data).toEqual([{ id: null, url: `${ORIGIN}/`, priority: null, changefreq: null, lastmod: null, source: "crawl", depth: 0, createdAt: null, updatedAt: null }]);
      const r2 = await listOf(sm.id, `source=crawl&size=1&cursor=${r.next_cursor}`);
      expect(r2.data.map((u) => u.url)).toEqual([`${ORIGIN}/x`]);
      expect(r2.next_cursor).toBeNull();
      expect((await listOf(sm.id, "source=crawl&filter[depth][gte]=1")).data.map((u) => u.url)).toEqual([`${ORIGIN}/x`]);
    });

    it("DELETE /urls/{urlId} → 204 then 404; another account's → 404; 405 on GET", async () => {
      const sm = await newSitemap();
      const id = (await (await pushTo(sm.id, { url: `${ORIGIN}/a` })).json()).data.id;
      await expectError(await removeOne(req("DELETE", `/api/v1/sitemaps/${sm.id}/urls/${id}`, { key: bob.key }), ctx({ id: sm.id, urlId: id })), 404, "not_found");
      const res = await removeOne(req("DELETE", `/api/v1/sitemaps/${sm.id}/urls/${id}`, { key: alice.key }), ctx({ id: sm.id, urlId: id }));
      expect(res.status).toBe(204);
      await expectError(await removeOne(req("DELETE", `/api/v1/sitemaps/${sm.id}/urls/${id}`, { key: alice.key }), ctx({ id: sm.id, urlId: id })), 404, "not_found");
      await expectError(await getOne(req("GET", `/api/v1/sitemaps/${sm.id}/urls/${id}`, { key: alice.key }), ctx({ id: sm.id, urlId: id })), 405, "method_not_allowed");
    });

    it("DELETE /urls?url= (repeatable) and with a body; 404 when none matched; 422 without URLs; 405 on PATCH", async () => {
      const sm = await newSitemap();
      await pushTo(sm.id, { urls: [{ url: `${ORIGIN}/a` }, { url: `${ORIGIN}/b` }, { url: `${ORIGIN}/c` }, { url: `${ORIGIN}/d` }] });
      const q = `url=${encodeURIComponent(`${ORIGIN}/a#x`)}&url=${encodeURIComponent(`${ORIGIN}/b`)}`;
      const r1 = await removeMany(req("DELETE", `/api/v1/sitemaps/${sm.id}/urls?${q}`, { key: alice.key }), ctx({ id: sm.id }));
      expect((await r1.json()).data).toEqual({ deleted: 2 });
      const r2 = await removeMany(req("DELETE", `/api/v1/sitemaps/${sm.id}/urls`, { key: alice.key, body: { urls: [`${ORIGIN}/c`] } }), ctx({ id: sm.id }));
      expect((await r2.json()).data).toEqual({ deleted: 1 });
      expect((await listOf(sm.id)).data.map((u) => u.url)).toEqual([`${ORIGIN}/d`]);
      await expectError(await removeMany(req("DELETE", `/api/v1/sitemaps/${sm.id}/urls?url=${encodeURIComponent(`${ORIGIN}/zzz`)}`, { key: alice.key }), ctx({ id: sm.id })), 404, "not_found");
      await expectError(await removeMany(req("DELETE", `/api/v1/sitemaps/${sm.id}/urls`, { key: alice.key }), ctx({ id: sm.id })), 422, "missing", "url");
      await expectError(await removeMany(req("DELETE", `/api/v1/sitemaps/${sm.id}/urls`, { key: alice.key, body: { urls: [] } }), ctx({ id: sm.id })), 422, "invalid_value", "urls");
      await expectError(await removeMany(req("DELETE", `/api/v1/sitemaps/${sm.id}/urls?url=x`, { key: bob.key }), ctx({ id: sm.id })), 404, "not_found");
      await expectError(await patchUrls(req("PATCH", `/api/v1/sitemaps/${sm.id}/urls`, { key: alice.key }), ctx({ id: sm.id })), 405, "method_not_allowed");
    });

    describe("export merges pushed URLs with the crawl inventory", () => {
      let k = ""; // a key of its own: the per-minute limit
      beforeAll(async () => {
        k = (await seedUser()).key;
      });
      /** A running run with this inventory, exported; returns the published urlset's text. */
      const exportWith = async (sitemapId: string, fileName: string, inventory: { url: string; included: boolean; depth?: number; lastmod?: Date; reason?: string }[]) => {
        const run = await t.db.run.create({ data: { sitemapId, trigger: "api", status: "running", startedAt: new Date("2030-01-01") } });
        await t.db.runUrl.createMany({ data: inventory.map((u) => ({ runId: run.id, depth: 0, ...u })) });
        await t.db.sitemap.update({ where: { id: sitemapId }, data: { activeRunId: run.id } });
        const r = await exportRun(run.id);
        expect(r.skipped).toBe(false);
        const opened = (await openPublishedFile({ sitemapId, name: `${fileName}.xml` }))!;
        const xml = Buffer.from(await new Response(opened.stream).arrayBuffer()).toString("utf8");
        const tmp = path.join(os.tmpdir(), `sf-urls-${backend.name}-${run.id}.xml`);
        fs.writeFileSync(tmp, xml);
        await validateXml(tmp, "urlset");
        return { xml, runId: run.id };
      };
      const locs = (xml: string) => [...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1].slice(ORIGIN.length));
      const entry = (xml: string, p: string) => xml.split("<url>").find((u) => u.includes(`<loc>${ORIGIN}${p}</loc>`)) ?? "";

      const inventory = [
        { url: `${ORIGIN}/`, included: true, depth: 0, lastmod: new Date("2030-01-01T00:00:00Z") },
        { url: `${ORIGIN}/b`, included: true, depth: 1, lastmod: new Date("2030-01-03T00:00:00Z") },
        { url: `${ORIGIN}/d`, included: true, depth: 2 },
        { url: `${ORIGIN}/noindex`, included: false, depth: 1, reason: "noindex" },
      ];

      it("URL order, one <loc> each, pushed values on crawled URLs, crawl exclusions win, pushed-only kept; deterministic", async () => {
        const sm = await newSitemap({}, k);
        await pushTo(sm.id, {
          urls: [
            { url: `${ORIGIN}/b`, priority: 0.9, changefreq: "daily", lastmod: "2000-01-01" },
            { url: `${ORIGIN}/c`, priority: 0.3, lastmod: "2030-02-01T10:00:00Z" },
            { url: `${ORIGIN}/noindex`, priority: 1 },
            { url: `${ORIGIN}/z` },
          ],
        }, k);
        const { xml } = await exportWith(sm.id, sm.fileName, inventory);
        expect(locs(xml)).toEqual(["/", "/b", "/c", "/d", "/z"]);
        expect(entry(xml, "/b")).toContain("<priority>0.9</priority>");
        expect(entry(xml, "/b")).toContain("<changefreq>daily</changefreq>");
        expect(entry(xml, "/b")).toContain("<lastmod>2030-01-03"); // the crawl's lastmod, not the pushed one
        expect(entry(xml, "/c")).toContain("<lastmod>2030-02-01T10:00:00Z</lastmod>");
        expect(entry(xml, "/c")).toContain("<priority>0.3</priority>");
        expect(entry(xml, "/d")).not.toContain("<priority>"); // priorityMode off
        expect(xml).not.toContain("/noindex<");
        // the same inventory and pushed URLs give the same bytes
        const again = await exportWith(sm.id, sm.fileName, inventory);
        expect(again.xml).toBe(xml);
      });

      it("output options: fixed / depth priority, default changefreq, lastmod off", async () => {
        const fixed = await newSitemap({ output: { priorityMode: "fixed", defaultPriority: 0.6, defaultChangefreq: "monthly" } }, k);
        await pushTo(fixed.id, { url: `${ORIGIN}/p`, priority: 0.2 }, k);
        const a = await exportWith(fixed.id, fixed.fileName, inventory);
        expect(entry(a.xml, "/d")).toContain("<priority>0.6</priority>");
        expect(entry(a.xml, "/d")).toContain("<changefreq>monthly</changefreq>");
        expect(entry(a.xml, "/p")).toContain("<priority>0.2</priority>");

        const depth = await newSitemap({ output: { priorityMode: "depth", lastmod: false } }, k);
        const b = await exportWith(depth.id, depth.fileName, inventory);
        expect(entry(b.xml, "/")).toContain("<priority>1.0</priority>");
        expect(entry(b.xml, "/b")).toContain("<priority>0.9</priority>");
        expect(entry(b.xml, "/d")).toContain("<priority>0.8</priority>");
        expect(b.xml).not.toContain("<lastmod>");
        expect(b.xml).not.toContain("<changefreq>");
      });

      it("lastmodSource server uses the page's Last-Modified header as last seen", async () => {
        const sm = await newSitemap({ output: { lastmodSource: "server" } }, k);
        await t.db.pageState.create({
          data: { sitemapId: sm.id, url: `${ORIGIN}/d`, contentHash: "h", hashFirstSeenAt: new Date("2029-01-01"), lastModified: "Tue, 03 Nov 2026 10:00:00 GMT" },
        });
        const { xml } = await exportWith(sm.id, sm.fileName, inventory);
        expect(entry(xml, "/d")).toContain("<lastmod>2026-11-03T10:00:00Z</lastmod>");
        expect(entry(xml, "/b")).not.toContain("<lastmod>"); // no header known: none (not the content date)
      });
    });
  });
}
