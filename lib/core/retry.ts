/**
 * Waiting before a retry: the Retry-After header field (RFC 9110 §10.2.3) and exponential back-off.
 * Units: ms. No clock is read unless `now` is omitted.
 */
import { parseHttpDate } from "./http-date";

/**
 * Retry-After in ms from `now`: delay-seconds ("120") or an HTTP-date (lib/core/http-date.ts); a date in the past
 * gives 0. Null when absent or unparsable (a negative or fractional number of seconds is unparsable).
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | null {
  if (value == null) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  if (!/[a-z]/i.test(v)) return null;
  const t = parseHttpDate(v);
  return t === null ? null : Math.max(0, t - now);
}

/**
 * Exponential back-off: `baseMs` × 2^`attempt` (attempt 0-based, so base, 2×base, 4×base …), capped at `maxMs`.
 * Throws nothing; a negative attempt counts as 0.
 */
export function backoffMs(attempt: number, opts: { baseMs: number; maxMs: number }): number {
  return Math.min(opts.baseMs * 2 ** Math.max(0, attempt), opts.maxMs);
}
