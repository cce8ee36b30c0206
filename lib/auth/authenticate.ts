/**
 * Who is calling /api/v1: a Bearer API key, or else the dashboard's next-auth session cookie.
 *
 * An `Authorization` header, when present, must carry a valid key: a bad one is 401 even if a session cookie is
 * also sent. Missing, malformed, mistyped (checksum), unknown and revoked keys all get the same 401 `unauthorized`,
 * so a caller can't tell them apart; malformed ones are rejected before any database read.
 *
 * Principal: the account (`userId`), its plan (lib/quota/plans.ts) and the scopes the caller holds — a key's stored
 * scopes, or every scope for a session. requireScope throws 403 `forbidden` naming the missing scope.
 */
import { AppError } from "@/lib/core/errors";
import { findActiveApiKey, touchApiKey } from "@/lib/db/api-keys";
import { findUserAccount } from "@/lib/db/users";
import { toPlanName, type PlanName } from "@/lib/quota/plans";
import { API_SCOPES, type ApiScope } from "@/lib/schemas/api-keys";
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

/** 403 `forbidden` unless the principal holds `scope`. */
export function requireScope(principal: Principal, scope: ApiScope): void {
  if (!principal.scopes.includes(scope)) {
    throw new AppError("forbidden", `This API key lacks the "${scope}" scope; create a key that has it.`, { details: { scope } });
  }
}

async function authenticateKey(header: string): Promise<Principal> {
  const m = /^Bearer +(\S+)\s*$/i.exec(header);
  if (!m || !isWellFormedApiKey(m[1])) throw unauthorized();
  const key = await findActiveApiKey(hashApiKey(m[1]));
  if (!key) throw unauthorized();
  await touchApiKey({ keyId: key.id, lastUsedAt: key.lastUsedAt });
  return { userId: key.userId, via: "key", keyId: key.id, scopes: key.scopes, plan: toPlanName(key.plan) };
}
