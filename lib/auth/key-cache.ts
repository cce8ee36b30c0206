/**
 * In-process cache of authenticated API keys, by the key's SHA-256 hash, so a request with a recently seen key
 * needs no key lookup: its counters are then the request's only statement (lib/quota/api-limits.ts).
 *
 * Freshness: an entry is used for at most KEY_CACHE_TTL_MS (1,000 ms) after the statement that authenticated the
 * key, so a revocation, a plan change or a deleted account is seen by every app instance sharing the database within
 * 1 s. In the process that revokes a key it is seen at once: revokeApiKey (lib/db/api-keys.ts) replaces the token
 * entries are stored under (apiKeyCacheToken), which also differs per database client (tests swap clients).
 * Only keys that authenticated are cached; an unknown key is looked up every time (the failed-auth limit, see
 * lib/auth/failed-auth-limiter.ts, bounds how often). Memory: at most KEY_CACHE_MAX_ENTRIES (10,000) entries,
 * about 3 MB; when full, the oldest entry is dropped. Kept on globalThis so every route bundle Next.js loads shares it.
 */
import { apiKeyCacheToken } from "@/lib/db/api-keys";
import type { Principal } from "./authenticate";

export const KEY_CACHE_TTL_MS = 1_000;
export const KEY_CACHE_MAX_ENTRIES = 10_000;

type Entry = { principal: Principal; at: number; token: object };
const holder = globalThis as typeof globalThis & { __sitemapForgeKeyCache?: Map<string, Entry> };
const entries: Map<string, Entry> = (holder.__sitemapForgeKeyCache ??= new Map());

/** The cached principal of the key `hash` while fresh (authenticated in the last KEY_CACHE_TTL_MS ms), else undefined. */
export function cachedKey(hash: string, now = Date.now()): Principal | undefined {
  const e = entries.get(hash);
  if (!e) return undefined;
  // A clock set back (now < at) also expires it.
  if (now - e.at >= KEY_CACHE_TTL_MS || now < e.at || e.token !== apiKeyCacheToken()) {
    entries.delete(hash);
    return undefined;
  }
  return e.principal;
}

/** Records that the key with `hash` authenticated at `now` (the time of the statement that found it). */
export function cacheKey(hash: string, principal: Principal, now = Date.now()): void {
  // Delete + set keeps the Map in insertion order, so the first entry is the oldest.
  entries.delete(hash);
  while (entries.size >= KEY_CACHE_MAX_ENTRIES) entries.delete(entries.keys().next().value!);
  entries.set(hash, { principal, at: now, token: apiKeyCacheToken() });
}

/** Entries held (for tests of the bound). */
export const keyCacheSize = (): number => entries.size;
