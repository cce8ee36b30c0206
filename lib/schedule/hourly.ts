/**
 * The hourly scheduler (Inngest cron `hourly-scheduler`, "0 * * * *", and the manual event
 * `schedule/hourly.requested`): for the current UTC hour slot, start a run (trigger "schedule") of every active
 * sitemap planned in it, and record the slot.
 *
 * - Planned in slot [S, S+1h): lib/schedule/due.ts `isDueInSlot` (exportPlan hours and exportCron, croner, in the
 *   sitemap's time zone), the same function POST /api/v1/sitemaps/generate/hour/{h} uses.
 * - Exactly one scheduler per slot: the slot row is claimed with `INSERT … ON CONFLICT` (SchedulerSlot.slot is the
 *   primary key), so with several app instances (or a cron tick and a manual event at once) only the claimer starts
 *   runs; the function also has Inngest concurrency limit 1. A retry of the claiming tick (same `owner`, the event id)
 *   may take over its own unfinished slot; runs it already started are then reported as skipped (already running).
 * - Missed hours after downtime: every tick looks for the slots between the last recorded slot and the current one
 *   (at most MAX_MISSED_SLOTS = 168, one week; older ones are counted in the current slot's detail, not listed). Each
 *   is recorded with `missed: true` and the sitemaps that were planned in it. Catch-up: each sitemap planned in at
 *   least one missed slot gets ONE catch-up run in the current tick (scheduledFor = its latest missed slot), not one
 *   per missed slot; a sitemap also planned in the current slot just gets its normal run.
 * - A run that cannot start (inactive meanwhile, a run already active) is recorded as skipped with the reason.
 * - RSS feeds: the claimed tick also calls lib/feeds/schedule.ts `requestDueFeedRefreshes(slot)` (one refresh event
 *   per active feed, deduplicated per hour); the count is SchedulerSlot.feedsRefreshed, an error is kept in the
 *   slot's detail (`feedsError`) without failing the tick.
 *
 * Units: slots are Date at a whole UTC hour; durations ms. Errors: database errors reject.
 */
import { isAppError } from "@/lib/core/errors";
import { claimSchedulerSlot, finishSchedulerSlot, lastSlotBefore, missedSchedulerSlots, recentSchedulerSlots } from "@/lib/db/scheduler-slots";
import { listPlannedSitemaps } from "@/lib/db/sitemaps";
import { requestDueFeedRefreshes } from "@/lib/feeds/schedule";
import { requestRun } from "@/lib/runs/request-run";
import { HOUR_MS, isDueInSlot, nextPlannedRun, slotOf } from "./due";

export { HOUR_MS, slotOf } from "./due";
export const MAX_MISSED_SLOTS = 168;

export type TickResult = {
  slot: string;
  /** false: another scheduler already handled this slot; nothing was started. */
  claimed: boolean;
  missedSlots: string[];
  /** Missed slots beyond MAX_MISSED_SLOTS (not listed). */
  missedUnlisted: number;
  started: { sitemapId: string; runId: string; catchUp: boolean }[];
  skipped: { sitemapId: string; reason: string }[];
  /** Feed refresh events sent (lib/feeds/schedule.ts). */
  feedsRefreshed: number;
  feedsError?: string;
};

/**
 * One tick for the hour slot of `now` (module doc). Returns what it did; `claimed: false` when another process
 * (or an earlier tick) already handled the slot.
 */
export async function runHourlyTick(now: Date = new Date(), opts: { owner?: string } = {}): Promise<TickResult> {
  const slot = slotOf(now);
  const result: TickResult = { slot: slot.toISOString(), claimed: false, missedSlots: [], missedUnlisted: 0, started: [], skipped: [], feedsRefreshed: 0 };
  const last = await lastSlotBefore(slot);
  if (!(await claimSchedulerSlot(slot, false, opts.owner ?? null))) return result;
  result.claimed = true;

  const sitemaps = await listPlannedSitemaps({ order: "id" });
  // Missed slots between the last handled one and this one.
  const catchUp = new Map<string, Date>();
  if (last) {
    const gap = Math.round((slot.getTime() - last.getTime()) / HOUR_MS) - 1;
    const first = Math.max(1, gap - MAX_MISSED_SLOTS + 1);
    result.missedUnlisted = Math.max(0, gap - MAX_MISSED_SLOTS);
    for (let i = first; i <= gap; i++) {
      const missed = new Date(last.getTime() + i * HOUR_MS);
      const planned = sitemaps.filter((s) => isDueInSlot(s, missed));
      if (!(await claimSchedulerSlot(missed, true))) continue;
      result.missedSlots.push(missed.toISOString());
      for (const s of planned) catchUp.set(s.id, missed);
      await finishSchedulerSlot(missed, { detail: { planned: planned.map((s) => s.id), note: "Missed (scheduler not running); see catch-up in the next handled slot." } });
    }
  }

  const due = sitemaps.filter((s) => isDueInSlot(s, slot) || catchUp.has(s.id));
  for (const s of due) {
    const isCatchUp = !isDueInSlot(s, slot);
    try {
      const run = await requestRun({ sitemapId: s.id, userId: s.userId, trigger: "schedule", scheduledFor: isCatchUp ? catchUp.get(s.id)! : slot });
      result.started.push({ sitemapId: s.id, runId: run.id, catchUp: isCatchUp });
    } catch (err) {
      if (!isAppError(err)) throw err;
      result.skipped.push({ sitemapId: s.id, reason: err.message });
    }
  }
  try {
    result.feedsRefreshed = await requestDueFeedRefreshes(slot);
  } catch (err) {
    result.feedsError = err instanceof Error ? err.message : String(err);
  }
  await finishSchedulerSlot(slot, {
    runsStarted: result.started.length,
    feedsRefreshed: result.feedsRefreshed,
    detail: {
      ...(opts.owner ? { owner: opts.owner } : {}),
      started: result.started,
      skipped: result.skipped,
      missedSlots: result.missedSlots,
      missedUnlisted: result.missedUnlisted,
      ...(result.feedsError ? { feedsError: result.feedsError } : {}),
    },
  });
  return result;
}

export type ScheduleOverview = {
  upcoming: { sitemapId: string; name: string; timezone: string; exportPlan: number[]; exportCron: string | null; nextRunAt: string | null }[];
  recentSlots: SlotDto[];
  missedSlots: SlotDto[];
};
export type SlotDto = {
  slot: string;
  startedAt: string;
  finishedAt: string | null;
  runsStarted: number;
  feedsRefreshed: number;
  missed: boolean;
  detail: unknown;
};

const toSlotDto = (r: { slot: Date; startedAt: Date; finishedAt: Date | null; runsStarted: number; feedsRefreshed: number; missed: boolean; detail: unknown }): SlotDto => ({
  slot: r.slot.toISOString(),
  startedAt: r.startedAt.toISOString(),
  finishedAt: r.finishedAt?.toISOString() ?? null,
  runsStarted: r.runsStarted,
  feedsRefreshed: r.feedsRefreshed,
  missed: r.missed,
  detail: r.detail,
});

/**
 * GET /api/v1/schedule: the user's active planned sitemaps with their next run, the last 48 slots and the missed
 * slots of the last 30 days. Slot details list sitemap ids of every account; they are filtered to the user's own.
 */
export async function scheduleOverview(userId: string, now: Date = new Date()): Promise<ScheduleOverview> {
  const mine = await listPlannedSitemaps({ userId, order: "created" });
  const ids = new Set(mine.map((s) => s.id));
  const own = (detail: unknown): unknown => {
    if (!detail || typeof detail !== "object") return detail;
    const d = { ...(detail as Record<string, unknown>) };
    for (const k of ["started", "skipped"] as const) if (Array.isArray(d[k])) d[k] = (d[k] as { sitemapId: string }[]).filter((x) => ids.has(x.sitemapId));
    if (Array.isArray(d.planned)) d.planned = (d.planned as string[]).filter((x) => ids.has(x));
    return d;
  };
  const recent = await recentSchedulerSlots(48);
  const missed = await missedSchedulerSlots(new Date(now.getTime() - 30 * 24 * HOUR_MS), 200);
  return {
    upcoming: mine.map((s) => ({
      sitemapId: s.id,
      name: s.name,
      timezone: s.timezone,
      exportPlan: s.exportPlan,
      exportCron: s.exportCron,
      nextRunAt: nextPlannedRun(s, now)?.toISOString() ?? null,
    })),
    recentSlots: recent.map((r) => ({ ...toSlotDto(r), detail: own(r.detail) })),
    missedSlots: missed.map((r) => ({ ...toSlotDto(r), detail: own(r.detail) })),
  };
}
