/**
 * Scheduler slots (table SchedulerSlot, primary key `slot`: a Date at a whole UTC hour), the record of what the
 * hourly scheduler (lib/schedule/hourly.ts) did in each hour, and the queries it needs.
 *
 * - claimSchedulerSlot: `INSERT … ON CONFLICT` so exactly one caller claims a slot; a retry by the same `owner`
 *   (e.g. the Inngest event id) may take over its own unfinished slot.
 * - finishSchedulerSlot: sets finishedAt (now) with the counts and the JSON detail.
 * Errors: database errors reject.
 */
import { Prisma, type SchedulerSlot } from "@/generated/prisma/client";
import { getDb } from "./client";

export type SchedulerSlotRow = SchedulerSlot;

/** The latest recorded slot before `slot`, or null on a new installation. */
export async function lastSlotBefore(slot: Date): Promise<Date | null> {
  const row = await getDb().schedulerSlot.findFirst({ where: { slot: { lt: slot } }, orderBy: { slot: "desc" }, select: { slot: true } });
  return row?.slot ?? null;
}

/**
 * Claims `slot`: true for the one caller that inserted its row, or for a retry by the same `owner` while the slot is
 * still unfinished (a tick that crashed half-way can be retried; a different tick of the same hour never gets it).
 */
export async function claimSchedulerSlot(slot: Date, missed: boolean, owner: string | null = null): Promise<boolean> {
  const detail = JSON.stringify(owner ? { owner } : {});
  const n = await getDb().$executeRaw`
    INSERT INTO "SchedulerSlot" ("slot", "missed", "detail") VALUES (${slot}, ${missed}, ${detail}::jsonb)
    ON CONFLICT ("slot") DO UPDATE SET "startedAt" = now()
    WHERE "SchedulerSlot"."finishedAt" IS NULL AND ${owner}::text IS NOT NULL AND "SchedulerSlot"."detail"->>'owner' = ${owner}::text`;
  return n === 1;
}

/** Marks `slot` finished now, with its counts (default 0) and detail (any JSON). */
export async function finishSchedulerSlot(
  slot: Date,
  r: { runsStarted?: number; feedsRefreshed?: number; detail: Prisma.InputJsonValue },
): Promise<void> {
  await getDb().schedulerSlot.update({
    where: { slot },
    data: { finishedAt: new Date(), detail: r.detail, ...(r.runsStarted !== undefined ? { runsStarted: r.runsStarted } : {}), ...(r.feedsRefreshed !== undefined ? { feedsRefreshed: r.feedsRefreshed } : {}) },
  });
}

/** The newest `take` slots, newest first. */
export async function recentSchedulerSlots(take: number): Promise<SchedulerSlotRow[]> {
  return getDb().schedulerSlot.findMany({ orderBy: { slot: "desc" }, take });
}

/** Missed slots at or after `since`, newest first, at most `take`. */
export async function missedSchedulerSlots(since: Date, take: number): Promise<SchedulerSlotRow[]> {
  return getDb().schedulerSlot.findMany({ where: { missed: true, slot: { gte: since } }, orderBy: { slot: "desc" }, take });
}
