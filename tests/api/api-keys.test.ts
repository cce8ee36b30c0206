import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next-auth", async (orig) => ({ ...(await orig<typeof import("next-auth")>()), getServerSession: vi.fn(async () => null) }));

import { GET as listKeys, POST as createKey } from "@/app/api/v1/api-keys/route";
import { DELETE as revokeKey } from "@/app/api/v1/api-keys/[id]/route";
import { GET as listSitemaps } from "@/app/api/v1/sitemaps/route";
import { hashApiKey, isWellFormedApiKey } from "@/lib/auth/keys";
import { ZApiKeyDto, ZCreatedApiKeyDto } from "@/lib/schemas/api-keys";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { ctx, expectError, expectRateLimitHeaders, mockSession, req, seedUser } from "./helpers";

afterEach(() => mockSession(null));

const ORIGIN = { origin: "http://localhost:3000" };

for (const backend of testBackends()) {
  describe(`/api/v1/api-keys on ${backend.name}`, () => {
    const t = useTestDb(backend);
    let alice: Awaited<ReturnType<typeof seedUser>>;
    let bob: Awaited<ReturnType<typeof seedUser>>;
    beforeAll(async () => {
      alice = await seedUser();
      bob = await seedUser();
    });

    const post = (body: unknown) => createKey(req("POST", "/api/v1/api-keys", { body, headers: ORIGIN }), ctx());

    it("POST (session) → 201 with the plaintext key once; only its hash is stored", async () => {
      mockSession(alice.id);
      const res = await post({ name: "CI" });
      expect(res.status).toBe(201);
      expectRateLimitHeaders(res);
      expect(res.headers.get("cache-control")).toBe("no-store");
      const created = ZCreatedApiKeyDto.strict().parse((await res.json()).data);
      expect(isWellFormedApiKey(created.key)).toBe(true);
      expect(created).toMatchObject({ name: "CI", prefix: created.key.slice(0, 8), lastFour: created.key.slice(-4), lastUsedAt: null, revokedAt: null });

      const rows = await t.db.$queryRawUnsafe<Record<string, unknown>[]>(`SELECT * FROM "ApiKey"`);
      const dump = JSON.stringify(rows);
      expect(dump).not.toContain(created.key);
      expect(dump).not.toContain(created.key.slice(8, -4));
      expect(rows.find((r) => r.id === created.id)).toMatchObject({ hash: hashApiKey(created.key) });

      // The new key works as a Bearer key.
      mockSession(null);
      expect((await listSitemaps(req("GET", "/api/v1/sitemaps", { key: created.key }), ctx())).status).toBe(200);
    });

    it("GET (session) lists the user's keys without secrets or hashes, newest first", async () => {
      mockSession(alice.id);
      await post({ name: "second" });
      const res = await listKeys(req("GET", "/api/v1/api-keys?size=300"), ctx());
      expect(res.status).toBe(200);
      const body = await res.json();
      for (const k of body.data) ZApiKeyDto.strict().parse(k);
      expect(body.data[0].name).toBe("second");
      expect(JSON.stringify(body)).not.toMatch(/hash|sfk_[0-9A-Za-z]{20}/);
      const mine = await t.db.apiKey.count({ where: { userId: alice.id } });
      expect(body.data).toHaveLength(mine);
      const page = await (await listKeys(req("GET", "/api/v1/api-keys?size=1"), ctx())).json();
      expect(page.data).toHaveLength(1);
      expect(page.next_cursor).toEqual(expect.any(String));
      const next = await (await listKeys(req("GET", `/api/v1/api-keys?size=1&cursor=${page.next_cursor}`), ctx())).json();
      expect(next.data.map((k: { id: string }) => k.id)).toEqual([body.data[1].id]);
      const named = await (await listKeys(req("GET", "/api/v1/api-keys?filter[name]=second&sort=name:asc"), ctx())).json();
      expect(named.data.map((k: { name: string }) => k.name)).toEqual(["second"]);
    });

    it("GET answers the list grammar's errors with 400 and the parameter", async () => {
      mockSession(alice.id);
      await expectError(await listKeys(req("GET", "/api/v1/api-keys?size=0"), ctx()), 400, "invalid_value", "size");
      await expectError(await listKeys(req("GET", "/api/v1/api-keys?size=abc"), ctx()), 400, "invalid_value", "size");
      await expectError(await listKeys(req("GET", "/api/v1/api-keys?cursor=nope"), ctx()), 400, "invalid_value", "cursor");
      await expectError(await listKeys(req("GET", "/api/v1/api-keys?sort=hash:asc"), ctx()), 400, "unknown_field", "hash");
    });

    it("DELETE (session) revokes: 204, the key gets 401 on its next request, a repeat is 204", async () => {
      mockSession(alice.id);
      const created = (await (await post({ name: "temp" })).json()).data;
      const res = await revokeKey(req("DELETE", `/api/v1/api-keys/${created.id}`, { headers: ORIGIN }), ctx({ id: created.id }));
      expect(res.status).toBe(204);
      expectRateLimitHeaders(res);
      mockSession(null);
      await expectError(await listSitemaps(req("GET", "/api/v1/sitemaps", { key: created.key }), ctx()), 401, "unauthorized");
      mockSession(alice.id);
      expect((await revokeKey(req("DELETE", `/api/v1/api-keys/${created.id}`), ctx({ id: created.id }))).status).toBe(204);
      const listed = (await (await listKeys(req("GET", "/api/v1/api-keys?size=300"), ctx())).json()).data;
      expect(listed.find((k: { id: string }) => k.id === created.id).revokedAt).toEqual(expect.any(String));
    });

    it("another user's key is 404 and stays valid", async () => {
      const bobKey = await t.db.apiKey.findFirstOrThrow({ where: { userId: bob.id } });
      mockSession(alice.id);
      await expectError(await revokeKey(req("DELETE", `/api/v1/api-keys/${bobKey.id}`), ctx({ id: bobKey.id })), 404, "not_found");
      mockSession(null);
      expect((await listSitemaps(req("GET", "/api/v1/sitemaps", { key: bob.key }), ctx())).status).toBe(200);
    });

    it("API keys can't manage keys: 403 forbidden (with rate-limit headers); no credentials: 401", async () => {
      const viaKey = await createKey(req("POST", "/api/v1/api-keys", { key: alice.key, body: { name: "x" } }), ctx());
      expectRateLimitHeaders(viaKey);
      await expectError(viaKey, 403, "forbidden");
      await expectError(await listKeys(req("GET", "/api/v1/api-keys", { key: alice.key }), ctx()), 403, "forbidden");
      const k = await t.db.apiKey.findFirstOrThrow({ where: { userId: alice.id } });
      await expectError(await revokeKey(req("DELETE", `/api/v1/api-keys/${k.id}`, { key: alice.key }), ctx({ id: k.id })), 403, "forbidden");
      await expectError(await listKeys(req("GET", "/api/v1/api-keys"), ctx()), 401, "unauthorized");
    });

    it("POST validation: 422 missing/invalid/unknown name fields, 415, 400", async () => {
      mockSession(alice.id);
      await expectError(await post({}), 422, "missing", "name");
      await expectError(await post({ name: "" }), 422, "invalid_value", "name");
      await expectError(await post({ name: "x".repeat(101) }), 422, "invalid_value", "name");
      await expectError(await post({ name: "x", admin: true }), 422, "unknown_field", "admin");
      const text = req("POST", "/api/v1/api-keys", { raw: "x", headers: { ...ORIGIN, "content-type": "text/plain" } });
      await expectError(await createKey(text, ctx()), 415, "unsupported_media_type");
      const bad = req("POST", "/api/v1/api-keys", { raw: "{", headers: { ...ORIGIN, "content-type": "application/json" } });
      await expectError(await createKey(bad, ctx()), 400, "syntax_error");
    });

    it("a cross-site POST with the session cookie is refused (403) and creates nothing", async () => {
      mockSession(alice.id);
      const before = await t.db.apiKey.count({ where: { userId: alice.id } });
      const res = await createKey(req("POST", "/api/v1/api-keys", { body: { name: "evil" }, headers: { origin: "https://evil.example" } }), ctx());
      await expectError(res, 403, "forbidden");
      expect(await t.db.apiKey.count({ where: { userId: alice.id } })).toBe(before);
    });
  });
}
