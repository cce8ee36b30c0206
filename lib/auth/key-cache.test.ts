import { afterEach, describe, expect, it } from "vitest";
import { createDb, setDb } from "@/lib/db/client";
import { revokeApiKey } from "@/lib/db/api-keys";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import type { Principal } from "./authenticate";
import { cacheKey, cachedKey, KEY_CACHE_MAX_ENTRIES, KEY_CACHE_TTL_MS, keyCacheSize } from "./key-cache";

const p = (keyId: string): Principal => ({ userId: "u", via: "key", keyId, scopes: ["read"], plan: "starter" });

const backend = testBackends()[0];
describe("key cache", () => {
  const t = useTestDb(backend);
  afterEach(() => setDb(t.db));

  it("serves an entry for KEY_CACHE_TTL_MS, not before its time (a clock set back) nor after", () => {
    cacheKey("h1", p("k1"), 10_000);
    expect(cachedKey("h1", 10_000)).toEqual(p("k1"));
    expect(cachedKey("h1", 10_000 + KEY_CACHE_TTL_MS - 1)).toEqual(p("k1"));
    expect(cachedKey("h1", 10_000 + KEY_CACHE_TTL_MS)).toBeUndefined();
    expect(cachedKey("h1", 10_000)).toBeUndefined(); // the expired entry was dropped
    cacheKey("h2", p("k2"), 10_000);
    expect(cachedKey("h2", 9_999)).toBeUndefined();
  });

  it("a revocation in this process, of any key, empties it at once; another database client sees none of it", async () => {
    cacheKey("h3", p("k3"), 20_000);
    expect(await revokeApiKey({ userId: "nobody", keyId: "nothing" })).toBe(false); // nothing revoked: kept
    expect(cachedKey("h3", 20_000)).toEqual(p("k3"));
    const u = await t.db.user.create({ data: { email: "cache@example.com", passwordHash: "x" } });
    const k = await t.db.apiKey.create({ data: { userId: u.id, name: "k", hash: "hash-k", prefix: "sfk_", lastFour: "abcd" } });
    expect(await revokeApiKey({ userId: u.id, keyId: k.id })).toBe(true);
    expect(cachedKey("h3", 20_000)).toBeUndefined();
    cacheKey("h4", p("k4"), 20_000);
    // A client that never connects (PostgreSQL clients connect on their first query).
    const other = createDb("postgresql://127.0.0.1:9/none").db;
    setDb(other);
    expect(cachedKey("h4", 20_000)).toBeUndefined();
    await other.$disconnect();
  });

  it(`holds at most ${KEY_CACHE_MAX_ENTRIES} entries, dropping the oldest`, () => {
    for (let i = 0; i <= KEY_CACHE_MAX_ENTRIES; i++) cacheKey(`b${i}`, p(`k${i}`), 30_000);
    expect(keyCacheSize()).toBe(KEY_CACHE_MAX_ENTRIES);
    expect(cachedKey("b0", 30_000)).toBeUndefined();
    expect(cachedKey(`b${KEY_CACHE_MAX_ENTRIES}`, 30_000)).toEqual(p(`k${KEY_CACHE_MAX_ENTRIES}`));
  });
});
