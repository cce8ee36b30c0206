/**
 * mysitemapgenerator replay over a socket: every request of mysitemapgenerator-api.txt sent byte for byte over TCP
 * (node:net) to the route handler behind node:http (tests/helpers/route-server.ts): `POST <absolute URL>?format=json
 * HTTP/1.0`, then the body line `api_key={yourAPIkey}` or `api_key={yourAPIkey}&cid=12345` with our key and cid.
 * The document writes the request line as "POST: http://…" and leaves the headers out ("....."): the colon is not
 * HTTP and is dropped; the headers sent are the ones every client sends (Host, Content-Length; Content-Type
 * application/x-www-form-urlencoded, and once without it). Checks every documented field and its type, the
 * enumerated values, and the error shape; answers are HTTP 200 JSON, the connection closed (HTTP/1.0).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as msgRoute from "@/app/api/[method]/route";
import { POST as createSitemap } from "@/app/api/v1/sitemaps/route";
import { getDb } from "@/lib/db/client";
import { publishRunFiles } from "@/lib/db/files";
import { claimRun, finishRun } from "@/lib/db/runs";
import { rawRequest, startRouteServer, type RouteServer } from "@/tests/helpers/route-server";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { ctx, req, seedUser, sitemapBody } from "@/tests/api/helpers";

const RFC2822 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$/;
const ZERO_ONE = [0, 1];

let server: RouteServer;
beforeAll(async () => {
  server = await startRouteServer([{ path: /^\/api\/(?<method>[^/]+)$/, module: msgRoute }]);
});
afterAll(async () => server?.close());

/** The document's request for `method` with `body` (its "api_key={yourAPIkey}…" line), HTTP/1.0. */
function docRequest(method: string, body: string, opts: { contentType?: boolean } = {}): string {
  const host = `127.0.0.1:${server.port}`;
  return [
    `POST http://${host}/api/${method}?format=json HTTP/1.0`,
    `Host: ${host}`,
    ...(opts.contentType === false ? [] : ["Content-Type: application/x-www-form-urlencoded"]),
    `Content-Length: ${Buffer.byteLength(body)}`,
    "",
    body,
  ].join("\r\n");
}

async function call(method: string, body: string, opts: { contentType?: boolean } = {}) {
  const a = await rawRequest(server.port, docRequest(method, body, opts));
  expect(a.status).toBe(200);
  expect(a.headers["content-type"]).toMatch(/^application\/json/);
  expect(a.headers.connection).toBe("close");
  return a.json() as Record<string, any>;
}

for (const backend of testBackends()) {
  describe(`mysitemapgenerator requests replayed over a socket on ${backend.name}`, () => {
    useTestDb(backend);
    let alice: Awaited<ReturnType<typeof seedUser>>;
    let sm: { id: string; number: number };
    let feed: { id: string; number: number };

    beforeAll(async () => {
      alice = await seedUser();
      const body = sitemapBody({ startUrl: "http://www.mysite1.com/", maxFileEntries: 35000 });
      sm = (await (await createSitemap(req("POST", "/api/v1/sitemaps", { key: alice.key, body }), ctx())).json()).data;
      const run = await claimRun({ sitemapId: sm.id, trigger: "api" });
      const f = (name: string, kind: string) => ({ name, kind, bytes: 100, urlCount: 10, sha256: "0".repeat(64) });
      await publishRunFiles({ sitemapId: sm.id, runId: run!.id, files: [f("s.xml", "sitemapindex"), f("s-1.xml", "urlset"), f("s-2.xml", "urlset")] });
      await finishRun(run!.id, { status: "succeeded", bytesWritten: 300, filesWritten: 3, urlsWritten: 3 });
      feed = await getDb().feed.create({
        data: { userId: alice.id, name: "News", foundUrl: "http://www.mysite1.com/news/", itemsLimit: 25, pubDateSource: "page", lastRefreshAt: new Date(), lastCost: 1 },
      });
    });

    it("getBalance → {result:\"success\", balance: number}", async () => {
      const body = await call("getBalance", `api_key=${alice.key}`);
      expect(Object.keys(body).sort()).toEqual(["balance", "result"]);
      expect(body.result).toBe("success");
      expect(typeof body.balance).toBe("number");
    });

    it("the same request without Content-Type (the document shows none) is read as urlencoded", async () => {
      expect(await call("getBalance", `api_key=${alice.key}`, { contentType: false })).toMatchObject({ result: "success", balance: expect.any(Number) });
    });

    it("SitemapsGetList → resources [{cid: integer, url: string}]", async () => {
      const body = await call("SitemapsGetList", `api_key=${alice.key}`);
      expect(body).toEqual({ result: "success", resources: [{ cid: sm.number, url: "http://www.mysite1.com/" }] });
      expect(Number.isInteger(body.resources[0].cid)).toBe(true);
    });

    it("SitemapsGetFiles (api_key=…&cid=…) → files: [string URL, …], one per urlset part", async () => {
      const body = await call("SitemapsGetFiles", `api_key=${alice.key}&cid=${sm.number}`);
      expect(body.result).toBe("success");
      expect(body.files).toHaveLength(2);
      for (const u of body.files) expect(typeof u === "string" && /^https?:\/\/\S+\/s-[12]\.xml$/.test(u)).toBe(true);
    });

    it("SitemapsGetInfo → last_scan (RFC 2822), params[0] with every documented field, its type and its listed values", async () => {
      const body = await call("SitemapsGetInfo", `api_key=${alice.key}&cid=${sm.number}`);
      expect(body).toMatchObject({ result: "success", last_scan: expect.stringMatching(RFC2822), work_status: "succeeded" });
      expect(body.params).toHaveLength(1);
      const p = body.params[0];
      expect(Object.keys(p).sort()).toEqual(
        ["site_url", "site_noindex", "site_nofollow", "site_robots", "site_forms", "site_frames", "site_javascripts", "site_canonical", "site_useragent",
          "site_priority", "site_lastmod", "site_lastmod_source", "site_limit", "site_load", "site_images", "site_turbo", "send_email"].sort(),
      );
      expect(p.site_url).toBe("http://www.mysite1.com/");
      for (const k of ["site_noindex", "site_nofollow", "site_robots", "site_forms", "site_frames", "site_javascripts", "site_canonical", "site_priority", "site_lastmod", "site_images", "site_turbo", "send_email"]) {
        expect(ZERO_ONE, k).toContain(p[k]);
      }
      expect(["default", "yandex", "google", "mysitemapgenerator"]).toContain(p.site_useragent);
      expect(["server", "default"]).toContain(p.site_lastmod_source);
      expect([5000, 10000, 25000, 35000, 50000]).toContain(p.site_limit);
      expect(p.site_limit).toBe(35000);
      expect(["max", "middle", "min"]).toContain(p.site_load);
    });

    it("RssGetList → resources [{cid, url}]; RssGetFile → file: string", async () => {
      expect(await call("RssGetList", `api_key=${alice.key}`)).toEqual({ result: "success", resources: [{ cid: feed.number, url: "http://www.mysite1.com/news/" }] });
      const file = await call("RssGetFile", `api_key=${alice.key}&cid=${feed.number}`);
      expect(file).toEqual({ result: "success", file: expect.stringMatching(new RegExp(`^https?://\\S+/f/${feed.id}/feed\\.xml$`)) });
    });

    it("RssGetInfo → last_scan, params[0] with the document's fields and only its listed values (items_limit, items_pubDate, encoding)", async () => {
      const body = await call("RssGetInfo", `api_key=${alice.key}&cid=${feed.number}`);
      expect(body).toMatchObject({ result: "success", last_scan: expect.stringMatching(RFC2822), last_cost: 1 });
      const p = body.params[0];
      expect(Object.keys(p).sort()).toEqual(["channel_image", "channel_pubDate", "channel_webMaster", "encoding", "found_mask", "found_url", "items_limit", "items_pubDate"]);
      for (const k of ["found_url", "found_mask", "channel_webMaster", "channel_image"]) expect(typeof p[k], k).toBe("string");
      // ours: 25 items, the page's own date → the document's nearest value (20, the smaller on a tie) and "default"
      expect(p.items_limit).toBe(20);
      expect(p.items_pubDate).toBe("default");
      expect(["server", "default"]).toContain(p.channel_pubDate);
      expect(["windows-1251", "utf-8"]).toContain(p.encoding);
    });

    it("errors: {result:\"error\", notice: string} with HTTP 200 — the document's \"invalid API key\", an unknown cid", async () => {
      expect(await call("getBalance", "api_key=0123456789abcdef")).toEqual({ result: "error", notice: "invalid API key" });
      const missing = await call("SitemapsGetInfo", `api_key=${alice.key}&cid=12345`);
      expect(missing).toEqual({ result: "error", notice: expect.stringContaining("12345") });
    });
  });
}
