/**
 * Incremental runs on a real database (PGlite, and PostgreSQL when TEST_DATABASE_URL is set), against a small site on
 * loopback whose pages can be edited between runs and whose server honours If-None-Match / If-Modified-Since:
 * - truthful lastmod: the time a page's main-content hash was first seen (or its Last-Modified on first sight);
 *   unchanged content keeps its lastmod and the published files stay byte-identical; a nav/footer edit moves nothing;
 * - conditional requests: unchanged pages come back 304 and are replayed from their snapshot (links and extension
 *   data included), counted at the server;
 * - the run diff: added, removed, changed URLs stored as RunChange rows and counts on the run.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { validateXml } from "@/tests/helpers/xmllint";
import { claimRun, getRun, toRunDto } from "@/lib/db/runs";
import { listPublishedFiles } from "@/lib/db/files";
import { expandSnapshot } from "@/lib/db/page-state";
import { crawlRun, exportRun } from "./execute";

type PageSpec = { nav?: string; main: string; footer?: string; etag?: boolean; lastModified?: string; status?: number };
const site: Record<string, PageSpec> = {};
const hits: { path: string; status: number; conditional: boolean }[] = [];

const html = (p: PageSpec) =>
  `<!DOCTYPE html><html><head><title>t</title></head><body><header><nav>${p.nav ?? ""}</nav></header>` +
  `<main>${p.main}</main><footer>${p.footer ?? "© 2026"}</footer></body></html>`;

function resetSite() {
  for (const k of Object.keys(site)) delete site[k];
  Object.assign(site, {
    "/": { nav: `<a href="/a">A</a> <a href="/b">B</a> <a href="/c">C</a>`, main: "<h1>Home</h1><p>Welcome</p>", etag: true },
    // /deep is linked from /a only: after a 304 on /a, it is found through /a's snapshot alone.
    "/a": { main: `<p>Alpha</p><img src="/img/a.png"><a href="/deep">deeper</a>`, etag: true },
    // No ETag: revalidated with If-Modified-Since.
    "/b": { main: "<p>Beta</p>", lastModified: "Tue, 03 Nov 2026 10:00:00 GMT" },
    // No validator at all: always fetched in full.
    "/c": { main: "<p>Gamma</p>" },
    "/deep": { main: "<p>Deep v1</p>", etag: true },
  } satisfies Record<string, PageSpec>);
}

let server: http.Server;
let origin = "";

beforeAll(async () => {
  resetSite();
  server = http.createServer((req, res) => {
    const p = site[req.url ?? ""];
    const conditional = !!(req.headers["if-none-match"] || req.headers["if-modified-since"]);
    const answer = (status: number, headers: Record<string, string>, body?: string) => {
      hits.push({ path: req.url ?? "", status, conditional });
      res.writeHead(status, headers).end(body);
    };
    if (!p || p.status === 404) return answer(404, { "content-type": "text/html" }, "<!DOCTYPE html><title>404</title>");
    const body = html(p);
    const headers: Record<string, string> = { "content-type": "text/html; charset=utf-8" };
    if (p.etag) headers.etag = `"${createHash("sha1").update(body).digest("hex")}"`;
    if (p.lastModified) headers["last-modified"] = p.lastModified;
    // RFC 9110 §13.1.2/§13.1.3: If-None-Match wins over If-Modified-Since when both are present.
    const inm = req.headers["if-none-match"];
    const ims = req.headers["if-modified-since"];
    if (inm !== undefined ? p.etag && inm === headers.etag : ims && p.lastModified && Date.parse(p.lastModified) <= Date.parse(ims)) {
      return answer(304, { ...(headers.etag ? { etag: headers.etag } : {}) });
    }
    answer(200, headers, body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.CRAWL_ALLOW_HOSTS = new URL(origin).host;
  process.env.FILES_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "sf-incr-"));
  process.env.APP_URL = "http://sitemaps.test";
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const T1 = Date.parse("2026-11-20T08:00:00Z");
const T2 = Date.parse("2026-11-21T08:00:00Z");
const T3 = Date.parse("2026-11-22T08:00:00Z");
const T4 = Date.parse("2026-11-23T08:00:00Z");

for (const backend of testBackends()) {
  describe(`incremental runs on ${backend.name}`, () => {
    const t = useTestDb(backend);
    let sitemapId = "";
    beforeAll(async () => {
      resetSite();
      const user = await t.db.user.create({ data: { email: `incr-${backend.name}@example.com`, passwordHash: "x" } });
      const sm = await t.db.sitemap.create({
        data: { userId: user.id, name: "Incremental", startUrl: `${origin}/`, fileName: "site", concurrency: 2 },
      });
      sitemapId = sm.id;
    });

    /** One whole run at clock `at`; returns the run, its inventory by path, the server's answers and the files. */
    async function runAt(at: number) {
      hits.length = 0;
      const run = (await claimRun({ sitemapId, trigger: "api" }))!;
      const crawled = await crawlRun(run.id, { journal: { now: () => at + 1234 } });
      await exportRun(run.id);
      const inv = await t.db.runUrl.findMany({ where: { runId: run.id }, orderBy: { url: "asc" } });
      const byPath = new Map(inv.map((u) => [new URL(u.url).pathname, u]));
      const files = new Map<string, Buffer>();
      for (const f of await t.db.sitemapFile.findMany({ where: { runId: run.id } })) {
        files.set(f.name, fs.readFileSync(path.join(process.env.FILES_DIR!, sitemapId, run.id, f.name)));
      }
      const answers = (p: string) => hits.filter((h) => h.path === p).map((h) => h.status);
      return { run: (await getRun(run.id))!, crawled, byPath, files, answers, lastmod: (p: string) => byPath.get(p)?.lastmod?.toISOString() ?? null };
    }

    let r1: Awaited<ReturnType<typeof runAt>>;
    let r2: Awaited<ReturnType<typeof runAt>>;

    it("run 1: lastmod is the first-seen time of the content hash, or Last-Modified when the server sends one", async () => {
      r1 = await runAt(T1);
      expect(r1.run.status).toBe("succeeded");
      expect([...r1.byPath.keys()].filter((p) => r1.byPath.get(p)!.included).sort()).toEqual(["/", "/a", "/b", "/c", "/deep"]);
      expect(r1.lastmod("/")).toBe("2026-11-20T08:00:01.000Z"); // whole seconds
      expect(r1.lastmod("/a")).toBe("2026-11-20T08:00:01.000Z");
      expect(r1.lastmod("/b")).toBe("2026-11-03T10:00:00.000Z"); // the header, older than our first visit
      expect(r1.byPath.get("/a")!.contentHash).toMatch(/^[0-9a-f]{64}$/);
      // Nothing to revalidate on a first run: plain GETs only.
      expect(hits.filter((h) => h.conditional)).toEqual([]);
      const xml = r1.files.get("site.xml")!.toString("utf8");
      expect(xml).toContain(`<loc>${origin}/a</loc><lastmod>2026-11-20T08:00:01Z</lastmod>`);
      expect(xml).toContain(`<image:loc>${origin}/img/a.png</image:loc>`);
      const tmp = path.join(os.tmpdir(), `sf-incr-${backend.name}.xml`);
      fs.writeFileSync(tmp, xml);
      await validateXml(tmp, "urlset");
      // A first run lists everything as added.
      expect(toRunDto(r1.run).diff).toEqual({ added: 5, removed: 0, changed: 0 });
    });

    it("run 2 over unchanged content: 304 for every page with a validator, same lastmod, byte-identical files", async () => {
      r2 = await runAt(T2);
      expect(r2.answers("/")).toEqual([304]);
      expect(r2.answers("/a")).toEqual([304]);
      expect(r2.answers("/b")).toEqual([304]); // If-Modified-Since
      expect(r2.answers("/deep")).toEqual([304]); // found through /a's snapshot
      expect(r2.answers("/c")).toEqual([200]); // no validator: fetched in full
      for (const p of ["/", "/a", "/b", "/c", "/deep"]) expect(r2.lastmod(p)).toBe(r1.lastmod(p));
      expect(r2.byPath.get("/a")!.data).toEqual(r1.byPath.get("/a")!.data); // extension data replayed
      expect([...r2.files.keys()]).toEqual([...r1.files.keys()]);
      for (const [name, bytes] of r1.files) expect(r2.files.get(name)!.equals(bytes), name).toBe(true);
      expect(toRunDto(r2.run).diff).toEqual({ added: 0, removed: 0, changed: 0 });
      expect(await t.db.runChange.count({ where: { runId: r2.run.id } })).toBe(0);
    });

    it("run 3: a nav/footer edit moves no lastmod; a main-content edit moves only that page's lastmod", async () => {
      site["/a"] = { ...site["/a"], nav: "<a href='/'>Home</a> new menu" };
      site["/c"] = { ...site["/c"], footer: "© 2027 new footer" };
      site["/deep"] = { ...site["/deep"], main: "<p>Deep v2</p>" };
      const r3 = await runAt(T3);
      expect(r3.answers("/a")).toEqual([200]); // the bytes changed, so the ETag did
      expect(r3.answers("/deep")).toEqual([200]);
      expect(r3.answers("/")).toEqual([304]);
      expect(r3.lastmod("/deep")).toBe("2026-11-22T08:00:01.000Z");
      for (const p of ["/", "/a", "/b", "/c"]) expect(r3.lastmod(p), p).toBe(r1.lastmod(p));
      expect(toRunDto(r3.run).diff).toEqual({ added: 0, removed: 0, changed: 1 });
      const changes = await t.db.runChange.findMany({ where: { runId: r3.run.id } });
      expect(changes.map((c) => [new URL(c.url).pathname, c.kind])).toEqual([["/deep", "changed"]]);
      // The sitemap moved for /deep only.
      const before = r2.files.get("site.xml")!.toString("utf8").split("\n");
      const after = r3.files.get("site.xml")!.toString("utf8").split("\n");
      expect(after.filter((l, i) => l !== before[i])).toEqual([
        `<url><loc>${origin}/deep</loc><lastmod>2026-11-22T08:00:01Z</lastmod></url>`,
      ]);
    });

    it("run 4: a page gone (404) is removed, a new page is added; both stored as changes and counted", async () => {
      site["/c"] = { ...site["/c"], status: 404 };
      site["/"] = { ...site["/"], nav: `${site["/"].nav} <a href="/new">New</a>` };
      site["/new"] = { main: "<p>Brand new</p>", etag: true };
      const r4 = await runAt(T4);
      expect(toRunDto(r4.run).diff).toEqual({ added: 1, removed: 1, changed: 0 });
      const changes = await t.db.runChange.findMany({ where: { runId: r4.run.id }, orderBy: { url: "asc" } });
      expect(changes.map((c) => [new URL(c.url).pathname, c.kind])).toEqual([
        ["/c", "removed"],
        ["/new", "added"],
      ]);
      expect(r4.lastmod("/new")).toBe("2026-11-23T08:00:01.000Z");
      expect(r4.crawled.diff).toEqual({ added: 1, removed: 1, changed: 0 });
      expect((await listPublishedFiles({ sitemapId, userId: (await t.db.sitemap.findUnique({ where: { id: sitemapId } }))!.userId }))[0].runId).toBe(r4.run.id);
    });

    it("run 5: after a settings change that shapes snapshots (image extraction), pages are fetched in full once", async () => {
      await t.db.sitemap.update({ where: { id: sitemapId }, data: { images: false } });
      const r5 = await runAt(T4 + 86_400_000);
      expect(r5.answers("/a")).toEqual([200]);
      expect(r5.answers("/")).toEqual([200]);
      expect(r5.byPath.get("/a")!.data ?? null).toEqual(null);
      expect(r5.lastmod("/a")).toBe(r1.lastmod("/a")); // same content: same lastmod
      const r6 = await runAt(T4 + 2 * 86_400_000);
      expect(r6.answers("/a")).toEqual([304]);
      await t.db.sitemap.update({ where: { id: sitemapId }, data: { images: true } });
    });

    it("PageState keeps one row per page with validators and a replayable snapshot; a page gone for 3 runs is pruned", async () => {
      const states = await t.db.pageState.findMany({ where: { sitemapId }, orderBy: { url: "asc" } });
      // /c answered 404 in runs 4, 5 and 6: the export of run 6 forgot it; every page still on the site is kept.
      expect(states.map((s) => new URL(s.url).pathname)).toEqual(["/", "/a", "/b", "/deep", "/new"]);
      const a = states.find((s) => s.url === `${origin}/a`)!;
      expect(a.etag).toMatch(/^"[0-9a-f]{40}"$/);
      // Stored compactly (links as URLs, lib/db/page-state.ts CompactSnapshot), replayed as the crawler's snapshot.
      expect(a.snapshot).toMatchObject({ links: expect.arrayContaining([`${origin}/deep`]) });
      expect(expandSnapshot(a.snapshot)).toMatchObject({
        status: 200,
        included: true,
        settings: expect.stringMatching(/^[0-9a-f]{16}$/),
        links: expect.arrayContaining([{ url: `${origin}/deep`, nofollow: false }]),
      });
      const b = states.find((s) => s.url === `${origin}/b`)!;
      expect(b.lastModified).toBe("Tue, 03 Nov 2026 10:00:00 GMT");
      expect(b.hashFirstSeenAt.toISOString()).toBe("2026-11-03T10:00:00.000Z");
    });
  });
}
