/**
 * Who is calling /api/v1: a Bearer API key, or else the dashboard's next-auth session cookie.
 *
 * An `Authorization` header, when present, must carry a valid key: a bad one is 401 even if a session cookie is
 * also sent. Missing, malformed, mistyped (checksum), unknown and revoked keys all get the same 401 `unauthorized`,
 * so a caller can't tell them apart; malformed ones are rejected before any database read.
 */
import { AppError } from "@/lib/core/errors";
import { findActiveApiKey, touchApiKey } from "@/lib/db/api-keys";
import { userExists } from "@/lib/db/users";
import { hashApiKey, isWellFormedApiKey } from "./keys";
import { getSessionUserId } from "./session";

export type Principal = { userId: string; via: "key" | "session"; keyId?: string };

const unauthorized = () =>
  new AppError("unauthorized", "Missing or invalid credentials: send `Authorization: Bearer sfk_…` or sign in.");

export async function authenticate(req: Request): Promise<Principal> {
  const header = req.headers.get("authorization");
  if (header !== null) return authenticateKey(header);
  const userId = await getSessionUserId();
  // A session for a user deleted since sign-in is no session.
  if (!userId || !(await userExists(userId))) throw unauthorized();
  return { userId, via: "session" };
}

async function authenticateKey(header: string): Promise<Principal> {
  const m = /^Bearer +(\S+)\s*$/i.exec(header);
  if (!m || !isWellFormedApiKey(m[1])) throw unauthorized();
  const key = await findActiveApiKey(hashApiKey(m[1]));
  if (!key) throw unauthorized();
  await touchApiKey({ keyId: key.id, lastUsedAt: key.lastUsedAt });
  return { userId: key.userId, via: "key", keyId: key.id };
}
