/**
 * The URL inventory of a whole run on a real database (PGlite, and PostgreSQL when TEST_DATABASE_URL is set), crawled
 * in the worker thread from a loopback site: found on, inlinks, content type and lastmod source stored per URL, and
 * `collapseDuplicates` (`/` and `/index.html`, `/a` and `/a?page=1`) leaving one URL per cluster in the export.
 */
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { claimRun, getRun } from "@/lib/db/runs";
import { queryClusters } from "@/lib/db/run-urls";
import { crawlRun, exportRun } from "./execute";

const nav = `<a href="/index.html">Home</a> <a href="/a">A</a> <a href="/a?page=1">A, page 1</a> <a href="/b">B</a>`;
const pages: Record<string, string> = {
  "/": `<header><nav>${nav}</nav></header><main><h1>Home</h1></main>`,
  "/index.html": `<header><nav>${nav}</nav></header><main><h1>Home</h1></main>`,
  "/a": `<nav><a href="/">Up</a></nav><main><p>Alpha</p></main>`,
  "/a?page=1": `<nav><a href="/">Up</a></nav><main><p>Alpha</p></main>`,
  "/b": `<nav><a href="/">Up</a></nav><main><p>Beta</p></main>`,
};

let server: http.Server;
let origin = "";
beforeAll(async () => {
  server = http.createServer((req, res) => {
    const body = pages[req.url ?? ""];
    if (body === undefined) return res.writeHead(404, { "content-type": "text/html" }).end("<!DOCTYPE html><title>404</title>");
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(`<!DOCTYPE html><html><head><title>t</title></head><body>${body}</body></html>`);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.CRAWL_ALLOW_HOSTS = new URL(origin).host;
  process.env.FILES_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "sf-inventory-"));
  process.env.APP_URL = "http://sitemaps.test";
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

for (const backend of testBackends()) {
  describe(`run inventory on ${backend.name}`, () => {
    const t = useTestDb(backend);

    async function runOnce(collapse: boolean) {
      const user = await t.db.user.create({ data: { email: `inv-${collapse}-${backend.name}@example.com`, passwordHash: "x" } });
      const sm = await t.db.sitemap.create({
        data: { userId: user.id, name: "Inventory", startUrl: `${origin}/`, fileName: "site", concurrency: 2, collapseDuplicates: collapse },
      });
      const run = (await claimRun({ sitemapId: sm.id, trigger: "api" }))!;
      await crawlRun(run.id);
      await exportRun(run.id);
      const rows = await t.db.runUrl.findMany({ where: { runId: run.id } });
      const by = new Map(rows.map((u) => [u.url.slice(origin.length), u]));
      const xml = fs.readFileSync(path.join(process.env.FILES_DIR!, sm.id, run.id, "site.xml"), "utf8");
      return { run: (await getRun(run.id))!, by, xml };
    }

    it("stores found on, inlinks (distinct linking pages, final counts), content type and lastmod source", async () => {
      const { by, run } = await runOnce(false);
      expect(run.status).toBe("succeeded");
      const pick = (p: string) => {
        const u = by.get(p)!;
        return { foundOn: u.foundOn?.slice(origin.length) ?? null, inlinks: u.inlinks, included: u.included };
      };
      expect(pick("/")).toEqual({ foundOn: null, inlinks: 3, included: true }); // /a, /a?page=1, /b (the nav names /index.html)
      expect(pick("/index.html")).toEqual({ foundOn: "/", inlinks: 1, included: true });
      expect(pick("/a")).toEqual({ foundOn: "/", inlinks: 2, included: true });
      expect(pick("/a?page=1")).toEqual({ foundOn: "/", inlinks: 2, included: true });
      expect(by.get("/b")).toMatchObject({ contentType: "text/html", lastmodSource: "content" });
      const clusters = await queryClusters({ runId: run.id, sort: "size", dir: "desc", after: null, sizeWhere: [], take: 10 });
      expect(clusters.map((c) => [c.size, c.listed, c.kept.slice(origin.length)]).sort()).toEqual([
        [2, 2, "/"],
        [2, 2, "/a"],
      ]);
    });

    it("collapseDuplicates lists one URL per cluster (most inlinks, then shortest) and leaves the others out as duplicate", async () => {
      const { by, run, xml } = await runOnce(true);
      expect(run.status).toBe("succeeded");
      expect(by.get("/index.html")).toMatchObject({ included: false, reason: "duplicate", target: `${origin}/` });
      expect(by.get("/a?page=1")).toMatchObject({ included: false, reason: "duplicate", target: `${origin}/a` });
      expect([...by.values()].filter((u) => u.included).map((u) => u.url.slice(origin.length)).sort()).toEqual(["/", "/a", "/b"]);
      expect(run.urlsListed).toBe(3);
      expect((run.excludedByReason as Record<string, number>).duplicate).toBe(2);
      expect(xml).not.toContain("index.html");
      expect(xml).not.toContain("page=1");
      expect(xml).toContain(`<loc>${origin}/a</loc>`);
    });
  });
}
