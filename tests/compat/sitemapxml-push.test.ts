/**
 * POST /v1/sitemaps/:id/urls end to end (Sitemap.xml API reference: "URL added and scheduled for indexing"): the real
 * routes and the real Inngest functions (generate-sitemap, export-sitemap) driven by the local runner, a loopback site
 * that logs every request, on PGlite and PostgreSQL. A pushed URL is in the published file within seconds, by an
 * export-only run that fetches nothing; a burst of pushes shares one or two exports; a push that duplicates a crawled
 * URL does not duplicate its <loc>; a push during a crawl is published by that crawl or an export right after it; the
 * files are valid against the sitemaps.org XSD (xmllint).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next-auth", async (orig) => ({ ...(await orig<typeof import("next-auth")>()), getServerSession: vi.fn(async () => null) }));

import { GET as publicFile } from "@/app/s/[sitemapId]/[name]/route";
import { GET as listSx, POST as createSx } from "@/app/v1/sitemaps/route";
import { POST as generateSx } from "@/app/v1/sitemaps/generate/route";
import { POST as addUrl } from "@/app/v1/sitemaps/[id]/urls/route";
import { GET as getRunNative } from "@/app/api/v1/runs/[id]/route";
import { getDb } from "@/lib/db/client";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { useLocalRunner } from "@/tests/helpers/local-runner";
import { page, startSite, type TestSite } from "@/tests/helpers/site";
import { validateXml } from "@/tests/helpers/xmllint";
import { ctx, req, seedUser } from "@/tests/api/helpers";

/** The loopback site (an ephemeral port): "/" links /a, /b, /c; /slow answers after `slowMs`. */
let site: TestSite;
let slowMs = 0;
const saved = { ...process.env };
beforeAll(async () => {
  const html = { body: page(["/a", "/b", "/c", "/slow"]) };
  site = await startSite(
    {
      "/": html,
      "/a": { body: page() },
      "/b": { body: page() },
      "/c": { body: page() },
      "/slow": (_rq, res) => void setTimeout(() => res.writeHead(200, { "content-type": "text/html" }).end(page()), slowMs),
      "/robots.txt": { status: 404 },
    },
  );
  process.env.CRAWL_ALLOW_HOSTS = site.hostPort;
  process.env.CRAWL_ALLOWED_PORTS = String(site.port);
  process.env.FILES_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "sf-push-"));
  process.env.APP_URL = "http://sitemaps.test";
  process.env.PUSH_EXPORT_WINDOW_MS = "2000";
});
afterAll(async () => {
  process.env = saved;
  await site.close();
});

const LOC = /<loc>([^<]+)<\/loc>/g;
const locsOf = (xml: string) => [...xml.matchAll(LOC)].map((m) => m[1]);

for (const backend of testBackends()) {
  describe(`Sitemap.xml push → export-only run on ${backend.name}`, () => {
    const t = useTestDb(backend);
    useLocalRunner(() => t.db, { backoffMs: () => 100 });
    let alice: Awaited<ReturnType<typeof seedUser>>;
    let sitemapId = "";
    let fileName = "";

    /** The served urlset file of the sitemap (the public route, as a client fetches xml_url). */
    const served = async () => {
      const res = await publicFile(req("GET", `/s/${sitemapId}/${fileName}`), ctx({ sitemapId, name: fileName }));
      return res.status === 200 ? res.text() : "";
    };
    /** Polls the served file until `pred` holds; returns the file and the ms it took. */
    const waitServed = async (pred: (xml: string) => boolean, timeoutMs = 20_000) => {
      const t0 = Date.now();
      for (;;) {
        const xml = await served();
        if (pred(xml)) return { xml, ms: Date.now() - t0 };
        if (Date.now() - t0 > timeoutMs) throw new Error(`not served within ${timeoutMs} ms; last file:\n${xml}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const push = async (body: unknown) => {
      const res = await addUrl(req("POST", `/v1/sitemaps/${sitemapId}/urls`, { key: alice.key, body }), ctx({ id: sitemapId }));
      expect(res.status).toBe(200);
      return res.json();
    };
    const exportRuns = () => getDb().run.findMany({ where: { sitemapId, kind: "export" }, orderBy: { createdAt: "asc" } });
    const idle = async () => {
      for (let i = 0; i < 400; i++) {
        const sm = await getDb().sitemap.findUniqueOrThrow({ where: { id: sitemapId } });
        if (sm.activeRunId === null) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error("a run is still active");
    };
    /** Validates the published urlset against the XSD. */
    const validate = async (xml: string) => {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sf-push-x-")), "urlset.xml");
      fs.writeFileSync(file, xml);
      await validateXml(file, "urlset");
    };

    beforeAll(async () => {
      alice = await seedUser();
      slowMs = 0;
      const res = await createSx(req("POST", "/v1/sitemaps", { key: alice.key, body: { name: "Loopback", domain: site.hostPort } }), ctx());
      expect(res.status).toBe(201);
      const body = await res.json();
      sitemapId = body.id;
      fileName = body.xml_url.split("/").pop();
      const { xml } = await waitServed((x) => x.includes(`${site.origin}/c</loc>`), 60_000);
      expect(locsOf(xml).sort()).toEqual([`${site.origin}/`, `${site.origin}/a`, `${site.origin}/b`, `${site.origin}/c`, `${site.origin}/slow`]);
      await idle();
    }, 90_000);

    it("a pushed URL is in the published file within seconds; the site is not fetched; url_count matches the <loc>s", async () => {
      const fetched = site.requests.length;
      const t0 = Date.now();
      const body = await push({ url: `${site.origin}/pushed-1`, priority: 0.8, changenfreq: "weekly" });
      expect(body).toEqual({ url_id: expect.any(String), status: "queued", message: "URL added and scheduled for indexing", run_id: expect.any(String) });
      // served by the export (its speed is measured by bench/push-export.ts, not here); never before the window ends
      const { xml } = await waitServed((x) => x.includes(`${site.origin}/pushed-1</loc>`));
      expect(Date.now() - t0).toBeGreaterThanOrEqual(2000);
      expect(site.requests.length).toBe(fetched); // nothing fetched: no recrawl, not even robots.txt
      await idle(); // the files are switched just before the run is marked succeeded
      const run = await getDb().run.findUniqueOrThrow({ where: { id: body.run_id } });
      expect(run).toMatchObject({ kind: "export", status: "succeeded", pagesFetched: 0, urlsListed: 5 });
      // the native run DTO says what kind of run it was
      const dto = await (await getRunNative(req("GET", `/api/v1/runs/${body.run_id}`, { key: alice.key }), ctx({ id: body.run_id }))).json();
      expect(dto.data).toMatchObject({ id: body.run_id, kind: "export", status: "succeeded", progress: { pagesFetched: 0, urlsListed: 5 }, urlsWritten: 6 });
      expect(xml).toMatch(new RegExp(`<loc>${site.origin}/pushed-1</loc>\\s*(<lastmod>[^<]*</lastmod>\\s*)?<changefreq>weekly</changefreq>\\s*<priority>0\\.8</priority>`));
      expect(locsOf(xml)).toHaveLength(6); // the 5 crawled URLs kept, plus the pushed one
      await validate(xml);
      // url_count (generate, from the 24 h cache: no run) and urls_count (list) = the <loc>s of the file
      const gen = await (await generateSx(req("POST", "/v1/sitemaps/generate", { key: alice.key, body: { domain: site.hostPort } }), ctx())).json();
      expect(gen).toMatchObject({ id: sitemapId, status: "completed", url_count: 6, run_id: body.run_id });
      const list = await (await listSx(req("GET", "/v1/sitemaps", { key: alice.key }), ctx())).json();
      expect(list.sitemaps.find((s: { id: string }) => s.id === sitemapId).urls_count).toBe(6);
      expect(site.requests.length).toBe(fetched);
    }, 60_000);

    it("10 pushes in a burst → one or two exports, all 10 listed; a push duplicating a crawled URL keeps one <loc>", async () => {
      const fetched = site.requests.length;
      const before = (await exportRuns()).length;
      const urls = Array.from({ length: 10 }, (_, i) => `${site.origin}/burst-${i}`);
      const answers = [];
      for (const url of urls) answers.push(await push({ url }));
      answers.push(await push({ url: `${site.origin}/a`, priority: 0.9 })); // crawled already
      const { xml } = await waitServed((x) => urls.every((u) => x.includes(`${u}</loc>`)) && /<priority>0\.9<\/priority>/.test(x));
      await idle();
      const created = (await exportRuns()).slice(before);
      expect(created.length).toBeGreaterThanOrEqual(1);
      expect(created.length).toBeLessThanOrEqual(2);
      expect(created.every((r) => r.status === "succeeded")).toBe(true);
      // every answer names one of those runs
      for (const a of answers) expect(created.map((r) => r.id)).toContain(a.run_id);
      const locs = locsOf(xml);
      expect(locs.filter((l) => l === `${site.origin}/a`)).toHaveLength(1);
      expect(new Set(locs).size).toBe(locs.length);
      expect(locs).toHaveLength(16); // 5 crawled + pushed-1 + 10 burst
      await validate(xml);
      expect(site.requests.length).toBe(fetched);
    }, 60_000);

    it("a push during an active crawl is published by that crawl or by an export right after it (never lost)", async () => {
      slowMs = 3000; // the crawl outlasts the push
      // generate while an export-only run waits out its window: that export first, then the crawl generate asks for
      const early = await push({ url: `${site.origin}/before-crawl` });
      // generate keeps the connection open until the crawl ends: not awaited yet
      const answer = generateSx(req("POST", "/v1/sitemaps/generate", { key: alice.key, body: { domain: site.hostPort, force_refresh: true } }), ctx());
      let crawlRunId: string | null = null;
      for (let i = 0; i < 500 && crawlRunId === null; i++) {
        const active = (await getDb().sitemap.findUniqueOrThrow({ where: { id: sitemapId } })).activeRunId;
        if (active && active !== early.run_id) crawlRunId = active;
        else await new Promise((r) => setTimeout(r, 20));
      }
      expect(crawlRunId).not.toBeNull();
      expect(await getDb().run.findUniqueOrThrow({ where: { id: early.run_id } })).toMatchObject({ kind: "export", status: "succeeded" });
      await new Promise((r) => setTimeout(r, 500));
      expect((await getDb().run.findUniqueOrThrow({ where: { id: crawlRunId! } })).kind).toBe("crawl");
      const before = (await exportRuns()).length;
      const body = await push({ url: `${site.origin}/during-crawl` });
      expect(body.run_id).toBe(crawlRunId); // the active crawl (or the export after it) publishes it
      const res = await answer;
      expect(await res.json()).toMatchObject({ status: "completed", run_id: crawlRunId });
      const { xml } = await waitServed((x) => x.includes(`${site.origin}/during-crawl</loc>`));
      await idle();
      expect((await exportRuns()).length - before).toBeLessThanOrEqual(1);
      expect(locsOf(xml)).toHaveLength(18); // 5 crawled + 12 pushed before + before-crawl
      expect(xml).toContain(`${site.origin}/before-crawl</loc>`);
      expect((await getDb().sitemap.findUniqueOrThrow({ where: { id: sitemapId } })).exportPending).toBe(false);
      slowMs = 0;
    }, 60_000);
  });
}
