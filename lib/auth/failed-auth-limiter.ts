/**
 * Per-client-address limit on failed authentications, checked before any key lookup (so a flood of made-up keys
 * costs no database read once an address is over its limit).
 *
 * Policy: at most `limit` 401s per address bucket (lib/api/client-ip.ts addressBucket: the IPv4 address or the
 * IPv6 /64) in a window of `windowMs` that starts at the bucket's first failure. While a bucket is full, every
 * request from it — with a valid key or not — is refused with 429 until the window ends; successful requests do
 * not count and do not reset it.
 * Memory: in this process only (several app instances each keep their own counts), at most `maxEntries` buckets;
 * when full, the bucket whose window started first is dropped (its window ends first).
 * Units: `reset` = UTC epoch seconds when the window ends; `retryAfter` = whole seconds until then, at least 1.
 */
import { getEnv } from "@/lib/env";

export type FailedAuthState = {
  /** true: the bucket is full; answer 429 without authenticating. */
  blocked: boolean;
  limit: number;
  remaining: number;
  reset: number;
  retryAfter: number;
};

type Entry = { count: number; resetAt: number };

/**
 * The failed-authentication counter of the module doc: fixed windows of `opts.windowMs` ms per bucket, at most
 * `opts.maxEntries` buckets (oldest window dropped first). Times are epoch ms (`now`, default Date.now()).
 * Exported for tests, which build small ones; the app uses the one instance {@link failedAuthLimiter}.
 */
export class FailedAuthLimiter {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly opts: { windowMs: number; maxEntries: number }) {}

  /** The bucket's state without counting anything (a bucket never seen, or whose window ended, is empty). */
  peek(bucket: string, limit: number, now = Date.now()): FailedAuthState {
    const e = this.live(bucket, now);
    return this.state(e?.count ?? 0, e?.resetAt ?? now + this.opts.windowMs, limit, now);
  }

  /** Counts one failed authentication of `bucket`; returns the state after it. */
  fail(bucket: string, limit: number, now = Date.now()): FailedAuthState {
    let e = this.live(bucket, now);
    if (!e) {
      e = { count: 0, resetAt: now + this.opts.windowMs };
      // Delete + set keeps the Map in window-start order, so the first key is always the oldest window.
      this.entries.delete(bucket);
      while (this.entries.size >= this.opts.maxEntries) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(bucket, e);
    }
    e.count = Math.min(e.count + 1, limit);
    return this.state(e.count, e.resetAt, limit, now);
  }

  /** Buckets held (for tests of the bound). */
  get size(): number {
    return this.entries.size;
  }

  private live(bucket: string, now: number): Entry | undefined {
    const e = this.entries.get(bucket);
    return e && e.resetAt > now ? e : undefined;
  }

  private state(count: number, resetAt: number, limit: number, now: number): FailedAuthState {
    return {
      blocked: count >= limit,
      limit,
      remaining: Math.max(0, limit - count),
      reset: Math.ceil(resetAt / 1000),
      retryAfter: Math.max(1, Math.ceil((resetAt - now) / 1000)),
    };
  }
}

/** The process-wide limiter: 60 s windows, at most 10,000 buckets (about 1 MB). */
export const failedAuthLimiter = new FailedAuthLimiter({ windowMs: 60_000, maxEntries: 10_000 });

/** The configured limit per window (env FAILED_AUTH_LIMIT_PER_MINUTE, default 30). */
export const failedAuthLimit = (): number => getEnv().FAILED_AUTH_LIMIT_PER_MINUTE;
