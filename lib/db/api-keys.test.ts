import { describe, expect, it } from "vitest";
import { API_KEY_LIST_SPEC } from "@/lib/api/api-keys";
import { parseListQuery } from "@/lib/api/list-query";
import { issueApiKey } from "@/lib/auth/issue-api-key";
import { hashApiKey } from "@/lib/auth/keys";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { findActiveApiKey, listApiKeys, revokeApiKey, touchApiKey } from "./api-keys";
import { createUser } from "./users";

let n = 0;

for (const backend of testBackends()) {
  describe(`lib/db/api-keys on ${backend.name}`, () => {
    const t = useTestDb(backend);
    const user = () => createUser({ email: `k${++n}-${backend.name}@example.com`, password: "password1" });

    it("stores the hash, prefix and last four only", async () => {
      const u = await user();
      const created = await issueApiKey({ userId: u.id, name: "k" });
      const row = await t.db.apiKey.findUniqueOrThrow({ where: { id: created.id } });
      expect(row).toMatchObject({ hash: hashApiKey(created.key), prefix: created.key.slice(0, 8), lastFour: created.key.slice(-4) });
      expect(Object.values(row).map(String)).not.toContain(created.key);
      expect(await findActiveApiKey(hashApiKey(created.key))).toMatchObject({ id: created.id, userId: u.id });
    });

    it("revoked keys are not found; revoking is scoped and idempotent", async () => {
      const [a, b] = [await user(), await user()];
      const k = await issueApiKey({ userId: a.id, name: "k" });
      expect(await revokeApiKey({ userId: b.id, keyId: k.id })).toBe(false);
      expect(await findActiveApiKey(hashApiKey(k.key))).not.toBeNull();
      expect(await revokeApiKey({ userId: a.id, keyId: k.id })).toBe(true);
      const revokedAt = (await t.db.apiKey.findUniqueOrThrow({ where: { id: k.id } })).revokedAt;
      expect(await revokeApiKey({ userId: a.id, keyId: k.id })).toBe(true);
      expect((await t.db.apiKey.findUniqueOrThrow({ where: { id: k.id } })).revokedAt).toEqual(revokedAt);
      expect(await findActiveApiKey(hashApiKey(k.key))).toBeNull();
      expect((await listApiKeys({ userId: a.id, q: parseListQuery(new URLSearchParams(), API_KEY_LIST_SPEC) })).items[0].revokedAt).toEqual(revokedAt!.toISOString());
    });

    it("touchApiKey writes at most once a minute, also when called concurrently", async () => {
      const u = await user();
      const k = await issueApiKey({ userId: u.id, name: "k" });
      const now = new Date("2030-01-01T00:00:00Z");
      await Promise.all(Array.from({ length: 5 }, (_, i) => touchApiKey({ keyId: k.id, lastUsedAt: null, now: new Date(now.getTime() + i) })));
      const first = (await t.db.apiKey.findUniqueOrThrow({ where: { id: k.id } })).lastUsedAt!;
      expect(first.getTime() - now.getTime()).toBeLessThan(5);
      await touchApiKey({ keyId: k.id, lastUsedAt: null, now: new Date(now.getTime() + 59_000) });
      expect((await t.db.apiKey.findUniqueOrThrow({ where: { id: k.id } })).lastUsedAt).toEqual(first);
      const later = new Date(first.getTime() + 60_000);
      await touchApiKey({ keyId: k.id, lastUsedAt: first, now: later });
      expect((await t.db.apiKey.findUniqueOrThrow({ where: { id: k.id } })).lastUsedAt).toEqual(later);
    });
  });
}
