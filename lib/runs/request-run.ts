/**
 * Starting a run: the one entry point used by the API, the dashboard and the hourly schedule.
 *
 * Errors (AppError): not_found (no such sitemap for this user), conflict (sitemap inactive, or a run is already
 * queued/running — claimed atomically, see lib/db/runs.ts claimRun), service_unavailable (the job could not be
 * enqueued; the run is marked failed so nothing is left hanging).
 */
import type { RunTrigger } from "@/generated/prisma/client";
import { AppError } from "@/lib/core/errors";
import { getDb } from "@/lib/db/client";
import { claimRun, finishRun, toRunDto } from "@/lib/db/runs";
import { sendGenerateRequested } from "@/lib/jobs/events";
import type { TRunDto } from "@/lib/schemas/runs";

export async function requestRun(opts: { sitemapId: string; userId: string; trigger: RunTrigger }): Promise<TRunDto> {
  const sitemap = await getDb().sitemap.findFirst({
    where: { id: opts.sitemapId, userId: opts.userId },
    select: { id: true, active: true, activeRunId: true },
  });
  if (!sitemap) throw new AppError("not_found", `Sitemap ${opts.sitemapId} not found.`);
  if (!sitemap.active) throw new AppError("conflict", "The sitemap is inactive; activate it before generating.");
  const run = await claimRun({ sitemapId: sitemap.id, trigger: opts.trigger });
  if (!run) {
    const active = await getDb().sitemap.findUnique({ where: { id: sitemap.id }, select: { activeRunId: true, active: true } });
    if (active && !active.active) throw new AppError("conflict", "The sitemap is inactive; activate it before generating.");
    throw new AppError("conflict", "A run of this sitemap is already queued or running.", {
      details: { active_run_id: active?.activeRunId ?? null },
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
