/**
 * The one answer to "is this sitemap due in this hour": pure functions (no I/O) shared by the hourly scheduler
 * (lib/schedule/hourly.ts) and POST /api/v1/sitemaps/generate/hour/{h} (lib/api/runs.ts, also the shop API).
 *
 * Rule: a sitemap's plan is the cron "0 h1,h2,… * * *" built from its `exportPlan` hours (0..23) plus its
 * `exportCron` (5 fields), both read by croner in the sitemap's IANA `timezone` (UTC when empty). The sitemap is due
 * in the UTC hour slot [S, S + 1 h) when the plan's first fire time at or after S is before S + 1 h.
 *
 * - Half-hour and quarter-hour zones: 14:00 Asia/Kolkata (+05:30) is 08:30 UTC, due in the 08:00 slot; 14:00
 *   Asia/Kathmandu (+05:45) is 08:15 UTC; 14:00 America/St_Johns (−03:30) is 17:30 UTC.
 * - A local time skipped by a DST change (02:00–03:00 Europe/Berlin on the last Sunday of March) fires at the first
 *   valid time after it (03:00 local), as croner decides; the hour is not lost.
 * - A local time that occurs twice (02:00–03:00 Europe/Berlin on the last Sunday of October) fires once, at its first
 *   occurrence (the summer-time one).
 * - An invalid cron or time zone plans nothing (the API validates both on write).
 *
 * Units: `Date` instants, slots at whole UTC hours; HOUR_MS in ms. Errors: none thrown.
 */
import { Cron } from "croner";

export const HOUR_MS = 3_600_000;

/** The UTC hour slot containing `at`. */
export const slotOf = (at: Date): Date => new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);

/** A sitemap's plan fields as stored (Sitemap.exportPlan, exportCron, timezone). */
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

/** True when the sitemap's plan fires in the UTC hour slot [slotOf(slot), + 1 h) (module doc). */
export function isDueInSlot(sm: PlanFields, slot: Date): boolean {
  const start = slotOf(slot);
  const next = nextPlannedRun(sm, start);
  return next !== null && next.getTime() < start.getTime() + HOUR_MS;
}
