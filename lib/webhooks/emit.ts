/**
 * Emitting webhook events: one WebhookDelivery row (pending) per active webhook of the user that subscribes to the
 * event, and one `webhook/delivery.requested` job each (Inngest `deliver-webhook`, which signs, sends and retries).
 *
 * Body sent to the receiver (JSON): `{ id: <delivery id>, event, createdAt: ISO 8601, data }`.
 * - run.succeeded / run.failed data: `{ runId, sitemapId, status, trigger, urlsListed, urlsAdded, urlsRemoved,
 *   urlsChanged, filesWritten, urlsWritten, bytesWritten, error, errorCode, errorHint, errorDetail, warnings, finishedAt }`
 *   plus `kind` ("crawl" | "export": lib/runs/export-only.ts)
 *   (errorCode/errorHint/errorDetail: a failed run's cause, lib/core/run-outcome.ts; warnings: why a succeeded run
 *   may be incomplete, e.g. max_pages_reached)
 * - run.held (the publish guard kept a run's files from being published): the same fields plus `heldReason` and
 *   `heldDetail` `{ publishedRunId, publishedCount, newCount, dropRatio, publishGuard }`
 * - submission.completed data: `{ batchId, sitemapId, runId, status, urlCount, urlsAccepted, message }`
 * - webhook.test (POST /api/v1/webhooks/{id}/test only, sent whatever the subscription): `{ test: true }`
 *
 * `emitWebhookEvent` never throws: a webhook problem must not fail the run or submission that caused it (errors are
 * logged and the delivery row is marked failed when its job cannot be queued).
 * With a `key` (the run id, the submission batch id) the delivery id is derived from webhook, event and key, so an
 * event emitted again for the same subject — a retried export step — queues nothing new: one delivery per webhook.
 */
import { createHash, randomBytes } from "node:crypto";
import { toRunAuditBrief } from "@/lib/db/run-audit";
import { findRunForWebhook } from "@/lib/db/runs";
import { failDelivery, insertDelivery, subscribedWebhookIds } from "@/lib/db/webhooks";
import { inngest } from "@/lib/jobs/client";
import { webhookDeliveryRequested } from "@/lib/jobs/events";
import type { WebhookEvent } from "@/lib/schemas/webhooks";

const deliveryId = (webhookId: string, event: string, key?: string) =>
  `whd_${key === undefined ? randomBytes(12).toString("hex") : createHash("sha256").update(`${webhookId}\n${event}\n${key}`).digest("hex").slice(0, 24)}`;

async function queueDelivery(webhookId: string, event: string, data: unknown, key?: string): Promise<string> {
  const id = deliveryId(webhookId, event, key);
  const payload = { id, event, createdAt: new Date().toISOString(), data };
  if (!(await insertDelivery({ id, webhookId, event, payload }))) return id; // already queued for this subject
  try {
    await inngest.send(webhookDeliveryRequested.create({ deliveryId: id }, { id: `deliver-${id}` }));
  } catch (err) {
    await failDelivery(id, "The delivery job could not be queued.");
    throw err;
  }
  return id;
}

/** Queues `event` for every subscribed active webhook of `userId`. Resolves to the delivery ids; never rejects. */
export async function emitWebhookEvent(opts: { userId: string; event: WebhookEvent; data: Record<string, unknown>; key?: string }): Promise<string[]> {
  try {
    const hooks = await subscribedWebhookIds(opts.userId, opts.event);
    const ids: string[] = [];
    for (const h of hooks) {
      try {
        ids.push(await queueDelivery(h, opts.event, opts.data, opts.key));
      } catch (err) {
        console.error("[webhooks] could not queue delivery", h, opts.event, err);
      }
    }
    return ids;
  } catch (err) {
    console.error("[webhooks] emit failed", opts.event, err);
    return [];
  }
}

/** Emits run.succeeded / run.failed / run.held for a finished run (looked up by id). Never rejects. */
export async function emitRunEvent(runId: string): Promise<string[]> {
  try {
    const run = await findRunForWebhook(runId);
    if (!run || (run.status !== "succeeded" && run.status !== "failed" && run.status !== "held")) return [];
    return emitWebhookEvent({
      userId: run.sitemap.userId,
      event: `run.${run.status}`,
      key: run.id,
      data: {
        runId: run.id,
        sitemapId: run.sitemapId,
        status: run.status,
        trigger: run.trigger,
        kind: run.kind,
        urlsListed: run.urlsListed,
        urlsAdded: run.urlsAdded,
        urlsRemoved: run.urlsRemoved,
        urlsChanged: run.urlsChanged,
        filesWritten: run.filesWritten,
        urlsWritten: run.urlsWritten,
        bytesWritten: Number(run.bytesWritten),
        error: run.error,
        errorCode: run.errorCode,
        errorHint: run.errorHint,
        errorDetail: run.errorDetail ?? null,
        warnings: run.warnings,
        audit: toRunAuditBrief(run.id, run.audit),
        finishedAt: run.finishedAt?.toISOString() ?? null,
        ...(run.status === "held" ? { heldReason: run.heldReason, heldDetail: run.heldDetail } : {}),
      },
    });
  } catch (err) {
    console.error("[webhooks] run event failed", runId, err);
    return [];
  }
}

/** POST /api/v1/webhooks/{id}/test: queues a `webhook.test` delivery to this webhook. Returns the delivery id. */
export const queueTestDelivery = (webhookId: string): Promise<string> => queueDelivery(webhookId, "webhook.test", { test: true });
