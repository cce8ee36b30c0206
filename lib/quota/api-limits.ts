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
 */
import type { Principal } from "@/lib/auth/authenticate";
import { AppError } from "@/lib/core/errors";
import { getEnv } from "@/lib/env";
import { planTable, type PlanLimits } from "./plans";
import { consumeLimit, releaseLimit, type LimitResult } from "./rate-limit";

/** `minute` is null when the endpoint has no per-minute limit (see the `perMinute` option). */
export type ApiLimitResults = { minute: LimitResult | null; day: LimitResult | null; plan: PlanLimits };

/** Per-request limit options: `perMinute` replaces the plan's per-minute limit for API keys (null = none). */
export type ApiLimitOptions = { perMinute?: number | null };

export const minuteSubject = (p: Principal) => (p.via === "key" ? `key:${p.keyId}` : `user:${p.userId}`);
export const daySubject = (userId: string) => `user:${userId}`;

export async function consumeApiLimits(
  principal: Principal,
  onResult: (r: ApiLimitResults) => void,
  now = Date.now(),
  opts: ApiLimitOptions = {},
): Promise<ApiLimitResults> {
  const env = getEnv();
  const plan = planTable(env)[principal.plan];
  const session = principal.via === "session";
  const perMinute = session ? env.SESSION_RATE_LIMIT_PER_MINUTE : opts.perMinute === undefined ? plan.perMinute : opts.perMinute;
  const minute = perMinute === null ? null : await consumeLimit(minuteSubject(principal), 60, perMinute, now);
  if (minute && !minute.ok) {
    onResult({ minute, day: null, plan });
    throw new AppError("rate_limited", `Too many requests: the limit is ${perMinute} per minute; retry in ${minute.retryAfter} s.`);
  }
  if (session) {
    onResult({ minute, day: null, plan });
    return { minute, day: null, plan };
  }
  const day = await consumeLimit(daySubject(principal.userId), 86_400, plan.perDay, now);
  const results = { minute, day, plan };
  if (!day.ok) {
    if (minute) await releaseLimit(minute);
    onResult({ minute: minute && { ...minute, used: minute.used - 1, remaining: (minute.remaining ?? 0) + 1 }, day, plan });
    throw new AppError(
      "quota_exceeded",
      `Daily quota used up: your plan allows ${plan.perDay} requests per UTC day; it resets at ${new Date(day.reset * 1000).toISOString()}.`,
    );
  }
  onResult(results);
  return results;
}
