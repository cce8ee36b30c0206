/**
 * Typed Inngest events of Sitemap Forge (inngest v4 `eventType` + zod schemas; schemas must not transform).
 *
 * - `sitemap/generate.requested` `{ runId, sitemapId }`: a Run row (status queued) exists and should be generated.
 *   Triggers `generate-sitemap` (inngest/functions/generate-sitemap.ts).
 *
 * Errors: the send helpers reject when the event fails its schema (zod issues), or when the event cannot be delivered:
 * in `inngest` mode, an HTTP or key error from the Inngest event API; in `local` mode, a database error while the
 * runner stores the run. In local mode with no runner attached yet the event is buffered in memory (lib/jobs/local-send.ts).
 */
import { eventType } from "inngest";
import { z } from "zod";
import { inngest } from "./client";

export const ZGenerateRequested = z.object({ runId: z.string().min(1), sitemapId: z.string().min(1) });
export type TGenerateRequested = z.infer<typeof ZGenerateRequested>;

export const generateRequested = eventType("sitemap/generate.requested", { schema: ZGenerateRequested });

/**
 * Queues the generation of run `runId`. The event id is `generate-<runId>`, so a retried call does not start a second
 * job: Inngest drops an event whose id it has seen in the last 24 h, and the local runner derives the job's id from
 * the event id. Resolves to the event ids.
 */
export const sendGenerateRequested = (data: TGenerateRequested): Promise<{ ids: string[] }> =>
  inngest.send(generateRequested.create(data, { id: `generate-${data.runId}` }));

// ---- submission, webhooks, scheduler (lib/submit, lib/webhooks, lib/schedule) ----------------------------------

/** `sitemap/submit.requested {batchId, sitemapId}`: a pending submission batch exists; triggers `submit-sitemap`. */
export const submitRequested = eventType("sitemap/submit.requested", {
  schema: z.object({ batchId: z.string().min(1), sitemapId: z.string().min(1) }),
});

/** `webhook/delivery.requested {deliveryId}`: a pending WebhookDelivery row exists; triggers `deliver-webhook`. */
export const webhookDeliveryRequested = eventType("webhook/delivery.requested", {
  schema: z.object({ deliveryId: z.string().min(1) }),
});

/** `schedule/hourly.requested {at?}`: run the hourly scheduler now (manual trigger; `at` = ISO time, default now). */
export const scheduleTickRequested = eventType("schedule/hourly.requested", {
  schema: z.object({ at: z.string().optional() }),
});

// ---- export-only runs (lib/runs/export-only.ts) -----------------------------------------------------------------

/**
 * `sitemap/export.requested {runId, sitemapId, delayMs}`: a queued export-only run (Run.kind "export") exists; triggers
 * `export-sitemap` (inngest/functions/export-sitemap.ts), which waits `delayMs` (the coalescing window, ms) first.
 */
export const ZExportRequested = z.object({ runId: z.string().min(1), sitemapId: z.string().min(1), delayMs: z.number().int().min(0) });
export const exportRequested = eventType("sitemap/export.requested", { schema: ZExportRequested });

/** Queues export-only run `runId`; event id `export-<runId>` (a retried call starts no second job). */
export const sendExportRequested = (data: z.infer<typeof ZExportRequested>): Promise<{ ids: string[] }> =>
  inngest.send(exportRequested.create(data, { id: `export-${data.runId}` }));
