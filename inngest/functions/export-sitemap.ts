/**
 * `export-sitemap`: one export-only run (lib/runs/export-only.ts does the work; this file only wires it to Inngest).
 * Triggered by `sitemap/export.requested {runId, sitemapId, delayMs}`.
 *
 * - `coalesce`: a durable step.sleep of `delayMs` (the push window, PUSH_EXPORT_WINDOW_MS) so that pushes made within
 *   it are published by this one export; skipped when 0 (an export taking over an ended run's claim).
 * - `export`: exportOnlyRun (idempotent like the crawl's export step; 2 retries). Nothing to write
 *   (EmptySitemapError) or a broken user template are final: recorded on the run, no retries.
 * - When retries are exhausted, onFailure records the error on the run and releases the sitemap's claim.
 */
import { NonRetriableError } from "inngest";
import { inngest } from "@/lib/jobs/client";
import { RECORDED_PREFIX } from "@/lib/jobs/log";
import { exportRequested } from "@/lib/jobs/events";
import { failRun } from "@/lib/runs/execute";
import { exportOnlyRun } from "@/lib/runs/export-only";
import { EmptySitemapError } from "@/lib/sitemap/writer";
import { TemplateExportError } from "@/lib/templates/export";

export const exportSitemap = inngest.createFunction(
  {
    id: "export-sitemap",
    name: "Export sitemap (pushed URLs, no crawl)",
    triggers: [exportRequested],
    concurrency: { key: "event.data.sitemapId", limit: 1 },
    retries: 2,
    onFailure: async ({ event, error }) => {
      await failRun(event.data.event.data.runId, error);
    },
  },
  async ({ event, step }) => {
    const { runId, sitemapId, delayMs } = event.data;
    if (delayMs > 0) await step.sleep("coalesce", delayMs);
    const exported = await step.run("export", async () => {
      try {
        return await exportOnlyRun(runId);
      } catch (err) {
        if (err instanceof EmptySitemapError || err instanceof TemplateExportError) {
          await failRun(runId, err);
          throw new NonRetriableError(RECORDED_PREFIX + err.message);
        }
        throw err;
      }
    });
    return { runId, sitemapId, exported };
  },
);
