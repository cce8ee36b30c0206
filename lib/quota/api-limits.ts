/**
 * The limits every authenticated /api/v1 request counts against (subjects of table UsageCounter):
 *
 * API keys (the plan's limits, lib/quota/plans.ts):
 * - per minute, per key: subject `key:<apiKeyId>`, limit = the plan's `perMinute`. Over it: 429 `rate_limited`.
 * - per UTC day, per account: subject `user:<userId>`, limit = the plan's `perDay` (null = unlimited, still counted).
 *   Used up: 403 `quota_exceeded` (house style: 403 for an exhausted quota, 429 only for the rate limit).
 * Dashboard session: per minute per user (subject `user:<userId>`, window "minute"), SESSION_RATE_LIMIT_PER_MINUTE
 * (default 600, since the dashboard polls a running run every second); no daily quota, because using our own UI must
 * not spend the plan's API allowance.
 *
 * An endpoint may replace the per-minute limit of API keys (`perMinute` option: a number, or null for none — the
 * mysitemapgenerator adapter, whose document names only a daily limit); the daily quota always applies.
 *
 * A refused request counts against neither (a day refusal gives its minute slot back), so it has no side effects.
 * `onResult` sees the results (for the X-RateLimit-* and X-Quota-* headers) before any AppError is thrown.
 *
 * Round trips: both counters are one SQL statement (lib/db/api-requests.ts countRequest), and consumeKeyLimits
 * authenticates a key and counts the request in one statement (countKeyRequest). Extra statements only on rare
 * paths: a day refusal gives the minute slot back, and the first request of a window prunes the subject's old windows.
 */
import type { Principal } from "@/lib/auth/authenticate";
import { AppError } from "@/lib/core/errors";
import { countKeyRequest, countRequest, type CountedKey, type PlanRow, type RequestCounts } from "@/lib/db/api-requests";
import { MAX_COUNTER, pruneUsageCounters } from "@/lib/db/usage";
import { getEnv } from "@/lib/env";
import { PLAN_NAMES, planTable, type PlanLimits, type PlanName } from "./plans";
import { counterOf, limitResult, releaseLimit, windowOf, type LimitResult } from "./rate-limit";

/** `minute` is null when the endpoint has no per-minute limit (see the `perMinute` option). */
export type ApiLimitResults = { minute: LimitResult | null; day: LimitResult | null; plan: PlanLimits };

/** Per-request limit options: `perMinute` replaces the plan's per-minute limit for API keys (null = none). */
export type ApiLimitOptions = { perMinute?: number | null };

const KEY_PREFIX = "key:";
const USER_PREFIX = "user:";
/**
 * The UsageCounter subject of a principal's per-minute limit: `key:<apiKeyId>` for an API key, `user:<userId>` for a
 * session.
 */
export const minuteSubject = (p: Principal) => (p.via === "key" ? `${KEY_PREFIX}${p.keyId}` : `${USER_PREFIX}${p.userId}`);
/** The UsageCounter subject of an account's daily quota: `user:<userId>`. */
export const daySubject = (userId: string) => `${USER_PREFIX}${userId}`;

/** The per-minute limit of a request: the session limit, the endpoint's override, or the plan's. */
const perMinuteOf = (plan: PlanLimits, session: boolean, opts: ApiLimitOptions): number | null =>
  session ? getEnv().SESSION_RATE_LIMIT_PER_MINUTE : opts.perMinute === undefined ? plan.perMinute : opts.perMinute;

/**
 * Counts one request of a known principal (a session, or a key from the process cache) against its limits: one
 * statement for both counters. Throws AppError rate_limited (429) or quota_exceeded (403) after `onResult`.
 */
export async function consumeApiLimits(
  principal: Principal,
  onResult: (r: ApiLimitResults) => void,
  now = Date.now(),
  opts: ApiLimitOptions = {},
): Promise<ApiLimitResults> {
  const plan = planTable(getEnv())[principal.plan];
  const session = principal.via === "session";
  const perMinute = perMinuteOf(plan, session, opts);
  const minute = perMinute === null ? null : { ...counterOf(minuteSubject(principal), 60, now), limit: perMinute };
  const day = session ? null : { ...counterOf(daySubject(principal.userId), 86_400, now), limit: plan.perDay ?? MAX_COUNTER };
  const counts = await countRequest({ minute, day });
  return settle({ plan, perMinute, withDay: !session, minuteSubject: minute?.subject, daySubject: day?.subject, counts, now, onResult });
}

/**
 * Authenticates the key with SHA-256 `hash` and counts the request against its limits, in one statement (see
 * countKeyRequest). Returns null for an unknown or revoked key (nothing counted); else the key, which `onKey` also
 * receives before any limit error is thrown (so a caller can cache a key whose request was refused). Throws AppError
 * rate_limited (429) or quota_exceeded (403) after `onResult`.
 */
export async function consumeKeyLimits(
  hash: string,
  onResult: (r: ApiLimitResults) => void,
  now = Date.now(),
  opts: ApiLimitOptions & { onKey?: (key: KeyOwner) => void } = {},
): Promise<KeyOwner | null> {
  const table = planTable(getEnv());
  // The first row is the fallback for a stored plan name this version does not know (toPlanName: starter).
  const names: PlanName[] = ["starter", ...PLAN_NAMES.filter((n) => n !== "starter")];
  const plans: PlanRow[] = names.map((name) => ({
    name,
    perMinute: perMinuteOf(table[name], false, opts),
    perDay: table[name].perDay ?? MAX_COUNTER,
  }));
  const row = await countKeyRequest({
    hash,
    plans,
    minutePrefix: KEY_PREFIX,
    dayPrefix: USER_PREFIX,
    minuteStart: windowOf(60, now).start,
    dayStart: windowOf(86_400, now).start,
    now: new Date(now),
  });
  if (!row) return null;
  const key = keyOwnerOf(row);
  opts.onKey?.(key);
  const plan = table[key.plan];
  await settle({
    plan,
    perMinute: perMinuteOf(plan, false, opts),
    withDay: true,
    minuteSubject: `${KEY_PREFIX}${key.keyId}`,
    daySubject: daySubject(key.userId),
    counts: row,
    now,
    onResult,
  });
  return key;
}

/** A key as consumeKeyLimits found it: `plan` is the owner's plan (an unknown stored name reads as starter). */
export type KeyOwner = { keyId: string; userId: string; scopes: string[]; plan: PlanName };

const keyOwnerOf = (row: CountedKey): KeyOwner => ({
  keyId: row.id,
  userId: row.userId,
  scopes: row.scopes,
  plan: (PLAN_NAMES as readonly string[]).includes(row.plan) ? (row.plan as PlanName) : "starter",
});

/**
 * Turns the counts of one statement into results: throws 429 when the minute counter refused (the day counter was
 * not tried), gives the minute slot back and throws 403 when the day counter refused; prunes a subject's old windows
 * when this request opened a new one.
 */
async function settle(o: {
  plan: PlanLimits;
  perMinute: number | null;
  withDay: boolean;
  minuteSubject: string | undefined;
  daySubject: string | undefined;
  counts: RequestCounts;
  now: number;
  onResult: (r: ApiLimitResults) => void;
}): Promise<ApiLimitResults> {
  const { plan, perMinute, counts, now, onResult } = o;
  const minute = o.perMinute === null || !o.minuteSubject ? null : limitResult(counterOf(o.minuteSubject, 60, now), 60, perMinute, counts.minute, now);
  if (minute && !minute.ok) {
    onResult({ minute, day: null, plan });
    throw new AppError("rate_limited", `Too many requests: the limit is ${perMinute} per minute; retry in ${minute.retryAfter} s.`);
  }
  if (minute?.used === 1) await pruneUsageCounters(minute.counter);
  if (!o.withDay || !o.daySubject) {
    onResult({ minute, day: null, plan });
    return { minute, day: null, plan };
  }
  const day = limitResult(counterOf(o.daySubject, 86_400, now), 86_400, plan.perDay, counts.day, now);
  if (!day.ok) {
    if (minute) await releaseLimit(minute);
    onResult({ minute: minute && { ...minute, used: minute.used - 1, remaining: (minute.remaining ?? 0) + 1 }, day, plan });
    throw new AppError(
      "quota_exceeded",
      `Daily quota used up: your plan allows ${plan.perDay} requests per UTC day; it resets at ${new Date(day.reset * 1000).toISOString()}.`,
    );
  }
  if (day.used === 1) await pruneUsageCounters(day.counter);
  const results = { minute, day, plan };
  onResult(results);
  return results;
}
