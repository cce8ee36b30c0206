/**
 * Fixed-window rate limiting. `consumeRateLimit(key, policy)` counts one request against `key` and says whether it
 * may proceed. Units: `limit` requests per `windowSec` seconds; `reset` = UTC epoch seconds when the window ends;
 * `retryAfter` = seconds until then (what the 429's `Retry-After` carries).
 *
 * The counter lives in a `RateLimitStore`. The default is in this process's memory: right for one self-hosted
 * process, exact under concurrency within it (increments are synchronous), lost on restart. A shared store
 * (PostgreSQL, Redis) for several processes or plan-based limits is a swap via `setRateLimitStore`.
 */

export type RateLimitPolicy = { limit: number; windowSec: number };
export type RateLimitResult = { ok: boolean; limit: number; remaining: number; reset: number; retryAfter: number };

export type RateLimitStore = {
  /** Adds one hit to `key`'s window that started at `windowStart` (ms) and returns the count including it. */
  increment(key: string, windowStart: number, windowMs: number): Promise<number>;
};

export function createMemoryStore(): RateLimitStore {
  const windows = new Map<string, { start: number; count: number; expires: number }>();
  let lastSweep = 0;
  return {
    async increment(key, windowStart, windowMs) {
      // Drop finished windows once per window length, so memory is bounded by the keys active recently.
      if (windowStart - lastSweep >= windowMs) {
        for (const [k, w] of windows) if (w.expires <= windowStart) windows.delete(k);
        lastSweep = windowStart;
      }
      const w = windows.get(key);
      if (w && w.start === windowStart) return ++w.count;
      windows.set(key, { start: windowStart, count: 1, expires: windowStart + windowMs });
      return 1;
    },
  };
}

let store: RateLimitStore = createMemoryStore();

export function setRateLimitStore(next: RateLimitStore): void {
  store = next;
}

export async function consumeRateLimit(key: string, policy: RateLimitPolicy, now = Date.now()): Promise<RateLimitResult> {
  const windowMs = policy.windowSec * 1000;
  const windowStart = Math.floor(now / windowMs) * windowMs;
  const count = await store.increment(key, windowStart, windowMs);
  const resetMs = windowStart + windowMs;
  return {
    ok: count <= policy.limit,
    limit: policy.limit,
    remaining: Math.max(0, policy.limit - count),
    reset: Math.ceil(resetMs / 1000),
    retryAfter: Math.max(1, Math.ceil((resetMs - now) / 1000)),
  };
}
