/**
 * Request counters (table UsageCounter): one row per (subject, window, start), e.g. ("key:ck…", "minute",
 * 2030-01-01T00:00:00Z). Every change is a single SQL statement, so counts are exact under any concurrency, on PGlite
 * and on PostgreSQL alike (the row's primary key serialises concurrent upserts).
 *
 * incrementUsageCounter adds one only while the count is below `limit` and returns the new count, or null when the
 * limit was already reached (nothing is written then). Windows older than the current one are pruned per subject when
 * a new window starts (minute windows: all older ones; other windows: older than 90 days, kept for usage history).
 */
import { getDb } from "./client";

export type CounterKey = { subject: string; window: string; start: Date };

/** Counts stored as INTEGER: a limit above this is "no limit". */
export const MAX_COUNTER = 2_147_483_647;
const HISTORY_MS = 90 * 86_400_000;

export async function incrementUsageCounter(k: CounterKey & { limit: number }): Promise<number | null> {
  const limit = Math.min(k.limit, MAX_COUNTER);
  const rows = await getDb().$queryRaw<{ count: number }[]>`
    INSERT INTO "UsageCounter" ("subject", "window", "start", "count")
    VALUES (${k.subject}, ${k.window}, ${k.start}, 1)
    ON CONFLICT ("subject", "window", "start") DO UPDATE SET "count" = "UsageCounter"."count" + 1
    WHERE "UsageCounter"."count" < ${limit}
    RETURNING "count"`;
  const count = rows[0] ? Number(rows[0].count) : null;
  if (count === 1) await pruneUsageCounters(k);
  return count;
}

/** Gives one request back (a request counted against one window and then refused by another). Never below 0. */
export async function decrementUsageCounter(k: CounterKey): Promise<void> {
  await getDb().$executeRaw`
    UPDATE "UsageCounter" SET "count" = "count" - 1
    WHERE "subject" = ${k.subject} AND "window" = ${k.window} AND "start" = ${k.start} AND "count" > 0`;
}

/** The current count of a window (0 when it has no row yet). */
export async function readUsageCounter(k: CounterKey): Promise<number> {
  const row = await getDb().usageCounter.findUnique({
    where: { subject_window_start: { subject: k.subject, window: k.window, start: k.start } },
    select: { count: true },
  });
  return row?.count ?? 0;
}

/** Sets a window's count (tests and admin tools: "10 requests left"). */
export async function setUsageCounter(k: CounterKey & { count: number }): Promise<void> {
  const { count, ...key } = k;
  await getDb().usageCounter.upsert({
    where: { subject_window_start: key },
    create: { ...key, count },
    update: { count },
  });
}

async function pruneUsageCounters(k: CounterKey): Promise<void> {
  const before = k.window === "minute" ? k.start : new Date(k.start.getTime() - HISTORY_MS);
  await getDb().usageCounter.deleteMany({ where: { subject: k.subject, window: k.window, start: { lt: before } } });
}
