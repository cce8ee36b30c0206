import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next-auth", async (orig) => ({ ...(await orig<typeof import("next-auth")>()), getServerSession: vi.fn(async () => null) }));

import { GET as unknownRoute } from "@/app/api/v1/[...path]/route";
import { GET as list } from "@/app/api/v1/sitemaps/route";
import { authenticate } from "@/lib/auth/authenticate";
import { generateApiKey, hashApiKey } from "@/lib/auth/keys";
import { setDb, type Db } from "@/lib/db/client";
import { revokeApiKey } from "@/lib/db/api-keys";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { ctx, expectError, expectRateLimitHeaders, mockSession, req, seedUser } from "./helpers";

afterEach(() => {
  mockSession(null);
  vi.unstubAllEnvs();
  vi.useRealTimers();
});

const listWith = (headers: Record<string, string>) => list(req("GET", "/api/v1/sitemaps", { headers }), ctx());

for (const backend of testBackends()) {
  describe(`authentication on ${backend.name}`, () => {
    const t = useTestDb(backend);
    let alice: Awaited<ReturnType<typeof seedUser>>;
    beforeAll(async () => {
      alice = await seedUser();
    });

    it("a valid key → 200 with X-Request-Id and X-RateLimit-*", async () => {
      const res = await listWith({ authorization: `Bearer ${alice.key}` });
      expect(res.status).toBe(200);
      expect(res.headers.get("x-request-id")).toMatch(/^req_/);
      expectRateLimitHeaders(res);
    });

    it("missing, malformed, mistyped, unknown and revoked keys get the same 401 with WWW-Authenticate and the failed-auth limit", async () => {
      const { key: revoked } = await seedUser().then(async (u) => {
        await revokeApiKey({ userId: u.id, keyId: (await t.db.apiKey.findFirstOrThrow({ where: { userId: u.id } })).id });
        return u;
      });
      const typo = alice.key.slice(0, 10) + (alice.key[10] === "a" ? "b" : "a") + alice.key.slice(11);
      const cases: Record<string, Record<string, string>> = {
        missing: {},
        "empty header": { authorization: "" },
        "Basic scheme": { authorization: `Basic ${Buffer.from("a:b").toString("base64")}` },
        "Bearer without key": { authorization: "Bearer" },
        "not our format": { authorization: "Bearer ghp_abcdefghijklmnopqrstuvwxyz0123456789" },
        "key without prefix": { authorization: `Bearer ${alice.key.slice(4)}` },
        "mistyped key": { authorization: `Bearer ${typo}` },
        "unknown key": { authorization: `Bearer ${generateApiKey().key}` },
        "revoked key": { authorization: `Bearer ${revoked}` },
      };
      const bodies = new Set<string>();
      for (const [name, headers] of Object.entries(cases)) {
        const res = await listWith(headers);
        const err = await expectError(res, 401, "unauthorized").catch((e) => {
          throw new Error(`${name}: ${e.message}`);
        });
        // RFC 6750 §3: no error code when no Bearer token was sent; invalid_token when one was.
        const sent = /^Bearer \S/.test(headers.authorization ?? "");
        expect(res.headers.get("www-authenticate"), name).toBe(sent ? 'Bearer error="invalid_token"' : "Bearer");
        expect(res.headers.get("x-ratelimit-limit"), name).toBe("100000"); // FAILED_AUTH_LIMIT_PER_MINUTE of vitest.config.ts
        expect(res.headers.get("x-ratelimit-reset"), name).toMatch(/^\d{10}$/);
        bodies.add(JSON.stringify({ ...err, request_id: undefined }));
      }
      expect(bodies.size).toBe(1);
    });

    it("a key with a bad checksum is rejected without touching the database", async () => {
      const typo = alice.key.slice(0, -1) + (alice.key.endsWith("a") ? "b" : "a");
      const tripwire = new Proxy({}, { get: () => { throw new Error("database touched"); } }) as Db;
      setDb(tripwire);
      try {
        const r = new Request("http://localhost/api/v1/sitemaps", { headers: { authorization: `Bearer ${typo}` } });
        await expect(authenticate(r)).rejects.toMatchObject({ code: "unauthorized" });
        // The tripwire is armed: a well-formed key does reach the database.
        await expect(authenticate(new Request("http://localhost/", { headers: { authorization: `Bearer ${generateApiKey().key}` } }))).rejects.toThrow(
          "database touched",
        );
      } finally {
        setDb(t.db);
      }
    });

    it("revoking a key takes effect on its next request", async () => {
      const u = await seedUser();
      expect((await listWith({ authorization: `Bearer ${u.key}` })).status).toBe(200);
      const row = await t.db.apiKey.findFirstOrThrow({ where: { hash: hashApiKey(u.key) } });
      await revokeApiKey({ userId: u.id, keyId: row.id });
      await expectError(await listWith({ authorization: `Bearer ${u.key}` }), 401, "unauthorized");
    });

    it("a key revoked by another instance (a direct write to the database) stops authenticating within 1 s", async () => {
      vi.useFakeTimers({ toFake: ["Date"] });
      const t0 = Date.parse("2030-01-02T00:00:00.000Z");
      vi.setSystemTime(t0);
      const u = await seedUser();
      const key = { authorization: `Bearer ${u.key}` };
      expect((await listWith(key)).status).toBe(200); // looked up, now in this process's key cache
      await t.db.apiKey.updateMany({ where: { hash: hashApiKey(u.key) }, data: { revokedAt: new Date(t0) } });
      vi.setSystemTime(t0 + 999);
      expect((await listWith(key)).status).toBe(200); // the cache entry is 999 ms old: still used
      vi.setSystemTime(t0 + 1000);
      await expectError(await listWith(key), 401, "unauthorized");
    });

    it("a plan change is seen once the cache entry expires (1 s)", async () => {
      vi.useFakeTimers({ toFake: ["Date"] });
      const t0 = Date.parse("2030-01-03T00:00:00.000Z");
      vi.setSystemTime(t0);
      const u = await seedUser();
      const key = { authorization: `Bearer ${u.key}` };
      expect((await listWith(key)).headers.get("x-ratelimit-limit")).toBe("60");
      await t.db.user.update({ where: { id: u.id }, data: { plan: "professional" } });
      vi.setSystemTime(t0 + 1000);
      expect((await listWith(key)).headers.get("x-ratelimit-limit")).toBe("300");
    });

    it("records lastUsedAt at most once a minute, also past the key cache's 1 s", async () => {
      vi.useFakeTimers({ toFake: ["Date"] });
      const t0 = new Date("2030-01-01T00:00:10.000Z");
      vi.setSystemTime(t0);
      const u = await seedUser();
      const lastUsed = async () => (await t.db.apiKey.findFirstOrThrow({ where: { hash: hashApiKey(u.key) } })).lastUsedAt;
      expect(await lastUsed()).toBeNull();
      const at = async (ms: number) => {
        vi.setSystemTime(t0.getTime() + ms);
        expect((await listWith({ authorization: `Bearer ${u.key}` })).status).toBe(200);
        return lastUsed();
      };
      expect(await at(0)).toEqual(t0);
      expect(await at(500)).toEqual(t0); // from the key cache: no statement reads or writes the key
      expect(await at(30_000)).toEqual(t0); // cache expired: the key is looked up again, but it was used < 1 min ago
      expect(await at(59_999)).toEqual(t0);
      expect(await at(60_000)).toEqual(t0); // 1 ms after the last lookup: from the cache
      expect(await at(61_000)).toEqual(new Date(t0.getTime() + 61_000)); // looked up again, last use ≥ 1 min ago: written
      vi.useRealTimers();
    });

    it("an Authorization header wins over a session: a bad key is 401 even when signed in", async () => {
      mockSession(alice.id);
      expect((await listWith({})).status).toBe(200);
      await expectError(await listWith({ authorization: "Bearer nope" }), 401, "unauthorized");
    });

    it("a session of a deleted user is 401", async () => {
      const u = await seedUser();
      mockSession(u.id);
      expect((await listWith({})).status).toBe(200);
      await t.db.user.delete({ where: { id: u.id } });
      await expectError(await listWith({}), 401, "unauthorized");
    });

    it("429 with Retry-After once the per-minute limit is used up; headers count down; other principals unaffected", async () => {
      vi.useFakeTimers({ toFake: ["Date"] });
      vi.setSystemTime(new Date("2030-01-01T00:00:10.000Z"));
      vi.stubEnv("API_RATE_LIMIT_PER_MINUTE", "3");
      const u = await seedUser();
      const auth = { authorization: `Bearer ${u.key}` };
      const remaining: string[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await listWith(auth);
        expect(res.status).toBe(200);
        expect(res.headers.get("retry-after")).toBeNull();
        remaining.push(res.headers.get("x-ratelimit-remaining")!);
      }
      expect(remaining).toEqual(["2", "1", "0"]);
      const limited = await listWith(auth);
      expect(limited.headers.get("retry-after")).toBe("50");
      expect(limited.headers.get("x-ratelimit-limit")).toBe("3");
      expect(limited.headers.get("x-ratelimit-remaining")).toBe("0");
      expect(limited.headers.get("x-ratelimit-reset")).toBe(String(Date.parse("2030-01-01T00:01:00Z") / 1000));
      await expectError(limited, 429, "rate_limited");
      expect((await listWith({ authorization: `Bearer ${alice.key}` })).status).toBe(200);
      vi.setSystemTime(new Date("2030-01-01T00:01:00.000Z"));
      expect((await listWith(auth)).status).toBe(200);
    });

    it("unknown /api/v1 paths answer the error envelope", async () => {
      const res = await unknownRoute(req("GET", "/api/v1/nope"), ctx({ path: ["nope"] } as never));
      await expectError(res, 404, "not_found");
      const op = await unknownRoute(req("POST", "/api/v1/sitemaps/abc/frobnicate"), ctx({ path: ["sitemaps", "abc", "frobnicate"] } as never));
      const err = await expectError(op, 400, "unknown_operation");
      expect(err.message).toContain('/api/v1/sitemaps/{id} has no operation "frobnicate"');
      await expectError(await unknownRoute(req("GET", "/api/v1/nope/deeper/still"), ctx({ path: ["nope"] } as never)), 404, "not_found");
    });

    it("unexpected errors are a bare 500 internal_error; details go to the log only", async () => {
      const log = vi.spyOn(console, "error").mockImplementation(() => {});
      const broken = new Proxy({}, { get: () => { throw new Error("secret connection string postgres://u:pw@db"); } }) as Db;
      setDb(broken);
      try {
        const res = await listWith({ authorization: `Bearer ${alice.key}` });
        const text = await res.clone().text();
        await expectError(res, 500, "internal_error");
        expect(text).not.toContain("postgres://");
        expect(log).toHaveBeenCalled();
        expect(String(log.mock.calls[0])).toContain(res.headers.get("x-request-id")!);
      } finally {
        setDb(t.db);
        log.mockRestore();
      }
    });
  });
}
