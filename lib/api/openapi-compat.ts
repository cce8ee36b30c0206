/**
 * OpenAPI area: the compatibility adapters (lib/compat/*, docs/compat.md) — drop-in endpoints for clients of the five
 * reference APIs, outside /api/v1:
 *   AnQiCMS              POST /api/import/sitemap?token=…            (form fields async, sitemap; replies {code,msg,data})
 *   mysitemapgenerator   POST /api/{method}?format=json              (form fields api_key, cid; replies {result,…})
 *   Sitemap.xml API      /v1/sitemaps…                               (Bearer; their bodies and error envelope)
 *   shop API             /api/shop/sitemaps…                         (Bearer; their fields, error types, PUT)
 *
 * Success bodies are each adapter's own shapes (not `{ data }`), and errors are rendered in the adapter's shape from
 * the native codes listed per endpoint (translation tables: lib/compat/{anqicms,mysitemapgenerator,sitemapxml,
 * shop-http}.ts). Each endpoint therefore names its error body schema and its status per code (`errorBody`,
 * `errorStatus`), and the area is part of the one document at /api/v1/openapi.json under the `compat:*` tags.
 * tests/compat/openapi-compat.test.ts checks it against the adapter route files.
 */
import { z } from "zod";
import { SHOP_ERROR_TYPES, SHOP_ERRORS as SHOP_ERROR_TABLE } from "@/lib/compat/shop-http";
import { sxStatusOf, ZCreateBody as ZSxCreateBody, ZGenerateBody, ZListQuery as ZSxListQuery, ZUrlBody } from "@/lib/compat/sitemapxml";
import type { OpenApiArea } from "./openapi-areas";
import { COMMON, type Endpoint } from "./openapi-common";

const JSON_MEDIA = "application/json";
const ok = (status: number, description: string) => ({ status, description, media: JSON_MEDIA });

/** The shop list grammar on their field names. */
export const ZShopListQuery = z.object({
  size: z.number().int().min(1).max(300).optional().describe("Page size 1..300, default 20 (not an integer: invalidCharacters)"),
  pageToken: z.number().int().min(0).optional().describe("The page's index, ≥ 0 (0 = the first page; the answer's nextPageToken is the next one, null on the last page); else invalidValue"),
  sort: z.string().optional().describe("field:asc|desc (exactly one ':', else syntaxError); default id:asc"),
  "filter[field][op]": z.string().optional().describe("filter[field]=value or filter[field][op]=value, op eq|ne|lt|lte|gt|gte|in|contains"),
});

export const ZShopSitemapBody = z
  .strictObject({
    name: z.string(),
    active: z.boolean(),
    fileName: z.string().describe("Base name of the files; a trailing .xml is dropped"),
    templateId: z.number().int().nullable().describe("A shop template id; null or 0 = the built-in writer (answers show 0)"),
    exportAfterImport: z.boolean(),
    exportPlan: z.array(z.number().int().min(0).max(23)),
    maxFileEntries: z.number().int(),
    maxFileSize: z.number().int(),
    writeIntoRobots: z.boolean(),
    subshopIds: z.array(z.union([z.number().int(), z.string()])),
    options: z.strictObject({ exportCharset: z.string().optional() }).optional(),
    startUrl: z.string().optional().describe("Ours: the site to crawl; default: the base URL of the first subshop (account setting, GET/PUT /api/v1/account/shop-subshops; 400 missing without it)"),
  })
  .describe("POST requires every field but options and startUrl; PUT takes any subset.");

export const ZShopTemplateBody = z.strictObject({ name: z.string(), content: z.string().min(1) }).describe("PUT takes any subset.");

const SHOP_ERRORS = [...COMMON] as const;
const SHOP_BODY = ["syntax_error", "invalid_value", "invalid_format", "missing", "unknown_field"] as const;
const SHOP_LIST = ["invalid_value", "unknown_field", "unknown_operation", "syntax_error"] as const;

const endpoints: Endpoint[] = [
  { method: "POST", path: "/api/import/sitemap", summary: "AnQiCMS: regenerate the sitemap (?token=<API key>; form async=1 answers at once, blank waits for the regenerated sitemap up to ANQICMS_SYNC_WAIT_SECONDS (default 900 s), then code -1; optional sitemap=id|number|fileName). Always HTTP 200 with {code,msg,data}: 0 ok, -1 error (a failed run: \"Sitemap更新失败: <code>: <message> <hint>\" with the run's failure code and hint), 1001 not logged in, 1002 not authorized.",
    access: "generate", success: [ok(200, "{code, msg, data:{sitemap_id, run_id, status, error?, error_code?, error_hint?}} (errors too)")],
    errors: [...COMMON, "not_found", "conflict", "invalid_value", "service_unavailable"] },
  { method: "POST", path: "/api/{method}", summary: "mysitemapgenerator (?format=json; form api_key, cid): getBalance, SitemapsGetList, SitemapsGetFiles, SitemapsGetInfo, RssGetList, RssGetFile, RssGetInfo. Always HTTP 200: {result:\"success\",…} or {result:\"error\",notice}; SitemapsGetInfo adds error {code, message, hint} after a failed run. 500 calls per account per UTC day.",
    access: "read", success: [ok(200, "{result, …} (errors too)")], errors: [...COMMON, "not_found", "missing", "invalid_value"] },

  { method: "POST", path: "/v1/sitemaps/generate", summary: "Sitemap.xml API: create-or-reuse the sitemap of the domain (port allowed; https, else http) and run it; 201 completed/failed when finished within SITEMAPXML_GENERATE_WAIT_SECONDS (default 120 s) or cached (< 24 h), else 202 pending with run_id (its download_url answers 503 + Retry-After until published). format html/json honoured; url_count = <loc> in the files. 400 INVALID_DOMAIN.",
    access: "generate", body: "SxGenerateBody", success: [ok(201, "Finished (completed or failed) or cached."), ok(202, "Still running (pending).")],
    errors: [...COMMON, "syntax_error", "invalid_value", "missing", "unknown_field", "unsupported_media_type", "service_unavailable"] },
  { method: "GET", path: "/v1/sitemaps", summary: "Sitemap.xml API: {sitemaps:[{id,name,url,status,urls_count,last_updated}], pagination:{next_cursor,has_more}}.",
    access: "read", query: ZSxListQuery, success: [ok(200, "A page of sitemaps.")], errors: [...COMMON, "invalid_value"] },
  { method: "POST", path: "/v1/sitemaps", summary: "Sitemap.xml API: create a sitemap for a domain and start crawling (201 status crawling, xml_url); a domain that has one answers 200 with it (nothing created).",
    access: "write", body: "SxCreateBody", success: [ok(201, "Created; crawling.")], errors: [...COMMON, "syntax_error", "invalid_value", "missing", "unknown_field", "unsupported_media_type"] },
  { method: "POST", path: "/v1/sitemaps/{id}/urls", summary: "Sitemap.xml API: push one URL (priority, changenfreq or changefreq) → 200 {url_id, status: queued, message, run_id}.",
    access: "write", body: "SxUrlBody", success: [ok(200, "Pushed; published within seconds by an export-only run (run_id), no recrawl; pushes within PUSH_EXPORT_WINDOW_MS share one export.")], errors: [...COMMON, "not_found", "syntax_error", "invalid_value", "missing", "unknown_field"] },
  { method: "POST", path: "/v1/sitemaps/{id}/submit", summary: "Sitemap.xml API: submit (Google via the robots.txt Sitemap: line, Bing/Yandex/Seznam/Naver/Yep via IndexNow) → 202 {request_id, targets:[{engine, status: submitted, via}], estimated_crawl_time, status_url}.",
    access: "submit", success: [ok(202, "Submission batch queued.")], errors: [...COMMON, "not_found", "conflict", "service_unavailable"] },

  { method: "GET", path: "/api/shop/sitemaps", summary: "Shop API: sitemaps {data, nextPageToken}; filter/sort on the document's fields. Each sitemap carries files[] {subshopId, fileName, url, size, entries, type}: its published files in each subshop folder (/shop/{accountId}/sitemaps/{subshopId}/…).",
    access: "read", query: ZShopListQuery, success: [ok(200, "A page of sitemaps.")], errors: [...SHOP_ERRORS, ...SHOP_LIST] },
  { method: "POST", path: "/api/shop/sitemaps", summary: "Shop API: create a sitemap (201). It crawls the base URL of its first subshop (account setting, PUT /api/v1/account/shop-subshops); a subshop without one is 400 missing.", access: "write", body: "ShopSitemapBody",
    success: [ok(201, "The sitemap.")], errors: [...SHOP_ERRORS, ...SHOP_BODY, "duplicate_entry"] },
  { method: "GET", path: "/api/shop/sitemaps/{id}", summary: "Shop API: one sitemap by integer id.", access: "read",
    success: [ok(200, "The sitemap.")], errors: [...SHOP_ERRORS, "invalid_value", "not_found"] },
  { method: "PUT", path: "/api/shop/sitemaps/{id}", summary: "Shop API: update any subset of the fields.", access: "write", body: "ShopSitemapBody",
    success: [ok(200, "The sitemap.")], errors: [...SHOP_ERRORS, ...SHOP_BODY, "duplicate_entry", "not_found"] },
  { method: "DELETE", path: "/api/shop/sitemaps/{id}", summary: "Shop API: delete (204; 409 while a run is active).", access: "write",
    success: [{ status: 204, description: "Deleted.", media: JSON_MEDIA }], errors: [...SHOP_ERRORS, "invalid_value", "not_found", "conflict"] },
  { method: "POST", path: "/api/shop/sitemaps/{id}/generate", summary: "Shop API: start a run (?subshopId= repeatable) → 202 {id, protocolId, exportStatus: 3}; 409 inactive or running.",
    access: "generate", success: [ok(202, "Started.")], errors: [...SHOP_ERRORS, "invalid_value", "not_found", "conflict", "service_unavailable"] },
  { method: "GET", path: "/api/shop/sitemaps/{id}/status", summary: "Shop API: export status of the sitemap and of each subshop (sub-scope), from real runs.", access: "read",
    success: [ok(200, "{id, exportStatus, protocolId, lastExportStarted, lastExportFinished, urls, subshops[]}")], errors: [...SHOP_ERRORS, "invalid_value", "not_found"] },
  { method: "GET", path: "/api/shop/sitemaps/protocols", summary: "Shop API: protocols (our runs) {data, nextPageToken}; filter id, sitemap, template, subshopIds, exportStatus, lastExportStarted, lastExportFinished, createdAt, updatedAt; sort on the same but subshopIds.",
    access: "read", query: ZShopListQuery, success: [ok(200, "A page of protocols.")], errors: [...SHOP_ERRORS, ...SHOP_LIST] },
  { method: "POST", path: "/api/shop/sitemaps/generate/hour/{hour}", summary: "Shop API: start the sitemaps whose exportPlan holds that hour (each in its timezone) → 202 {hour, started, skipped}; 404 hour ∉ 0..23.",
    access: "generate", success: [ok(202, "Started.")], errors: [...SHOP_ERRORS, "not_found", "service_unavailable"] },
  { method: "POST", path: "/api/shop/sitemaps/generate/import", summary: "Shop API: start the sitemaps marked exportAfterImport → 202 {started, skipped}.",
    access: "generate", success: [ok(202, "Started.")], errors: [...SHOP_ERRORS, "service_unavailable"] },
  { method: "GET", path: "/api/shop/sitemaps/templates", summary: "Shop API: templates {data, nextPageToken}.", access: "read", query: ZShopListQuery,
    success: [ok(200, "A page of templates.")], errors: [...SHOP_ERRORS, ...SHOP_LIST] },
  { method: "POST", path: "/api/shop/sitemaps/templates", summary: "Shop API: create an xml template (LiquidJS, sandboxed) → 201; 503 internalError when storing fails.", access: "templates",
    body: "ShopTemplateBody", success: [ok(201, "The template.")], errors: [...SHOP_ERRORS, ...SHOP_BODY, "internal_error"] },
  { method: "GET", path: "/api/shop/sitemaps/templates/{id}", summary: "Shop API: one template.", access: "read",
    success: [ok(200, "The template.")], errors: [...SHOP_ERRORS, "invalid_value", "not_found"] },
  { method: "PUT", path: "/api/shop/sitemaps/templates/{id}", summary: "Shop API: change name and/or content.", access: "templates", body: "ShopTemplateBody",
    success: [ok(200, "The template.")], errors: [...SHOP_ERRORS, ...SHOP_BODY, "not_found"] },
  { method: "DELETE", path: "/api/shop/sitemaps/templates/{id}", summary: "Shop API: delete (204); 409 while a sitemap uses it.", access: "templates",
    success: [{ status: 204, description: "Deleted.", media: JSON_MEDIA }], errors: [...SHOP_ERRORS, "invalid_value", "not_found", "conflict"] },
];

/** Error bodies of the adapters (each adapter's document's shape). */
const ZAnqiReply = z.object({ code: z.number().int().describe("0 ok, -1 error (reason in msg), 1001 not logged in, 1002 not authorized"), msg: z.string(), data: z.unknown().optional() });
const ZMsgReply = z.object({ result: z.enum(["success", "error"]), notice: z.string().optional().describe("Why, when result is error") });
const ZSxError = z.object({
  error: z.object({ code: z.string(), message: z.string(), type: z.string(), request_id: z.string(), param: z.string().optional(), details: z.string().optional() }),
});
const ZShopError = z.object({
  error: z.object({ status: z.number().int(), type: z.enum(SHOP_ERROR_TYPES), message: z.string(), field: z.string().optional(), request_id: z.string() }),
});

/** Which adapter a path belongs to: its tag, error body and status table. */
function adapterOf(path: string): Pick<Endpoint, "tag" | "errorBody" | "errorStatus"> {
  if (path === "/api/import/sitemap") return { tag: "compat: AnQiCMS", errorBody: "AnqiReply", errorStatus: () => 200 };
  if (path === "/api/{method}") return { tag: "compat: mysitemapgenerator", errorBody: "MsgReply", errorStatus: () => 200 };
  if (path.startsWith("/v1/")) return { tag: "compat: Sitemap.xml API", errorBody: "SxError", errorStatus: sxStatusOf };
  return { tag: "compat: shop API", errorBody: "ShopError", errorStatus: (code) => SHOP_ERROR_TABLE[code]?.[0] };
}

export const COMPAT_OPENAPI_AREA: OpenApiArea = {
  schemas: {
    AnqiReply: [ZAnqiReply, "output"],
    MsgReply: [ZMsgReply, "output"],
    SxError: [ZSxError, "output"],
    ShopError: [ZShopError, "output"],
    SxGenerateBody: [ZGenerateBody, "input"],
    SxCreateBody: [ZSxCreateBody, "input"],
    SxUrlBody: [ZUrlBody, "input"],
    ShopSitemapBody: [ZShopSitemapBody, "input"],
    ShopTemplateBody: [ZShopTemplateBody, "input"],
  },
  endpoints: endpoints.map((e) => ({ ...e, ...adapterOf(e.path) })),
};
