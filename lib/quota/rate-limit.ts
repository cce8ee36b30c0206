/**
 * Fixed-window limits on database counters (lib/db/usage.ts), shared by every app process.
 *
 * consumeLimit(subject, window, limit) counts one request against `subject` in the current UTC window and says
 * whether it may proceed. A refused request is not counted (the counter never exceeds `limit`), so with N requests
 * left, exactly N of any number of concurrent requests succeed.
 * Units: `limit` = requests per window (null = unlimited; still counted, for usage reports); `reset` = UTC epoch
 * seconds when the window ends; `retryAfter` = whole seconds until then, at least 1 (what a 429's `Retry-After` says).
 * Windows: "minute" (60 s, aligned to the minute), "day" (UTC calendar day), or any `windowSec` (aligned to the epoch).
 */
import { decrementUsageCounter, incrementUsageCounter, MAX_COUNTER, readUsageCounter, type CounterKey } from "@/lib/db/usage";

export type RateLimitPolicy = { limit: number; windowSec: number };
export type LimitResult = {
  ok: boolean;
  /** null = unlimited */
  limit: number | null;
  /** requests used in this window, including this one when ok */
  used: number;
  remaining: number | null;
  reset: number;
  retryAfter: number;
  counter: CounterKey;
};
/** Kept for callers of the former in-memory limiter. */
export type RateLimitResult = LimitResult & { limit: number; remaining: number };

const windowName = (windowSec: number) => (windowSec === 60 ? "minute" : windowSec === 86_400 ? "day" : `${windowSec}s`);

/**
 * The fixed window of `windowSec` seconds holding `now` (epoch ms), aligned to the epoch: its start, and its end as
 * `resetMs` (epoch ms).
 */
export function windowOf(windowSec: number, now: number): { start: Date; resetMs: number } {
  const ms = windowSec * 1000;
  const start = Math.floor(now / ms) * ms; // the epoch is UTC midnight, so a 86,400 s window is the UTC day
  return { start: new Date(start), resetMs: start + ms };
}

/**
 * Counts one request of `subject` in the current window when it is under `limit` (null = unlimited, still counted) and
 * returns the LimitResult (`ok` false when refused; nothing counted then). One SQL statement (lib/db/usage.ts).
 */
export async function consumeLimit(
  subject: string,
  windowSec: number,
  limit: number | null,
  now = Date.now(),
): Promise<LimitResult> {
  const counter = counterOf(subject, windowSec, now);
  const count = await incrementUsageCounter({ ...counter, limit: limit ?? MAX_COUNTER });
  return limitResult(counter, windowSec, limit, count, now);
}

/** The counter row of `subject` for the window of `windowSec` that holds `now`. */
export function counterOf(subject: string, windowSec: number, now: number): CounterKey {
  return { subject, window: windowName(windowSec), start: windowOf(windowSec, now).start };
}

/**
 * The result of counting one request against `counter` (a window of `windowSec`): `count` is the counter after it,
 * or null when the counter was at `limit` and the request was refused.
 */
export function limitResult(counter: CounterKey, windowSec: number, limit: number | null, count: number | null, now: number): LimitResult {
  const { resetMs } = windowOf(windowSec, now);
  const used = count ?? (limit ?? MAX_COUNTER);
  return {
    ok: count !== null,
    limit,
    used,
    remaining: limit === null ? null : Math.max(0, limit - used),
    reset: Math.ceil(resetMs / 1000),
    retryAfter: Math.max(1, Math.ceil((resetMs - now) / 1000)),
    counter,
  };
}

/** Undoes one successful consumeLimit (the request was refused by a later check). */
export const releaseLimit = (r: LimitResult): Promise<void> => decrementUsageCounter(r.counter);

/** Requests used so far in the current window, without counting one. */
export async function peekLimit(subject: string, windowSec: number, now = Date.now()): Promise<number> {
  const { start } = windowOf(windowSec, now);
  return readUsageCounter({ subject, window: windowName(windowSec), start });
}

/** One request against `key` under `policy` (e.g. sign-ups per IP). */
export async function consumeRateLimit(key: string, policy: RateLimitPolicy, now = Date.now()): Promise<RateLimitResult> {
  return (await consumeLimit(key, policy.windowSec, policy.limit, now)) as RateLimitResult;
}
