/**
 * Run orchestration on a real database (PGlite, and PostgreSQL when TEST_DATABASE_URL is set), crawling a small
 * site served on loopback: claim → crawl step → export step → published files, and the failure paths.
 */
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { validateXml } from "@/tests/helpers/xmllint";
import { claimRun, finishRun, getRun, toRunDto } from "@/lib/db/runs";
import { listPublishedFiles, openPublishedFile } from "@/lib/db/files";
import { crawlRun, exportFailure, exportRun, failRun } from "./execute";

vi.mock("@/lib/jobs/events", () => ({ sendGenerateRequested: vi.fn(async () => ({ ids: ["x"] })) }));
/** Journal batches written by this thread (the crawl worker's own writes, on PostgreSQL, never pass here). */
const persistedHere = vi.hoisted(() => ({ calls: 0 }));
vi.mock("@/lib/db/frontier", async (importOriginal) => {
  const real = await importOriginal<typeof import("@/lib/db/frontier")>();
  return {
    ...real,
    persistCrawlBatch: async (...args: Parameters<typeof real.persistCrawlBatch>) => {
      persistedHere.calls++;
      return real.persistCrawlBatch(...args);
    },
  };
});
const { requestRun } = await import("./request-run");

const pages: Record<string, { body: string; headers?: Record<string, string>; status?: number }> = {
  "/robots.txt": { body: "User-agent: *\nDisallow: /private/\n", headers: { "content-type": "text/plain" } },
  "/": { body: `<a href="/a">a</a><a href="/b">b</a><a href="/private/x">p</a><a href="/gone">g</a>` },
  "/a": { body: `<a href="/">home</a>`, headers: { "last-modified": "Tue, 03 Nov 2026 10:00:00 GMT" } },
  "/b": { body: `<meta name="robots" content="noindex"><a href="/c">c</a>` },
  "/c": { body: `ok` },
  "/gone": { body: "nope", status: 404 },
};
// A slow site for the cancel test: 30 pages answered after 200 ms each.
pages["/slow"] = { body: Array.from({ length: 30 }, (_, i) => `<a href="/slow/${i}">${i}</a>`).join("") };
let slowStarted: (() => void) | null = null;
let server: http.Server;
let origin = "";
let mode: "normal" | "empty" = "normal";

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url?.startsWith("/slow/")) {
      slowStarted?.();
      return void setTimeout(() => res.writeHead(200, { "content-type": "text/html" }).end("slow"), 200);
    }
    const p = mode === "empty" && req.url !== "/robots.txt" ? { body: "", status: 500 } : pages[req.url ?? ""];
    if (!p) return res.writeHead(404).end();
    res.writeHead(p.status ?? 200, { "content-type": "text/html; charset=utf-8", ...p.headers }).end(p.body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.CRAWL_ALLOW_HOSTS = new URL(origin).host;
  process.env.FILES_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "sf-files-"));
  process.env.APP_URL = "http://sitemaps.test";
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

for (const backend of testBackends()) {
  describe(`runs on ${backend.name}`, () => {
    const t = useTestDb(backend);
    let userId = "";
    let sitemapId = "";

    beforeAll(async () => {
      const user = await t.db.user.create({ data: { email: `runs-${backend.name}@example.com`, passwordHash: "x" } });
      userId = user.id;
      const sm = await t.db.sitemap.create({
        data: { userId, name: "Fixture", startUrl: `${origin}/`, fileName: "site", concurrency: 2 },
      });
      sitemapId = sm.id;
    });

    it("claims at most one active run per sitemap, even when requests race", async () => {
      const claims = await Promise.all(Array.from({ length: 8 }, () => claimRun({ sitemapId, trigger: "api" })));
      const won = claims.filter(Boolean);
      expect(won).toHaveLength(1);
      await expect(requestRun({ sitemapId, userId, trigger: "api" })).rejects.toMatchObject({ code: "conflict" });
      await finishRun(won[0]!.id, { status: "cancelled" });
      expect((await t.db.sitemap.findUnique({ where: { id: sitemapId } }))!.activeRunId).toBeNull();
    });

    it("refuses another user's sitemap (not_found) and an inactive one (conflict)", async () => {
      await expect(requestRun({ sitemapId, userId: "someone-else", trigger: "api" })).rejects.toMatchObject({ code: "not_found" });
      await t.db.sitemap.update({ where: { id: sitemapId }, data: { active: false } });
      await expect(requestRun({ sitemapId, userId, trigger: "api" })).rejects.toMatchObject({ code: "conflict" });
      await t.db.sitemap.update({ where: { id: sitemapId }, data: { active: true } });
    });

    it("crawls, exports and publishes a valid sitemap with an inventory reason for every URL left out", async () => {
      const run = await requestRun({ sitemapId, userId, trigger: "api" });
      expect(run.status).toBe("queued");
      const crawled = await crawlRun(run.id);
      expect(crawled).toMatchObject({ skipped: false, urlsListed: 3 });
      const exported = await exportRun(run.id);
      expect(exported).toMatchObject({ skipped: false, files: 1, urls: 3 });

      const done = (await getRun(run.id))!;
      expect(done.status).toBe("succeeded");
      // A succeeded run debits its crawl credits once: ceil(pages / 100), at least 1.
      const ledger = await t.db.creditEntry.findMany({ where: { runId: run.id } });
      expect(ledger.map((e) => e.delta)).toEqual([-1]);
      expect((await t.db.user.findUniqueOrThrow({ where: { id: userId } })).creditBalance).toBe(999);
      expect(done.urlsListed).toBe(3);
      expect(done.excludedByReason).toMatchObject({ robots_disallowed: 1, noindex_meta: 1, http_error: 1 });

      const inv = await t.db.runUrl.findMany({ where: { runId: run.id }, orderBy: { url: "asc" } });
      expect(inv.filter((u) => u.included).map((u) => new URL(u.url).pathname)).toEqual(["/", "/a", "/c"]);
      expect(inv.filter((u) => !u.included).every((u) => u.reason)).toBe(true);
      expect(inv.find((u) => u.url.endsWith("/a"))!.lastmod!.toISOString()).toBe("2026-11-03T10:00:00.000Z");

      const files = await listPublishedFiles({ sitemapId, userId });
      expect(files.map((f) => [f.name, f.kind, f.urlCount])).toEqual([["site.xml", "urlset", 3]]);
      const opened = (await openPublishedFile({ sitemapId, name: "site.xml" }))!;
      const xml = Buffer.from(await new Response(opened.stream).arrayBuffer()).toString("utf8");
      expect(xml).toContain(`<loc>${origin}/a</loc>`);
      expect(xml).toContain("<lastmod>2026-11-03T10:00:00Z</lastmod>");
      const tmp = path.join(os.tmpdir(), `sf-run-${backend.name}.xml`);
      fs.writeFileSync(tmp, xml);
      await validateXml(tmp, "urlset");
      expect(await openPublishedFile({ sitemapId, name: "../site.xml" })).toBeNull();
      expect(await openPublishedFile({ sitemapId, name: "site.xml", userId: "someone-else" })).toBeNull();
    });

    it(`writes the crawl's journal ${backend.name === "postgres" ? "in the crawl worker, on its own connections" : "on this thread (PGlite)"}`, async () => {
      const run = await requestRun({ sitemapId, userId, trigger: "api" });
      const before = persistedHere.calls;
      expect(await crawlRun(run.id)).toMatchObject({ skipped: false, urlsListed: 3 });
      expect(await t.db.runUrl.count({ where: { runId: run.id } })).toBe(6);
      expect((await getRun(run.id))!.pagesFetched).toBeGreaterThan(0);
      if (backend.name === "postgres") expect(persistedHere.calls - before).toBe(0);
      else expect(persistedHere.calls - before).toBeGreaterThan(0);
      await finishRun(run.id, { status: "cancelled" });
    });

    it("a cancel requested mid-crawl is seen at the next progress tick: the run ends cancelled, its frontier dropped", async () => {
      const sm = await t.db.sitemap.create({ data: { userId, name: "Slow", startUrl: `${origin}/slow`, fileName: "slow", concurrency: 2 } });
      const run = await requestRun({ sitemapId: sm.id, userId, trigger: "api" });
      const started = new Promise<void>((r) => (slowStarted = r));
      const crawling = crawlRun(run.id);
      await started;
      slowStarted = null;
      await t.db.run.update({ where: { id: run.id }, data: { cancelRequestedAt: new Date() } });
      expect(await crawling).toMatchObject({ skipped: true });
      const done = (await getRun(run.id))!;
      expect(done.status).toBe("cancelled");
      expect(done.pagesFetched).toBeLessThan(31);
      expect(await t.db.crawlFrontier.count({ where: { runId: run.id } })).toBe(0);
      expect((await t.db.sitemap.findUniqueOrThrow({ where: { id: sm.id } })).activeRunId).toBeNull();
    });

    it("a stored rule that can backtrack catastrophically fails the run with the reason, before any page is fetched", async () => {
      const sm = await t.db.sitemap.create({
        data: {
          userId,
          name: "Stored unsafe rule",
          startUrl: `${origin}/`,
          fileName: "unsafe",
          // Written straight to the database, as by a version without the input check.
          rules: [{ action: "exclude", pattern: "/blog/*", syntax: "glob" }, { action: "exclude", pattern: "(a+)+$", syntax: "regex" }],
        },
      });
      const run = await requestRun({ sitemapId: sm.id, userId, trigger: "api" });
      expect(await crawlRun(run.id)).toMatchObject({ skipped: true, pagesFetched: 0 });
      expect(await exportRun(run.id)).toMatchObject({ skipped: true });
      const failed = (await getRun(run.id))!;
      expect(failed.status).toBe("failed");
      expect(failed.error).toMatch(/^Rule 2 \(regex "\(a\+\)\+\$"\) cannot run: The regular expression can take exponential time/);
      expect(failed.pagesFetched).toBe(0);
      expect((await t.db.sitemap.findUniqueOrThrow({ where: { id: sm.id } })).activeRunId).toBeNull();
      expect(await t.db.runUrl.count({ where: { runId: run.id } })).toBe(0);
    });

    it("keeps serving the previous files when a run finds nothing to list", async () => {
      const before = await listPublishedFiles({ sitemapId, userId });
      mode = "empty";
      try {
        const run = await requestRun({ sitemapId, userId, trigger: "api" });
        const crawled = await crawlRun(run.id);
        const err = await exportRun(run.id).then(() => null, (e: unknown) => e);
        expect(err).toBeInstanceOf((await import("@/lib/sitemap/writer")).EmptySitemapError);
        // As the function does: the crawl's diagnosis replaces the writer's "empty urlset" message.
        await failRun(run.id, exportFailure(err, crawled));
        const failed = toRunDto((await getRun(run.id))!);
        expect(failed).toMatchObject({
          status: "failed",
          errorCode: "start_url_http_error",
          errorDetail: { status: 500, url: `${origin}/` },
          error: `The start URL ${origin}/ answered HTTP 500.`,
        });
        expect(failed.errorHint).toMatch(/server failed/);
      } finally {
        mode = "normal";
      }
      expect(await listPublishedFiles({ sitemapId, userId })).toEqual(before);
      const sm = await t.db.sitemap.findUnique({ where: { id: sitemapId } });
      expect(sm!.activeRunId).toBeNull();
      const dirs = fs.readdirSync(path.join(process.env.FILES_DIR!, sitemapId));
      expect(dirs.filter((d) => d.startsWith(".tmp"))).toEqual([]);
    });

    it("a failed run's cause reaches the DTO: a 404 start URL, an unresolvable host, a host not on the allow-list, everything excluded", async () => {
      const cases: { startUrl: string; code: string; detail: Record<string, unknown> }[] = [
        { startUrl: `${origin}/missing`, code: "start_url_http_error", detail: { status: 404 } },
        { startUrl: "http://no-such-host.invalid/", code: "dns_not_found", detail: { host: "no-such-host.invalid", cause: "ENOTFOUND" } },
        { startUrl: `http://127.0.0.2:${new URL(origin).port}/`, code: "blocked_by_ssrf_guard", detail: { host: "127.0.0.2" } },
        { startUrl: `${origin}/private/x`, code: "all_excluded", detail: { urlsExcluded: 1, topReasons: [{ reason: "robots_disallowed", count: 1 }] } },
      ];
      for (const c of cases) {
        const sm = await t.db.sitemap.create({ data: { userId, name: c.code, startUrl: c.startUrl, fileName: c.code, maxDepth: 0 } });
        const run = await requestRun({ sitemapId: sm.id, userId, trigger: "api" });
        const crawled = await crawlRun(run.id);
        expect(crawled.failure?.code).toBe(c.code);
        const err = await exportRun(run.id).then(() => null, (e: unknown) => e);
        await failRun(run.id, exportFailure(err, crawled));
        const dto = toRunDto((await getRun(run.id))!);
        expect(dto).toMatchObject({ status: "failed", errorCode: c.code, errorDetail: c.detail });
        expect(dto.errorHint).toBeTruthy();
        expect(dto.error).toBe(crawled.failure!.message);
        expect((await t.db.sitemap.findUniqueOrThrow({ where: { id: sm.id } })).activeRunId).toBeNull();
      }
    });

    it("a run cut short by maxPages or maxDepth succeeds with warnings; a complete one has none", async () => {
      const sm = await t.db.sitemap.create({ data: { userId, name: "Bounded", startUrl: `${origin}/`, fileName: "bounded", maxPages: 2, concurrency: 1 } });
      const run = await requestRun({ sitemapId: sm.id, userId, trigger: "api" });
      expect(await crawlRun(run.id)).toMatchObject({ warnings: ["max_pages_reached"], failure: null });
      await exportRun(run.id);
      expect(toRunDto((await getRun(run.id))!)).toMatchObject({ status: "succeeded", warnings: ["max_pages_reached"], errorCode: null });

      await t.db.sitemap.update({ where: { id: sm.id }, data: { maxPages: 100, maxDepth: 1 } });
      const deep = await requestRun({ sitemapId: sm.id, userId, trigger: "api" });
      await crawlRun(deep.id);
      await exportRun(deep.id);
      expect(toRunDto((await getRun(deep.id))!)).toMatchObject({ status: "succeeded", warnings: ["max_depth_reached"] });

      await t.db.sitemap.update({ where: { id: sm.id }, data: { maxDepth: 50 } });
      const full = await requestRun({ sitemapId: sm.id, userId, trigger: "api" });
      await crawlRun(full.id);
      await exportRun(full.id);
      expect(toRunDto((await getRun(full.id))!)).toMatchObject({ status: "succeeded", warnings: [] });
    });
  });
}
