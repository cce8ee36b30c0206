/**
 * Politeness per origin: request spacing (robots.txt `Crawl-delay`) and back-off after 429/503 (Retry-After).
 *
 * - Spacing: with a delay d set for an origin, request starts to it are at least d ms apart, whatever the
 *   concurrency (the crawler caps d at {@link MAX_CRAWL_DELAY_MS}).
 * - Pause: `pause(origin, ms)` holds back every request to the origin that has not started yet until the pause
 *   ends — a 429 seen by one worker slows all of them (RFC 6585 §4, RFC 9110 §10.2.3 Retry-After).
 * - `acquire()` returns null (no promise, no timer) when the origin has neither, which keeps the crawl's hot
 *   path allocation-free.
 * Units: ms. Errors: `acquire` rejects with `signal.reason` when the signal aborts while waiting.
 */
import { backoffMs, parseRetryAfter } from "@/lib/core/retry";

/** Longest Crawl-delay honoured, ms: a robots.txt asking for more still gets one request per 30 s. */
export const MAX_CRAWL_DELAY_MS = 30_000;
/** Retries of a request answered 429 or 503 (so at most 1 + 3 requests per URL). */
export const MAX_RETRIES = 3;
/** Longest single back-off, ms, whatever Retry-After says. */
export const MAX_RETRY_DELAY_MS = 30_000;
/** Back-off without Retry-After: 1 s, 2 s, 4 s … (doubling per attempt), ms. */
export const BASE_RETRY_DELAY_MS = 1_000;

/** Retry-After (RFC 9110 §10.2.3) in ms from `now`: see lib/core/retry.ts (re-exported for the crawler's callers). */
export { parseRetryAfter };

/** How long to wait before retry number `attempt` (0-based): Retry-After if given, else exponential; capped. */
export function retryDelayMs(retryAfter: string | null, attempt: number, opts: { baseMs?: number; maxMs?: number } = {}): number {
  const max = opts.maxMs ?? MAX_RETRY_DELAY_MS;
  const given = parseRetryAfter(retryAfter);
  return given !== null ? Math.min(given, max) : backoffMs(attempt, { baseMs: opts.baseMs ?? BASE_RETRY_DELAY_MS, maxMs: max });
}

/** `lastStart`: when the latest request to the origin really started (a late timer must not shorten the spacing). */
type OriginState = { delay: number; nextStart: number; pausedUntil: number; lastStart: number };

/** Per-origin politeness state of one crawl (see module doc). */
export type OriginPacer = {
  /** Minimum spacing of request starts to `origin`, ms (0 = none). */
  setDelay(origin: string, ms: number): void;
  /** No request to `origin` starts before now + `ms` (a longer pause already in force is kept). */
  pause(origin: string, ms: number): void;
  /** Waits for a start slot. Null when the request may start now (no delay, no pause). */
  acquire(origin: string, signal?: AbortSignal): Promise<void> | null;
};

/** Creates a pacer. `now`/`sleep` are injectable for tests; defaults are performance.now() and setTimeout. */
export function createPacer(
  clock: { now?: () => number; sleep?: (ms: number, signal?: AbortSignal) => Promise<void> } = {},
): OriginPacer {
  const now = clock.now ?? (() => performance.now());
  const sleep = clock.sleep ?? defaultSleep;
  const states = new Map<string, OriginState>();
  const state = (origin: string) => {
    let s = states.get(origin);
    if (!s) states.set(origin, (s = { delay: 0, nextStart: 0, pausedUntil: 0, lastStart: -Infinity }));
    return s;
  };
  return {
    setDelay(origin, ms) {
      state(origin).delay = Math.max(0, ms);
    },
    pause(origin, ms) {
      const s = state(origin);
      s.pausedUntil = Math.max(s.pausedUntil, now() + Math.max(0, ms));
    },
    acquire(origin, signal) {
      const s = states.get(origin);
      if (s === undefined) return null;
      const t = now();
      if (s.delay === 0 && s.pausedUntil <= t) return null;
      // Reserve a start slot synchronously, so concurrent callers get distinct slots d ms apart.
      const reserve = (at: number) => {
        let slot = Math.max(at, s.pausedUntil);
        if (s.delay > 0) {
          slot = Math.max(slot, s.nextStart);
          s.nextStart = slot + s.delay;
        }
        return slot;
      };
      const slot = reserve(t);
      if (slot <= t && t - s.lastStart >= s.delay) {
        s.lastStart = t;
        return null;
      }
      return (async () => {
        let wait = Math.max(slot - t, s.lastStart + s.delay - t, 0);
        for (;;) {
          await sleep(wait, signal);
          // A pause may have been set or extended meanwhile (another worker got a 429): wait it out, then
          // take a fresh slot so the spacing holds after the pause too.
          const at = now();
          if (s.pausedUntil > at) {
            wait = reserve(at) - at;
            continue;
          }
          // Timers fire late under load: the previous start may have slipped towards this slot. The spacing is
          // kept between real starts, not only between reserved slots.
          if (at - s.lastStart < s.delay) {
            wait = s.lastStart + s.delay - at;
            continue;
          }
          s.lastStart = at;
          return;
        }
      })();
    },
  };
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
