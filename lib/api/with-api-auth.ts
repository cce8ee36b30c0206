/**
 * Route wrappers for /api/v1 (and the public file route). Handlers hold business logic only:
 *
 *   export const GET = withApiAuth<{ id: string }>(async ({ req, params, principal }) => json(...), { scope: "read" });
 *
 * withApi: request id (`X-Request-Id` on every response), one error mapping (lib/api/errors.ts), `headers` that the
 * wrapper copies onto whatever the handler returns, and first of all the request's text check (assertRequestText in
 * lib/api/request.ts: an undecodable path, NUL/control characters/lone surrogates in a path or query parameter →
 * 400 `bad_request`, before authentication, so nothing is read or written). withApiAuth adds, in order:
 *   0. a declared `Content-Length` over the endpoint's body cap (`maxBodyBytes`, default 1 MiB) → 413
 *      `payload_too_large`, whether or not the handler reads a body; then the failed-authentication limit of the
 *      client address (lib/auth/failed-auth-limiter.ts, address from lib/api/client-ip.ts): a full bucket → 429
 *      `rate_limited` + `Retry-After`, before any database read;
 *   1. authenticate → 401 `unauthorized` with `WWW-Authenticate: Bearer` (RFC 6750 §3; `error="invalid_token"` when a
 *      Bearer token was sent) and the failed-auth limit in `X-RateLimit-*` (the caller is unknown, so these count
 *      failures of its address, not requests);
 *   2. limits (lib/quota/api-limits.ts) → `X-RateLimit-Limit/-Remaining/-Reset` (per-minute limit; Reset in UTC
 *      epoch seconds) and `X-Quota-Limit/-Remaining/-Reset` (daily quota; absent when unlimited or a session) on every
 *      authenticated response; 429 `rate_limited` + `Retry-After` (seconds), or 403 `quota_exceeded`;
 *   3. a same-origin check for cookie-authenticated writes → 403 `forbidden`;
 *   4. `sessionOnly` → 403 `forbidden` for API keys; `scope` → 403 `forbidden` when the key lacks it;
 *   5. POST with `Idempotency-Key` → lib/api/idempotency.ts (unless `idempotent: false`).
 * A call refused in step 3 or 4 still counts against the limits (it was an authenticated call); one refused in step 2
 * does not.
 */
import { randomUUID } from "node:crypto";
import { authenticateAndCount, requireScope, type ApiScope, type Principal } from "@/lib/auth/authenticate";
import { failedAuthLimit, failedAuthLimiter, type FailedAuthState } from "@/lib/auth/failed-auth-limiter";
import { AppError, isAppError } from "@/lib/core/errors";
import type { ApiLimitResults } from "@/lib/quota/api-limits";
import { consumeRateLimit, type RateLimitPolicy } from "@/lib/quota/rate-limit";
import { addressBucket, clientIp } from "./client-ip";
import { toErrorResponse } from "./errors";
import { IDEMPOTENCY_HEADER, withIdempotency } from "./idempotency";
import { assertRequestText, MAX_BODY_BYTES } from "./request";

type Params = Record<string, string | string[]>;
export type RouteContext<P extends Params> = { params: Promise<P> };
export type ApiContext<P extends Params> = { req: Request; params: P; headers: Headers; requestId: string };
export type AuthedContext<P extends Params> = ApiContext<P> & { principal: Principal };
export type AuthOptions = {
  /** What an API key needs to call this endpoint (sessions hold every scope). Default: "read" for GET, else "write". */
  scope?: ApiScope;
  /** Only the dashboard session may call it (403 for API keys). */
  sessionOnly?: boolean;
  /** false: ignore Idempotency-Key (responses that must never be stored, e.g. a new key's plaintext). */
  idempotent?: boolean;
  /** Body cap when Idempotency-Key buffers the body (default 1 MiB); give the same cap the handler reads with. */
  maxBodyBytes?: number;
  /** API keys only: no `Authorization` header is a 401 without a session lookup (the compatibility adapters). */
  keyOnly?: boolean;
  /**
   * Replaces the plan's per-minute limit for API keys, read per request: a number, or null for no per-minute limit
   * (then no X-RateLimit-* headers); the daily quota always applies. Default: the plan's.
   */
  perMinute?: () => number | null | undefined;
};

/**
 * A Next route handler `(req, { params }) → Response` around `handler`: the request's text check, then the handler,
 * with a fresh request id (`req_` + 32 hex digits) in `X-Request-Id` and the `headers` the handler filled copied onto
 * its response. Whatever the check or handler throws becomes the error envelope (toErrorResponse).
 */
export function withApi<P extends Params = Params>(handler: (ctx: ApiContext<P>) => Promise<Response>) {
  return async (req: Request, context: RouteContext<P>): Promise<Response> => {
    const requestId = `req_${randomUUID().replaceAll("-", "")}`;
    const headers = new Headers({ "X-Request-Id": requestId });
    let res: Response;
    try {
      const params = await context.params;
      assertRequestText(req, params);
      res = await handler({ req, params, headers, requestId });
    } catch (err) {
      res = toErrorResponse(err, requestId);
    }
    for (const [k, v] of headers) res.headers.set(k, v);
    return res;
  };
}

/**
 * withApi plus the authentication steps 0–5 of the module doc; `handler` gets the authenticated `principal`.
 * Refusals are thrown as AppError (413, 429 `rate_limited`, 401 `unauthorized`, 403 `quota_exceeded`/`forbidden`,
 * and the Idempotency-Key errors) and answered by withApi in the error envelope.
 */
export function withApiAuth<P extends Params = Params>(handler: (ctx: AuthedContext<P>) => Promise<Response>, opts: AuthOptions = {}) {
  return withApi<P>(async (ctx) => {
    assertDeclaredBodySize(ctx.req, opts.maxBodyBytes ?? MAX_BODY_BYTES);
    const principal = await authenticateThrottled(ctx.req, ctx.headers, {
      keyOnly: opts.keyOnly ?? false,
      ...(opts.perMinute ? { perMinute: opts.perMinute() } : {}),
    });
    if (principal.via === "session") assertSameOrigin(ctx.req);
    if (opts.sessionOnly && principal.via !== "session") {
      throw new AppError("forbidden", "This endpoint is for the signed-in dashboard; API keys can't use it.");
    }
    requireScope(principal, opts.scope ?? (ctx.req.method === "GET" || ctx.req.method === "HEAD" ? "read" : "write"));
    const idemKey = ctx.req.headers.get(IDEMPOTENCY_HEADER);
    // Only POST needs it: PATCH and DELETE are idempotent by themselves.
    if (ctx.req.method === "POST" && idemKey !== null && opts.idempotent !== false) {
      return withIdempotency(ctx.req, principal.userId, idemKey, (req) => handler({ ...ctx, req, principal }), opts.maxBodyBytes);
    }
    return handler({ ...ctx, principal });
  });
}

/**
 * Steps 0, 1 and 2 of withApiAuth: refuses an address over its failed-auth limit before authenticating, counts a
 * 401 against it, and counts an authenticated request against the caller's limits (authenticateAndCount: one
 * statement for a key). Throws AppError rate_limited (429), unauthorized (401) or quota_exceeded (403); sets the
 * headers on `headers`.
 */
async function authenticateThrottled(req: Request, headers: Headers, opts: { keyOnly: boolean; perMinute?: number | null }): Promise<Principal> {
  const bucket = addressBucket(clientIp(req));
  const limit = failedAuthLimit();
  const before = failedAuthLimiter.peek(bucket, limit);
  if (before.blocked) {
    setFailedAuthHeaders(headers, before);
    headers.set("Retry-After", String(before.retryAfter));
    throw new AppError(
      "rate_limited",
      `Too many failed authentications from your address (${limit} per 60 s); retry in ${before.retryAfter} s.`,
      { details: { retryAfter: before.retryAfter } },
    );
  }
  try {
    return await authenticateAndCount(req, (r) => setLimitHeaders(headers, r), opts);
  } catch (err) {
    if (isAppError(err) && err.code === "unauthorized") {
      setFailedAuthHeaders(headers, failedAuthLimiter.fail(bucket, limit));
      const tokenSent = /^Bearer +\S/i.test(req.headers.get("authorization") ?? "");
      headers.set("WWW-Authenticate", tokenSent ? 'Bearer error="invalid_token"' : "Bearer");
    }
    throw err;
  }
}

function setFailedAuthHeaders(headers: Headers, s: FailedAuthState): void {
  headers.set("X-RateLimit-Limit", String(s.limit));
  headers.set("X-RateLimit-Remaining", String(s.remaining));
  headers.set("X-RateLimit-Reset", String(s.reset));
}

/** 413 `payload_too_large` when `Content-Length` announces more than `maxBytes` (a streamed body is cut by readCapped). */
function assertDeclaredBodySize(req: Request, maxBytes: number): void {
  const declared = req.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) {
    throw new AppError("payload_too_large", `The request body exceeds ${maxBytes} bytes.`);
  }
}

/**
 * For answers that need no authentication (405, unknown /api/v1 routes): when the request carries a key or a session
 * that authenticates, it counts against the caller's limits and carries `X-RateLimit-*` / `X-Quota-*` like any
 * authenticated response (429 / 403 quota_exceeded when spent); without valid credentials it is answered without
 * them (the caller is unknown), never 401.
 */
export async function limitHeadersIfKnown(req: Request, headers: Headers): Promise<void> {
  if (!req.headers.has("authorization") && !req.headers.has("cookie")) return;
  // The same failed-auth limit as withApiAuth: an address over it gets no key lookup here either.
  const bucket = addressBucket(clientIp(req));
  const limit = failedAuthLimit();
  if (failedAuthLimiter.peek(bucket, limit).blocked) return;
  try {
    await authenticateAndCount(req, (r) => setLimitHeaders(headers, r));
  } catch (err) {
    if (err instanceof AppError && err.code === "unauthorized") {
      failedAuthLimiter.fail(bucket, limit);
      return;
    }
    throw err;
  }
}

/**
 * For an answer to a caller that is not known (no valid key): X-RateLimit-* of the client address's failed-auth
 * limit as it stands, without counting this request, unless limit headers are already set. For adapters whose
 * document promises the headers "in every response".
 */
export function addressLimitHeaders(req: Request, headers: Headers): void {
  if (headers.has("X-RateLimit-Limit")) return;
  setFailedAuthHeaders(headers, failedAuthLimiter.peek(addressBucket(clientIp(req)), failedAuthLimit()));
}

/** X-RateLimit-* (per-minute limit, when there is one), X-Quota-* (daily quota, when limited), Retry-After on a 429. */
function setLimitHeaders(headers: Headers, { minute, day }: ApiLimitResults): void {
  if (minute) {
    headers.set("X-RateLimit-Limit", String(minute.limit));
    headers.set("X-RateLimit-Remaining", String(minute.remaining));
    headers.set("X-RateLimit-Reset", String(minute.reset));
    if (!minute.ok) headers.set("Retry-After", String(minute.retryAfter));
  }
  if (day && day.limit !== null) {
    headers.set("X-Quota-Limit", String(day.limit));
    headers.set("X-Quota-Remaining", String(day.remaining));
    headers.set("X-Quota-Reset", String(day.reset));
  }
}

/** Counts the request against `key`, sets X-RateLimit-Limit/Remaining/Reset (reset: UTC epoch seconds), throws 429. */
export async function applyRateLimit(headers: Headers, key: string, policy: RateLimitPolicy): Promise<void> {
  const r = await consumeRateLimit(key, policy);
  headers.set("X-RateLimit-Limit", String(r.limit));
  headers.set("X-RateLimit-Remaining", String(r.remaining));
  headers.set("X-RateLimit-Reset", String(r.reset));
  if (!r.ok) {
    headers.set("Retry-After", String(r.retryAfter));
    throw new AppError("rate_limited", `Too many requests: the limit is ${r.limit} per ${policy.windowSec} s; retry in ${r.retryAfter} s.`);
  }
}

/**
 * A handler for the methods a route does not serve: 405 `method_not_allowed` in the error envelope with `Allow`
 * (and the limit headers when the caller is known, see limitHeadersIfKnown).
 *   export const { PUT, PATCH, DELETE } = methodsNotAllowed(["GET", "POST"]);
 */
export function methodsNotAllowed(allowed: string[]) {
  const handler = withApi(async ({ req, headers }) => {
    headers.set("Allow", allowed.join(", "));
    await limitHeadersIfKnown(req, headers);
    throw new AppError("method_not_allowed", `${req.method} is not allowed here; use ${allowed.join(" or ")}.`);
  });
  return { GET: handler, POST: handler, PUT: handler, PATCH: handler, DELETE: handler };
}

/**
 * Cookie-authenticated writes must come from our own pages (CSRF defence on top of SameSite=Lax): a browser sends
 * `Origin` on every non-GET request, and it must name the host the request was sent to.
 */
function assertSameOrigin(req: Request): void {
  if (req.method === "GET" || req.method === "HEAD") return;
  const origin = req.headers.get("origin");
  if (origin === null) return;
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host") ?? new URL(req.url).host;
  let originHost: string | null = null;
  try {
    originHost = new URL(origin).host;
  } catch {}
  if (originHost !== host) throw new AppError("forbidden", "Cross-site request refused.");
}
