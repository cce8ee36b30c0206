/**
 * IndexNow (https://www.indexnow.org/documentation, product.md §2.5): the site's key, its key file, and bulk POSTs.
 *
 * - Key: 32 lower-case hex chars (the protocol allows 8..128 of [a-zA-Z0-9-]), one per sitemap, stored in
 *   Sitemap.indexNowKey and generated on first use. It must be hosted as UTF-8 text whose content is the key, at
 *   `https://<site host>/<key>.txt` (the keyLocation we send; a keyLocation in a sub-folder would restrict the URLs
 *   the key may submit to that folder, so we use the host root).
 * - Requests: `POST <endpoint>` with `Content-Type: application/json; charset=utf-8` and
 *   `{"host","key","keyLocation","urlList"}`, at most 10,000 URLs each (INDEXNOW_MAX_URLS_PER_REQUEST).
 *   Endpoints come from env INDEXNOW_ENDPOINTS (comma-separated URLs; default https://api.indexnow.org/indexnow).
 *   A submission to one participating engine is shared with all of them (Bing, Yandex, Naver, Seznam, Yep, …).
 * - Responses: 200 ok; 202 accepted (key validation pending) = ok; 400 bad request, 403 key not valid, 422 URLs not
 *   of this host (or key/schema mismatch) = final failure, never retried; 429 and 5xx (and network errors) = retried
 *   with exponential back-off (base 2 s, ×2 per attempt), honouring Retry-After (seconds or HTTP date), each delay
 *   capped at `maxDelayMs` (default 60,000 ms), at most `maxAttempts` attempts (default 4).
 * Google does not take part in IndexNow and its sitemap ping was retired in 2023; Bing's ping returns 410. We send
 * no pings.
 */
import { randomBytes } from "node:crypto";
import { backoffMs, parseRetryAfter } from "@/lib/core/retry";
import { guardedPost, type PostOptions, type PostResult } from "./http";

export const INDEXNOW_MAX_URLS_PER_REQUEST = 10_000;
export const DEFAULT_INDEXNOW_ENDPOINT = "https://api.indexnow.org/indexnow";
export const INDEXNOW_KEY_RE = /^[a-zA-Z0-9-]{8,128}$/;

/** A new key: 32 hex chars (16 random bytes). */
export const generateIndexNowKey = (): string => randomBytes(16).toString("hex");

/** The configured endpoints (env INDEXNOW_ENDPOINTS, comma-separated absolute URLs). Throws Error on a malformed entry. */
export function indexNowEndpoints(env: Record<string, string | undefined> = process.env): string[] {
  const raw = env.INDEXNOW_ENDPOINTS?.trim();
  if (!raw) return [DEFAULT_INDEXNOW_ENDPOINT];
  return raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const u = new URL(s); // throws on a malformed entry
      if (u.protocol !== "https:" && u.protocol !== "http:") throw new Error(`INDEXNOW_ENDPOINTS: not an http(s) URL: ${s}`);
      return u.href;
    });
}

/** Log name of an endpoint: `indexnow:<host[:port]>`. */
export const engineName = (endpoint: string): string => `indexnow:${new URL(endpoint).host}`;

export type KeyInfo = {
  key: string;
  /** Host whose URLs are submitted (the start URL's host, with port when not default). */
  host: string;
  /** Where the key file must be served: `<site origin>/<key>.txt`. */
  keyLocation: string;
  /** Exact content of the key file (the key; a trailing newline is tolerated by engines). */
  fileContent: string;
};

/** Key info for a site whose start URL is `startUrl`. */
export function keyInfoFor(startUrl: string, key: string): KeyInfo {
  const u = new URL(startUrl);
  return { key, host: u.host, keyLocation: `${u.origin}/${key}.txt`, fileContent: key };
}

/** Splits `urls` into requests of at most `size` URLs (order kept). */
export function batchUrls<T>(urls: readonly T[], size = INDEXNOW_MAX_URLS_PER_REQUEST): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < urls.length; i += size) out.push(urls.slice(i, i + size));
  return out;
}

export type Outcome = "ok" | "failed";

/** What a final answer means, for the log. */
export function describeStatus(status: number): { outcome: Outcome | "retry"; meaning: string } {
  if (status === 200) return { outcome: "ok", meaning: "200 OK: URLs submitted" };
  if (status === 202) return { outcome: "ok", meaning: "202 Accepted: URLs received, key validation pending" };
  if (status === 400) return { outcome: "failed", meaning: "400 Bad request: invalid format" };
  if (status === 403) return { outcome: "failed", meaning: "403 Forbidden: key not valid (key file not found or its content does not match)" };
  if (status === 422) return { outcome: "failed", meaning: "422 Unprocessable: URLs do not belong to the host, or the key does not match the schema" };
  if (status === 429) return { outcome: "retry", meaning: "429 Too many requests (potential spam)" };
  if (status >= 500) return { outcome: "retry", meaning: `${status}: server error` };
  return { outcome: "failed", meaning: `${status}: unexpected answer` };
}

export type SendOptions = {
  maxAttempts?: number;
  /** First back-off delay, ms (doubled per attempt). Default 2,000. */
  baseDelayMs?: number;
  /** Cap on each delay (also on Retry-After), ms. Default 60,000. */
  maxDelayMs?: number;
  /** Waits `ms` (tests record it instead of waiting). */
  sleep?: (ms: number) => Promise<void>;
  post?: (url: string, opts: PostOptions) => Promise<PostResult>;
  timeoutMs?: number;
  allowHosts?: readonly string[];
};

export type SendResult = {
  outcome: Outcome;
  httpStatus: number | null;
  attempts: number;
  /** Sum of request times and back-off waits, ms. */
  durationMs: number;
  /** Delays waited between attempts, ms. */
  delaysMs: number[];
  message: string;
};

/** Options from env: INDEXNOW_MAX_ATTEMPTS, INDEXNOW_BASE_DELAY_MS, INDEXNOW_MAX_DELAY_MS. */
export function sendOptionsFromEnv(env: Record<string, string | undefined> = process.env): SendOptions {
  const num = (v: string | undefined) => (v && /^\d+$/.test(v.trim()) ? Number(v) : undefined);
  return { maxAttempts: num(env.INDEXNOW_MAX_ATTEMPTS), baseDelayMs: num(env.INDEXNOW_BASE_DELAY_MS), maxDelayMs: num(env.INDEXNOW_MAX_DELAY_MS) };
}

/**
 * Sends one IndexNow request (≤ 10,000 URLs) to `endpoint`, retrying 429/5xx/network errors with back-off (module
 * doc). Never throws; the result says what happened.
 */
export async function sendIndexNow(
  endpoint: string,
  payload: { host: string; key: string; keyLocation: string; urlList: string[] },
  opts: SendOptions = {},
): Promise<SendResult> {
  if (payload.urlList.length > INDEXNOW_MAX_URLS_PER_REQUEST) throw new RangeError("at most 10,000 URLs per IndexNow request");
  const maxAttempts = Math.max(1, opts.maxAttempts ?? 4);
  const base = opts.baseDelayMs ?? 2000;
  const cap = opts.maxDelayMs ?? 60_000;
  const backoff = { baseMs: base, maxMs: cap };
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const post = opts.post ?? guardedPost;
  const body = JSON.stringify(payload);
  const started = Date.now();
  const delaysMs: number[] = [];
  let last: PostResult | null = null;
  let message = "";
  for (let attempt = 1; ; attempt++) {
    last = await post(endpoint, {
      body,
      headers: { "content-type": "application/json; charset=utf-8" },
      timeoutMs: opts.timeoutMs,
      allowHosts: opts.allowHosts,
    });
    let retryDelay: number | null = null;
    if (last.error) {
      message = `${last.error.code}: ${last.error.message}`;
      if (last.error.code === "blocked_host" || last.error.code === "invalid_url") {
        return { outcome: "failed", httpStatus: null, attempts: attempt, durationMs: Date.now() - started, delaysMs, message };
      }
      retryDelay = backoffMs(attempt - 1, backoff);
    } else {
      const d = describeStatus(last.status!);
      const excerpt = last.body.trim().slice(0, 300);
      message = excerpt ? `${d.meaning} — ${excerpt}` : d.meaning;
      if (d.outcome !== "retry") {
        return { outcome: d.outcome, httpStatus: last.status, attempts: attempt, durationMs: Date.now() - started, delaysMs, message };
      }
      retryDelay = parseRetryAfter(last.headers["retry-after"]) ?? backoffMs(attempt - 1, backoff);
    }
    if (attempt >= maxAttempts) {
      return {
        outcome: "failed",
        httpStatus: last.status,
        attempts: attempt,
        durationMs: Date.now() - started,
        delaysMs,
        message: `${message} (gave up after ${attempt} attempts)`,
      };
    }
    const wait = Math.min(retryDelay, cap);
    delaysMs.push(wait);
    await sleep(wait);
  }
}
