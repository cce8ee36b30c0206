/**
 * `generate-sitemap`: one run = a crawl step and an export step (lib/runs/execute.ts does the work; this file only
 * wires it to Inngest). Triggered by `sitemap/generate.requested {runId, sitemapId}`.
 *
 * - One generation per sitemap at a time (concurrency key `event.data.sitemapId`).
 * - Steps are retried (2 retries); both steps are idempotent (see lib/runs/execute.ts). A retried or re-delivered
 *   crawl step (the worker was killed, its lease expired) resumes from the inventory and frontier stored so far
 *   instead of starting over; a retried export rewrites the same bytes and republishes them.
 * - "Nothing indexable" (failed with the crawl's diagnosis: lib/core/run-outcome.ts) and a crawl stopped by its budget (CrawlBudgetError, lib/runs/crawl-thread.ts) are final: a
 *   NonRetriableError, recorded on the run without retries.
 * - A failure recorded here (failRun: the cause and one log line) is rethrown as a NonRetriableError whose message
 *   starts with RECORDED_PREFIX, so the SDK's logger does not log it again with a stack (lib/jobs/log.ts).
 * - When retries are exhausted, onFailure records the error on the run and releases the sitemap's claim.
 * Step outputs are small counts (memoised as JSON by Inngest), never page bodies or URL lists.
 */
import { NonRetriableError } from "inngest";
import { inngest } from "@/lib/jobs/client";
import { RECORDED_PREFIX } from "@/lib/jobs/log";
import { generateRequested } from "@/lib/jobs/events";
import { CrawlBudgetError } from "@/lib/runs/crawl-thread";
import { crawlRun, exportFailure, exportRun, failRun } from "@/lib/runs/execute";
import { EmptySitemapError } from "@/lib/sitemap/writer";
import { TemplateExportError } from "@/lib/templates/export";

export const generateSitemap = inngest.createFunction(
  {
    id: "generate-sitemap",
    name: "Generate sitemap",
    triggers: [generateRequested],
    concurrency: { key: "event.data.sitemapId", limit: 1 },
    retries: 2,
    onFailure: async ({ event, error }) => {
      await failRun(event.data.event.data.runId, error);
    },
  },
  async ({ event, step }) => {
    const { runId, sitemapId } = event.data;
    const crawl = await step.run("crawl", async () => {
      try {
        return await crawlRun(runId);
      } catch (err) {
        if (err instanceof CrawlBudgetError) {
          await failRun(runId, err);
          throw new NonRetriableError(RECORDED_PREFIX + err.message);
        }
        throw err;
      }
    });
    const exported = await step.run("export", async () => {
      try {
        return await exportRun(runId);
      } catch (err) {
        if (err instanceof EmptySitemapError) {
          // The crawl's diagnosis (a typo'd host, a 404 start URL, everything excluded, …) says why nothing was written.
          const cause = exportFailure(err, crawl) as Error;
          await failRun(runId, cause);
          throw new NonRetriableError(RECORDED_PREFIX + cause.message);
        }
        if (err instanceof TemplateExportError) {
          await failRun(runId, err); // recorded with its code (template_invalid) before onFailure runs
          throw new NonRetriableError(RECORDED_PREFIX + err.message);
        }
        throw err;
      }
    });
    return { runId, sitemapId, crawl, exported };
  },
);
