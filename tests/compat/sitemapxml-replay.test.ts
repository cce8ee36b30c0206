/**
 * Replay of the two Sitemap.xml API documents (../shared/reference-apis/sitemapxml-generate.txt and
 * sitemapxml-api-reference.txt), request by request, as a client written to them sends it: the bytes of the example
 * bodies (JSON.stringify of the documented objects, exactly as the generate example's fetch() call builds them), the
 * documented headers (`Content-Type: application/json`, `Authorization: Bearer <key>`), and the documented values
 * (smt_8f3k29x0, "Marketing Blog", blog.example.com, …). Every documented response field is checked for presence and
 * type, every documented status for its code, and every error for the documented envelope
 * `{ error: { code, message, type, request_id } }` (generate's own `{ error: { code, message, details, request_id } }`).
 * "Rate limit headers are included in every response": checked on each answer, 401 and 404 included.
 * Runs are native; the test ends them as a worker would (no site is crawled: the documents' domains are not ours).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { siteProbe } from "@/lib/compat/sitemapxml";
import { GET as listRoute, POST as createRoute } from "@/app/v1/sitemaps/route";
import { POST as generateRoute } from "@/app/v1/sitemaps/generate/route";
import { POST as submitRoute } from "@/app/v1/sitemaps/[id]/submit/route";
import { POST as urlsRoute } from "@/app/v1/sitemaps/[id]/urls/route";
import { GET as unknownGet } from "@/app/v1/[...path]/route";
import { issueApiKey } from "@/lib/auth/issue-api-key";
import { getDb } from "@/lib/db/client";
import { windowOf } from "@/lib/quota/rate-limit";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { completeNextRun } from "@/tests/helpers/runs";
import { setUsageCounter } from "@/tests/helpers/usage";
import { BASE, seedUser } from "@/tests/api/helpers";

const ISO = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);

/** The documents' response shapes, field by field with their documented types (extra fields of ours allowed). */
const Generate201 = z.object({
  id: z.string().min(1),
  status: z.enum(["pending", "completed", "failed"]),
  domain: z.string(),
  url_count: z.number().int().nonnegative(),
  size_kb: z.number().nonnegative(),
  generated_at: ISO,
  expires_at: ISO,
  download_url: z.string().url(),
  search_console: z.strictObject({ google_submitted: z.boolean(), bing_submitted: z.boolean(), yandex_submitted: z.boolean() }),
});
const List200 = z.strictObject({
  sitemaps: z.array(
    z.strictObject({
      id: z.string(),
      name: z.string(),
      url: z.string().url(),
      status: z.enum(["active", "archived"]),
      urls_count: z.number().int().nonnegative(),
      last_updated: ISO,
    }),
  ),
  pagination: z.strictObject({ next_cursor: z.string().nullable(), has_more: z.boolean() }),
});
const Create201 = z.strictObject({
  id: z.string(),
  name: z.string(),
  domain: z.string(),
  status: z.literal("crawling"),
  created_at: ISO,
  xml_url: z.string().url(),
});
const AddUrl200 = z.object({ url_id: z.string(), status: z.literal("queued"), message: z.literal("URL added and scheduled for indexing") });
const Submit202 = z.object({
  request_id: z.string(),
  targets: z.array(z.object({ engine: z.string(), status: z.literal("submitted") })).min(1),
  estimated_crawl_time: z.string().min(1),
});
const ErrorBody = z.strictObject({
  error: z.object({ code: z.string(), message: z.string().min(1), type: z.string(), request_id: z.string().min(1) }),
});
const GenerateError = z.strictObject({
  error: z.object({ code: z.literal("INVALID_DOMAIN"), message: z.string(), details: z.string(), request_id: z.string() }),
});

/** A request as the document's client builds it: raw body bytes, its two headers. */
function docRequest(method: string, path: string, apiKey: string | null, body?: string): Request {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (apiKey !== null) headers["Authorization"] = `Bearer ${apiKey}`;
  return new Request(BASE + path, { method, headers, body });
}
const params = <T extends Record<string, unknown>>(p: T) => ({ params: Promise.resolve(p) });

/** "Rate limit headers are included in every response". */
function expectRateLimit(res: Response) {
  expect(res.headers.get("x-ratelimit-limit")).toMatch(/^\d+$/);
  expect(res.headers.get("x-ratelimit-remaining")).toMatch(/^\d+$/);
  expect(res.headers.get("x-ratelimit-reset")).toMatch(/^\d{10}$/); // a UTC timestamp (epoch seconds)
}
async function expectError(res: Response, status: number, code: string, type: string) {
  expect(res.status).toBe(status);
  expectRateLimit(res);
  const body = ErrorBody.parse(await res.json());
  expect(body.error).toMatchObject({ code, type, request_id: res.headers.get("x-request-id") });
  return body.error;
}

for (const backend of testBackends()) {
  describe(`Sitemap.xml API documents replayed on ${backend.name}`, () => {
    useTestDb(backend);
    let API_KEY = "";
    let userId = "";
    const probeReal = siteProbe.startUrlFor;
    beforeAll(async () => {
      const u = await seedUser();
      API_KEY = u.key;
      userId = u.id;
      // the documents' domains must not be looked up: https, as a site that has it
      siteProbe.startUrlFor = async (domain) => `https://${domain}/`;
    });
    afterAll(() => {
      siteProbe.startUrlFor = probeReal;
    });

    it("generate: the example request, byte for byte → 201 with every documented field and type", async () => {
      // the document's fetch() call: body JSON.stringify({...}) with these two headers
      const body = JSON.stringify({ domain: "example.com", format: "xml", max_urls: 10000, include_assets: true, force_refresh: false });
      expect(body).toBe('{"domain":"example.com","format":"xml","max_urls":10000,"include_assets":true,"force_refresh":false}');
      const answer = generateRoute(docRequest("POST", "/v1/sitemaps/generate", API_KEY, body), params({}));
      await completeNextRun(userId, { kind: "crawl" });
      const res = await answer;
      expect(res.status).toBe(201); // "On success, the API returns a 201 Created status"
      expectRateLimit(res);
      const out = Generate201.parse(await res.json());
      expect(out).toMatchObject({ status: "completed", domain: "example.com", url_count: 482, size_kb: 18.7 });
      expect(Date.parse(out.expires_at) - Date.parse(out.generated_at)).toBe(24 * 3600_000); // "cached for 24 hours"
      expect(out.download_url).toMatch(/\/example\.com\.xml$/);
      expect(out.search_console).toEqual({ google_submitted: false, bing_submitted: false, yandex_submitted: false });
    });

    it("generate: the error example (a domain with protocol and path) → 400 INVALID_DOMAIN with message, details, request_id", async () => {
      const res = await generateRoute(docRequest("POST", "/v1/sitemaps/generate", API_KEY, JSON.stringify({ domain: "https://example.com/blog/" })), params({}));
      expect(res.status).toBe(400);
      expectRateLimit(res);
      const { error } = GenerateError.parse(await res.json());
      expect(error).toMatchObject({
        code: "INVALID_DOMAIN",
        message: "Domain must not contain protocol or path segments",
        details: "Received: 'https://example.com/blog/'",
        request_id: res.headers.get("x-request-id"),
      });
    });

    it("Create Sitemap: the documented body → 201 with id, name, domain, status crawling, created_at, xml_url", async () => {
      const body = JSON.stringify({ name: "Marketing Blog", domain: "blog.example.com", robot_txt_check: true });
      const res = await createRoute(docRequest("POST", "/v1/sitemaps", API_KEY, body), params({}));
      expect(res.status).toBe(201);
      expectRateLimit(res);
      const out = Create201.parse(await res.json());
      expect(out).toMatchObject({ name: "Marketing Blog", domain: "blog.example.com", status: "crawling" });
      // "The system will automatically begin crawling your domain."
      expect(await getDb().run.count({ where: { sitemapId: out.id, status: "queued", kind: "crawl" } })).toBe(1);
      await completeNextRun(userId, { kind: "crawl" });
    });

    it("List Sitemaps: GET /sitemaps and its query parameters (limit, cursor, status) → 200 {sitemaps, pagination}", async () => {
      const res = await listRoute(docRequest("GET", "/v1/sitemaps", API_KEY), params({}));
      expect(res.status).toBe(200);
      expectRateLimit(res);
      const all = List200.parse(await res.json());
      expect(all.sitemaps.map((s) => s.url).sort()).toEqual(["https://blog.example.com/", "https://example.com/"]);
      for (const s of all.sitemaps) expect(s).toMatchObject({ status: "active", urls_count: 482 });
      expect(all.pagination).toEqual({ next_cursor: null, has_more: false });
      const first = List200.parse(await (await listRoute(docRequest("GET", "/v1/sitemaps?limit=1&status=active", API_KEY), params({}))).json());
      expect(first.sitemaps).toHaveLength(1);
      expect(first.pagination.has_more).toBe(true);
      const next = List200.parse(await (await listRoute(docRequest("GET", `/v1/sitemaps?limit=1&cursor=${first.pagination.next_cursor}`, API_KEY), params({}))).json());
      expect(next.sitemaps).toHaveLength(1);
      expect(next.sitemaps[0].id).not.toBe(first.sitemaps[0].id);
      expect(List200.parse(await (await listRoute(docRequest("GET", "/v1/sitemaps?status=archived", API_KEY), params({}))).json()).sitemaps).toEqual([]);
      // limit is 1-100
      await expectError(await listRoute(docRequest("GET", "/v1/sitemaps?limit=0", API_KEY), params({})), 400, "invalid_value", "invalid_request_error");
    });

    it("Add URL to Sitemap: {url, priority, changenfreq} → 200 {url_id, status queued, message 'URL added and scheduled for indexing'}", async () => {
      const sm = await getDb().sitemap.findFirstOrThrow({ where: { userId, startUrl: "https://blog.example.com/" } });
      const body = JSON.stringify({ url: "https://blog.example.com/pricing", priority: 0.8, changenfreq: "weekly" });
      const res = await urlsRoute(docRequest("POST", `/v1/sitemaps/${sm.id}/urls`, API_KEY, body), params({ id: sm.id }));
      expect(res.status).toBe(200);
      expectRateLimit(res);
      const out = AddUrl200.parse(await res.json());
      expect(await getDb().sitemapUrl.findUniqueOrThrow({ where: { id: out.url_id } })).toMatchObject({ url: "https://blog.example.com/pricing", priority: 0.8, changefreq: "weekly" });
      // priority "default: 0.5"; each documented changefreq value is accepted, in the document's capitalisation too
      for (const freq of ["Always", "daily", "weekly", "monthly", "yearly", "never"]) {
        const r = await urlsRoute(docRequest("POST", `/v1/sitemaps/${sm.id}/urls`, API_KEY, JSON.stringify({ url: `https://blog.example.com/${freq}`, changenfreq: freq })), params({ id: sm.id }));
        const row = await getDb().sitemapUrl.findUniqueOrThrow({ where: { id: AddUrl200.parse(await r.json()).url_id } });
        expect(row).toMatchObject({ priority: 0.5, changefreq: freq.toLowerCase() });
      }
      // 400 for a value outside 0.0..1.0, a missing url, invalid JSON; 404 for an unknown sitemap id (the document's example id)
      await expectError(await urlsRoute(docRequest("POST", `/v1/sitemaps/${sm.id}/urls`, API_KEY, '{"url":"https://blog.example.com/x","priority":1.5}'), params({ id: sm.id })), 400, "invalid_value", "invalid_request_error");
      await expectError(await urlsRoute(docRequest("POST", `/v1/sitemaps/${sm.id}/urls`, API_KEY, '{"priority":0.5}'), params({ id: sm.id })), 400, "missing", "invalid_request_error");
      await expectError(await urlsRoute(docRequest("POST", `/v1/sitemaps/${sm.id}/urls`, API_KEY, '{"url":'), params({ id: sm.id })), 400, "syntax_error", "invalid_request_error");
      await expectError(await urlsRoute(docRequest("POST", "/v1/sitemaps/smt_8f3k29x0/urls", API_KEY, body), params({ id: "smt_8f3k29x0" })), 404, "not_found", "invalid_request_error");
    });

    it("Submit for Indexing → 202 {request_id, targets:[{engine,status}], estimated_crawl_time}; google and bing among the targets", async () => {
      const sm = await getDb().sitemap.findFirstOrThrow({ where: { userId, startUrl: "https://example.com/" } });
      const res = await submitRoute(docRequest("POST", `/v1/sitemaps/${sm.id}/submit`, API_KEY), params({ id: sm.id }));
      expect(res.status).toBe(202);
      expectRateLimit(res);
      const out = Submit202.parse(await res.json());
      expect(out.targets.map((t) => t.engine)).toEqual(expect.arrayContaining(["google", "bing"]));
      await expectError(await submitRoute(docRequest("POST", "/v1/sitemaps/smt_8f3k29x0/submit", API_KEY), params({ id: "smt_8f3k29x0" })), 404, "not_found", "invalid_request_error");
    });

    it("Error Handling: 401 (the document's envelope, word for word), 403, 404 invalid endpoint, 400 invalid JSON / missing parameters, 429", async () => {
      // 401: missing key, and the document's placeholder key → its example error body
      for (const key of [null, "sk_live_your_api_key_here"]) {
        const err = await expectError(await listRoute(docRequest("GET", "/v1/sitemaps", key), params({})), 401, "invalid_api_key", "authentication_error");
        expect(err.message).toBe("The provided API key is invalid or has been revoked.");
      }
      // 403: a key without the permission for this resource
      const readOnly = await issueApiKey({ userId, name: "read only", scopes: ["read"] });
      await expectError(await createRoute(docRequest("POST", "/v1/sitemaps", readOnly.key, JSON.stringify({ name: "x", domain: "x.example.com" })), params({})), 403, "insufficient_permissions", "permission_error");
      // 404: an invalid endpoint, with or without a key
      await expectError(await unknownGet(docRequest("GET", "/v1/sitemaps/smt_8f3k29x0", API_KEY), params({ path: ["sitemaps", "smt_8f3k29x0"] })), 404, "not_found", "invalid_request_error");
      await expectError(await unknownGet(docRequest("GET", "/v1/nothing", null), params({ path: ["nothing"] })), 404, "not_found", "invalid_request_error");
      // 400: invalid JSON, missing required parameters (name, domain)
      await expectError(await createRoute(docRequest("POST", "/v1/sitemaps", API_KEY, "{"), params({})), 400, "syntax_error", "invalid_request_error");
      const missing = await expectError(await createRoute(docRequest("POST", "/v1/sitemaps", API_KEY, JSON.stringify({ name: "Production Site" })), params({})), 400, "missing", "invalid_request_error");
      expect(missing.message).toMatch(/domain/);
      await expectError(await generateRoute(docRequest("POST", "/v1/sitemaps/generate", API_KEY, "{}"), params({})), 400, "missing", "invalid_request_error");
      // 429: "Rate limit exceeded. Retry after X-RateLimit-Reset" (Starter: 60 requests/minute)
      const key = await getDb().apiKey.findFirstOrThrow({ where: { userId, name: "test" } });
      await setUsageCounter({ subject: `key:${key.id}`, window: "minute", start: windowOf(60, Date.now()).start, count: 60 });
      const limited = await listRoute(docRequest("GET", "/v1/sitemaps", API_KEY), params({}));
      await expectError(limited, 429, "rate_limit_exceeded", "rate_limit_error");
      expect(limited.headers.get("x-ratelimit-limit")).toBe("60");
      expect(limited.headers.get("x-ratelimit-remaining")).toBe("0");
      expect(Number(limited.headers.get("x-ratelimit-reset"))).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000));
    });
  });
}
