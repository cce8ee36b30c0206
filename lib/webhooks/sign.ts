/**
 * Webhook signatures, Stripe style. Each delivery carries
 *
 *   X-SitemapForge-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 *   X-SitemapForge-Event: run.succeeded | run.failed | run.held | submission.completed
 *   X-SitemapForge-Delivery: <delivery id> (the same on every retry of one delivery; use it to de-duplicate)
 *
 * The secret is the whole `whsec_…` string as UTF-8 bytes. Receivers recompute the HMAC over the raw body bytes,
 * compare in constant time, and reject timestamps older than a tolerance (default 300 s) against replays.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "X-SitemapForge-Signature";
export const EVENT_HEADER = "X-SitemapForge-Event";
export const DELIVERY_HEADER = "X-SitemapForge-Delivery";

/** A new signing secret: `whsec_` + 48 hex chars (24 random bytes). */
export const generateWebhookSecret = (): string => `whsec_${randomBytes(24).toString("hex")}`;

/** The signature header value for `body` at `timestampSec` (unix seconds). */
export function signPayload(secret: string, body: string, timestampSec: number): string {
  const v1 = createHmac("sha256", secret).update(`${timestampSec}.${body}`).digest("hex");
  return `t=${timestampSec},v1=${v1}`;
}

/**
 * Verifies a signature header for the raw `body`: true when some `v1` matches and `t` is within `toleranceSec`
 * of `nowSec`. Never throws (a malformed header is false).
 */
export function verifySignature(opts: { secret: string; body: string; header: string | null; toleranceSec?: number; nowSec?: number }): boolean {
  if (!opts.header) return false;
  const parts = opts.header.split(",").map((p) => p.trim().split("=", 2) as [string, string]);
  const t = Number(parts.find(([k]) => k === "t")?.[1]);
  if (!Number.isInteger(t)) return false;
  const now = opts.nowSec ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - t) > (opts.toleranceSec ?? 300)) return false;
  const expected = Buffer.from(createHmac("sha256", opts.secret).update(`${t}.${opts.body}`).digest("hex"), "utf8");
  return parts.some(([k, v]) => k === "v1" && v !== undefined && v.length === expected.length && timingSafeEqual(Buffer.from(v, "utf8"), expected));
}
