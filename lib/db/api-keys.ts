/**
 * API keys (table ApiKey). Only the SHA-256 hash of a key is stored; the plaintext never reaches this module
 * (lib/auth/issue-api-key.ts generates it and hands it to the caller once). Revocation sets `revokedAt`; revoked keys never authenticate again.
 * `lastUsedAt` is written at most once a minute per key (a conditional update, so concurrent requests write once),
 * and only by the statement that authenticates a key missing from the process cache (lib/db/api-requests.ts,
 * lib/auth/key-cache.ts): with the cache's 1 s freshness, a key in use has its `lastUsedAt` at most about 61 s old.
 */
import { ZApiScope, type ApiScope, type TApiKeyDto } from "@/lib/schemas/api-keys";
import { getDb } from "./client";
import type { ListQuery } from "@/lib/api/list-query";
import type { ApiKeyList } from "./list-models";

export const LAST_USED_RESOLUTION_MS = 60_000;

// On globalThis, like the client (lib/db/client.ts): every route bundle of the process must see a revocation.
const tokenHolder = globalThis as typeof globalThis & { __sitemapForgeKeyCacheTokens?: WeakMap<object, object> };
const tokens: WeakMap<object, object> = (tokenHolder.__sitemapForgeKeyCacheTokens ??= new WeakMap());

/**
 * The token that entries of the process's key cache (lib/auth/key-cache.ts) are valid under: one per database
 * client, replaced when this process revokes a key, so the revoking process never authenticates a revoked key from
 * its cache. (Other processes see a revocation when their entry expires, within 1 s.)
 */
export function apiKeyCacheToken(): object {
  const db = getDb();
  let token = tokens.get(db);
  if (!token) tokens.set(db, (token = {}));
  return token;
}

const select = { id: true, name: true, prefix: true, lastFour: true, scopes: true, createdAt: true, lastUsedAt: true, revokedAt: true } as const;
type Row = {
  id: string;
  name: string;
  prefix: string;
  lastFour: string;
  scopes: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
};

/** Stored scopes, dropping any name this version does not know (never grants more than stored). */
export const toScopes = (stored: string[]): ApiScope[] => stored.filter((s): s is ApiScope => ZApiScope.safeParse(s).success);

const toApiKeyDto = (r: Row): TApiKeyDto => ({
  ...r,
  scopes: toScopes(r.scopes),
  createdAt: r.createdAt.toISOString(),
  lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
  revokedAt: r.revokedAt?.toISOString() ?? null,
});

/**
 * Stores a new API key (its hash, display prefix and last four characters, never the plaintext) and returns its DTO.
 */
export async function insertApiKey(opts: {
  userId: string;
  name: string;
  hash: string;
  prefix: string;
  lastFour: string;
  /** Default: the column default (all scopes). */
  scopes?: ApiScope[];
}): Promise<TApiKeyDto> {
  return toApiKeyDto(await getDb().apiKey.create({ data: opts, select }));
}

/** A page of the user's keys (revoked ones too, with `revokedAt`) under the list grammar `q` (lib/api/list-query.ts). */
export async function listApiKeys(opts: { userId: string; q: ListQuery<ApiKeyList> }): Promise<{ items: TApiKeyDto[]; nextCursor: string | null }> {
  const rows = await getDb().apiKey.findMany({
    where: { AND: [{ userId: opts.userId }, opts.q.where] },
    orderBy: opts.q.orderBy,
    take: opts.q.take,
    select,
  });
  const page = opts.q.page(rows);
  return { items: page.rows.map(toApiKeyDto), nextCursor: page.nextCursor };
}

/** Revokes the user's key; true when it exists (already revoked counts), false for unknown or another user's key. */
export async function revokeApiKey(opts: { userId: string; keyId: string }): Promise<boolean> {
  const db = getDb();
  const { count } = await db.apiKey.updateMany({
    where: { id: opts.keyId, userId: opts.userId, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  if (count === 1) tokens.set(db, {});
  return count === 1 || (await db.apiKey.count({ where: { id: opts.keyId, userId: opts.userId } })) === 1;
}

/** The non-revoked key with this hash and its owner's plan, or null. */
export async function findActiveApiKey(
  hash: string,
): Promise<{ id: string; userId: string; lastUsedAt: Date | null; scopes: ApiScope[]; plan: string } | null> {
  const row = await getDb().apiKey.findFirst({
    where: { hash, revokedAt: null },
    select: { id: true, userId: true, lastUsedAt: true, scopes: true, user: { select: { plan: true } } },
  });
  if (!row) return null;
  const { user, scopes, ...rest } = row;
  return { ...rest, scopes: toScopes(scopes), plan: user.plan };
}

/** Records a use of the key unless one was recorded less than a minute ago. */
export async function touchApiKey(opts: { keyId: string; lastUsedAt: Date | null; now?: Date }): Promise<void> {
  const now = opts.now ?? new Date();
  if (opts.lastUsedAt && now.getTime() - opts.lastUsedAt.getTime() < LAST_USED_RESOLUTION_MS) return;
  const stale = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
  await getDb().apiKey.updateMany({
    where: { id: opts.keyId, OR: [{ lastUsedAt: null }, { lastUsedAt: { lte: stale } }] },
    data: { lastUsedAt: now },
  });
}
