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

/**
 * Adds one to the counter while it is below `k.limit` (capped at {@link MAX_COUNTER}) and returns the new count, or
 * null when the limit was already reached. The first count of a window prunes the subject's older windows (module doc).
 */
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

/**
 * Deletes the subject's windows older than `k` (minute windows: all older ones; other windows: older than 90 days).
 * Called when a window's first request creates its row.
 */
export async function pruneUsageCounters(k: CounterKey): Promise<void> {
  const before = k.window === "minute" ? k.start : new Date(k.start.getTime() - HISTORY_MS);
  await getDb().usageCounter.deleteMany({ where: { subject: k.subject, window: k.window, start: { lt: before } } });
}

/**
 * Day-window counts of `subject` whose window starts in [from, to) (UTC midnights), oldest first. Days without a row
 * are absent (the caller fills them with 0). Used by GET /api/v1/usage `history`.
 */
export async function readDayCounts(subject: string, from: Date, to: Date): Promise<{ start: Date; count: number }[]> {
  return getDb().usageCounter.findMany({
    where: { subject, window: "day", start: { gte: from, lt: to } },
    orderBy: { start: "asc" },
    select: { start: true, count: true },
  });
}

/** A CreditEntry row as the usage page shows it; `credits` is the signed delta (a run debit is negative). */
export type CreditLedgerRow = {
  runId: string | null;
  runNumber: number | null;
  sitemapId: string | null;
  sitemapName: string | null;
  delta: number;
  reason: string;
  at: Date;
};

/**
 * Credit ledger entries of `userId` created at or after `since` (all of them, for per-day totals), oldest first.
 * Units: `delta` in credits (negative = debit).
 */
export async function readCreditEntriesSince(userId: string, since: Date): Promise<{ delta: number; at: Date }[]> {
  const rows = await getDb().creditEntry.findMany({
    where: { userId, createdAt: { gte: since } },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { delta: true, createdAt: true },
  });
  return rows.map((r) => ({ delta: r.delta, at: r.createdAt }));
}

/**
 * The `limit` newest ledger entries of `userId`, newest first, with the run's number and sitemap (null when the run
 * or its sitemap was deleted since).
 */
export async function readRecentCreditEntries(userId: string, limit: number): Promise<CreditLedgerRow[]> {
  const db = getDb();
  const rows = await db.creditEntry.findMany({
    where: { userId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit,
    select: { runId: true, delta: true, reason: true, createdAt: true },
  });
  const runIds = [...new Set(rows.map((r) => r.runId).filter((id): id is string => Boolean(id)))];
  const runs = runIds.length
    ? await db.run.findMany({
        where: { id: { in: runIds }, sitemap: { userId } },
        select: { id: true, number: true, sitemap: { select: { id: true, name: true } } },
      })
    : [];
  const byId = new Map(runs.map((r) => [r.id, r]));
  return rows.map((r) => {
    const run = r.runId ? byId.get(r.runId) : undefined;
    return {
      runId: r.runId,
      runNumber: run?.number ?? null,
      sitemapId: run?.sitemap.id ?? null,
      sitemapName: run?.sitemap.name ?? null,
      delta: r.delta,
      reason: r.reason,
      at: r.createdAt,
    };
  });
}

const DAY_MS = 86_400_000;

/**
 * Per-UTC-day usage of an account for the `days` days ending today (oldest first, today last): API-key calls from
 * the `user:<userId>` day counters, and credits debited (sum of negative ledger deltas minus refunds, never below 0).
 * `date` is YYYY-MM-DD (UTC). Days before the 90-day counter retention read as 0 calls.
 */
export async function readUsageHistory(opts: { userId: string; days: number; now?: number }): Promise<{ date: string; calls: number; creditsDebited: number }[]> {
  const today = Math.floor((opts.now ?? Date.now()) / DAY_MS) * DAY_MS;
  const from = new Date(today - (opts.days - 1) * DAY_MS);
  const to = new Date(today + DAY_MS);
  const [counts, entries] = await Promise.all([readDayCounts(`user:${opts.userId}`, from, to), readCreditEntriesSince(opts.userId, from)]);
  const days = Array.from({ length: opts.days }, (_, i) => ({ date: new Date(from.getTime() + i * DAY_MS).toISOString().slice(0, 10), calls: 0, creditsDebited: 0 }));
  const index = (t: number) => Math.floor((t - from.getTime()) / DAY_MS);
  for (const c of counts) {
    const i = index(c.start.getTime());
    if (days[i]) days[i].calls = c.count;
  }
  for (const e of entries) {
    const i = index(e.at.getTime());
    if (days[i]) days[i].creditsDebited -= e.delta;
  }
  for (const d of days) d.creditsDebited = Math.max(0, d.creditsDebited);
  return days;
}
