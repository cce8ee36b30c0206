/**
 * Who is calling /api/v1: a Bearer API key, or else the dashboard's next-auth session cookie.
 *
 * An `Authorization` header, when present, must carry a valid key: a bad one is 401 even if a session cookie is
 * also sent. Missing, malformed, mistyped (checksum), unknown and revoked keys all get the same 401 `unauthorized`,
 * so a caller can't tell them apart; malformed ones are rejected before any database read.
 *
 * Principal: the account (`userId`), its plan (lib/quota/plans.ts) and the scopes the caller holds — a key's stored
 * scopes, or every scope for a session. requireScope throws 403 `forbidden` naming the missing scope.
 *
 * authenticateAndCount (what every /api/v1 request uses) also counts the request against the caller's limits
 * (lib/quota/api-limits.ts) in as few statements as it can: a key in the process cache (lib/auth/key-cache.ts, fresh
 * for 1 s) costs one statement (both counters); any other key one statement too (key lookup, both counters and the
 * coarse `lastUsedAt` write together); a session its session lookup plus one.
 */
import { AppError } from "@/lib/core/errors";
import { findActiveApiKey, toScopes, touchApiKey } from "@/lib/db/api-keys";
import { findUserAccount } from "@/lib/db/users";
import { consumeApiLimits, consumeKeyLimits, type ApiLimitOptions, type ApiLimitResults, type KeyOwner } from "@/lib/quota/api-limits";
import { toPlanName, type PlanName } from "@/lib/quota/plans";
import { API_SCOPES, type ApiScope } from "@/lib/schemas/api-keys";
import { cacheKey, cachedKey } from "./key-cache";
import { hashApiKey, isWellFormedApiKey } from "./keys";
import { getSessionUserId } from "./session";

export type { ApiScope };
export type Principal = { userId: string; via: "key" | "session"; keyId?: string; scopes: readonly ApiScope[]; plan: PlanName };

const unauthorized = () =>
  new AppError("unauthorized", "Missing or invalid credentials: send `Authorization: Bearer sfk_…` or sign in.");

/** `keyOnly`: API keys only; a request without `Authorization` is a 401 without a session lookup (the adapters). */
export async function authenticate(req: Request, opts: { keyOnly?: boolean } = {}): Promise<Principal> {
  const header = req.headers.get("authorization");
  if (header !== null) return authenticateKey(header);
  if (opts.keyOnly) throw unauthorized();
  const userId = await getSessionUserId();
  // A session for a user deleted since sign-in is no session.
  const account = userId ? await findUserAccount(userId) : null;
  if (!userId || !account) throw unauthorized();
  return { userId, via: "session", scopes: API_SCOPES, plan: toPlanName(account.plan) };
}

/**
 * Authenticates the caller (as authenticate does) and counts the request against its limits (consumeApiLimits).
 * Errors: AppError unauthorized (401) as authenticate; rate_limited (429) or quota_exceeded (403) after `onResult`
 * saw the limit results. `now`: epoch ms of the request.
 */
export async function authenticateAndCount(
  req: Request,
  onResult: (r: ApiLimitResults) => void,
  opts: { keyOnly?: boolean } & ApiLimitOptions = {},
  now = Date.now(),
): Promise<Principal> {
  const header = req.headers.get("authorization");
  const limitOpts: ApiLimitOptions = opts.perMinute === undefined ? {} : { perMinute: opts.perMinute };
  if (header === null) {
    const principal = await authenticate(req, opts);
    await consumeApiLimits(principal, onResult, now, limitOpts);
    return principal;
  }
  const hash = keyHash(header);
  const cached = cachedKey(hash, now);
  if (cached) {
    await consumeApiLimits(cached, onResult, now, limitOpts);
    return cached;
  }
  let principal: Principal | undefined;
  const onKey = (k: KeyOwner) => cacheKey(hash, (principal = keyPrincipal(k)), now);
  if (!(await consumeKeyLimits(hash, onResult, now, { ...limitOpts, onKey })) || !principal) throw unauthorized();
  return principal;
}

const keyPrincipal = (k: KeyOwner): Principal => ({ userId: k.userId, via: "key", keyId: k.keyId, scopes: toScopes(k.scopes), plan: k.plan });

/** The SHA-256 hash of the key in an `Authorization: Bearer` header; 401 for a malformed header or key. */
function keyHash(header: string): string {
  const m = /^Bearer +(\S+)\s*$/i.exec(header);
  if (!m || !isWellFormedApiKey(m[1])) throw unauthorized();
  return hashApiKey(m[1]);
}

/** 403 `forbidden` unless the principal holds `scope`. */
export function requireScope(principal: Principal, scope: ApiScope): void {
  if (!principal.scopes.includes(scope)) {
    throw new AppError("forbidden", `This API key lacks the "${scope}" scope; create a key that has it.`, { details: { scope } });
  }
}

async function authenticateKey(header: string): Promise<Principal> {
  const key = await findActiveApiKey(keyHash(header));
  if (!key) throw unauthorized();
  await touchApiKey({ keyId: key.id, lastUsedAt: key.lastUsedAt });
  return { userId: key.userId, via: "key", keyId: key.id, scopes: key.scopes, plan: toPlanName(key.plan) };
}
