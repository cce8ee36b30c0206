/**
 * One SQL statement per authenticated API request: the request is counted against its per-minute and daily
 * counters (table UsageCounter, see lib/db/usage.ts) and, when the caller's key is not in the process cache
 * (lib/auth/key-cache.ts), the key is looked up in the same statement.
 *
 * Both counters are data-modifying CTEs of the form `INSERT … ON CONFLICT DO UPDATE SET count = count + 1 WHERE
 * count < limit RETURNING count`: the counter row's primary key serialises concurrent statements (PostgreSQL re-checks
 * the WHERE on the newest row version under the row lock; PGlite runs one statement at a time), so counts are exact
 * under any concurrency, across processes sharing a database. The daily counter is only incremented when the
 * per-minute one was (its CTE reads the minute CTE's RETURNING rows), so a request refused by the minute limit counts
 * nowhere. The one case the statement cannot undo is a request allowed by the minute limit and refused by the daily
 * one: the caller gives the minute slot back (decrementUsageCounter), a second statement only on that refusal.
 *
 * Counts: a number is the counter after this request; null means refused (the counter was at its limit, nothing
 * written) or not attempted (the minute counter refused first) — the caller tells them apart by that order.
 */
import { getDb, type Db } from "./client";
import { placeholders, rawQuery } from "./raw";
import { MAX_COUNTER } from "./usage";
import { LAST_USED_RESOLUTION_MS } from "./api-keys";

/** A counter to increment: its row key and the most it may reach (MAX_COUNTER or more = unlimited). */
export type CounterSpec = { subject: string; window: string; start: Date; limit: number };
export type RequestCounts = { minute: number | null; day: number | null };

const cap = (n: number) => Math.min(n, MAX_COUNTER);

/**
 * The counter CTEs `m` (minute) and `d` (day) over a CTE `k` with columns ms (minute subject, null = no minute
 * counter), ml (minute limit), ds (day subject, null = no day counter), dl (day limit).
 */
function counterCtes(p: (value: unknown) => string, minuteWindow: string, minuteStart: Date | null, dayWindow: string, dayStart: Date | null): string {
  return `
    m AS (
      INSERT INTO "UsageCounter" ("subject", "window", "start", "count")
      SELECT k.ms, ${p(minuteWindow)}, ${p(minuteStart)}::timestamp(3), 1 FROM k WHERE k.ms IS NOT NULL
      ON CONFLICT ("subject", "window", "start") DO UPDATE SET "count" = "UsageCounter"."count" + 1
      WHERE "UsageCounter"."count" < (SELECT k.ml FROM k)
      RETURNING "count"
    ),
    d AS (
      INSERT INTO "UsageCounter" ("subject", "window", "start", "count")
      SELECT k.ds, ${p(dayWindow)}, ${p(dayStart)}::timestamp(3), 1 FROM k
      WHERE k.ds IS NOT NULL AND (k.ms IS NULL OR EXISTS (SELECT 1 FROM m))
      ON CONFLICT ("subject", "window", "start") DO UPDATE SET "count" = "UsageCounter"."count" + 1
      WHERE "UsageCounter"."count" < (SELECT k.dl FROM k)
      RETURNING "count"
    )`;
}

const toCount = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/**
 * Counts one request against up to two counters in one statement (a cached key, or a dashboard session with its
 * minute counter only). The minute counter is tried first; the day counter only when the minute one allowed it.
 * The two specs must be different rows. `db`: a client of the caller's own (default getDb(); tests acting as a second
 * app instance pass theirs).
 */
export async function countRequest(opts: { minute: CounterSpec | null; day: CounterSpec | null; db?: Db }): Promise<RequestCounts> {
  const { minute, day } = opts;
  const { p, values } = placeholders();
  const sql = `
    WITH k AS (
      SELECT ${p(minute?.subject ?? null)}::text AS ms, ${p(cap(minute?.limit ?? MAX_COUNTER))}::int AS ml,
             ${p(day?.subject ?? null)}::text AS ds, ${p(cap(day?.limit ?? MAX_COUNTER))}::int AS dl
    ),
    ${counterCtes(p, minute?.window ?? "minute", minute?.start ?? null, day?.window ?? "day", day?.start ?? null)}
    SELECT (SELECT "count" FROM m) AS minute, (SELECT "count" FROM d) AS day`;
  const rows = await rawQuery<{ minute: number | null; day: number | null }>(opts.db ?? getDb(), sql, values);
  return { minute: toCount(rows[0]?.minute), day: toCount(rows[0]?.day) };
}

/** The limits of one plan: requests per minute (null = no per-minute counter), per day (MAX_COUNTER = unlimited). */
export type PlanRow = { name: string; perMinute: number | null; perDay: number };

export type CountedKey = RequestCounts & { id: string; userId: string; scopes: string[]; plan: string };

/**
 * Looks up the non-revoked key with this hash and counts the request against its counters, in one statement:
 * minute counter `${minutePrefix}<keyId>`, day counter `${dayPrefix}<userId>`, limits from the row of `plans` named
 * by the owner's plan (an unknown stored plan uses `plans[0]`). Records `lastUsedAt = now` when the stored one is
 * null or at least LAST_USED_RESOLUTION_MS old (the same conditional update as touchApiKey, so at most one write a
 * minute per key however many instances call this). Returns null, writing nothing, for an unknown or revoked key.
 * `plan` is the owner's stored plan name as it is. `db`: as for countRequest.
 */
export async function countKeyRequest(opts: {
  hash: string;
  plans: PlanRow[];
  minutePrefix: string;
  dayPrefix: string;
  minuteStart: Date;
  dayStart: Date;
  now: Date;
  db?: Db;
}): Promise<CountedKey | null> {
  const names = opts.plans.map((p) => p.name);
  const perMinute = opts.plans.map((p) => (p.perMinute === null ? null : cap(p.perMinute)));
  const perDay = opts.plans.map((p) => cap(p.perDay));
  const stale = new Date(opts.now.getTime() - LAST_USED_RESOLUTION_MS);
  const { p, values } = placeholders();
  const namesParam = p(names);
  const sql = `
    WITH p AS (
      SELECT * FROM unnest(${namesParam}::text[], ${p(perMinute)}::int[], ${p(perDay)}::int[]) AS p(name, per_minute, per_day)
    ),
    a AS (
      SELECT a."id", a."userId", a."scopes", u."plan"::text AS "plan"
      FROM "ApiKey" a JOIN "User" u ON u."id" = a."userId"
      WHERE a."hash" = ${p(opts.hash)} AND a."revokedAt" IS NULL
    ),
    k AS (
      SELECT CASE WHEN p.per_minute IS NULL THEN NULL ELSE ${p(opts.minutePrefix)}::text || a."id" END AS ms, p.per_minute AS ml,
             ${p(opts.dayPrefix)}::text || a."userId" AS ds, p.per_day AS dl
      FROM a JOIN p ON p.name = CASE WHEN a."plan" = ANY(${namesParam}::text[]) THEN a."plan" ELSE ${p(names[0])}::text END
    ),
    ${counterCtes(p, "minute", opts.minuteStart, "day", opts.dayStart)},
    t AS (
      UPDATE "ApiKey" SET "lastUsedAt" = ${p(opts.now)}::timestamp(3)
      WHERE "id" = (SELECT a."id" FROM a) AND ("lastUsedAt" IS NULL OR "lastUsedAt" <= ${p(stale)}::timestamp(3))
      RETURNING 1
    )
    SELECT a."id", a."userId", a."scopes", a."plan", (SELECT "count" FROM m) AS minute, (SELECT "count" FROM d) AS day FROM a`;
  const rows = await rawQuery<Omit<CountedKey, "minute" | "day"> & { minute: number | null; day: number | null }>(opts.db ?? getDb(), sql, values);
  const row = rows[0];
  if (!row) return null;
  return { id: row.id, userId: row.userId, scopes: row.scopes, plan: row.plan, minute: toCount(row.minute), day: toCount(row.day) };
}
