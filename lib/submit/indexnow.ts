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
 * - `attemptIndexNow` makes ONE request and says when to retry; the wait between attempts is a durable `step.sleep`
 *   of the `submit-sitemap` function (inngest/functions/submit-sitemap.ts), not a sleep inside a step, so a restart
 *   resumes the schedule and no step holds a worker for minutes.
 * Google does not take part in IndexNow and its sitemap ping was retired in 2023; Bing's ping returns 410. We send
 * no pings.
 */
import { urlPortError } from "@/lib/core/outbound";
import { randomBytes } from "node:crypto";
import { backoffMs, parseRetryAfter } from "@/lib/core/retry";
import { guardedPost, type PostOptions, type PostResult } from "./http";

export const INDEXNOW_MAX_URLS_PER_REQUEST = 10_000;
export const DEFAULT_INDEXNOW_ENDPOINT = "https://api.indexnow.org/indexnow";
export const INDEXNOW_KEY_RE = /^[a-zA-Z0-9-]{8,128}$/;

/** A new key: 32 hex chars (16 random bytes). */
export const generateIndexNowKey = (): string => randomBytes(16).toString("hex");

/**
 * The configured endpoints (env INDEXNOW_ENDPOINTS, comma-separated absolute URLs). Throws Error on a malformed entry
 * and on a port outside 80, 443 and CRAWL_ALLOWED_PORTS whose host:port is not in CRAWL_ALLOW_HOSTS.
 */
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
      const badPort = urlPortError(u.href, { env });
      if (badPort) throw new Error(`INDEXNOW_ENDPOINTS: ${s}: ${badPort}`);
      return u.href;
    });
}

/**
 * The search engines an IndexNow endpoint reaches. IndexNow's shared endpoint (api.indexnow.org) forwards every
 * submission to all participating engines, and each engine's own endpoint shares it with the others (indexnow.org,
 * "Which search engines support IndexNow": Microsoft Bing, Naver, Seznam.cz, Yandex, Yep), so every IndexNow
 * endpoint reaches the same list; an endpoint on another host (e.g. a test server) reaches that host only.
 */
export const INDEXNOW_ENGINES = ["bing", "yandex", "seznam", "naver", "yep"] as const;
const INDEXNOW_HOSTS: ReadonlySet<string> = new Set([
  "api.indexnow.org",
  "www.bing.com",
  "bing.com",
  "yandex.com",
  "search.seznam.cz",
  "searchadvisor.naver.com",
  "indexnow.yep.com",
]);

/** Engines reached through `endpoint` (INDEXNOW_ENGINES for a known IndexNow host, else the endpoint's host). */
export function enginesReachedBy(endpoint: string): string[] {
  const host = new URL(endpoint).host;
  return INDEXNOW_HOSTS.has(host) ? [...INDEXNOW_ENGINES] : [host];
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
  post?: (url: string, opts: PostOptions) => Promise<PostResult>;
  timeoutMs?: number;
  allowHosts?: readonly string[];
};

export type AttemptResult = {
  /** `retry`: ask again after `retryInMs`; ok/failed are final (failed also when the attempts are used up). */
  outcome: Outcome | "retry";
  httpStatus: number | null;
  /** Wait before the next attempt, ms (only for `retry`). */
  retryInMs: number | null;
  message: string;
};

/** Options from env: INDEXNOW_MAX_ATTEMPTS, INDEXNOW_BASE_DELAY_MS, INDEXNOW_MAX_DELAY_MS. */
export function sendOptionsFromEnv(env: Record<string, string | undefined> = process.env): SendOptions {
  const num = (v: string | undefined) => (v && /^\d+$/.test(v.trim()) ? Number(v) : undefined);
  return { maxAttempts: num(env.INDEXNOW_MAX_ATTEMPTS), baseDelayMs: num(env.INDEXNOW_BASE_DELAY_MS), maxDelayMs: num(env.INDEXNOW_MAX_DELAY_MS) };
}

/**
 * Attempt number `attempt` (1-based) of one IndexNow request (≤ 10,000 URLs) to `endpoint` (module doc): one POST,
 * classified. 429/5xx/network errors give `retry` with the delay (Retry-After, else base · 2^(attempt−1), capped)
 * while attempts remain, else `failed` "(gave up after N attempts)". Never throws, except RangeError for more than
 * 10,000 URLs.
 */
export async function attemptIndexNow(
  endpoint: string,
  payload: { host: string; key: string; keyLocation: string; urlList: string[] },
  opts: SendOptions & { attempt: number },
): Promise<AttemptResult> {
  if (payload.urlList.length > INDEXNOW_MAX_URLS_PER_REQUEST) throw new RangeError("at most 10,000 URLs per IndexNow request");
  const maxAttempts = Math.max(1, opts.maxAttempts ?? 4);
  const base = opts.baseDelayMs ?? 2000;
  const cap = opts.maxDelayMs ?? 60_000;
  const post = opts.post ?? guardedPost;
  const res = await post(endpoint, {
    body: JSON.stringify(payload),
    headers: { "content-type": "application/json; charset=utf-8" },
    timeoutMs: opts.timeoutMs,
    allowHosts: opts.allowHosts,
  });
  let message: string;
  let retryDelay: number;
  if (res.error) {
    message = `${res.error.code}: ${res.error.message}`;
    if (res.error.code === "blocked_host" || res.error.code === "invalid_url") return { outcome: "failed", httpStatus: null, retryInMs: null, message };
    retryDelay = backoffMs(opts.attempt - 1, { baseMs: base, maxMs: cap });
  } else {
    const d = describeStatus(res.status!);
    const excerpt = res.body.trim().slice(0, 300);
    message = excerpt ? `${d.meaning} — ${excerpt}` : d.meaning;
    if (d.outcome !== "retry") return { outcome: d.outcome, httpStatus: res.status, retryInMs: null, message };
    retryDelay = parseRetryAfter(res.headers["retry-after"]) ?? backoffMs(opts.attempt - 1, { baseMs: base, maxMs: cap });
  }
  if (opts.attempt >= maxAttempts) return { outcome: "failed", httpStatus: res.status, retryInMs: null, message: `${message} (gave up after ${opts.attempt} attempts)` };
  return { outcome: "retry", httpStatus: res.status, retryInMs: Math.min(retryDelay, cap), message };
}
