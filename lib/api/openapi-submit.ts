/**
 * OpenAPI area: search-engine submission (IndexNow, robots.txt check, the submission log), webhooks and the
 * scheduler overview. Schemas come from lib/schemas/{submissions,webhooks}.ts; the schedule overview's shape is
 * declared here (lib/schedule/hourly.ts ScheduleOverview).
 */
import { z } from "zod";
import { ZCreatedWebhookDto, ZCreateWebhookBody, ZUpdateWebhookBody, ZWebhookDeliveryDto, ZWebhookDto } from "@/lib/schemas/webhooks";
import { ZIndexNowInfoDto, ZSubmissionBatchDto, ZSubmissionDto, ZSubmitQuery } from "@/lib/schemas/submissions";
import type { OpenApiArea } from "./openapi-areas";
import { BODY_ERRORS, COMMON, IDEMPOTENCY, list, type Endpoint, LIST_QUERY_ERRORS } from "./openapi-common";

/** The list grammar's query parameters (lib/api/list-query.ts); filter[field][op] parameters are described in text. */
export const ZListGrammarQuery = z.object({
  size: z.number().int().min(1).max(300).optional().describe("Page size 1..300 (alias limit), default 20"),
  cursor: z.string().optional().describe("next_cursor of the previous page (alias pageToken)"),
  sort: z.string().optional().describe("field:asc|desc, default createdAt:desc"),
  "filter[field][op]": z.string().optional().describe("filter[field]=value or filter[field][op]=value, op eq|ne|lt|lte|gt|gte|in|contains"),
});

const ZSlotDto = z.object({
  slot: z.string().describe("UTC hour slot start"),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  runsStarted: z.number().int(),
  feedsRefreshed: z.number().int(),
  missed: z.boolean().describe("true: the scheduler was not running in this hour (recorded later)"),
  detail: z.unknown(),
});

export const ZScheduleDto = z.object({
  upcoming: z.array(
    z.object({
      sitemapId: z.string(),
      name: z.string(),
      timezone: z.string(),
      exportPlan: z.array(z.number().int()),
      exportCron: z.string().nullable(),
      nextRunAt: z.string().nullable(),
    }),
  ),
  recentSlots: z.array(ZSlotDto),
  missedSlots: z.array(ZSlotDto),
});


const endpoints: Endpoint[] = [
  { method: "POST", path: "/api/v1/sitemaps/{id}/submit", summary: "Submit the published run's changed URLs to IndexNow and check robots.txt (202 pending batch; ?wait=1..60 answers 200 when finished).",
    access: "submit", query: ZSubmitQuery,
    success: [{ status: 202, description: "Batch queued (or still pending after ?wait).", data: "SubmissionBatch", headers: ["Location"] },
      { status: 200, description: "Batch finished within ?wait.", data: "SubmissionBatch", headers: ["Location"] }],
    errors: [...COMMON, "not_found", "conflict", "invalid_value", "service_unavailable", ...IDEMPOTENCY] },
  { method: "GET", path: "/api/v1/sitemaps/{id}/indexnow", summary: "The site's IndexNow key (generated on first use), where to serve the key file, and the robots.txt Sitemap: line.",
    access: "read", success: [{ status: 200, description: "Key info.", data: "IndexNowInfo" }], errors: [...COMMON, "not_found"] },
  { method: "GET", path: "/api/v1/sitemaps/{id}/submissions", summary: "The sitemap's submission log, newest first.", access: "read", query: ZListGrammarQuery,
    success: [list("Submission", "A page of log entries.")], errors: [...COMMON, "not_found", ...LIST_QUERY_ERRORS] },
  { method: "GET", path: "/api/v1/submissions", summary: "The account's submission log (every engine request and check, with HTTP status, URL count, time).", access: "read",
    query: ZListGrammarQuery, success: [list("Submission", "A page of log entries.")], errors: [...COMMON, ...LIST_QUERY_ERRORS] },
  { method: "GET", path: "/api/v1/submissions/{batchId}", summary: "One submission batch with all its entries.", access: "read",
    success: [{ status: 200, description: "The batch.", data: "SubmissionBatch" }], errors: [...COMMON, "not_found"] },
  { method: "GET", path: "/api/v1/webhooks", summary: "Your webhooks.", access: "read", query: ZListGrammarQuery,
    success: [list("Webhook", "A page of webhooks.")], errors: [...COMMON, ...LIST_QUERY_ERRORS] },
  { method: "POST", path: "/api/v1/webhooks", summary: "Create a webhook; the signing secret (whsec_…) is in this answer only.", access: "write", body: "CreateWebhookBody",
    success: [{ status: 201, description: "Created, with its secret.", data: "CreatedWebhook", headers: ["Location"] }], errors: [...COMMON, ...BODY_ERRORS] },
  { method: "GET", path: "/api/v1/webhooks/{id}", summary: "One webhook (never its secret).", access: "read",
    success: [{ status: 200, description: "The webhook.", data: "Webhook" }], errors: [...COMMON, "not_found"] },
  { method: "PATCH", path: "/api/v1/webhooks/{id}", summary: "Change a webhook's url, events or active flag.", access: "write", body: "UpdateWebhookBody",
    success: [{ status: 200, description: "The webhook.", data: "Webhook" }], errors: [...COMMON, ...BODY_ERRORS, "not_found"] },
  { method: "DELETE", path: "/api/v1/webhooks/{id}", summary: "Delete a webhook and its delivery log.", access: "write",
    success: [{ status: 204, description: "Deleted." }], errors: [...COMMON, "not_found"] },
  { method: "GET", path: "/api/v1/webhooks/{id}/deliveries", summary: "A webhook's deliveries: status, attempts, last HTTP status or error.", access: "read",
    query: ZListGrammarQuery, success: [list("WebhookDelivery", "A page of deliveries.")], errors: [...COMMON, "not_found", ...LIST_QUERY_ERRORS] },
  { method: "POST", path: "/api/v1/webhooks/{id}/test", summary: "Queue a signed webhook.test delivery.", access: "write",
    success: [{ status: 202, description: "Delivery queued.", data: "WebhookDelivery" }], errors: [...COMMON, "not_found", "conflict", "service_unavailable", ...IDEMPOTENCY] },
  { method: "GET", path: "/api/v1/schedule", summary: "Planned sitemaps with their next run, recent scheduler slots and missed slots.", access: "read",
    success: [{ status: 200, description: "The schedule.", data: "Schedule" }], errors: [...COMMON] },
];

export const SUBMIT_AREA: OpenApiArea = {
  schemas: {
    Submission: [ZSubmissionDto, "output"],
    SubmissionBatch: [ZSubmissionBatchDto, "output"],
    IndexNowInfo: [ZIndexNowInfoDto, "output"],
    Webhook: [ZWebhookDto, "output"],
    CreatedWebhook: [ZCreatedWebhookDto, "output"],
    WebhookDelivery: [ZWebhookDeliveryDto, "output"],
    CreateWebhookBody: [ZCreateWebhookBody, "input"],
    UpdateWebhookBody: [ZUpdateWebhookBody, "input"],
    Schedule: [ZScheduleDto, "output"],
  },
  endpoints,
};
