/**
 * Route wrappers for /api/v1 (and the public file route). Handlers hold business logic only:
 *
 *   export const GET = withApiAuth<{ id: string }>(async ({ req, params, principal }) => json(...));
 *
 * withApi: request id (`X-Request-Id` on every response), one error mapping (lib/api/errors.ts), `headers` that the
 * wrapper copies onto whatever the handler returns. withApiAuth adds, in order: authenticate (401), the
 * per-principal rate limit (X-RateLimit-* on every authenticated response, 429 + Retry-After), a same-origin check
 * for cookie-authenticated writes (403), and `sessionOnly` (403 for API keys).
 */
import { randomUUID } from "node:crypto";
import { authenticate, type Principal } from "@/lib/auth/authenticate";
import { AppError } from "@/lib/core/errors";
import { getEnv } from "@/lib/env";
import { consumeRateLimit, type RateLimitPolicy } from "@/lib/quota/rate-limit";
import { toErrorResponse } from "./errors";

type Params = Record<string, string | string[]>;
export type RouteContext<P extends Params> = { params: Promise<P> };
export type ApiContext<P extends Params> = { req: Request; params: P; headers: Headers; requestId: string };
export type AuthedContext<P extends Params> = ApiContext<P> & { principal: Principal };

export function withApi<P extends Params = Params>(handler: (ctx: ApiContext<P>) => Promise<Response>) {
  return async (req: Request, context: RouteContext<P>): Promise<Response> => {
    const requestId = `req_${randomUUID().replaceAll("-", "")}`;
    const headers = new Headers({ "X-Request-Id": requestId });
    let res: Response;
    try {
      res = await handler({ req, params: await context.params, headers, requestId });
    } catch (err) {
      res = toErrorResponse(err, requestId);
    }
    for (const [k, v] of headers) res.headers.set(k, v);
    return res;
  };
}

export function withApiAuth<P extends Params = Params>(
  handler: (ctx: AuthedContext<P>) => Promise<Response>,
  opts: { sessionOnly?: boolean } = {},
) {
  return withApi<P>(async (ctx) => {
    const principal = await authenticate(ctx.req);
    const id = principal.via === "key" ? `key:${principal.keyId}` : `user:${principal.userId}`;
    await applyRateLimit(ctx.headers, `api:${id}`, { limit: getEnv().API_RATE_LIMIT_PER_MINUTE, windowSec: 60 });
    if (principal.via === "session") assertSameOrigin(ctx.req);
    if (opts.sessionOnly && principal.via !== "session") {
      throw new AppError("forbidden", "This endpoint is for the signed-in dashboard; API keys can't use it.");
    }
    return handler({ ...ctx, principal });
  });
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
