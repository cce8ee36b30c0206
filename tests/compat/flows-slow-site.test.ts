/**
 * End-to-end flows of the compatibility adapters against a slow served site: nginx on 127.0.0.1:8250 with
 * `limit_rate 1k`, serving seven ~2.5 KB pages (a home page linking six), so every page takes ~2 s and a crawl ~4–6 s
 * — longer than any short wait (the Sitemap.xml document's 3 s, a bound of 1 s set here). Runs go through the route
 * handlers and the in-process Inngest runner (real crawl worker, real export, files under a temporary FILES_DIR);
 * the AnQiCMS calls go over a TCP socket to the route behind node:http (tests/helpers/route-server.ts, port 3250).
 *
 * Flows (independent users, run concurrently, so a backend takes about as long as its slowest flow, the two crawls in
 * a row of the follow-up flow):
 * - AnQiCMS sync answers only after regeneration: code 0 with the run done and its files served.
 * - Triggers during a run: exactly two runs (the active one + one follow-up); further triggers coalesce; a sync call
 *   made during the run answers after the follow-up.
 * - Sitemap.xml generate: 201 `completed` within SITEMAPXML_GENERATE_WAIT_SECONDS (90 s here: room for a loaded
 *   test machine) although the crawl takes longer than 3 s, `url_count` = the `<loc>`s of the downloaded file; past
 *   the bound (1 s) 202 `pending`, the download_url answering 503 with Retry-After until the run has published, then
 *   the file; a closed port → 201 `failed` with the error object.
 * - Shop: create → generate → the published file (through the public /s/{sitemapId}/{name} download; the shop's
 *   documented /sitemaps/<subshopId>/ path is another change).
 * - A failing start URL (closed loopback port 8259) in each adapter's answer: the failure code and hint of
 *   lib/core/run-outcome.ts (AnQiCMS msg, mysitemapgenerator `error`, Sitemap.xml error object, shop status).
 *
 * Needs nginx (Debian: nginx-light) and xmllint.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next-auth", async (orig) => ({ ...(await orig<typeof import("next-auth")>()), getServerSession: vi.fn(async () => null) }));

import * as anqiRoute from "@/app/api/import/sitemap/route";
import { POST as msgPost } from "@/app/api/[method]/route";
import { GET as publicFile } from "@/app/s/[sitemapId]/[name]/route";
import { POST as shopCreate } from "@/app/api/shop/sitemaps/route";
import { POST as shopGenerate } from "@/app/api/shop/sitemaps/[id]/generate/route";
import { GET as shopStatus } from "@/app/api/shop/sitemaps/[id]/status/route";
import { GET as shopProtocols } from "@/app/api/shop/sitemaps/protocols/route";
import { POST as sxGenerate } from "@/app/v1/sitemaps/generate/route";
import { POST as createSitemap } from "@/app/api/v1/sitemaps/route";
import { ANQI_MSG } from "@/lib/compat/anqicms";
import { getDb } from "@/lib/db/client";
import { getRunForUser } from "@/lib/db/runs";
import { waitForRun } from "@/lib/runs/wait";
import type { TRunDto } from "@/lib/schemas/runs";
import { rawRequest, startRouteServer, type RouteServer } from "@/tests/helpers/route-server";
import { latestRunOf } from "@/tests/helpers/runs";
import { validateXml } from "@/tests/helpers/xmllint";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { useLocalRunner } from "@/tests/helpers/local-runner";
import { ctx, req, seedUser, sitemapBody } from "@/tests/api/helpers";

const run = promisify(execFile);
const SITE_PORT = 8250;
const CLOSED_PORT = 8259;
const APP_PORT = 3250;
const SITE = `http://127.0.0.1:${SITE_PORT}`;
const PAGES = ["/", ...Array.from({ length: 6 }, (_, i) => `/p${i + 1}.html`)];

let tmp = "";
let app: RouteServer;

/** Seven pages of ~2.5 KB: the home page links the six others; each links home. */
function writeSite(root: string) {
  const filler = (i: number) => `<p>page ${i} ${"lorem ipsum ".repeat(200)}</p>`;
  const html = (title: string, links: string[], i: number) =>
    `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head><body>${links.map((l) => `<a href="${l}">${l}</a>`).join("")}${filler(i)}</body></html>`;
  fs.writeFileSync(path.join(root, "index.html"), html("home", PAGES.slice(1), 0));
  PAGES.slice(1).forEach((p, i) => fs.writeFileSync(path.join(root, p.slice(1)), html(`p${i + 1}`, ["/"], i + 1)));
}

async function startSlowNginx(): Promise<void> {
  const root = path.join(tmp, "site");
  fs.mkdirSync(root);
  writeSite(root);
  fs.chmodSync(tmp, 0o755);
  const conf = path.join(tmp, "nginx.conf");
  fs.writeFileSync(
    conf,
    `${process.getuid?.() === 0 ? "user root;" : ""}
worker_processes 1;
pid ${tmp}/nginx.pid;
error_log ${tmp}/error.log;
events { worker_connections 256; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  client_body_temp_path ${tmp}; proxy_temp_path ${tmp}; fastcgi_temp_path ${tmp}; uwsgi_temp_path ${tmp}; scgi_temp_path ${tmp};
  server {
    listen 127.0.0.1:${SITE_PORT};
    root ${root};
    index index.html;
    limit_rate 1k;
  }
}
`,
  );
  await run("nginx", ["-c", conf]);
  for (let i = 0; i < 50; i++) {
    if (await canConnect(SITE_PORT)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nginx does not answer on ${SITE_PORT}; see ${tmp}/error.log`);
}

const canConnect = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
  });

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sf-flows-"));
  expect(await canConnect(CLOSED_PORT)).toBe(false);
  await startSlowNginx();
  app = await startRouteServer([{ path: /^\/api\/import\/sitemap$/, module: anqiRoute }], { port: APP_PORT });
  vi.stubEnv("CRAWL_ALLOW_HOSTS", `127.0.0.1:${SITE_PORT},127.0.0.1:${CLOSED_PORT}`);
  vi.stubEnv("CRAWL_ALLOWED_PORTS", `${SITE_PORT},${CLOSED_PORT}`);
  vi.stubEnv("FILES_DIR", path.join(tmp, "files"));
  vi.stubEnv("APP_URL", "http://sitemaps.test");
  vi.stubEnv("ANQICMS_SYNC_WAIT_SECONDS", "150");
  // The crawl worker's default nice 10 lets a busy test machine starve these crawls; the flows test waits, not priority.
  vi.stubEnv("CRAWL_WORKER_NICE", "0");
}, 60_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  await app?.close();
  const pid = path.join(tmp, "nginx.pid");
  if (fs.existsSync(pid)) process.kill(Number(fs.readFileSync(pid, "utf8").trim()));
  // nginx removes its pid file on exit; wait for it before removing the folder it lives in
  for (let i = 0; i < 50 && fs.existsSync(pid); i++) await new Promise((r) => setTimeout(r, 100));
  fs.rmSync(tmp, { recursive: true, force: true });
});

type Anqi = { code: number; msg: string; data?: Record<string, unknown> };

/** AnQiCMS over the socket: the document's multipart example (async=1), or its synchronous curl call (no body). */
async function anqi(key: string, mode: "async" | "sync"): Promise<Anqi> {
  const boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW";
  const body = mode === "async" ? `--${boundary}\r\nContent-Disposition: form-data; name="async"\r\n\r\n1\r\n--${boundary}--\r\n` : "";
  const head = [
    `POST /api/import/sitemap?token=${key} HTTP/1.1`,
    `Host: 127.0.0.1:${APP_PORT}`,
    `Content-Type: multipart/form-data${mode === "async" ? `; boundary=${boundary}` : ""}`,
    `Content-Length: ${Buffer.byteLength(body)}`,
    "Connection: close",
  ];
  const a = await rawRequest(app.port, `${head.join("\r\n")}\r\n\r\n${body}`, 200_000);
  expect(a.status).toBe(200);
  return a.json() as Anqi;
}

/** GET of a public download URL (`…/s/{sitemapId}/{name}`) through its route handler. */
async function download(url: string): Promise<Response> {
  const [, sitemapId, name] = /\/s\/([^/]+)\/([^/?]+)$/.exec(new URL(url).pathname)!;
  return publicFile(new Request(url), ctx({ sitemapId, name }));
}

const locs = (xml: string) => [...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]);

async function checkUrlset(res: Response): Promise<string[]> {
  expect(res.status).toBe(200);
  const xml = await res.text();
  const file = path.join(tmp, `check-${Math.random().toString(36).slice(2)}.xml`);
  fs.writeFileSync(file, xml);
  await validateXml(file, "urlset");
  return locs(xml);
}

const SITE_URLS = PAGES.map((p) => `${SITE}${p}`).sort();

for (const backend of testBackends()) {
  // One backend after the other (each installs its database process-wide); the flows of one backend concurrently.
  describe(`adapter flows against a slow site on ${backend.name}`, () => {
    const t = useTestDb(backend);
    useLocalRunner(() => t.db, { backoffMs: () => 100 });
    describe.concurrent("flows", () => {
      async function newUser() {
        const u = await seedUser();
        await getDb().user.update({ where: { id: u.id }, data: { plan: "enterprise" } });
        return u;
      }
      async function nativeSitemap(key: string, startUrl: string) {
        const res = await createSitemap(req("POST", "/api/v1/sitemaps", { key, body: sitemapBody({ startUrl }) }), ctx());
        expect(res.status).toBe(201);
        return (await res.json()).data as { id: string; number: number; fileName: string };
      }
      const runsOf = (sitemapId: string) => getDb().run.findMany({ where: { sitemapId }, orderBy: { createdAt: "asc" } });

      it("AnQiCMS sync answers only after the sitemap is regenerated: code 0, the run done, its file served", { timeout: 240_000 }, async () => {
        const u = await newUser();
        const sm = await nativeSitemap(u.key, `${SITE}/`);
        const t0 = Date.now();
        const body = await anqi(u.key, "sync");
        const answeredAt = Date.now();
        expect(body).toMatchObject({ code: 0, msg: ANQI_MSG.syncDone, data: { sitemap_id: sm.id, status: "succeeded" } });
        const runDone = (await getRunForUser({ runId: body.data!.run_id as string, userId: u.id }))!;
        expect(runDone.status).toBe("succeeded");
        expect(Date.parse(runDone.finishedAt!)).toBeLessThanOrEqual(answeredAt);
        // the crawl of the slow site took seconds, and the connection was held for all of it
        expect(answeredAt - t0).toBeGreaterThan(3000);
        expect((await checkUrlset(await download(`http://sitemaps.test/s/${sm.id}/${sm.fileName}.xml`))).sort()).toEqual(SITE_URLS);
      });

      it("triggers during a run give exactly two runs (the active one + one follow-up); a sync trigger answers after the follow-up", { timeout: 240_000 }, async () => {
        const u = await newUser();
        const sm = await nativeSitemap(u.key, `${SITE}/`);
        const first = await anqi(u.key, "async");
        expect(first).toMatchObject({ code: 0, msg: ANQI_MSG.queued, data: { status: "queued" } });
        const activeId = first.data!.run_id as string;
        let active: TRunDto | null = null;
        for (let i = 0; i < 600 && active?.status !== "running"; i++) {
          await new Promise((r) => setTimeout(r, 50));
          active = await getRunForUser({ runId: activeId, userId: u.id });
        }
        expect(active?.status).toBe("running");
        const syncPending = anqi(u.key, "sync");
        const second = await anqi(u.key, "async");
        const third = await anqi(u.key, "async");
        for (const b of [second, third]) {
          expect(b).toEqual({ code: 0, msg: ANQI_MSG.queued, data: { sitemap_id: sm.id, run_id: null, status: "follow_up_queued", after_run_id: activeId } });
        }
        const sync = await syncPending;
        expect(sync).toMatchObject({ code: 0, msg: ANQI_MSG.syncDone, data: { status: "succeeded" } });
        const runs = await runsOf(sm.id);
        expect(runs.map((r) => r.status)).toEqual(["succeeded", "succeeded"]);
        expect(runs[0].id).toBe(activeId);
        expect(sync.data!.run_id).toBe(runs[1].id);
        // the follow-up started only when the active run had ended
        expect(runs[1].startedAt!.getTime()).toBeGreaterThanOrEqual(runs[0].finishedAt!.getTime());
        expect((await getDb().sitemap.findUniqueOrThrow({ where: { id: sm.id } })).activeRunId).toBeNull();
      });

      it("Sitemap.xml generate on the slow site: 202 pending past the bound (download 503 + Retry-After), 201 completed within it; 201 failed with the code", { timeout: 240_000 }, async () => {
        const generate = (key: string, domain: string) =>
          sxGenerate(req("POST", "/v1/sitemaps/generate", { key, body: { domain, format: "xml", max_urls: 10000, include_assets: true, force_refresh: false } }), ctx());
        // past the bound: 1 s
        vi.stubEnv("SITEMAPXML_GENERATE_WAIT_SECONDS", "1");
        const u1 = await newUser();
        const pending = await generate(u1.key, `127.0.0.1:${SITE_PORT}`);
        expect(pending.status).toBe(202);
        const p = await pending.json();
        expect(p).toMatchObject({ status: "pending", domain: `127.0.0.1:${SITE_PORT}`, run_id: expect.any(String), url_count: null });
        expect(pending.headers.get("location")).toBe(`/api/v1/runs/${p.run_id}`);
        const notReady = await download(p.download_url);
        expect(notReady.status).toBe(503);
        expect(notReady.headers.get("retry-after")).toBe("30");

        // within the bound (90 s, room for a loaded test machine), for a crawl that takes longer than the reference's 3 s
        vi.stubEnv("SITEMAPXML_GENERATE_WAIT_SECONDS", "90");
        const u2 = await newUser();
        const t0 = Date.now();
        const done = await generate(u2.key, `127.0.0.1:${SITE_PORT}`);
        const took = Date.now() - t0;
        expect(done.status).toBe(201);
        const d = await done.json();
        expect(d).toMatchObject({ status: "completed", format: "xml", url_count: SITE_URLS.length, search_console: { google_submitted: false, bing_submitted: false, yandex_submitted: false } });
        expect(took).toBeGreaterThan(3000);
        const listed = await checkUrlset(await download(d.download_url));
        expect(listed.sort()).toEqual(SITE_URLS);
        expect(d.url_count).toBe(listed.length);

        // the pending one has finished meanwhile: its download_url now serves the file
        expect((await waitForRun(p.run_id, 120_000)).status).toBe("succeeded");
        expect((await checkUrlset(await download(p.download_url))).sort()).toEqual(SITE_URLS);

        // a failing start URL (closed port): 201 `failed` with the document's error object, the failure code and hint
        const sx = await sxGenerate(
          req("POST", "/v1/sitemaps/generate", { key: u2.key, body: { domain: `127.0.0.1:${CLOSED_PORT}`, force_refresh: true } }),
          ctx(),
        );
        const sxBody = await sx.json();
        expect(sx.status).toBe(201);
        expect(sxBody).toMatchObject({
          status: "failed",
          url_count: null,
          error: { code: "connection_refused", message: expect.stringContaining(`127.0.0.1`), details: expect.any(String), request_id: expect.stringMatching(/^req_/) },
        });
        const sxRun = await getRunForUser({ runId: sxBody.run_id, userId: u2.id });
        expect(sxBody.error.details).toBe(sxRun!.errorHint);
      });

      it("shop: create → generate → exportStatus 1 and the published file", { timeout: 240_000 }, async () => {
        const u = await newUser();
        const body = {
          name: "Products",
          active: true,
          fileName: "products.xml",
          templateId: 0,
          exportAfterImport: false,
          exportPlan: [3],
          maxFileEntries: 50000,
          maxFileSize: 52428800,
          writeIntoRobots: false,
          subshopIds: [],
          startUrl: `${SITE}/`,
        };
        const created = await shopCreate(req("POST", "/api/shop/sitemaps", { key: u.key, body }), ctx());
        expect(created.status).toBe(201);
        const sm = (await created.json()) as { id: number; fileName: string };
        const id = String(sm.id);
        const gen = await shopGenerate(req("POST", `/api/shop/sitemaps/${id}/generate`, { key: u.key }), ctx({ id }));
        expect(gen.status).toBe(202);
        expect(await gen.json()).toEqual({ id: sm.id, protocolId: expect.any(Number), exportStatus: 3 });
        const native = await getDb().sitemap.findFirstOrThrow({ where: { userId: u.id, number: sm.id } });
        const r = await latestRunOf({ sitemapId: native.id, userId: u.id });
        expect((await waitForRun(r!.id, 150_000)).status).toBe("succeeded");
        const status = await (await shopStatus(req("GET", `/api/shop/sitemaps/${id}/status`, { key: u.key }), ctx({ id }))).json();
        expect(status).toMatchObject({ id: sm.id, exportStatus: 1, errorCode: "", errorHint: "", lastExportFinished: expect.any(String) });
        expect((await checkUrlset(await download(`http://sitemaps.test/s/${native.id}/${native.fileName}.xml`))).sort()).toEqual(SITE_URLS);
      });

      it("a failing start URL (closed port): the AnQiCMS, mysitemapgenerator and shop answers carry the failure code and hint", { timeout: 240_000 }, async () => {
        const u = await newUser();
        const sm = await nativeSitemap(u.key, `http://127.0.0.1:${CLOSED_PORT}/`);
        // AnQiCMS sync: code -1, the code and hint in msg (and data)
        const a = await anqi(u.key, "sync");
        const failed = (await getRunForUser({ runId: a.data!.run_id as string, userId: u.id }))!;
        expect(failed).toMatchObject({ status: "failed", errorCode: "connection_refused", errorHint: expect.any(String) });
        expect(a).toEqual({
          code: -1,
          msg: `Sitemap更新失败: connection_refused: ${failed.error} ${failed.errorHint}`,
          data: { sitemap_id: sm.id, run_id: failed.id, status: "failed", error: failed.error, error_code: "connection_refused", error_hint: failed.errorHint },
        });
        // mysitemapgenerator SitemapsGetInfo: work_status failed and an `error` object
        const info = await msgPost(
          new Request(`http://sitemaps.test/api/SitemapsGetInfo?format=json`, {
            method: "POST",
            headers: { "content-type": "application/x-www-form-urlencoded" },
            body: `api_key=${u.key}&cid=${sm.number}`,
          }),
          ctx({ method: "SitemapsGetInfo" }),
        );
        expect(await info.json()).toMatchObject({
          result: "success",
          work_status: "failed",
          error: { code: "connection_refused", message: failed.error, hint: failed.errorHint },
        });
        // shop: status and protocols — exportStatus 2 (Error) with errorCode / errorHint strings
        const id = String(sm.number);
        const st = await (await shopStatus(req("GET", `/api/shop/sitemaps/${id}/status`, { key: u.key }), ctx({ id }))).json();
        expect(st).toMatchObject({ id: sm.number, exportStatus: 2, errorCode: "connection_refused", errorHint: failed.errorHint });
        const protocols = await (await shopProtocols(req("GET", "/api/shop/sitemaps/protocols", { key: u.key }), ctx())).json();
        expect(protocols.data[0]).toMatchObject({ exportStatus: 2, error: failed.error, errorCode: "connection_refused", errorHint: failed.errorHint });
      });
    });
  });
}
