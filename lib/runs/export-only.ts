/**
 * Export-only runs: pushed URLs published within seconds, without fetching the site (Run.kind "export").
 *
 *   requestPushExport(sitemapId) → after URLs were pushed into a sitemap (lib/db/urls.ts pushSitemapUrls): makes sure
 *                                  an export will publish them; returns the run that will (or null, see below)
 *   exportOnlyRun(runId)         → the job's step: copies the published run's inventory into the export run, then
 *                                  exports it exactly as a crawl's export step does (lib/runs/execute.ts exportRun:
 *                                  the same writer, the same atomic publish, the same publish guard)
 *
 * What an export-only run publishes: every URL the published run lists (its crawl data as crawled: lastmod, depth,
 * extensions) merged with the sitemap's pushed URLs (lib/db/urls.ts iterateExportUrls: one <loc> per URL; a pushed
 * URL the crawl left out stays out). Nothing is fetched, no credit is charged (pagesFetched = 0); the run is a normal
 * run otherwise (status, files, webhooks run.succeeded / run.failed, GET /api/v1/runs/{id}). Since it lists at least
 * what the published run lists, the publish guard never holds it: a push never drops URLs.
 *
 * Coalescing (env PUSH_EXPORT_WINDOW_MS, default 2000 ms):
 * - no run active: the push claims the sitemap for a new export run, which waits the window (a durable step.sleep)
 *   and then reads the pushed URLs: every push within the window is in that one export;
 * - an export run active, still in its window: the push is in it;
 * - any other active run (a crawl, or an export already writing): the push sets Sitemap.exportPending; a crawl's
 *   export clears it when it reads the pushed URLs (so a push made before that is merged by the crawl's publish), and
 *   when the active run ends with the flag still set, its claim passes to an export run that starts at once
 *   (lib/db/runs.ts releaseClaim). A requested follow-up crawl takes precedence and merges them itself.
 * - an inactive sitemap: nothing runs; the flag stays and the next run publishes the URLs.
 *
 * Errors: requestPushExport throws AppError service_unavailable when the job cannot be enqueued (the run is marked
 * failed, the flag stays set, so the next run still publishes the URLs); exportOnlyRun throws what exportRun throws
 * (EmptySitemapError when nothing is published and nothing pushed).
 */
import { AppError } from "@/lib/core/errors";
import { activeRunOf, copyPublishedInventory, markExportPending } from "@/lib/db/export-runs";
import { claimRun, finishRun, getRun, markRunRunning } from "@/lib/db/runs";
import { publishedRunIdOf } from "@/lib/db/sitemaps";
import { getEnv } from "@/lib/env";
import { sendExportRequested } from "@/lib/jobs/events";
import { exportRun, type ExportStepResult } from "./execute";

/** The coalescing window (ms): PUSH_EXPORT_WINDOW_MS, 0..60000, default 2000. */
export const pushExportWindowMs = (): number => getEnv().PUSH_EXPORT_WINDOW_MS;

/**
 * Which run will publish the pushed URLs: `exportRunId` a new export run (`coalesced` false), or the active run / the
 * export that follows it (`coalesced` true, `exportRunId` the active run's id); null ids when the sitemap is inactive.
 */
export type PushExport = { exportRunId: string | null; coalesced: boolean; windowMs: number };

/**
 * After a push: sets Sitemap.exportPending, then claims the sitemap for a new export run and enqueues it with the
 * coalescing window. Returns that run (`coalesced: false`), or, when another run holds the claim, the active run's
 * id (null if it ended meanwhile) with `coalesced: true`. `windowMs` is PUSH_EXPORT_WINDOW_MS.
 */
export async function requestPushExport(sitemapId: string): Promise<PushExport> {
  const windowMs = pushExportWindowMs();
  // The flag first: an active run ending between the claim attempt below and now passes its claim to an export.
  await markExportPending(sitemapId);
  const run = await claimRun({ sitemapId, trigger: "api", kind: "export" });
  if (!run) {
    const active = await activeRunOf(sitemapId);
    return { exportRunId: active?.id ?? null, coalesced: true, windowMs };
  }
  await enqueueExport(run, windowMs);
  return { exportRunId: run.id, coalesced: false, windowMs };
}

/**
 * Sends the job event of a new export run (an export run that receives an ending run's claim is sent by
 * lib/runs/follow-up.ts, with no window). When the event cannot be sent the run is failed (claim released) and
 * service_unavailable thrown.
 */
async function enqueueExport(run: { id: string; sitemapId: string }, delayMs: number): Promise<void> {
  try {
    await sendExportRequested({ runId: run.id, sitemapId: run.sitemapId, delayMs });
  } catch (err) {
    console.error("[runs] could not enqueue export run", run.id, err);
    await finishRun(run.id, { status: "failed", error: "The job could not be enqueued." });
    throw new AppError("service_unavailable", "The job queue is unavailable; try again shortly.");
  }
}

/**
 * The export step of an export-only run: marks it running, copies the published run's inventory into it (none when
 * nothing is published: the pushed URLs alone), then runs the common export (guard, write, atomic publish, run
 * succeeded). Idempotent as exportRun is. A run that is not an export, or already ended, is skipped.
 */
export async function exportOnlyRun(runId: string): Promise<ExportStepResult> {
  const run = await getRun(runId);
  if (!run || run.kind !== "export" || (run.status !== "queued" && run.status !== "running")) {
    return { skipped: true, files: 0, bytes: 0, urls: 0 };
  }
  await markRunRunning(runId);
  const published = await publishedRunIdOf(run.sitemapId);
  if (published && published !== runId) await copyPublishedInventory(runId, published);
  return exportRun(runId);
}

