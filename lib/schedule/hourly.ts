/**
 * The hourly scheduler (Inngest cron `hourly-scheduler`, "0 * * * *", and the manual event
 * `schedule/hourly.requested`): for the current UTC hour slot, start a run (trigger "schedule") of every active
 * sitemap planned in it, and record the slot.
 *
 * - Planned in slot [S, S+1h): an `exportPlan` hour H (0..23, local time in the sitemap's IANA `timezone`) whose
 *   local H:00 falls in the slot, or an `exportCron` (5 fields, same timezone, croner) that fires in the slot.
 *   Example: 9:00 Europe/Berlin is 08:00 UTC in winter (CET, +1) and 07:00 UTC in summer (CEST, +2). A zone with a
 *   half-hour offset (Asia/Kolkata, +5:30) has 14:00 local at 08:30 UTC, in the 08:00 slot. Local times skipped by a
 *   DST change fire as croner decides (it moves them to the next valid time).
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
import { Cron } from "croner";
import { isAppError } from "@/lib/core/errors";
import { getDb } from "@/lib/db/client";
import { requestDueFeedRefreshes } from "@/lib/feeds/schedule";
import { requestRun } from "@/lib/runs/request-run";

export const HOUR_MS = 3_600_000;
export const MAX_MISSED_SLOTS = 168;

/** The UTC hour slot containing `at`. */
export const slotOf = (at: Date): Date => new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);

export type PlanFields = { exportPlan: number[]; exportCron: string | null; timezone: string };

/** The cron expressions of a sitemap's plan: the hours as "0 h1,h2 * * *" plus exportCron. */
function crons(sm: PlanFields): string[] {
  const hours = [...new Set(sm.exportPlan.filter((h) => Number.isInteger(h) && h >= 0 && h <= 23))].sort((a, b) => a - b);
  return [...(hours.length ? [`0 ${hours.join(",")} * * *`] : []), ...(sm.exportCron?.trim() ? [sm.exportCron.trim()] : [])];
}

/** First fire time of the sitemap's plan at or after `from` (ms resolution), or null (no plan / invalid cron). */
export function nextPlannedRun(sm: PlanFields, from: Date): Date | null {
  let best: Date | null = null;
  for (const expr of crons(sm)) {
    try {
      const next = new Cron(expr, { timezone: sm.timezone || "UTC", paused: true }).nextRun(new Date(from.getTime() - 1));
      if (next && (!best || next < best)) best = next;
    } catch {
      // an invalid cron or time zone plans nothing (the API validates both on write)
    }
  }
  return best;
}

/** True when the sitemap's plan fires in [slot, slot + 1 h). */
export function isPlannedInSlot(sm: PlanFields, slot: Date): boolean {
  const next = nextPlannedRun(sm, slot);
  return next !== null && next.getTime() < slot.getTime() + HOUR_MS;
}

type PlannedSitemap = PlanFields & { id: string; userId: string };

async function plannedSitemaps(): Promise<PlannedSitemap[]> {
  return getDb().sitemap.findMany({
    where: { active: true, OR: [{ exportPlan: { isEmpty: false } }, { exportCron: { not: null } }] },
    select: { id: true, userId: true, exportPlan: true, exportCron: true, timezone: true },
    orderBy: { id: "asc" },
  });
}

/**
 * Claims `slot`: true for the one caller that inserted its row (INSERT … ON CONFLICT), or for a retry by the same
 * `owner` (e.g. the Inngest event id) while the slot is still unfinished — so a tick that crashed half-way can be
 * retried, while a different tick of the same hour never gets it.
 */
export async function claimSlot(slot: Date, missed: boolean, owner: string | null = null): Promise<boolean> {
  const detail = JSON.stringify(owner ? { owner } : {});
  const n = await getDb().$executeRaw`
    INSERT INTO "SchedulerSlot" ("slot", "missed", "detail") VALUES (${slot}, ${missed}, ${detail}::jsonb)
    ON CONFLICT ("slot") DO UPDATE SET "startedAt" = now()
    WHERE "SchedulerSlot"."finishedAt" IS NULL AND ${owner}::text IS NOT NULL AND "SchedulerSlot"."detail"->>'owner' = ${owner}::text`;
  return n === 1;
}

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
  const db = getDb();
  const slot = slotOf(now);
  const result: TickResult = { slot: slot.toISOString(), claimed: false, missedSlots: [], missedUnlisted: 0, started: [], skipped: [], feedsRefreshed: 0 };
  const last = await db.schedulerSlot.findFirst({ where: { slot: { lt: slot } }, orderBy: { slot: "desc" }, select: { slot: true } });
  if (!(await claimSlot(slot, false, opts.owner ?? null))) return result;
  result.claimed = true;

  const sitemaps = await plannedSitemaps();
  // Missed slots between the last handled one and this one.
  const catchUp = new Map<string, Date>();
  if (last) {
    const gap = Math.round((slot.getTime() - last.slot.getTime()) / HOUR_MS) - 1;
    const first = Math.max(1, gap - MAX_MISSED_SLOTS + 1);
    result.missedUnlisted = Math.max(0, gap - MAX_MISSED_SLOTS);
    for (let i = first; i <= gap; i++) {
      const missed = new Date(last.slot.getTime() + i * HOUR_MS);
      const planned = sitemaps.filter((s) => isPlannedInSlot(s, missed));
      if (!(await claimSlot(missed, true))) continue;
      result.missedSlots.push(missed.toISOString());
      for (const s of planned) catchUp.set(s.id, missed);
      await db.schedulerSlot.update({
        where: { slot: missed },
        data: { finishedAt: new Date(), detail: { planned: planned.map((s) => s.id), note: "Missed (scheduler not running); see catch-up in the next handled slot." } },
      });
    }
  }

  const due = sitemaps.filter((s) => isPlannedInSlot(s, slot) || catchUp.has(s.id));
  for (const s of due) {
    const isCatchUp = !isPlannedInSlot(s, slot);
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
  await db.schedulerSlot.update({
    where: { slot },
    data: {
      finishedAt: new Date(),
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
  const db = getDb();
  const mine = await db.sitemap.findMany({
    where: { userId, active: true, OR: [{ exportPlan: { isEmpty: false } }, { exportCron: { not: null } }] },
    select: { id: true, name: true, exportPlan: true, exportCron: true, timezone: true },
    orderBy: { createdAt: "asc" },
  });
  const ids = new Set(mine.map((s) => s.id));
  const own = (detail: unknown): unknown => {
    if (!detail || typeof detail !== "object") return detail;
    const d = { ...(detail as Record<string, unknown>) };
    for (const k of ["started", "skipped"] as const) if (Array.isArray(d[k])) d[k] = (d[k] as { sitemapId: string }[]).filter((x) => ids.has(x.sitemapId));
    if (Array.isArray(d.planned)) d.planned = (d.planned as string[]).filter((x) => ids.has(x));
    return d;
  };
  const recent = await db.schedulerSlot.findMany({ orderBy: { slot: "desc" }, take: 48 });
  const missed = await db.schedulerSlot.findMany({ where: { missed: true, slot: { gte: new Date(now.getTime() - 30 * 24 * HOUR_MS) } }, orderBy: { slot: "desc" }, take: 200 });
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
