/**
 * Starting a run: the one entry point used by the API, the dashboard, the compatibility adapters and the hourly
 * schedule.
 *
 *   requestRun({ sitemapId, userId, trigger, subScopes?, scheduledFor? }) → the queued run (TRunDto)
 *
 * `subScopes`: keys of the sitemap's sub-scopes (Sitemap.subScopes[].key) the run is requested for, recorded on
 * Run.subScopes (deduplicated, in the sitemap's order); omitted or empty = the whole site. `scheduledFor`: the
 * scheduler's hour slot (UTC) for trigger `schedule`.
 *
 * Errors (AppError): not_found (no such sitemap for this user), invalid_value 422 field "subScope" (a key the sitemap
 * does not define), conflict (sitemap inactive, or a run is already queued/running — claimed atomically, see
 * lib/db/runs.ts claimRun; `details.activeRunId` names the active run), service_unavailable (the job could not be
 * enqueued; the run is marked failed so nothing is left hanging).
 */
import type { RunTrigger } from "@/lib/db/runs";
import { AppError } from "@/lib/core/errors";
import { claimRun, finishRun, toRunDto } from "@/lib/db/runs";
import { findSitemapForRunRequest, findSitemapRunState } from "@/lib/db/sitemaps";
import { sendGenerateRequested } from "@/lib/jobs/events";
import { subScopesOf } from "@/lib/schemas/sitemaps";
import type { TRunDto } from "@/lib/schemas/runs";

export type RequestRunOptions = {
  sitemapId: string;
  userId: string;
  trigger: RunTrigger;
  /** Sub-scope keys (empty/omitted = whole site). */
  subScopes?: string[];
  /** Scheduler slot (UTC hour) for trigger "schedule". */
  scheduledFor?: Date | null;
};

/**
 * Claims the sitemap for a new run and sends `sitemap/generate.requested`; returns the queued run's DTO (errors in the
 * module doc).
 */
export async function requestRun(opts: RequestRunOptions): Promise<TRunDto> {
  const sitemap = await findSitemapForRunRequest({ userId: opts.userId, sitemapId: opts.sitemapId });
  if (!sitemap) throw new AppError("not_found", `Sitemap ${opts.sitemapId} not found.`);
  let subScopes: string[] = [];
  if (opts.subScopes?.length) {
    const defined = subScopesOf(sitemap.subScopes).map((s) => s.key);
    const unknown = opts.subScopes.find((k) => !defined.includes(k));
    if (unknown !== undefined) {
      throw new AppError("invalid_value", `The sitemap has no sub-scope "${unknown}"; defined: ${defined.join(", ") || "none"}.`, { field: "subScope" });
    }
    subScopes = defined.filter((k) => opts.subScopes!.includes(k));
  }
  if (!sitemap.active) throw new AppError("conflict", "The sitemap is inactive; activate it before generating.");
  const run = await claimRun({ sitemapId: sitemap.id, trigger: opts.trigger, subScopes, scheduledFor: opts.scheduledFor ?? null });
  if (!run) {
    const active = await findSitemapRunState(sitemap.id);
    if (active && !active.active) throw new AppError("conflict", "The sitemap is inactive; activate it before generating.");
    throw new AppError("conflict", "A run of this sitemap is already queued or running.", {
      details: { activeRunId: active?.activeRunId ?? null },
    });
  }
  try {
    await sendGenerateRequested({ runId: run.id, sitemapId: sitemap.id });
  } catch (err) {
    console.error("[runs] could not enqueue run", run.id, err);
    await finishRun(run.id, { status: "failed", error: "The job could not be enqueued." });
    throw new AppError("service_unavailable", "The job queue is unavailable; try again shortly.");
  }
  return toRunDto(run);
}
