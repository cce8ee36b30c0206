/**
 * Sitemap.xml API adapter: replays the examples of sitemapxml-generate.txt and sitemapxml-api-reference.txt
 * (request bodies as documented, Bearer keys) and checks statuses, shapes and the documented errors. Ids, URLs and
 * timestamps are per account, so they are checked by type. Runs are native; the test finishes them as a worker would.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { siteProbe, startUrlFor, searchConsoleOf } from "@/lib/compat/sitemapxml";
import { GET as publicFile } from "@/app/s/[sitemapId]/[name]/route";
import { startFakeServer } from "@/tests/helpers/fake-server";
import { GET as listSx, POST as createSx } from "@/app/v1/sitemaps/route";
import { GET as getGenerate, POST as generateSx } from "@/app/v1/sitemaps/generate/route";
import { POST as submitSx } from "@/app/v1/sitemaps/[id]/submit/route";
import { enginesReachedBy, indexNowEndpoints } from "@/lib/submit/indexnow";
import { GET as getUrls, POST as addUrl } from "@/app/v1/sitemaps/[id]/urls/route";
import { GET as unknownGet, POST as unknownPost } from "@/app/v1/[...path]/route";
import { issueApiKey } from "@/lib/auth/issue-api-key";
import { getDb } from "@/lib/db/client";
import { finishRun } from "@/lib/db/runs";
import { setUsageCounter } from "@/tests/helpers/usage";
import { windowOf } from "@/lib/quota/rate-limit";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { completeNextRun } from "@/tests/helpers/runs";
import { ctx, expectRateLimitHeaders, req, seedUser } from "@/tests/api/helpers";

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Their error envelope: { error: { code, message, type, request_id } } with the given status and code. */
async function expectSxError(res: Response, status: number, code: string, type?: string) {
  const body = await res.json();
  expect({ status: res.status, code: body.error?.code }).toEqual({ status, code });
  expect(body.error).toMatchObject({ message: expect.any(String), type: type ?? expect.any(String), request_id: res.headers.get("x-request-id") });
  expect(body.error.doc_url).toBeUndefined();
  return body.error;
}

for (const backend of testBackends()) {
  describe(`Sitemap.xml API adapter on ${backend.name}`, () => {
    useTestDb(backend);
    let alice: Awaited<ReturnType<typeof seedUser>>;
    const gen = (body: unknown, key = alice.key) => generateSx(req("POST", "/v1/sitemaps/generate", { key, body }), ctx());

    const probeReal = siteProbe.startUrlFor;
    beforeAll(async () => {
      alice = await seedUser();
      // the endpoint tests use documentation domains that must not be looked up: https, as a site that has it
      siteProbe.startUrlFor = async (domain) => `https://${domain}/`;
    });
    afterAll(() => {
      siteProbe.startUrlFor = probeReal;
    });

    it("generate (the document's request) → 201 completed when the run finishes within the wait, with their fields", async () => {
      const pending = gen({ domain: "example.com", format: "xml", max_urls: 10000, include_assets: true, force_refresh: false });
      const runId = await completeNextRun(alice.id);
      const res = await pending;
      expect(res.status).toBe(201);
      expectRateLimitHeaders(res);
      const body = await res.json();
      expect(body).toMatchObject({
        id: expect.any(String),
        status: "completed",
        domain: "example.com",
        url_count: 482,
        size_kb: 18.7,
        generated_at: expect.stringMatching(ISO),
        expires_at: expect.stringMatching(ISO),
        download_url: expect.stringMatching(/^https?:\/\/.+\/s\/.+\/example\.com\.xml$/),
        run_id: runId,
        search_console: { google_submitted: false, bing_submitted: false, yandex_submitted: false },
        submissions: [],
        format: "xml",
      });
      expect(Date.parse(body.expires_at) - Date.parse(body.generated_at)).toBe(24 * 3600_000);
      // the sitemap was created for https://example.com/ with max_urls as the page budget
      const sm = await getDb().sitemap.findUniqueOrThrow({ where: { id: body.id } });
      expect(sm).toMatchObject({ startUrl: "https://example.com/", maxPages: 10000, images: true, video: true });
    });

    it("generate again within 24 h → the cached result (201, same run, nothing crawled); force_refresh → a new run", async () => {
      const first = await (await gen({ domain: "example.com" })).json();
      expect(first.status).toBe("completed");
      expect(await getDb().run.count({ where: { status: "queued" } })).toBe(0);
      const pending = gen({ domain: "example.com", force_refresh: true });
      const runId = await completeNextRun(alice.id);
      const refreshed = await (await pending).json();
      expect(refreshed).toMatchObject({ id: first.id, status: "completed", run_id: runId });
      expect(runId).not.toBe(first.run_id);
    });

    it("generate when the crawl outlasts the wait → 202 pending, a download_url answering 503 not ready, and the next call joins the same run", async () => {
      vi.stubEnv("SITEMAPXML_GENERATE_WAIT_SECONDS", "2");
      const res = await gen({ domain: "slow.example.org" });
      expect(res.status).toBe(202);
      const body = await res.json();
      expect(body).toMatchObject({ id: expect.any(String), status: "pending", domain: "slow.example.org", run_id: expect.any(String), url_count: null, generated_at: null });
      expect(res.headers.get("location")).toBe(`/api/v1/runs/${body.run_id}`);
      // the download_url is not a 404 in another API's envelope: 503 "not ready yet" with Retry-After
      const [, sitemapId, name] = /\/s\/([^/]+)\/([^/]+)$/.exec(body.download_url)!;
      const notReady = await publicFile(req("GET", `/s/${sitemapId}/${name}`), ctx({ sitemapId, name }));
      expect(notReady.status).toBe(503);
      expect(notReady.headers.get("retry-after")).toBe("30");
      expect((await notReady.json()).error).toMatchObject({ code: "service_unavailable", message: expect.stringContaining("Not ready yet") });
      const again = gen({ domain: "slow.example.org" });
      // the second call joins the queued run and waits up to the bound (2 s here); end the run within that wait
      await new Promise((r) => setTimeout(r, 1000));
      await finishRun(body.run_id, { status: "failed", error: "DNS lookup failed" });
      const joined = await again;
      expect(joined.status).toBe(201);
      expect(await joined.json()).toMatchObject({ run_id: body.run_id, status: "failed", error: { code: "internal_error", message: "DNS lookup failed" } });
      vi.unstubAllEnvs();
      // a failed run leaves nothing published and no run active: a plain 404 again
      expect((await publicFile(req("GET", `/s/${sitemapId}/${name}`), ctx({ sitemapId, name }))).status).toBe(404);
    });

    it("generate format html|json: the format joins the outputs, download_url points at that file and the answer says which", async () => {
      const pending = gen({ domain: "formats.example.com", format: "json" });
      const runId = await completeNextRun(alice.id, { extraFiles: [{ name: "formats.example.com.json", kind: "json" }] });
      const body = await (await pending).json();
      expect(body).toMatchObject({ status: "completed", format: "json", run_id: runId, url_count: 482 });
      expect(body.download_url).toMatch(/\/formats\.example\.com\.json$/);
      const sm = await getDb().sitemap.findUniqueOrThrow({ where: { id: body.id } });
      expect(sm.extraFormats).toEqual(["json"]);
      // html was never produced: a new run (not the 24 h cache), and the sitemap now makes both
      const again = gen({ domain: "formats.example.com", format: "html" });
      const second = await completeNextRun(alice.id, {
        extraFiles: [{ name: "formats.example.com.json", kind: "json" }, { name: "formats.example.com-html-1.html", kind: "html" }],
      });
      const html = await (await again).json();
      expect(html).toMatchObject({ status: "completed", format: "html", run_id: second });
      expect(html.download_url).toMatch(/\.html$/);
      expect((await getDb().sitemap.findUniqueOrThrow({ where: { id: body.id } })).extraFormats).toEqual(["json", "html"]);
      // the cache answers json now without a run
      expect(await (await gen({ domain: "formats.example.com", format: "json" })).json()).toMatchObject({ run_id: second, format: "json" });
    });

    it("generate domain with a port; https first, http when https cannot connect (loopback sites)", async () => {
      const site = await startFakeServer({ status: 200, body: "<html></html>", headers: { "content-type": "text/html" } });
      vi.stubEnv("CRAWL_ALLOW_HOSTS", site.hostPort);
      try {
        expect(await startUrlFor(site.hostPort)).toBe(`http://${site.hostPort}/`); // TLS to a plain-HTTP server fails
        const closed = await startFakeServer();
        const port = closed.hostPort;
        await closed.close();
        vi.stubEnv("CRAWL_ALLOW_HOSTS", `${site.hostPort},${port}`);
        expect(await startUrlFor(port)).toBe(`https://${port}/`); // neither connects: https, the run says why
        siteProbe.startUrlFor = probeReal;
        const pending = gen({ domain: site.hostPort });
        await completeNextRun(alice.id);
        const body = await (await pending).json();
        expect(body).toMatchObject({ status: "completed", domain: site.hostPort });
        expect((await getDb().sitemap.findUniqueOrThrow({ where: { id: body.id } })).startUrl).toBe(`http://${site.hostPort}/`);
        // the same domain again finds that sitemap whatever its scheme
        expect((await (await gen({ domain: site.hostPort })).json()).id).toBe(body.id);
      } finally {
        siteProbe.startUrlFor = async (domain) => `https://${domain}/`;
        vi.unstubAllEnvs();
        await site.close();
      }
      await expectSxError(await gen({ domain: "example.com:99999" }), 400, "INVALID_DOMAIN");
      await expectSxError(await gen({ domain: "example.com:" }), 400, "INVALID_DOMAIN");
    });

    it("search_console booleans from the newest submission: google via robots.txt, bing and yandex via IndexNow", () => {
      expect(searchConsoleOf([])).toEqual({ google_submitted: false, bing_submitted: false, yandex_submitted: false });
      expect(
        searchConsoleOf([
          { engine: "robots.txt", status: "ok" },
          { engine: "indexnow:api.indexnow.org", status: "ok" },
        ]),
      ).toEqual({ google_submitted: true, bing_submitted: true, yandex_submitted: true });
      expect(
        searchConsoleOf([
          { engine: "robots.txt", status: "failed" },
          { engine: "indexnow:api.indexnow.org", status: "failed" },
          { engine: "indexnow:127.0.0.1:9", status: "ok" },
        ]),
      ).toEqual({ google_submitted: false, bing_submitted: false, yandex_submitted: false });
    });

    it("generate errors: INVALID_DOMAIN with details (the document's example), missing domain, bad format → 400", async () => {
      const res = await gen({ domain: "https://example.com/blog/" });
      const err = await expectSxError(res, 400, "INVALID_DOMAIN");
      expect(err).toMatchObject({ message: "Domain must not contain protocol or path segments", details: "Received: 'https://example.com/blog/'" });
      await expectSxError(await gen({ domain: "example.com/" }), 400, "INVALID_DOMAIN");
      await expectSxError(await gen({ format: "xml" }), 400, "missing", "invalid_request_error");
      await expectSxError(await gen({ domain: "example.com", format: "pdf" }), 400, "invalid_value");
      await expectSxError(await generateSx(req("POST", "/v1/sitemaps/generate", { key: alice.key, raw: "{", headers: { "content-type": "application/json" } }), ctx()), 400, "syntax_error");
      await expectSxError(await getGenerate(req("GET", "/v1/sitemaps/generate"), ctx()), 405, "method_not_allowed");
    });

    it("POST /v1/sitemaps (the reference's body) → 201 crawling with id, created_at, xml_url; robots_txt_check spelling accepted", async () => {
      const res = await createSx(req("POST", "/v1/sitemaps", { key: alice.key, body: { name: "Marketing Blog", domain: "blog.example.com", robot_txt_check: false } }), ctx());
      expect(res.status).toBe(201);
      expectRateLimitHeaders(res);
      const body = await res.json();
      expect(body).toEqual({
        id: expect.any(String),
        name: "Marketing Blog",
        domain: "blog.example.com",
        status: "crawling",
        created_at: expect.stringMatching(ISO),
        xml_url: expect.stringMatching(/\/s\/.+\/blog\.example\.com\.xml$/),
      });
      const sm = await getDb().sitemap.findUniqueOrThrow({ where: { id: body.id } });
      expect(sm).toMatchObject({ respectRobots: false, startUrl: "https://blog.example.com/" });
      expect(await getDb().run.count({ where: { sitemapId: body.id, status: "queued" } })).toBe(1);
      const other = await (await createSx(req("POST", "/v1/sitemaps", { key: alice.key, body: { name: "Shop", domain: "shop.example.com", robots_txt_check: true } }), ctx())).json();
      expect((await getDb().sitemap.findUniqueOrThrow({ where: { id: other.id } })).respectRobots).toBe(true);
      // the same domain again (any case): 200 with that sitemap, nothing created, no second crawl; generate uses it
      const again = await createSx(req("POST", "/v1/sitemaps", { key: alice.key, body: { name: "Blog again", domain: "Blog.Example.com" } }), ctx());
      expect(again.status).toBe(200);
      expect(await again.json()).toEqual({ ...body, status: "crawling" });
      expect(await getDb().sitemap.count({ where: { userId: alice.id, startUrl: "https://blog.example.com/" } })).toBe(1);
      expect(await getDb().run.count({ where: { sitemapId: body.id } })).toBe(1);
      for (const id of [body.id, other.id]) {
        const run = await getDb().run.findFirst({ where: { sitemapId: id, status: "queued" } });
        if (run) await finishRun(run.id, { status: "cancelled" });
      }
      const idle = await (await createSx(req("POST", "/v1/sitemaps", { key: alice.key, body: { name: "x", domain: "blog.example.com" } }), ctx())).json();
      expect(idle).toMatchObject({ id: body.id, name: "Marketing Blog", status: "active" });
    });

    it("Idempotency-Key on POST /v1/sitemaps replays the first answer (the native wrapper's) without creating a second sitemap", async () => {
      const send = () =>
        createSx(req("POST", "/v1/sitemaps", { key: alice.key, body: { name: "Once", domain: "once.example.com" }, headers: { "idempotency-key": "k-once-1" } }), ctx());
      const first = await send();
      const second = await send();
      expect(first.status).toBe(201);
      expect(second.status).toBe(201);
      expect(second.headers.get("idempotent-replayed")).toBe("true");
      expect((await second.json()).id).toBe((await first.json()).id);
      expect(await getDb().sitemap.count({ where: { userId: alice.id, startUrl: "https://once.example.com/" } })).toBe(1);
      const run = await getDb().run.findFirst({ where: { sitemap: { startUrl: "https://once.example.com/" }, status: "queued" } });
      if (run) await finishRun(run.id, { status: "cancelled" });
    });

    it("POST /v1/sitemaps errors: missing name → 400, scheme in domain → INVALID_DOMAIN, unknown field → 400", async () => {
      await expectSxError(await createSx(req("POST", "/v1/sitemaps", { key: alice.key, body: { domain: "a.example.com" } }), ctx()), 400, "missing");
      await expectSxError(await createSx(req("POST", "/v1/sitemaps", { key: alice.key, body: { name: "x", domain: "http://a.example.com" } }), ctx()), 400, "INVALID_DOMAIN");
      await expectSxError(await createSx(req("POST", "/v1/sitemaps", { key: alice.key, body: { name: "x", domain: "a.example.com", color: 1 } }), ctx()), 400, "unknown_field");
    });

    it("GET /v1/sitemaps → {sitemaps:[{id,name,url,status,urls_count,last_updated}], pagination:{next_cursor,has_more}}; limit, cursor, status", async () => {
      const res = await listSx(req("GET", "/v1/sitemaps?limit=2", { key: alice.key }), ctx());
      expect(res.status).toBe(200);
      expectRateLimitHeaders(res);
      const page1 = await res.json();
      expect(page1.sitemaps).toHaveLength(2);
      for (const s of page1.sitemaps) {
        expect(s).toEqual({ id: expect.any(String), name: expect.any(String), url: expect.stringMatching(/^https:\/\//), status: "active", urls_count: expect.any(Number), last_updated: expect.stringMatching(ISO) });
      }
      expect(page1.pagination).toEqual({ next_cursor: expect.any(String), has_more: true });
      const page2 = await (await listSx(req("GET", `/v1/sitemaps?limit=2&cursor=${page1.pagination.next_cursor}`, { key: alice.key }), ctx())).json();
      const all = [...page1.sitemaps, ...page2.sitemaps].map((s: { id: string }) => s.id);
      expect(new Set(all).size).toBe(all.length);
      expect(page2.pagination.has_more).toBe(page2.pagination.next_cursor !== null);
      const example = [...page1.sitemaps, ...page2.sitemaps].find((s: { url: string }) => s.url === "https://example.com/");
      if (example) expect(example.urls_count).toBe(482);
      const archived = await (await listSx(req("GET", "/v1/sitemaps?status=archived", { key: alice.key }), ctx())).json();
      expect(archived).toEqual({ sitemaps: [], pagination: { next_cursor: null, has_more: false } });
      await expectSxError(await listSx(req("GET", "/v1/sitemaps?limit=101", { key: alice.key }), ctx()), 400, "invalid_value");
      await expectSxError(await listSx(req("GET", "/v1/sitemaps?status=deleted", { key: alice.key }), ctx()), 400, "invalid_value");
      await expectSxError(await listSx(req("GET", "/v1/sitemaps?cursor=garbage", { key: alice.key }), ctx()), 400, "invalid_value");
    });

    it("POST /v1/sitemaps/:id/urls (their body with the changenfreq spelling) → 200 {url_id, status:queued, message}; stored as a pushed URL", async () => {
      const sm = await getDb().sitemap.findFirstOrThrow({ where: { userId: alice.id, startUrl: "https://example.com/" } });
      const post = (body: unknown, key = alice.key, id = sm.id) => addUrl(req("POST", `/v1/sitemaps/${id}/urls`, { key, body }), ctx({ id }));
      const res = await post({ url: "https://example.com/pricing", priority: 0.8, changenfreq: "weekly" });
      expect(res.status).toBe(200);
      expectRateLimitHeaders(res);
      const body = await res.json();
      expect(body).toEqual({ url_id: expect.any(String), status: "queued", message: "URL added and scheduled for indexing", run_id: expect.any(String) });
      // an export-only run publishes it (tests/compat/sitemapxml-push.test.ts runs it end to end)
      expect(await getDb().run.findUniqueOrThrow({ where: { id: body.run_id } })).toMatchObject({ kind: "export", sitemapId: sm.id });
      const row = await getDb().sitemapUrl.findUniqueOrThrow({ where: { id: body.url_id } });
      expect(row).toMatchObject({ sitemapId: sm.id, url: "https://example.com/pricing", priority: 0.8, changefreq: "weekly", source: "compat" });
      const defaults = await (await post({ url: "https://example.com/about", changefreq: "Daily" })).json();
      expect(await getDb().sitemapUrl.findUniqueOrThrow({ where: { id: defaults.url_id } })).toMatchObject({ priority: 0.5, changefreq: "daily" });
      await expectSxError(await post({ url: "https://elsewhere.example.net/x" }), 400, "invalid_value");
      await expectSxError(await post({ url: "https://example.com/x", changenfreq: "sometimes" }), 400, "invalid_value");
      await expectSxError(await post({ url: "https://example.com/x", priority: 2 }), 400, "invalid_value");
      await expectSxError(await post({ priority: 0.5 }), 400, "missing");
      const bob = await seedUser();
      await expectSxError(await post({ url: "https://example.com/x" }, bob.key), 404, "not_found");
      await expectSxError(await getUrls(req("GET", `/v1/sitemaps/${sm.id}/urls`, { key: alice.key }), ctx({ id: sm.id })), 405, "method_not_allowed");
    });

    it("POST /v1/sitemaps/:id/submit → 202 {request_id, targets:[{engine,status}]} from the real IndexNow submission log", async () => {
      const sm = await getDb().sitemap.findFirstOrThrow({ where: { userId: alice.id, startUrl: "https://example.com/" } });
      const res = await submitSx(req("POST", `/v1/sitemaps/${sm.id}/submit`, { key: alice.key }), ctx({ id: sm.id }));
      expect(res.status).toBe(202);
      expectRateLimitHeaders(res);
      const body = await res.json();
      expect(body).toMatchObject({ request_id: expect.stringMatching(/^sub_/), estimated_crawl_time: "1-48 hours" });
      // targets name search engines, with the document's status only
      for (const t of body.targets) expect(t).toEqual({ engine: expect.any(String), status: "submitted", via: expect.stringMatching(/^(robots\.txt|indexnow)$/) });
      expect(body.targets[0]).toEqual({ engine: "google", status: "submitted", via: "robots.txt" });
      // the configured IndexNow endpoints (here the default, api.indexnow.org) and the engines they reach
      const indexNowTargets = body.targets.filter((t: { via: string }) => t.via === "indexnow").map((t: { engine: string }) => t.engine);
      expect(indexNowTargets).toEqual(indexNowEndpoints().flatMap(enginesReachedBy));
      const logged = await getDb().submission.count({ where: { batchId: body.request_id } });
      expect(logged).toBeGreaterThan(0); // the batch exists in the native log
    });

    it("an unknown endpoint under /v1 → 404 not_found in their JSON envelope, X-RateLimit-* with or without a key", async () => {
      const known = await unknownGet(req("GET", "/v1/sitemaps/x/frobnicate", { key: alice.key }), { params: Promise.resolve({ path: ["sitemaps", "x", "frobnicate"] }) });
      await expectSxError(known, 404, "not_found", "invalid_request_error");
      expectRateLimitHeaders(known);
      const anonymous = await unknownPost(req("POST", "/v1/nothing", { body: {} }), { params: Promise.resolve({ path: ["nothing"] }) });
      expect(anonymous.headers.get("content-type")).toMatch(/json/);
      await expectSxError(anonymous, 404, "not_found");
      expectRateLimitHeaders(anonymous); // the client address's limit, as for a 401
    });

    it("errors: 401 invalid_api_key (missing or wrong key), 403 without scope, 404 other account's sitemap, 409 nothing published, 429 rate limit", async () => {
      await expectSxError(await listSx(req("GET", "/v1/sitemaps"), ctx()), 401, "invalid_api_key", "authentication_error");
      await expectSxError(await listSx(req("GET", "/v1/sitemaps", { key: "sk_live_your_api_key_here" }), ctx()), 401, "invalid_api_key");
      const ro = await issueApiKey({ userId: alice.id, name: "ro", scopes: ["read"] });
      await expectSxError(await gen({ domain: "example.com" }, ro.key), 403, "insufficient_permissions", "permission_error");
      const sm = await getDb().sitemap.findFirstOrThrow({ where: { userId: alice.id, startUrl: "https://example.com/" } });
      const bob = await seedUser();
      await expectSxError(await submitSx(req("POST", `/v1/sitemaps/${sm.id}/submit`, { key: bob.key }), ctx({ id: sm.id })), 404, "not_found");
      const unpublished = await getDb().sitemap.findFirstOrThrow({ where: { userId: alice.id, startUrl: "https://blog.example.com/" } });
      await expectSxError(await submitSx(req("POST", `/v1/sitemaps/${unpublished.id}/submit`, { key: alice.key }), ctx({ id: unpublished.id })), 409, "conflict");

      const key = await getDb().apiKey.findFirstOrThrow({ where: { userId: bob.id } });
      await setUsageCounter({ subject: `key:${key.id}`, window: "minute", start: windowOf(60, Date.now()).start, count: 60 });
      const limited = await listSx(req("GET", "/v1/sitemaps", { key: bob.key }), ctx());
      expect(limited.headers.get("x-ratelimit-remaining")).toBe("0");
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
      await expectSxError(limited, 429, "rate_limit_exceeded", "rate_limit_error");
    });
  });
}
