/**
 * Follow-up runs: a run requested while another run of the sitemap is active is not lost (CMSs trigger a sitemap
 * update on every publish). At most one follow-up waits per sitemap; it starts when the active run ends, whatever the
 * end (succeeded, failed, held, cancelled), because lib/db/runs.ts releaseClaim passes the claim to it in the same
 * transaction that ends the active run.
 *
 *   requestRunOrFollowUp(opts) → { run, followUpOf: null } when a run could start now, or { run: null, followUpOf }
 *                                naming the active run the follow-up waits for
 *   enqueueFollowUp(run)       → sends the job event of a follow-up run handed over by finishRun / holdRun /
 *                                cancelRun (null: nothing to do); an export-only run (kind "export") gets
 *                                `sitemap/export.requested` instead of `sitemap/generate.requested`
 *
 * Errors: what requestRun throws (not_found, invalid_value, conflict for an inactive sitemap, service_unavailable);
 * conflict when the active run kept changing over three attempts.
 */
import { AppError, isAppError } from "@/lib/core/errors";
import { finishRun, requestFollowUp } from "@/lib/db/runs";
import { sendExportRequested, sendGenerateRequested } from "@/lib/jobs/events";
import type { TRunDto } from "@/lib/schemas/runs";
import { requestRun, type RequestRunOptions } from "./request-run";

export type RunOrFollowUp = { run: TRunDto; followUpOf: null } | { run: null; followUpOf: string };

/**
 * requestRun, or, when a run is active (409 with `details.activeRunId`), records the one follow-up run; up to three
 * attempts (module doc for errors).
 */
export async function requestRunOrFollowUp(opts: RequestRunOptions): Promise<RunOrFollowUp> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return { run: await requestRun(opts), followUpOf: null };
    } catch (err) {
      const active = isAppError(err) && err.code === "conflict" ? err.details?.activeRunId : null;
      if (typeof active !== "string") throw err;
      // The active run may end between the two steps: then the follow-up is not recorded and a run starts now.
      if (await requestFollowUp({ sitemapId: opts.sitemapId, activeRunId: active, trigger: opts.trigger })) return { run: null, followUpOf: active };
    }
  }
  throw new AppError("conflict", "The sitemap's active run kept changing; try again.");
}

/**
 * Sends the job event of a run handed over by the end of the active one (module doc). When the queue refuses it the
 * error is logged and the run is marked failed ("The job could not be enqueued."); never rejects for that.
 */
export async function enqueueFollowUp(run: { id: string; sitemapId: string; kind?: string } | null): Promise<void> {
  if (!run) return;
  try {
    // An export-only run (URLs pushed during the ended run; lib/runs/export-only.ts) starts at once: no window.
    if (run.kind === "export") await sendExportRequested({ runId: run.id, sitemapId: run.sitemapId, delayMs: 0 });
    else await sendGenerateRequested({ runId: run.id, sitemapId: run.sitemapId });
  } catch (err) {
    console.error("[runs] could not enqueue follow-up run", run.id, err);
    await finishRun(run.id, { status: "failed", error: "The job could not be enqueued." });
  }
}
