/**
 * `generate-sitemap`: one run = a loop of bounded crawl steps, then an export step (lib/runs/execute.ts does the
 * work; this file only wires it to Inngest). Triggered by `sitemap/generate.requested {runId, sitemapId}`.
 *
 * - Crawl steps `crawl-1`, `crawl-2`, …: each crawls for at most CRAWL_STEP_SECONDS and resumes from the inventory and
 *   frontier stored in the database (lib/runs/execute.ts crawlStep), so a crawl of any length fits a host's limit on
 *   one request and survives a deploy or a worker restart between steps. The step that finds the crawl over also does
 *   the post-crawl work (inlinks, duplicates, totals, warnings, diff, audit) and returns `done: true`.
 * - At most CRAWL_MAX_STEPS steps in all (default 1,000, Inngest's limit per function run): the last crawl step
 *   allowed is CRAWL_MAX_STEPS − 1 (one is left for the export); pausing there fails the run with
 *   crawl_step_limit_exceeded (hint: raise CRAWL_STEP_SECONDS).
 * - Step ids are explicit and deterministic (the SDK memoises each by id and replays the loop on every call), and
 *   every step returns a small JSON object (counts, never page bodies or URL lists), so the state sent with each call
 *   stays small (≈ 150 bytes per crawl step) on the local runner (lib/jobs/) and on an Inngest server alike.
 * - One generation per sitemap at a time (concurrency key `event.data.sitemapId`).
 * - Steps are retried (2 retries); all are idempotent (see lib/runs/execute.ts). A retried or re-delivered crawl step
 *   (the worker was killed, its lease expired) resumes from what was stored instead of starting over; a retried
 *   export rewrites the same bytes and republishes them.
 * - "Nothing indexable" (failed with the crawl's diagnosis: lib/core/run-outcome.ts), a crawl stopped by its budget
 *   (CrawlBudgetError, lib/runs/crawl-thread.ts) and the step limit (RunFailedError) are final: a NonRetriableError,
 *   recorded on the run without retries.
 * - A failure recorded here (failRun: the cause and one log line) is rethrown as a NonRetriableError whose message
 *   starts with RECORDED_PREFIX, so the SDK's logger does not log it again with a stack (lib/jobs/log.ts).
 * - When retries are exhausted, onFailure records the error on the run and releases the sitemap's claim.
 */
import { NonRetriableError } from "inngest";
import { inngest } from "@/lib/jobs/client";
import { RECORDED_PREFIX } from "@/lib/jobs/log";
import { generateRequested } from "@/lib/jobs/events";
import { CrawlBudgetError } from "@/lib/runs/crawl-thread";
import { crawlStep, exportFailure, exportRun, failRun, type CrawlStepResult } from "@/lib/runs/execute";
import { RunFailedError } from "@/lib/core/run-outcome";
import { getEnv } from "@/lib/env";
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
    const { CRAWL_STEP_SECONDS, CRAWL_MAX_STEPS } = getEnv();
    const bounds = { stepMs: Math.round(CRAWL_STEP_SECONDS * 1000), maxSteps: CRAWL_MAX_STEPS - 1 };
    let crawl: CrawlStepResult | null = null;
    for (let k = 1; !crawl?.done; k++) {
      crawl = await step.run(`crawl-${k}`, async () => {
        try {
          return await crawlStep(runId, k, bounds);
        } catch (err) {
          if (err instanceof CrawlBudgetError || err instanceof RunFailedError) {
            await failRun(runId, err);
            throw new NonRetriableError(RECORDED_PREFIX + err.message);
          }
          throw err;
        }
      });
    }
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
