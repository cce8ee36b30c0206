/**
 * `submit-sitemap`: one submission batch (lib/submit/submit.ts does the work). Triggered by
 * `sitemap/submit.requested {batchId, sitemapId}`.
 *
 * Steps: `prepare` (key, robots.txt and key-file checks), one `send-<endpoint host>-<n>` per IndexNow endpoint and
 * request of ≤ 10,000 URLs, then `finish` (batch status, `submission.completed` webhook). A 429/5xx answer is retried
 * as on webhook delivery: a durable `step.sleep` `backoff-<host>-<n>-<attempt>` of the engine's Retry-After (else
 * exponential back-off; at least 1 s, Inngest's minimum), then step `send-<host>-<n>-attempt-<k>`, up to
 * INDEXNOW_MAX_ATTEMPTS (lib/submit/indexnow.ts). Step outputs are small (counts and statuses, never URL lists).
 * One batch per sitemap at a time (concurrency key `event.data.sitemapId`). Function retries: 1 (a step that threw,
 * e.g. a database error); when they are exhausted onFailure marks the batch failed.
 */
import { inngest } from "@/lib/jobs/client";
import { submitRequested } from "@/lib/jobs/events";
import { failPendingSubmissionBatch } from "@/lib/db/submissions";
import { finishSubmission, prepareSubmission, sendSubmissionChunk } from "@/lib/submit/submit";

export const submitSitemap = inngest.createFunction(
  {
    id: "submit-sitemap",
    name: "Submit sitemap (IndexNow, robots.txt check)",
    triggers: [submitRequested],
    concurrency: { key: "event.data.sitemapId", limit: 1 },
    retries: 1,
    onFailure: async ({ event, error }) => {
      await failPendingSubmissionBatch(event.data.event.data.batchId, `Submission failed: ${error.message}`.slice(0, 2000));
    },
  },
  async ({ event, step }) => {
    const { batchId } = event.data;
    const prep = await step.run("prepare", () => prepareSubmission(batchId));
    for (const endpoint of prep.endpoints) {
      const host = new URL(endpoint).host;
      for (let i = 0; i < prep.chunks; i++) {
        let startedAt: number | undefined;
        for (let attempt = 1; ; attempt++) {
          const id = `send-${host}-${i + 1}${attempt > 1 ? `-attempt-${attempt}` : ""}`;
          const r = await step.run(id, () => sendSubmissionChunk(batchId, endpoint, i, { attempt, startedAt }));
          if (r.status !== "retry") break;
          startedAt = r.startedAt;
          await step.sleep(`backoff-${host}-${i + 1}-${attempt}`, Math.max(1000, r.delayMs));
        }
      }
    }
    const status = await step.run("finish", () => finishSubmission(batchId));
    return { batchId, status, urlCount: prep.urlCount, requests: prep.chunks * prep.endpoints.length };
  },
);
