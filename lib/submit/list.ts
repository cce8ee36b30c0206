/**
 * The submission log (GET /api/v1/submissions, GET /api/v1/sitemaps/{id}/submissions) and the webhook lists, with
 * the list grammar of lib/api/list-query.ts (size, cursor, sort, filter). Only the caller's rows.
 */
import type { SubmissionList, WebhookDeliveryList, WebhookList } from "@/lib/db/list-models";
import type { ListQuery, ListSpec } from "@/lib/api/list-query";
import { querySubmissions, toSubmissionDto } from "@/lib/db/submissions";
import { SUBMISSION_STATUSES, type TSubmissionDto } from "@/lib/schemas/submissions";
import { DELIVERY_STATUSES, WEBHOOK_EVENTS } from "@/lib/schemas/webhooks";

export const SUBMISSION_LIST_SPEC: ListSpec<SubmissionList> = {
  fields: {
    id: { type: "string", column: "id", ops: ["eq", "ne", "in"] },
    batchId: { type: "string", column: "batchId", ops: ["eq", "ne", "in"] },
    sitemapId: { type: "string", column: "sitemapId", ops: ["eq", "ne", "in"] },
    runId: { type: "string", column: "runId", nullable: true, ops: ["eq", "ne", "in"] },
    engine: { type: "string", column: "engine" },
    status: { type: "enum", column: "status", values: SUBMISSION_STATUSES },
    httpStatus: { type: "int", column: "httpStatus", nullable: true },
    urlCount: { type: "int", column: "urlCount" },
    durationMs: { type: "int", column: "durationMs" },
    createdAt: { type: "date", column: "createdAt" },
  },
};

export const WEBHOOK_LIST_SPEC: ListSpec<WebhookList> = {
  fields: {
    id: { type: "string", column: "id", ops: ["eq", "ne", "in"] },
    url: { type: "string", column: "url" },
    active: { type: "boolean", column: "active" },
    events: { type: "stringArray", column: "events", values: WEBHOOK_EVENTS, sort: false },
    createdAt: { type: "date", column: "createdAt" },
    updatedAt: { type: "date", column: "updatedAt" },
  },
};

export const DELIVERY_LIST_SPEC: ListSpec<WebhookDeliveryList> = {
  fields: {
    id: { type: "string", column: "id", ops: ["eq", "ne", "in"] },
    event: { type: "string", column: "event" },
    status: { type: "enum", column: "status", values: DELIVERY_STATUSES },
    attempts: { type: "int", column: "attempts" },
    lastStatus: { type: "int", column: "lastStatus", nullable: true },
    createdAt: { type: "date", column: "createdAt" },
  },
};

/** A page of the user's submission entries (optionally of one sitemap). */
export async function listSubmissions(opts: { userId: string; sitemapId?: string; q: ListQuery<SubmissionList> }): Promise<{ items: TSubmissionDto[]; nextCursor: string | null }> {
  const rows = await querySubmissions({ userId: opts.userId, sitemapId: opts.sitemapId, where: opts.q.where, orderBy: opts.q.orderBy, take: opts.q.take });
  const page = opts.q.page(rows);
  return { items: page.rows.map(toSubmissionDto), nextCursor: page.nextCursor };
}
