/**
 * OpenAPI entries of the native core (docs/api-core.md): all runs, cancel, status per sub-scope,
 * pushed URLs, generation by hour plan and after import. The list grammar's query parameters are documented by
 * ZListGrammarQuery.
 *
 * Statuses: the list grammar answers 400 for every query error (syntax_error, unknown_field, unknown_operation,
 * invalid_value), as the shop API does; the document groups error codes by their usual status (unknown_field and
 * invalid_value under 422, which is what they mean in bodies), so the descriptions below say so.
 */
import { z } from "zod";
import { ZRunDto } from "@/lib/schemas/runs";
import { ZSitemapStatusDto } from "@/lib/schemas/sitemaps";
import { ZDeleteUrlsBody, ZPushResultDto, ZPushUrl, ZSitemapUrlDto } from "@/lib/schemas/urls";
import type { OpenApiArea } from "./openapi-areas";
import { BODY_ERRORS, COMMON, IDEMPOTENCY, list, LIST_QUERY_ERRORS } from "./openapi-common";

/** The list grammar (lib/api/list-query.ts) as query parameters. */
export const ZListGrammarQuery = z.object({
  size: z.number().int().min(1).max(300).optional().describe("Page size 1..300 (default 20). Alias: limit."),
  limit: z.number().int().min(1).max(300).optional().describe("Alias of size."),
  cursor: z.string().optional().describe("`next_cursor` of the previous page (opaque; bound to the sort). Alias: pageToken."),
  pageToken: z.string().optional().describe("Alias of cursor."),
  sort: z.string().optional().describe("field:asc|desc (exactly one ':'). Unknown field → 400 unknown_field; bad syntax → 400 syntax_error."),
  "filter[field][op]": z
    .string()
    .optional()
    .describe(
      "filter[field]=value (eq) or filter[field][op]=value with op eq|ne|lt|lte|gt|gte|in|contains (`in`: comma list; `null` for empty " +
        "values). Unknown field → 400 unknown_field, unknown op → 400 unknown_operation, unparseable value → 400 invalid_value.",
    ),
});

const GRAMMAR_NOTE = " Query errors (list grammar) are 400: syntax_error, unknown_field, unknown_operation, invalid_value.";

const ZUrlsQuery = ZListGrammarQuery.extend({
  source: z.enum(["pushed", "crawl"]).optional().describe("pushed (default): pushed URLs; crawl: the published run's listed URLs."),
});
const ZGenerateQuery = z.object({
  wait: z.number().int().min(0).max(120).optional().describe("Seconds to wait for the run to end: 200 with the final run, else 202."),
  subScope: z.string().optional().describe("A sub-scope key (repeatable); unknown → 422 invalid_value."),
});
const ZSkipped = z.object({
  sitemapId: z.string(),
  reason: z.enum(["already_running", "inactive", "not_found", "unavailable"]),
  activeRunId: z.string().nullable().optional(),
  message: z.string(),
});
const ZBatchResult = z.object({ started: z.array(ZRunDto), skipped: z.array(ZSkipped) });
const ZHourResult = ZBatchResult.extend({ hour: z.number().int(), scheduledFor: z.string() });

export const CORE_V2_AREA: OpenApiArea = {
  schemas: {
    SitemapStatus: [ZSitemapStatusDto, "output"],
    SitemapUrl: [ZSitemapUrlDto, "output"],
    PushUrlsBody: [z.union([ZPushUrl, z.strictObject({ urls: z.array(ZPushUrl).min(1).max(10_000) })]), "input"],
    PushResult: [ZPushResultDto, "output"],
    DeleteUrlsBody: [ZDeleteUrlsBody, "input"],
    GenerateBatchResult: [ZBatchResult, "output"],
    GenerateHourResult: [ZHourResult, "output"],
    DeletedCount: [z.object({ deleted: z.number().int() }), "output"],
  },
  endpoints: [
    { method: "GET", path: "/api/v1/sitemaps", summary: "Your sitemaps (default sort createdAt:desc); filter/sort on id, number, active, name, fileName, startUrl, templateId, maxFileSize, maxFileEntries, exportAfterImport, writeIntoRobots, timezone, createdAt, updatedAt, lastRunStatus, lastRunStartedAt, lastSucceededAt; filter only on subScopes (contains key) and exportPlan (contains hour)." + GRAMMAR_NOTE,
      access: "read", query: ZListGrammarQuery, success: [list("Sitemap", "A page of sitemaps.")],
      errors: [...COMMON, ...LIST_QUERY_ERRORS] },
    { method: "POST", path: "/api/v1/sitemaps/{id}/generate", summary: "Queue a run (costs crawl credits when it finishes). ?wait=0..120 s waits for its end (200 with the final run, else 202); ?subScope=key (repeatable) is recorded on the run. 409 when inactive or a run is active; 403 quota_exceeded without credits.",
      access: "generate", query: ZGenerateQuery,
      success: [
        { status: 202, description: "The queued (or still running) run; `Location` names it.", data: "Run", headers: ["Location"] },
        { status: 200, description: "With ?wait: the run ended in time (succeeded, failed or cancelled).", data: "Run", headers: ["Location"] },
      ],
      errors: [...COMMON, "not_found", "conflict", "invalid_value", "service_unavailable", ...IDEMPOTENCY] },
    { method: "GET", path: "/api/v1/sitemaps/{id}/runs", summary: "A sitemap's runs (same grammar and fields as GET /api/v1/runs)." + GRAMMAR_NOTE,
      access: "read", query: ZListGrammarQuery, success: [list("Run", "A page of runs.")],
      errors: [...COMMON, "not_found", ...LIST_QUERY_ERRORS] },
    { method: "GET", path: "/api/v1/runs", summary: "Runs of all your sitemaps (the shop API's protocols); filter/sort by id, number, sitemapId, status, trigger, createdAt, startedAt, finishedAt." + GRAMMAR_NOTE,
      access: "read", query: ZListGrammarQuery, success: [list("Run", "A page of runs.")],
      errors: [...COMMON, ...LIST_QUERY_ERRORS] },
    { method: "POST", path: "/api/v1/runs/{id}/cancel", summary: "Cancel a run: queued → cancelled at once (200); running → cancel requested (202), it ends `cancelled` at the crawl's next check; ended → 409.",
      access: "generate",
      success: [{ status: 200, description: "The cancelled run.", data: "Run" }, { status: 202, description: "The running run with cancelRequestedAt.", data: "Run" }],
      errors: [...COMMON, "not_found", "conflict", ...IDEMPOTENCY] },
    { method: "GET", path: "/api/v1/sitemaps/{id}/status", summary: "Status of the whole site and of each sub-scope: newest run and its status, URL counts, files.",
      access: "read", success: [{ status: 200, description: "The status.", data: "SitemapStatus" }], errors: [...COMMON, "not_found"] },
    { method: "GET", path: "/api/v1/sitemaps/{id}/urls", summary: "Pushed URLs with their source (default sort url:asc), or ?source=crawl for the published run's listed URLs." + GRAMMAR_NOTE,
      access: "read", query: ZUrlsQuery, success: [list("SitemapUrl", "A page of URLs.")],
      errors: [...COMMON, "not_found", ...LIST_QUERY_ERRORS] },
    { method: "POST", path: "/api/v1/sitemaps/{id}/urls", summary: "Push one URL (201 new / 200 replaced) or up to 10,000 (`{urls}`: 200 with counts); absolute http(s) on the sitemap's origin, all or nothing (422 names the index). Kept across crawls, written into every export. Body ≤ 8 MiB.",
      access: "write", body: "PushUrlsBody",
      success: [{ status: 201, description: "The new URL.", data: "SitemapUrl" }, { status: 200, description: "The replaced URL, or bulk counts (PushResult).", data: "PushResult" }],
      errors: [...COMMON, ...BODY_ERRORS, "not_found", ...IDEMPOTENCY] },
    { method: "DELETE", path: "/api/v1/sitemaps/{id}/urls", summary: "Remove pushed URLs by value: ?url=… (repeatable) or a body {urls}; 404 when none matched.",
      access: "write", success: [{ status: 200, description: "How many were removed.", data: "DeletedCount" }],
      errors: [...COMMON, ...BODY_ERRORS, "not_found"] },
    { method: "DELETE", path: "/api/v1/sitemaps/{id}/urls/{urlId}", summary: "Remove one pushed URL.", access: "write",
      success: [{ status: 204, description: "Removed." }], errors: [...COMMON, "not_found"] },
    { method: "POST", path: "/api/v1/sitemaps/generate/hour/{hour}", summary: "Start the runs of your active sitemaps whose exportPlan holds the local hour (in each sitemap's timezone) of {hour}:00 UTC today; {hour} outside 0..23 → 404.",
      access: "generate", success: [{ status: 202, description: "Started runs and skipped sitemaps with reasons.", data: "GenerateHourResult" }],
      errors: [...COMMON, "not_found", ...IDEMPOTENCY] },
    { method: "POST", path: "/api/v1/sitemaps/generate/import", summary: "Start the runs (trigger import) of your active sitemaps marked exportAfterImport.",
      access: "generate", success: [{ status: 202, description: "Started runs and skipped sitemaps with reasons.", data: "GenerateBatchResult" }],
      errors: [...COMMON, ...IDEMPOTENCY] },
  ],
};
