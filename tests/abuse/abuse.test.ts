/**
 * The abuse suite: bytes nobody types, sent to every route family (native /api/v1, the public file routes, the four
 * compatibility adapters), one row per case. Each row asserts the status, the family's own error envelope and that
 * nothing was written: the row count of every table except the usage counters, and the files folder, are unchanged.
 *
 * Route handlers are called directly (as Next calls them after decoding the path): a path parameter arrives decoded,
 * so `%00` is "\u0000"; a path that is not valid percent-encoded UTF-8 never reaches its route: proxy.ts rewrites it
 * to /api/bad-url with the raw URL in RAW_URL_HEADER, which is what those rows send.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next-auth", async (orig) => ({ ...(await orig<typeof import("next-auth")>()), getServerSession: vi.fn(async () => null) }));

import * as apiKeys from "@/app/api/v1/api-keys/route";
import * as apiKey from "@/app/api/v1/api-keys/[id]/route";
import * as catchAll from "@/app/api/v1/[...path]/route";
import * as feeds from "@/app/api/v1/feeds/route";
import * as feed from "@/app/api/v1/feeds/[id]/route";
import * as feedFile from "@/app/api/v1/feeds/[id]/file/route";
import * as feedItems from "@/app/api/v1/feeds/[id]/items/route";
import * as feedRefresh from "@/app/api/v1/feeds/[id]/refresh/route";
import * as openapi from "@/app/api/v1/openapi.json/route";
import * as runs from "@/app/api/v1/runs/route";
import * as run from "@/app/api/v1/runs/[id]/route";
import * as runCancel from "@/app/api/v1/runs/[id]/cancel/route";
import * as runChanges from "@/app/api/v1/runs/[id]/changes/route";
import * as schedule from "@/app/api/v1/schedule/route";
import * as signup from "@/app/api/v1/signup/route";
import * as sitemaps from "@/app/api/v1/sitemaps/route";
import * as sitemap from "@/app/api/v1/sitemaps/[id]/route";
import * as files from "@/app/api/v1/sitemaps/[id]/files/route";
import * as file from "@/app/api/v1/sitemaps/[id]/files/[name]/route";
import * as generate from "@/app/api/v1/sitemaps/[id]/generate/route";
import * as indexnow from "@/app/api/v1/sitemaps/[id]/indexnow/route";
import * as sitemapRuns from "@/app/api/v1/sitemaps/[id]/runs/route";
import * as status from "@/app/api/v1/sitemaps/[id]/status/route";
import * as sitemapSubmissions from "@/app/api/v1/sitemaps/[id]/submissions/route";
import * as submit from "@/app/api/v1/sitemaps/[id]/submit/route";
import * as urls from "@/app/api/v1/sitemaps/[id]/urls/route";
import * as url from "@/app/api/v1/sitemaps/[id]/urls/[urlId]/route";
import * as generateHour from "@/app/api/v1/sitemaps/generate/hour/[hour]/route";
import * as generateImport from "@/app/api/v1/sitemaps/generate/import/route";
import * as submissions from "@/app/api/v1/submissions/route";
import * as submission from "@/app/api/v1/submissions/[batchId]/route";
import * as templates from "@/app/api/v1/templates/route";
import * as template from "@/app/api/v1/templates/[id]/route";
import * as templatePreview from "@/app/api/v1/templates/[id]/preview/route";
import * as inlinePreview from "@/app/api/v1/templates/preview/route";
import * as usage from "@/app/api/v1/usage/route";
import * as webhooks from "@/app/api/v1/webhooks/route";
import * as webhook from "@/app/api/v1/webhooks/[id]/route";
import * as webhookDeliveries from "@/app/api/v1/webhooks/[id]/deliveries/route";
import * as webhookTest from "@/app/api/v1/webhooks/[id]/test/route";
import * as publicSitemapFile from "@/app/s/[sitemapId]/[name]/route";
import * as shopSubshops from "@/app/api/v1/account/shop-subshops/route";
import * as publicShopFile from "@/app/shop/[accountId]/sitemaps/[subshopId]/[name]/route";
import * as publicRootShopFile from "@/app/sitemaps/[subshopId]/[name]/route";
import * as publicFeedFile from "@/app/f/[feedId]/[name]/route";
import * as shopSitemaps from "@/app/api/shop/sitemaps/route";
import * as shopSitemap from "@/app/api/shop/sitemaps/[id]/route";
import * as shopGenerate from "@/app/api/shop/sitemaps/[id]/generate/route";
import * as shopStatus from "@/app/api/shop/sitemaps/[id]/status/route";
import * as shopGenerateHour from "@/app/api/shop/sitemaps/generate/hour/[hour]/route";
import * as shopGenerateImport from "@/app/api/shop/sitemaps/generate/import/route";
import * as shopProtocols from "@/app/api/shop/sitemaps/protocols/route";
import * as shopTemplates from "@/app/api/shop/sitemaps/templates/route";
import * as shopTemplate from "@/app/api/shop/sitemaps/templates/[id]/route";
import * as sxSitemaps from "@/app/v1/sitemaps/route";
import * as sxSubmit from "@/app/v1/sitemaps/[id]/submit/route";
import * as sxUrls from "@/app/v1/sitemaps/[id]/urls/route";
import * as sxGenerate from "@/app/v1/sitemaps/generate/route";
import * as anqi from "@/app/api/import/sitemap/route";
import * as msg from "@/app/api/[method]/route";
import * as badUrl from "@/app/api/bad-url/route";
import type { Db } from "@/lib/db/client";
import { RAW_URL_HEADER } from "@/lib/core/text";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { BASE, mockSession, seedUser, sitemapBody } from "@/tests/api/helpers";

type Family = "native" | "shop" | "sitemapxml" | "anqicms" | "mysitemapgenerator";
type Handler = (req: Request, ctx: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>;
type Route = { path: string; family: Family; mod: Record<string, unknown> };

const ROUTES: Route[] = [
  { path: "/api/v1/sitemaps", family: "native", mod: sitemaps },
  { path: "/api/v1/sitemaps/{id}", family: "native", mod: sitemap },
  { path: "/api/v1/sitemaps/{id}/files", family: "native", mod: files },
  { path: "/api/v1/sitemaps/{id}/files/{name}", family: "native", mod: file },
  { path: "/api/v1/sitemaps/{id}/generate", family: "native", mod: generate },
  { path: "/api/v1/sitemaps/{id}/indexnow", family: "native", mod: indexnow },
  { path: "/api/v1/sitemaps/{id}/runs", family: "native", mod: sitemapRuns },
  { path: "/api/v1/sitemaps/{id}/status", family: "native", mod: status },
  { path: "/api/v1/sitemaps/{id}/submissions", family: "native", mod: sitemapSubmissions },
  { path: "/api/v1/sitemaps/{id}/submit", family: "native", mod: submit },
  { path: "/api/v1/sitemaps/{id}/urls", family: "native", mod: urls },
  { path: "/api/v1/sitemaps/{id}/urls/{urlId}", family: "native", mod: url },
  { path: "/api/v1/sitemaps/generate/hour/{hour}", family: "native", mod: generateHour },
  { path: "/api/v1/sitemaps/generate/import", family: "native", mod: generateImport },
  { path: "/api/v1/runs", family: "native", mod: runs },
  { path: "/api/v1/runs/{id}", family: "native", mod: run },
  { path: "/api/v1/runs/{id}/cancel", family: "native", mod: runCancel },
  { path: "/api/v1/runs/{id}/changes", family: "native", mod: runChanges },
  { path: "/api/v1/schedule", family: "native", mod: schedule },
  { path: "/api/v1/submissions", family: "native", mod: submissions },
  { path: "/api/v1/submissions/{batchId}", family: "native", mod: submission },
  { path: "/api/v1/templates", family: "native", mod: templates },
  { path: "/api/v1/templates/{id}", family: "native", mod: template },
  { path: "/api/v1/templates/{id}/preview", family: "native", mod: templatePreview },
  { path: "/api/v1/templates/preview", family: "native", mod: inlinePreview },
  { path: "/api/v1/feeds", family: "native", mod: feeds },
  { path: "/api/v1/feeds/{id}", family: "native", mod: feed },
  { path: "/api/v1/feeds/{id}/file", family: "native", mod: feedFile },
  { path: "/api/v1/feeds/{id}/items", family: "native", mod: feedItems },
  { path: "/api/v1/feeds/{id}/refresh", family: "native", mod: feedRefresh },
  { path: "/api/v1/webhooks", family: "native", mod: webhooks },
  { path: "/api/v1/webhooks/{id}", family: "native", mod: webhook },
  { path: "/api/v1/webhooks/{id}/deliveries", family: "native", mod: webhookDeliveries },
  { path: "/api/v1/webhooks/{id}/test", family: "native", mod: webhookTest },
  { path: "/api/v1/api-keys", family: "native", mod: apiKeys },
  { path: "/api/v1/api-keys/{id}", family: "native", mod: apiKey },
  { path: "/api/v1/usage", family: "native", mod: usage },
  { path: "/api/v1/signup", family: "native", mod: signup },
  { path: "/api/v1/openapi.json", family: "native", mod: openapi },
  { path: "/api/v1/{...path}", family: "native", mod: catchAll },
  { path: "/s/{sitemapId}/{name}", family: "native", mod: publicSitemapFile },
  { path: "/api/v1/account/shop-subshops", family: "native", mod: shopSubshops },
  { path: "/shop/{accountId}/sitemaps/{subshopId}/{name}", family: "native", mod: publicShopFile },
  { path: "/sitemaps/{subshopId}/{name}", family: "native", mod: publicRootShopFile },
  { path: "/f/{feedId}/{name}", family: "native", mod: publicFeedFile },
  { path: "/api/shop/sitemaps", family: "shop", mod: shopSitemaps },
  { path: "/api/shop/sitemaps/{id}", family: "shop", mod: shopSitemap },
  { path: "/api/shop/sitemaps/{id}/generate", family: "shop", mod: shopGenerate },
  { path: "/api/shop/sitemaps/{id}/status", family: "shop", mod: shopStatus },
  { path: "/api/shop/sitemaps/generate/hour/{hour}", family: "shop", mod: shopGenerateHour },
  { path: "/api/shop/sitemaps/generate/import", family: "shop", mod: shopGenerateImport },
  { path: "/api/shop/sitemaps/protocols", family: "shop", mod: shopProtocols },
  { path: "/api/shop/sitemaps/templates", family: "shop", mod: shopTemplates },
  { path: "/api/shop/sitemaps/templates/{id}", family: "shop", mod: shopTemplate },
  { path: "/v1/sitemaps", family: "sitemapxml", mod: sxSitemaps },
  { path: "/v1/sitemaps/{id}/submit", family: "sitemapxml", mod: sxSubmit },
  { path: "/v1/sitemaps/{id}/urls", family: "sitemapxml", mod: sxUrls },
  { path: "/v1/sitemaps/generate", family: "sitemapxml", mod: sxGenerate },
  { path: "/api/import/sitemap", family: "anqicms", mod: anqi },
  { path: "/api/{method}", family: "mysitemapgenerator", mod: msg },
];

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
/** Every (route, method) a module serves, its own handlers and its 405 answers alike. */
const OPERATIONS = ROUTES.flatMap((r) =>
  METHODS.filter((m) => typeof r.mod[m] === "function").map((method) => ({ ...r, method, handler: r.mod[method] as Handler })),
);
const paramNames = (p: string) => [...p.matchAll(/\{(?:\.\.\.)?(\w+)\}/g)].map((m) => m[1]);

/** Path parameters as Next hands them over (decoded), the bad one replaced; ids that look real for the rest. */
function buildRequest(op: (typeof OPERATIONS)[number], opts: { bad?: { name: string; value: string }; query?: string; headers?: Record<string, string>; key?: string }) {
  const params: Record<string, string | string[]> = {};
  let p = op.path;
  for (const name of paramNames(op.path)) {
    const value = opts.bad?.name === name ? opts.bad.value : name === "hour" ? "3" : name === "name" ? "sitemap.xml" : name === "method" ? "getBalance" : "c000000000000000000000000";
    params[name] = name === "path" ? ["sitemaps", value] : value;
    p = p.replace(new RegExp(`\\{(?:\\.\\.\\.)?${name}\\}`), name === "path" ? `sitemaps/${encodeURIComponent(value)}` : encodeURIComponent(value));
  }
  const headers = new Headers(opts.headers);
  if (opts.key) headers.set("authorization", `Bearer ${opts.key}`);
  return { req: new Request(`${BASE}${p}${opts.query ?? ""}`, { method: op.method, headers }), ctx: { params: Promise.resolve(params) } };
}

/**
 * Asserts the family's error envelope for a refused request. Native: `{ error: { type, code, message, field?,
 * request_id, doc_url } }`; shop: `{ error: { status, type, message, field?, request_id } }`; Sitemap.xml API:
 * `{ error: { code, message, type, request_id, param? } }`; AnQiCMS: HTTP 200 `{ code: -1, msg, data: { error } }`;
 * mysitemapgenerator: HTTP 200 `{ result: "error", notice }`.
 */
async function expectRefused(family: Family, res: Response, e: { status: number; code: string; codes?: string[]; field?: string }) {
  const text = await res.text();
  const body = JSON.parse(text);
  const codes = e.codes ?? [e.code];
  const requestId = res.headers.get("x-request-id");
  expect(requestId).toMatch(/^req_[0-9a-f]{32}$/);
  switch (family) {
    case "native":
      expect({ status: res.status, field: body.error?.field }).toEqual({ status: e.status, field: e.field });
      expect(codes).toContain(body.error.code);
      expect(body.error).toMatchObject({ type: "invalid_request", message: expect.any(String), request_id: requestId });
      break;
    case "shop": {
      const types: Record<string, string> = { bad_request: "invalidCharacters", invalid_value: "invalidValue", invalid_format: "invalidFormat", syntax_error: "syntaxError", payload_too_large: "syntaxError" };
      expect(res.status).toBe(400);
      expect(codes.map((c) => types[c])).toContain(body.error.type);
      expect(body.error).toMatchObject({ status: 400, message: expect.any(String), request_id: requestId });
      break;
    }
    case "sitemapxml":
      expect(res.status).toBe(400);
      expect(codes).toContain(body.error.code);
      expect(body.error).toMatchObject({ type: "invalid_request_error", request_id: requestId, ...(e.field ? { param: e.field } : {}) });
      break;
    case "anqicms":
      expect(res.status).toBe(200);
      expect(body).toMatchObject({ code: -1, msg: expect.any(String), data: { request_id: requestId } });
      expect(codes).toContain(body.data.error);
      break;
    case "mysitemapgenerator":
      expect(res.status).toBe(200);
      expect(body).toEqual({ result: "error", notice: expect.any(String) });
      break;
  }
}

// ---- "nothing written" -------------------------------------------------------------------------------------------

/** Tables whose rows a refused request may add: the per-minute and daily usage counters. */
const COUNTER_TABLES = new Set(["UsageCounter", "_prisma_migrations"]);

async function rowCounts(db: Db): Promise<Record<string, number>> {
  const tables = (await db.$queryRawUnsafe<{ t: string }[]>("SELECT tablename AS t FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1"))
    .map((r) => r.t)
    .filter((t) => !COUNTER_TABLES.has(t));
  const rows = await db.$queryRawUnsafe<{ t: string; n: number }[]>(tables.map((t) => `SELECT '${t}' AS t, count(*)::int AS n FROM "${t}"`).join(" UNION ALL "));
  return Object.fromEntries(rows.map((r) => [r.t, Number(r.n)]));
}

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).sort();
}

// ---- bodies -----------------------------------------------------------------------------------------------------

/** Puts `value` at the dotted `path` of a copy of `body` (numeric parts index arrays). */
function setAt(body: Record<string, unknown>, dotted: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(body);
  const parts = dotted.split(".");
  let node: Record<string, unknown> = copy;
  for (const part of parts.slice(0, -1)) node = node[part] as Record<string, unknown>;
  node[parts.at(-1)!] = value;
  return copy;
}

const fullSitemap = () =>
  sitemapBody({
    crawl: { userAgent: "ExampleBot/1.0", rules: [{ action: "exclude", pattern: "/private/*", syntax: "glob" }], queryPolicy: "allowlist", queryAllowlist: ["page"] },
    extensions: { imageHosts: ["cdn.example.com"], news: true, newsPublicationName: "Daily", newsLanguage: "en" },
    auth: { basicAuth: { username: "stage", password: "secret" }, headers: { "X-Stage": "1" }, cookies: { sid: "abc" } },
    subScopes: [{ key: "en", name: "English", pathPrefix: "/en/" }],
    exportCron: "0 3 * * *",
    timezone: "UTC",
    templateId: null,
  });
const SITEMAP_FIELDS = [
  "name", "startUrl", "fileName", "crawl.userAgent", "crawl.rules.0.pattern", "crawl.queryAllowlist.0", "extensions.imageHosts.0",
  "extensions.newsPublicationName", "extensions.newsLanguage", "auth.basicAuth.username", "auth.basicAuth.password", "auth.headers.X-Stage",
  "auth.cookies.sid", "subScopes.0.key", "subScopes.0.name", "subScopes.0.pathPrefix", "exportCron", "timezone", "templateId",
];
const FEED_BODY = { foundUrl: "https://news.example.com/", name: "News", linkMask: "/news/*", channelTitle: "News", channelImage: "https://news.example.com/logo.png", webmaster: "web@example.com", templateId: null };
const FEED_FIELDS = ["foundUrl", "name", "linkMask", "channelTitle", "channelImage", "webmaster", "templateId"];

type BodyCase = { label: string; handler: Handler; method: string; path: string; params?: Record<string, string>; body: () => Record<string, unknown>; fields: string[]; multiline?: string[]; session?: boolean };

// ---- the suite ---------------------------------------------------------------------------------------------------

let filesDir: string;
beforeAll(() => {
  filesDir = fs.mkdtempSync(path.join(os.tmpdir(), "sf-abuse-"));
  vi.stubEnv("FILES_DIR", filesDir);
  // Hundreds of calls from one key: the per-minute limit is not what these rows test.
  vi.stubEnv("PLAN_LIMITS", JSON.stringify({ starter: { perMinute: 1_000_000, perDay: null } }));
  // A published file, so "the files folder is unchanged" compares against something.
  fs.mkdirSync(path.join(filesDir, "seed"), { recursive: true });
  fs.writeFileSync(path.join(filesDir, "seed", "sitemap.xml"), "<urlset/>");
});
afterAll(() => {
  vi.unstubAllEnvs();
  fs.rmSync(filesDir, { recursive: true, force: true });
});
afterEach(() => mockSession(null));

for (const backend of testBackends()) {
  describe(`abuse suite on ${backend.name}`, () => {
    const t = useTestDb(backend);
    let alice: Awaited<ReturnType<typeof seedUser>>;
    let sitemapId: string;

    beforeAll(async () => {
      alice = await seedUser();
      const res = await sitemaps.POST(new Request(`${BASE}/api/v1/sitemaps`, { method: "POST", headers: { authorization: `Bearer ${alice.key}`, "content-type": "application/json" }, body: JSON.stringify(sitemapBody()) }), { params: Promise.resolve({}) });
      expect(res.status).toBe(201);
      sitemapId = (await res.json()).data.id;
    });

    /** Runs `send` and asserts that no table (but the usage counters) gained or lost rows and no file changed. */
    async function unchanged<T>(send: () => Promise<T>): Promise<T> {
      const before = { rows: await rowCounts(t.db), files: listFiles(filesDir) };
      const out = await send();
      expect({ rows: await rowCounts(t.db), files: listFiles(filesDir) }).toEqual(before);
      return out;
    }

    describe("path parameters: %00, C0 controls, line breaks and DEL in every parameter of every route → 400", () => {
      const BAD = [
        ["%00", "\u0000"],
        ["a%01b", "a\u0001b"],
        ["a%0Ab", "a\nb"],
      ] as const;
      const rows = OPERATIONS.flatMap((op) => paramNames(op.path).flatMap((name) => BAD.map(([what, value]) => ({ op, name, what, value }))));
      it.each(rows.map((r) => [`${r.op.method} ${r.op.path} with ${r.name} = ${r.what}`, r] as const))("%s", async (_label, { op, name, value }) => {
        const { req, ctx } = buildRequest(op, { bad: { name, value }, key: alice.key });
        const res = await unchanged(() => op.handler(req, ctx));
        const field = name === "path" ? "path" : name;
        await expectRefused(op.family, res, { status: 400, code: "bad_request", field });
      });
    });

    describe("paths that are not percent-encoded UTF-8 (%ff, ..%c0%af..): proxy.ts rewrites them to /api/bad-url → 400 in the family's envelope", () => {
      const id = "c000000000000000000000000";
      const ROWS: [string, Family, string | undefined][] = [
        ["/api/v1/sitemaps/%ff", "native", undefined],
        [`/api/v1/sitemaps/${id}/files/..%c0%af..%c0%afetc%c0%afpasswd`, "native", undefined],
        ["/api/v1/runs/%e2%82", "native", undefined],
        [`/s/${id}/..%c0%af..%c0%afetc%c0%afpasswd`, "native", undefined],
        ["/s/%ff/x.xml", "native", undefined],
        ["/f/%ff/feed.xml", "native", undefined],
        ["/api/v1/sitemaps/%ff?cursor=%ff", "native", undefined],
        ["/api/shop/sitemaps/%ff", "shop", undefined],
        ["/api/shop/sitemaps/templates/%c0%af", "shop", undefined],
        ["/v1/sitemaps/%ff/urls", "sitemapxml", undefined],
        ["/api/import/%ff", "anqicms", undefined],
        ["/api/%ff", "mysitemapgenerator", undefined],
      ];
      it.each(ROWS)("%s → %s", async (raw, family) => {
        for (const method of ["GET", "POST", "DELETE"] as const) {
          const h = badUrl[method] as Handler;
          const res = await unchanged(() => h(new Request(`${BASE}/api/bad-url`, { method, headers: { authorization: `Bearer ${alice.key}`, [RAW_URL_HEADER]: raw } }), { params: Promise.resolve({}) }));
          await expectRefused(family, res, { status: 400, code: "bad_request" });
        }
      });
      it("called without the header, or with a raw URL that has no problem, it is an unknown endpoint (404)", async () => {
        for (const headers of [{}, { [RAW_URL_HEADER]: "/api/v1/sitemaps?size=5" }] as Record<string, string>[]) {
          const res = await (badUrl.GET as Handler)(new Request(`${BASE}/api/bad-url`, { headers }), { params: Promise.resolve({}) });
          const body = await res.json();
          expect({ status: res.status, code: body.error.code, rid: body.error.request_id }).toEqual({ status: 404, code: "not_found", rid: res.headers.get("x-request-id") });
        }
      });
    });

    describe("query parameters: %00, invalid percent-encoding, controls in names and values → 400", () => {
      const QUERIES = [
        ["?filter[name]=%00", "filter[name]"],
        ["?cursor=%ff", "cursor"],
        ["?token=x%7F&api_key=y", "token"],
        ["?a%1B=1", "a\\u001b"],
      ] as const;
      const rows = OPERATIONS.flatMap((op) => QUERIES.map(([query, field]) => ({ op, query, field })));
      it.each(rows.map((r) => [`${r.op.method} ${r.op.path}${r.query}`, r] as const))("%s", async (_label, { op, query, field }) => {
        const { req, ctx } = buildRequest(op, { key: alice.key, query });
        const res = await unchanged(() => op.handler(req, ctx));
        await expectRefused(op.family, res, { status: 400, code: "bad_request", field });
      });
    });

    describe("JSON bodies: NUL, C0 controls, DEL and lone surrogates in every text field → 422 naming the field", () => {
      const cases = (): BodyCase[] => [
        { label: "POST /api/v1/sitemaps", handler: sitemaps.POST as Handler, method: "POST", path: "/api/v1/sitemaps", body: fullSitemap, fields: SITEMAP_FIELDS },
        { label: "PATCH /api/v1/sitemaps/{id}", handler: sitemap.PATCH as Handler, method: "PATCH", path: `/api/v1/sitemaps/${sitemapId}`, params: { id: sitemapId }, body: fullSitemap, fields: SITEMAP_FIELDS },
        { label: "POST /api/v1/templates", handler: templates.POST as Handler, method: "POST", path: "/api/v1/templates", body: () => ({ name: "T", kind: "html", content: "<p>{{ sitemap.name }}</p>" }), fields: ["name", "content"], multiline: ["content"] },
        { label: "PATCH /api/v1/templates/{id}", handler: template.PATCH as Handler, method: "PATCH", path: "/api/v1/templates/c000000000000000000000000", params: { id: "c000000000000000000000000" }, body: () => ({ name: "T", content: "x" }), fields: ["name", "content"], multiline: ["content"] },
        { label: "POST /api/v1/templates/preview", handler: inlinePreview.POST as Handler, method: "POST", path: "/api/v1/templates/preview", body: () => ({ kind: "html", content: "x" }), fields: ["content"], multiline: ["content"] },
        { label: "POST /api/v1/feeds", handler: feeds.POST as Handler, method: "POST", path: "/api/v1/feeds", body: () => ({ ...FEED_BODY }), fields: FEED_FIELDS },
        { label: "PATCH /api/v1/feeds/{id}", handler: feed.PATCH as Handler, method: "PATCH", path: "/api/v1/feeds/c000000000000000000000000", params: { id: "c000000000000000000000000" }, body: () => ({ ...FEED_BODY }), fields: FEED_FIELDS },
        { label: "POST /api/v1/webhooks", handler: webhooks.POST as Handler, method: "POST", path: "/api/v1/webhooks", body: () => ({ url: "https://hooks.example.com/in", events: ["run.failed"] }), fields: ["url", "events.0"] },
        { label: "PATCH /api/v1/webhooks/{id}", handler: webhook.PATCH as Handler, method: "PATCH", path: "/api/v1/webhooks/c000000000000000000000000", params: { id: "c000000000000000000000000" }, body: () => ({ url: "https://hooks.example.com/in" }), fields: ["url"] },
        { label: "POST /api/v1/sitemaps/{id}/urls (one)", handler: urls.POST as Handler, method: "POST", path: `/api/v1/sitemaps/${sitemapId}/urls`, params: { id: sitemapId }, body: () => ({ url: "https://docs.example.com/a", lastmod: "2026-01-01" }), fields: ["url", "lastmod"] },
        { label: "POST /api/v1/sitemaps/{id}/urls (many)", handler: urls.POST as Handler, method: "POST", path: `/api/v1/sitemaps/${sitemapId}/urls`, params: { id: sitemapId }, body: () => ({ urls: [{ url: "https://docs.example.com/a" }, { url: "https://docs.example.com/b" }] }), fields: ["urls.1.url"] },
        { label: "DELETE /api/v1/sitemaps/{id}/urls", handler: urls.DELETE as Handler, method: "DELETE", path: `/api/v1/sitemaps/${sitemapId}/urls`, params: { id: sitemapId }, body: () => ({ urls: ["https://docs.example.com/a"] }), fields: ["urls.0"] },
        { label: "PUT /api/v1/account/shop-subshops", handler: shopSubshops.PUT as Handler, method: "PUT", path: "/api/v1/account/shop-subshops", body: () => ({ subshops: [{ subshopId: 1, baseUrl: "https://shop.example.com/" }, { subshopId: "de", baseUrl: "https://shop.example.com/de/" }] }), fields: ["subshops.1.subshopId", "subshops.1.baseUrl"] },
        { label: "POST /api/v1/api-keys (session)", handler: apiKeys.POST as Handler, method: "POST", path: "/api/v1/api-keys", body: () => ({ name: "laptop" }), fields: ["name"], session: true },
      ];
      const VALUES = [
        ["NUL", "a\u0000b", "all"],
        ["C0 control U+0001", "a\u0001b", "all"],
        ["ESC", "\u001b[31m", "all"],
        ["DEL", "a\u007fb", "all"],
        ["lone surrogate", "a\ud800b", "all"],
        ["line feed", "a\nb", "line"],
        ["carriage return", "a\rb", "line"],
        ["tab", "a\tb", "line"],
      ] as const;
      const send = async (c: BodyCase, body: unknown) => {
        if (c.session) mockSession(alice.id);
        const headers: Record<string, string> = { "content-type": "application/json" };
        if (!c.session) headers.authorization = `Bearer ${alice.key}`;
        return c.handler(new Request(`${BASE}${c.path}`, { method: c.method, headers, body: JSON.stringify(body) }), { params: Promise.resolve(c.params ?? {}) });
      };
      it("every case's base body is accepted past validation (so each row's refusal is the bad character's doing)", async () => {
        for (const c of cases()) {
          const res = await send(c, c.body());
          expect(res.status, c.label).not.toBe(422);
          expect(res.status, c.label).toBeLessThan(500);
        }
      });
      for (const [what, value, where] of VALUES) {
        it(`${what} in every ${where === "line" ? "single-line " : ""}text field`, async () => {
          for (const c of cases()) {
            for (const field of c.fields) {
              if (where === "line" && c.multiline?.includes(field)) continue;
              const res = await unchanged(() => send(c, setAt(c.body(), field, value)));
              const body = await res.json();
              expect({ label: `${c.label} ${field}`, status: res.status, field: body.error?.field }).toEqual({ label: `${c.label} ${field}`, status: 422, field });
              expect(where === "all" ? ["invalid_value"] : ["invalid_value", "invalid_format"]).toContain(body.error.code);
            }
          }
        });
      }
      it("sign-up (rate-limited per IP, so two rows): NUL in the password, a line break in the name → 422, no user", async () => {
        const body = { email: "new@example.com", password: "correct horse battery", name: "New" };
        for (const [field, value] of [["password", "correct\u0000horse"], ["name", "New\nUser"]] as const) {
          const res = await unchanged(() => signup.POST!(new Request(`${BASE}/api/v1/signup`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ...body, [field]: value }) }), { params: Promise.resolve({}) }));
          await expectRefused("native", res, { status: 422, code: "invalid_value", field });
        }
      });
      it("template content keeps TAB, LF and CR (multi-line text)", async () => {
        const res = await send(cases()[4], { kind: "html", content: "<p>\n\tline\r\n</p>" });
        expect(res.status).toBe(200);
      });
      it("a control character in an object key (a header name) → 422 naming it", async () => {
        const c = cases()[0];
        const res = await unchanged(() => send(c, setAt(c.body(), "auth.headers", { "X-\u0001": "1" })));
        const body = await res.json();
        expect({ status: res.status, code: body.error.code, field: body.error.field }).toEqual({ status: 422, code: "invalid_value", field: "auth.headers.X-\u0001" });
      });
    });

    describe("bytes that are not UTF-8 and bodies that are too large", () => {
      const json = (handler: Handler, path: string, body: BodyInit, headers: Record<string, string> = {}, params: Record<string, string> = {}) =>
        handler(
          new Request(`${BASE}${path}`, { method: "POST", headers: { authorization: `Bearer ${alice.key}`, "content-type": "application/json", ...headers }, body, duplex: "half" } as RequestInit),
          { params: Promise.resolve(params) },
        );
      const NOT_UTF8 = Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc0, 0xaf, 0xff]), Buffer.from('","startUrl":"https://a.example/","fileName":"x1"}')]);
      const TEN_MB = 10 * 1024 * 1024;
      const bigJson = () => Buffer.from(JSON.stringify({ ...sitemapBody(), name: "x".repeat(TEN_MB) }));
      const stream = (bytes: Uint8Array) => new ReadableStream({ start(c) { for (let i = 0; i < bytes.length; i += 65536) c.enqueue(bytes.subarray(i, i + 65536)); c.close(); } });

      it("invalid UTF-8 in a JSON body → 400 syntax_error (native), syntaxError (shop), 400 (Sitemap.xml API)", async () => {
        await expectRefused("native", await unchanged(() => json(sitemaps.POST as Handler, "/api/v1/sitemaps", NOT_UTF8)), { status: 400, code: "syntax_error" });
        await expectRefused("shop", await unchanged(() => json(shopSitemaps.POST as Handler, "/api/shop/sitemaps", NOT_UTF8)), { status: 400, code: "syntax_error" });
        await expectRefused("sitemapxml", await unchanged(() => json(sxSitemaps.POST as Handler, "/v1/sitemaps", NOT_UTF8)), { status: 400, code: "syntax_error" });
      });
      it("a lone surrogate and NUL in JSON bodies of the adapters → their 400", async () => {
        await expectRefused("shop", await unchanged(() => json(shopSitemaps.POST as Handler, "/api/shop/sitemaps", JSON.stringify({ name: "a\u0000b", fileName: "x2", startUrl: "https://a.example/" }))), { status: 400, code: "bad_request" });
        await expectRefused("shop", await unchanged(() => json(shopSitemaps.POST as Handler, "/api/shop/sitemaps", JSON.stringify({ name: "\ud800", fileName: "x2", startUrl: "https://a.example/" }))), { status: 400, code: "bad_request" });
        await expectRefused("sitemapxml", await unchanged(() => json(sxSitemaps.POST as Handler, "/v1/sitemaps", JSON.stringify({ domain: "a.example", name: "\ud800" }))), { status: 400, code: "invalid_value", field: "name" });
        await expectRefused("sitemapxml", await unchanged(() => json(sxGenerate.POST as Handler, "/v1/sitemaps/generate", JSON.stringify({ domain: "a\u0000.example" }))), { status: 400, code: "invalid_value", field: "domain" });
      });
      it("10 MB bodies → 413 payload_too_large, announced by Content-Length or streamed", async () => {
        const big = bigJson();
        await expectRefused("native", await unchanged(() => json(sitemaps.POST as Handler, "/api/v1/sitemaps", big, { "content-length": String(big.length) })), { status: 413, code: "payload_too_large" });
        await expectRefused("native", await unchanged(() => json(sitemaps.POST as Handler, "/api/v1/sitemaps", stream(big))), { status: 413, code: "payload_too_large" });
        // An endpoint that reads no body still refuses one announced over its cap.
        await expectRefused("native", await unchanged(() => json(generate.POST as Handler, `/api/v1/sitemaps/${sitemapId}/generate`, big, { "content-length": String(big.length) }, { id: sitemapId })), { status: 413, code: "payload_too_large" });
        await expectRefused("native", await unchanged(() => json(urls.POST as Handler, `/api/v1/sitemaps/${sitemapId}/urls`, stream(big), {}, { id: sitemapId })), { status: 413, code: "payload_too_large" });
        await expectRefused("shop", await unchanged(() => json(shopSitemaps.POST as Handler, "/api/shop/sitemaps", stream(big))), { status: 400, code: "payload_too_large" });
        await expectRefused("sitemapxml", await unchanged(() => json(sxSitemaps.POST as Handler, "/v1/sitemaps", stream(big))), { status: 400, code: "payload_too_large" });
      });
      it("the adapters' form bodies: invalid UTF-8 (raw or percent-encoded, urlencoded or multipart), NUL and controls → their error", async () => {
        const form = (handler: Handler, p: string, body: BodyInit, type: string, params: Record<string, string> = {}) =>
          handler(new Request(`${BASE}${p}`, { method: "POST", headers: { "content-type": type }, body }), { params: Promise.resolve(params) });
        const urlenc = "application/x-www-form-urlencoded";
        const multipart = (fields: [string, Buffer][]) => {
          const b = "----abuse";
          const parts = fields.map(([k, v]) => Buffer.concat([Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n`), v, Buffer.from("\r\n")]));
          return { body: Buffer.concat([...parts, Buffer.from(`--${b}--\r\n`)]), type: `multipart/form-data; boundary=${b}` };
        };
        const k = alice.key;
        for (const [family, handler, p, params] of [
          ["anqicms", anqi.POST, "/api/import/sitemap", {}],
          ["mysitemapgenerator", msg.POST, "/api/SitemapsGetList?format=json", { method: "SitemapsGetList" }],
        ] as const) {
          const h = handler as Handler;
          await expectRefused(family, await unchanged(() => form(h, p, `api_key=${k}&sitemap=%ff`, urlenc, params)), { status: 400, code: "syntax_error" });
          await expectRefused(family, await unchanged(() => form(h, p, Buffer.concat([Buffer.from(`api_key=${k}&sitemap=`), Buffer.from([0xff])]), urlenc, params)), { status: 400, code: "syntax_error" });
          await expectRefused(family, await unchanged(() => form(h, p, `api_key=${k}&sitemap=a%00b`, urlenc, params)), { status: 422, code: "invalid_value" });
          await expectRefused(family, await unchanged(() => form(h, p, `api_key=${k}&sitemap=a%0Ab`, urlenc, params)), { status: 422, code: "invalid_value" });
          const bad = multipart([["api_key", Buffer.from(k)], ["sitemap", Buffer.from([0x61, 0xff, 0x62])]]);
          await expectRefused(family, await unchanged(() => form(h, p, bad.body, bad.type, params)), { status: 400, code: "syntax_error" });
          const nul = multipart([["api_key", Buffer.from(k)], ["sitemap", Buffer.from("a\u0000b")]]);
          await expectRefused(family, await unchanged(() => form(h, p, nul.body, nul.type, params)), { status: 422, code: "invalid_value" });
        }
      });
    });

    describe("headers we read", () => {
      it("Idempotency-Key with a control character or non-ASCII → 422 invalid_format naming the header", async () => {
        for (const key of ["a\u0001b", "caf\u00e9", "a b"]) {
          const res = await unchanged(() =>
            sitemaps.POST!(new Request(`${BASE}/api/v1/sitemaps`, { method: "POST", headers: { authorization: `Bearer ${alice.key}`, "content-type": "application/json", "idempotency-key": key }, body: JSON.stringify(sitemapBody()) }), { params: Promise.resolve({}) }),
          );
          await expectRefused("native", res, { status: 422, code: "invalid_format", field: "Idempotency-Key" });
        }
      });
      it("an Authorization header with control characters is a 401, not a 500", async () => {
        const res = await unchanged(() => sitemaps.GET!(new Request(`${BASE}/api/v1/sitemaps`, { headers: { authorization: `Bearer ${alice.key}\u0001` } }), { params: Promise.resolve({}) }));
        expect(res.status).toBe(401);
        expect((await res.json()).error.code).toBe("unauthorized");
      });
    });

    describe("405 and unknown /api/v1 routes: the JSON envelope with a request id; limit headers when the caller is known", () => {
      const call = (h: Handler, method: string, p: string, key?: string, params: Record<string, string | string[]> = {}) =>
        h(new Request(`${BASE}${p}`, { method, headers: key ? { authorization: `Bearer ${key}` } : {} }), { params: Promise.resolve(params) });
      it("405 with Allow; X-RateLimit-* for a valid key, none for an anonymous or unknown caller", async () => {
        const known = await call(sitemaps.PUT as Handler, "PUT", "/api/v1/sitemaps", alice.key);
        await expectRefused("native", known.clone(), { status: 405, code: "method_not_allowed" });
        expect(known.headers.get("allow")).toBe("GET, POST");
        expect(known.headers.get("x-ratelimit-limit")).toMatch(/^\d+$/);
        expect(known.headers.get("x-ratelimit-remaining")).toMatch(/^\d+$/);
        const anonymous = await call(sitemaps.PUT as Handler, "PUT", "/api/v1/sitemaps");
        await expectRefused("native", anonymous.clone(), { status: 405, code: "method_not_allowed" });
        expect(anonymous.headers.get("x-ratelimit-limit")).toBeNull();
        const badKey = await call(sitemaps.PUT as Handler, "PUT", "/api/v1/sitemaps", "sfk_nope");
        expect(badKey.status).toBe(405);
        expect(badKey.headers.get("x-ratelimit-limit")).toBeNull();
      });
      it("an unknown route → 404 not_found JSON; an unknown operation → 400; limit headers for a valid key", async () => {
        const res = await call(catchAll.GET as Handler, "GET", "/api/v1/nothing/here", alice.key, { path: ["nothing", "here"] });
        expect(res.headers.get("x-ratelimit-limit")).toMatch(/^\d+$/);
        const body = await res.json();
        expect({ status: res.status, code: body.error.code, type: body.error.type, rid: body.error.request_id }).toEqual({ status: 404, code: "not_found", type: "not_found", rid: res.headers.get("x-request-id") });
        const op = await call(catchAll.POST as Handler, "POST", `/api/v1/sitemaps/${sitemapId}/frobnicate`, alice.key, { path: ["sitemaps", sitemapId, "frobnicate"] });
        expect(op.status).toBe(400);
        expect((await op.json()).error.code).toBe("unknown_operation");
        expect(op.headers.get("x-ratelimit-limit")).toMatch(/^\d+$/);
        const anon = await call(catchAll.GET as Handler, "GET", "/api/v1/nothing");
        expect(anon.status).toBe(404);
        expect(anon.headers.get("x-ratelimit-limit")).toBeNull();
      });
    });
  });
}
