/**
 * OpenAPI area: user templates (/api/v1/templates) and RSS/Atom feeds (/api/v1/feeds, public /f/{id}/feed.xml).
 * The public file /f/{id}/feed.xml is outside /api/v1 (like /s/…) and described in docs/templates-feeds.md.
 * Schemas come from lib/schemas/{templates,feeds}.ts. List endpoints use the list grammar (lib/api/list-query.ts).
 */
import { z } from "zod";
import {
  ZCreateFeedBody,
  ZFeedDto,
  ZFeedItemDto,
  ZFeedItemsQuery,
  ZUpdateFeedBody,
} from "@/lib/schemas/feeds";
import { ZCreateTemplateBody, ZPreviewTemplateBody, ZTemplateDto, ZTemplatePreviewDto, ZUpdateTemplateBody } from "@/lib/schemas/templates";
import type { OpenApiArea } from "./openapi-areas";
import { BODY_ERRORS, COMMON, IDEMPOTENCY, list, type Endpoint, LIST_QUERY_ERRORS } from "./openapi-common";

const ZListGrammarQuery = z.object({
  size: z.number().int().min(1).max(300).optional().describe("Page size 1..300 (alias limit), default 20"),
  cursor: z.string().optional().describe("next_cursor of the previous page (alias pageToken)"),
  sort: z.string().optional().describe("field:asc|desc, default createdAt:desc"),
  "filter[field][op]": z.string().optional().describe("filter[field]=value or filter[field][op]=value, op eq|ne|lt|lte|gt|gte|in|contains"),
});

const endpoints: Endpoint[] = [
  { method: "GET", path: "/api/v1/templates", summary: "Your templates (fields id, number, name, kind, version, createdAt, updatedAt for sort and filter).", access: "read",
    query: ZListGrammarQuery, success: [list("Template", "A page of templates.")], errors: [...COMMON, ...LIST_QUERY_ERRORS] },
  { method: "POST", path: "/api/v1/templates", summary: "Create a template; the content is parsed (a syntax error is 422 invalid_value with the line).", access: "templates",
    body: "CreateTemplateBody", success: [{ status: 201, description: "The template; `Location` names it.", data: "Template", headers: ["Location"] }],
    errors: [...COMMON, ...BODY_ERRORS, ...IDEMPOTENCY] },
  { method: "POST", path: "/api/v1/templates/preview", summary: "Render inline template source with sample data and validate the output (nothing stored).", access: "read",
    body: "PreviewTemplateBody", success: [{ status: 200, description: "Output and validation.", data: "TemplatePreview" }], errors: [...COMMON, ...BODY_ERRORS, ...IDEMPOTENCY] },
  { method: "GET", path: "/api/v1/templates/{id}", summary: "One template with its source and usage.", access: "read",
    success: [{ status: 200, description: "The template.", data: "Template" }], errors: [...COMMON, "not_found"] },
  { method: "PATCH", path: "/api/v1/templates/{id}", summary: "Rename or change the content (parsed; version + 1 when it changes). The kind cannot change.", access: "templates",
    body: "UpdateTemplateBody", success: [{ status: 200, description: "The template.", data: "Template" }], errors: [...COMMON, ...BODY_ERRORS, "not_found"] },
  { method: "DELETE", path: "/api/v1/templates/{id}", summary: "Delete a template; 409 while a sitemap or feed uses it.", access: "templates",
    success: [{ status: 204, description: "Deleted." }], errors: [...COMMON, "not_found", "conflict"] },
  { method: "POST", path: "/api/v1/templates/{id}/preview", summary: "Render the stored template with sample data and validate the output.", access: "read",
    success: [{ status: 200, description: "Output and validation.", data: "TemplatePreview" }], errors: [...COMMON, "not_found", "invalid_value", ...IDEMPOTENCY] },

  { method: "GET", path: "/api/v1/feeds", summary: "Your feeds (sort/filter on id, number, name, foundUrl, format, encoding, active, status, templateId, lastRefreshAt, createdAt, updatedAt).", access: "read",
    query: ZListGrammarQuery, success: [list("Feed", "A page of feeds.")], errors: [...COMMON, ...LIST_QUERY_ERRORS] },
  { method: "POST", path: "/api/v1/feeds", summary: "Create a feed built from a page's links; refresh it to publish the file.", access: "write",
    body: "CreateFeedBody", success: [{ status: 201, description: "The feed; `Location` names it.", data: "Feed", headers: ["Location"] }],
    errors: [...COMMON, ...BODY_ERRORS, ...IDEMPOTENCY] },
  { method: "GET", path: "/api/v1/feeds/{id}", summary: "Settings, status, last refresh and its cost, public URL.", access: "read",
    success: [{ status: 200, description: "The feed.", data: "Feed" }], errors: [...COMMON, "not_found"] },
  { method: "PATCH", path: "/api/v1/feeds/{id}", summary: "Change any subset of a feed's settings (applies from the next refresh).", access: "write",
    body: "UpdateFeedBody", success: [{ status: 200, description: "The feed.", data: "Feed" }], errors: [...COMMON, ...BODY_ERRORS, "not_found"] },
  { method: "DELETE", path: "/api/v1/feeds/{id}", summary: "Delete a feed, its items and its file.", access: "write",
    success: [{ status: 204, description: "Deleted." }], errors: [...COMMON, "not_found"] },
  { method: "POST", path: "/api/v1/feeds/{id}/refresh", summary: "Queue a refresh (Inngest function refresh-feed); costs crawl credits.", access: "generate",
    success: [{ status: 202, description: "The feed, status running; `Location` names it.", data: "Feed", headers: ["Location"] }],
    errors: [...COMMON, "not_found", "conflict", "service_unavailable", ...IDEMPOTENCY] },
  { method: "GET", path: "/api/v1/feeds/{id}/items", summary: "The feed's items in feed order (?all=true adds items no longer on the page).", access: "read",
    query: ZFeedItemsQuery, success: [list("FeedItem", "Every item (one page).")], errors: [...COMMON, "not_found", "invalid_value"] },
  { method: "GET", path: "/api/v1/feeds/{id}/file", summary: "Download the published feed (ETag, Last-Modified, 304); 404 before the first refresh.", access: "read",
    success: [{ status: 200, description: "The feed file.", media: "application/rss+xml" }, { status: 304, description: "Not modified." }],
    errors: [...COMMON, "not_found"] },
];

export const TEMPLATES_FEEDS_AREA: OpenApiArea = {
  schemas: {
    Template: [ZTemplateDto, "output"],
    CreateTemplateBody: [ZCreateTemplateBody, "input"],
    UpdateTemplateBody: [ZUpdateTemplateBody, "input"],
    PreviewTemplateBody: [ZPreviewTemplateBody, "input"],
    TemplatePreview: [ZTemplatePreviewDto, "output"],
    Feed: [ZFeedDto, "output"],
    CreateFeedBody: [ZCreateFeedBody, "input"],
    UpdateFeedBody: [ZUpdateFeedBody, "input"],
    FeedItem: [ZFeedItemDto, "output"],
  },
  endpoints,
};
