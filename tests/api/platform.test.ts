/**
 * The API platform through the real route handlers and withApiAuth: plans and limits on database counters (exact
 * under concurrency), key scopes, GET /usage with crawl credits, Idempotency-Key, 405.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next-auth", async (orig) => ({ ...(await orig<typeof import("next-auth")>()), getServerSession: vi.fn(async () => null) }));

import { POST as createKey } from "@/app/api/v1/api-keys/route";
import { DELETE as deleteOnCollection, GET as listSitemaps, POST as createSitemap } from "@/app/api/v1/sitemaps/route";
import { GET as readSitemap } from "@/app/api/v1/sitemaps/[id]/route";
import { POST as generate } from "@/app/api/v1/sitemaps/[id]/generate/route";
import { GET as usage, POST as postUsage } from "@/app/api/v1/usage/route";
import { issueApiKey } from "@/lib/auth/issue-api-key";
import { hashApiKey } from "@/lib/auth/keys";
import { readUsageCounter } from "@/lib/db/usage";
import { setUsageCounter } from "@/tests/helpers/usage";
import { debitRunCredits, runCost } from "@/lib/quota/credits";
import { windowOf } from "@/lib/quota/rate-limit";
import { ZCreatedApiKeyDto } from "@/lib/schemas/api-keys";
import { ZUsageDto } from "@/lib/schemas/usage";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { ctx, expectError, expectRateLimitHeaders, mockSession, req, seedUser, sitemapBody } from "./helpers";

afterEach(() => {
  mockSession(null);
  vi.unstubAllEnvs();
});

const ORIGIN = { origin: "http://localhost:3000" };
const list = (key: string) => listSitemaps(req("GET", "/api/v1/sitemaps", { key }), ctx());
const post = (key: string, body: unknown, headers?: Record<string, string>) =>
  createSitemap(req("POST", "/api/v1/sitemaps", { key, body, headers }), ctx());

for (const backend of testBackends()) {
  describe(`API platform on ${backend.name}`, () => {
    const t = useTestDb(backend);
    let alice: Awaited<ReturnType<typeof seedUser>>;
    beforeAll(async () => {
      alice = await seedUser();
    });
    const keyId = async (key: string) => (await t.db.apiKey.findFirstOrThrow({ where: { hash: hashApiKey(key) } })).id;
    const minuteCounter = async (key: string) => ({ subject: `key:${await keyId(key)}`, window: "minute", start: windowOf(60, Date.now()).start });
    const dayCounter = (userId: string) => ({ subject: `user:${userId}`, window: "day", start: windowOf(86_400, Date.now()).start });

    describe("plans and limits", () => {
      it("defaults to Starter: X-RateLimit-Limit 60 (per minute), X-Quota-Limit 1000 (per UTC day) on every authenticated response", async () => {
        const u = await seedUser();
        const res = await list(u.key);
        expect(res.status).toBe(200);
        expectRateLimitHeaders(res);
        expect(res.headers.get("x-ratelimit-limit")).toBe("60");
        expect(res.headers.get("x-ratelimit-remaining")).toBe("59");
        expect(res.headers.get("x-quota-limit")).toBe("1000");
        expect(res.headers.get("x-quota-remaining")).toBe("999");
        expect(Number(res.headers.get("x-quota-reset")) * 1000).toBe(windowOf(86_400, Date.now()).resetMs);
        // errors of authenticated calls carry them too
        const notFound = await readSitemap(req("GET", "/api/v1/sitemaps/nope", { key: u.key }), ctx({ id: "nope" }));
        expect(notFound.status).toBe(404);
        expectRateLimitHeaders(notFound);
      });

      it("Enterprise: 1000 per minute, unlimited day (no X-Quota-* headers, calls still counted); PLAN_LIMITS overrides", async () => {
        const u = await seedUser();
        await t.db.user.update({ where: { id: u.id }, data: { plan: "enterprise" } });
        let res = await list(u.key);
        expect(res.headers.get("x-ratelimit-limit")).toBe("1000");
        expect(res.headers.get("x-quota-limit")).toBeNull();
        expect(await readUsageCounter(dayCounter(u.id))).toBe(1);
        vi.stubEnv("PLAN_LIMITS", JSON.stringify({ enterprise: { perMinute: 5, perDay: 2 } }));
        res = await list(u.key);
        expect([res.headers.get("x-ratelimit-limit"), res.headers.get("x-quota-limit"), res.headers.get("x-quota-remaining")]).toEqual(["5", "2", "0"]);
      });

      it("50 parallel requests with 10 left in the minute → exactly 10 succeed, 40 get 429 + Retry-After, nothing else counted", async () => {
        const u = await seedUser();
        await list(u.key); // creates the key's counter rows
        const minute = await minuteCounter(u.key);
        await setUsageCounter({ ...minute, count: 50 }); // Starter: 60 per minute → 10 left
        const dayBefore = await readUsageCounter(dayCounter(u.id));
        const results = await Promise.all(Array.from({ length: 50 }, () => list(u.key)));
        const statuses = results.map((r) => r.status);
        expect(statuses.filter((s) => s === 200)).toHaveLength(10);
        expect(statuses.filter((s) => s === 429)).toHaveLength(40);
        for (const r of results) {
          expectRateLimitHeaders(r);
          if (r.status === 429) {
            expect(Number(r.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
            expect(Number(r.headers.get("retry-after"))).toBeLessThanOrEqual(60);
            expect(r.headers.get("x-ratelimit-remaining")).toBe("0");
            await expectError(r, 429, "rate_limited");
          } else {
            expect(r.headers.get("retry-after")).toBeNull();
          }
        }
        expect(await readUsageCounter(minute)).toBe(60);
        expect(await readUsageCounter(dayCounter(u.id))).toBe(dayBefore + 10); // refused calls are not counted
      });

      it("50 parallel requests with 10 left in the day → exactly 10 succeed, 40 get 403 quota_exceeded; minute slots given back", async () => {
        vi.stubEnv("PLAN_LIMITS", JSON.stringify({ starter: { perMinute: 1000, perDay: 100 } }));
        const u = await seedUser();
        await list(u.key);
        const minute = await minuteCounter(u.key);
        await setUsageCounter({ ...dayCounter(u.id), count: 90 });
        const minuteBefore = await readUsageCounter(minute);
        const results = await Promise.all(Array.from({ length: 50 }, () => list(u.key)));
        const statuses = results.map((r) => r.status);
        expect(statuses.filter((s) => s === 200)).toHaveLength(10);
        expect(statuses.filter((s) => s === 403)).toHaveLength(40);
        for (const r of results.filter((r) => r.status === 403)) {
          expect(r.headers.get("x-quota-remaining")).toBe("0");
          expect(r.headers.get("retry-after")).toBeNull();
          expectRateLimitHeaders(r);
          await expectError(r, 403, "quota_exceeded");
        }
        expect(await readUsageCounter(dayCounter(u.id))).toBe(100);
        expect(await readUsageCounter(minute)).toBe(minuteBefore + 10);
      });

      it("a refused POST writes nothing", async () => {
        const u = await seedUser();
        await list(u.key);
        await setUsageCounter({ ...(await minuteCounter(u.key)), count: 60 });
        await expectError(await post(u.key, sitemapBody()), 429, "rate_limited");
        expect(await t.db.sitemap.count({ where: { userId: u.id } })).toBe(0);
      });
    });

    describe("scopes", () => {
      it("a read-only key may GET but not POST/generate (403 forbidden naming the scope, with rate-limit headers)", async () => {
        const { key } = await issueApiKey({ userId: alice.id, name: "ro", scopes: ["read"] });
        expect((await list(key)).status).toBe(200);
        const res = await post(key, sitemapBody());
        expectRateLimitHeaders(res);
        const err = await expectError(res, 403, "forbidden");
        expect(err.message).toContain('"write"');
        const writer = await issueApiKey({ userId: alice.id, name: "rw", scopes: ["read", "write"] });
        const created = await post(writer.key, sitemapBody());
        expect(created.status).toBe(201);
        const id = (await created.json()).data.id;
        await expectError(await generate(req("POST", `/api/v1/sitemaps/${id}/generate`, { key: writer.key }), ctx({ id })), 403, "forbidden");
        await expectError(await readSitemap(req("GET", `/api/v1/sitemaps/${id}`, { key: (await issueApiKey({ userId: alice.id, name: "g", scopes: ["generate"] })).key }), ctx({ id })), 403, "forbidden");
      });

      it("POST /api-keys takes scopes (default all); the DTO shows them; bad lists are 422", async () => {
        mockSession(alice.id);
        const mk = (body: unknown) => createKey(req("POST", "/api/v1/api-keys", { body, headers: ORIGIN }), ctx());
        const all = ZCreatedApiKeyDto.parse((await (await mk({ name: "all" })).json()).data);
        expect(all.scopes).toEqual(["read", "write", "generate", "submit", "templates"]);
        const some = ZCreatedApiKeyDto.parse((await (await mk({ name: "some", scopes: ["read", "generate"] })).json()).data);
        expect(some.scopes).toEqual(["read", "generate"]);
        expect((await t.db.apiKey.findUniqueOrThrow({ where: { id: some.id } })).scopes).toEqual(["read", "generate"]);
        await expectError(await mk({ name: "x", scopes: ["admin"] }), 422, "invalid_value", "scopes.0");
        await expectError(await mk({ name: "x", scopes: [] }), 422, "invalid_value", "scopes");
        await expectError(await mk({ name: "x", scopes: ["read", "read"] }), 422, "invalid_value", "scopes.1");
        await expectError(await mk({ name: "x", scopes: "read" }), 422, "invalid_value", "scopes");
      });

      it("sessions hold every scope; they have their own per-minute limit (600) and do not spend the daily quota", async () => {
        const u = await seedUser();
        mockSession(u.id);
        const res = await createSitemap(req("POST", "/api/v1/sitemaps", { body: sitemapBody(), headers: ORIGIN }), ctx());
        expect(res.status).toBe(201);
        expect(res.headers.get("x-ratelimit-limit")).toBe("600");
        expect(res.headers.get("x-quota-limit")).toBeNull();
        expect(await readUsageCounter(dayCounter(u.id))).toBe(0);
      });
    });

    describe("usage and credits", () => {
      it("runCost: 1 credit per 100 pages fetched, rounded up, at least 1", () => {
        expect([0, 1, 100, 101, 250, 10_000].map(runCost)).toEqual([1, 1, 1, 2, 3, 100]);
      });

      it("GET /usage: plan, today's calls (this one included), quota, per-minute limit, the plan table, credits and lastCost", async () => {
        const u = await seedUser();
        await list(u.key);
        let res = await usage(req("GET", "/api/v1/usage", { key: u.key }), ctx());
        expect(res.status).toBe(200);
        expectRateLimitHeaders(res);
        let dto = ZUsageDto.strict().parse((await res.json()).data);
        expect(dto).toMatchObject({ plan: "starter", callsToday: 2, dailyQuota: 1000, remainingToday: 998, ratePerMinute: 60 });
        expect(dto.quotaResetsAt).toBe(new Date(windowOf(86_400, Date.now()).resetMs).toISOString());
        expect(dto.plans).toEqual([
          { plan: "starter", ratePerMinute: 60, dailyQuota: 1000 },
          { plan: "professional", ratePerMinute: 300, dailyQuota: 25000 },
          { plan: "enterprise", ratePerMinute: 1000, dailyQuota: null },
        ]);
        expect(dto.credits).toEqual({ balance: 1000, pagesPerCredit: 100, lastCost: null });

        const first = await debitRunCredits({ userId: u.id, runId: "run_a", pagesFetched: 250 });
        expect(first).toEqual({ runId: "run_a", cost: 3, balance: 997, alreadyDebited: false });
        res = await usage(req("GET", "/api/v1/usage", { key: u.key }), ctx());
        dto = ZUsageDto.parse((await res.json()).data);
        expect(dto.credits).toMatchObject({ balance: 997, lastCost: { runId: "run_a", credits: 3 } });
      });

      it("debitRunCredits is idempotent per run, also when called concurrently; the ledger has one row", async () => {
        const u = await seedUser();
        const results = await Promise.all(Array.from({ length: 5 }, () => debitRunCredits({ userId: u.id, runId: "run_x", pagesFetched: 0 })));
        expect(results.filter((r) => !r.alreadyDebited)).toHaveLength(1);
        expect(results.every((r) => r.cost === 1)).toBe(true);
        expect((await t.db.user.findUniqueOrThrow({ where: { id: u.id } })).creditBalance).toBe(999);
        expect(await t.db.creditEntry.count({ where: { userId: u.id, runId: "run_x" } })).toBe(1);
      });

      it("generate is refused with 403 quota_exceeded when no credits are left; no run is created", async () => {
        const u = await seedUser();
        const id = (await (await post(u.key, sitemapBody())).json()).data.id;
        await t.db.user.update({ where: { id: u.id }, data: { creditBalance: 0 } });
        await expectError(await generate(req("POST", `/api/v1/sitemaps/${id}/generate`, { key: u.key }), ctx({ id })), 403, "quota_exceeded");
        expect(await t.db.run.count({ where: { sitemapId: id } })).toBe(0);
      });

      it("405 with the envelope and Allow for a method the route does not serve", async () => {
        const res = await postUsage(req("POST", "/api/v1/usage", { key: alice.key }), ctx());
        expect(res.headers.get("allow")).toBe("GET");
        await expectError(res, 405, "method_not_allowed");
        const del = await deleteOnCollection(req("DELETE", "/api/v1/sitemaps"), ctx());
        expect(del.headers.get("allow")).toBe("GET, POST");
        await expectError(del, 405, "method_not_allowed");
      });
    });

    describe("Idempotency-Key", () => {
      it("same key + same request → the stored 201 replayed (Idempotent-Replayed: true) and one sitemap", async () => {
        const u = await seedUser();
        const body = sitemapBody();
        const first = await post(u.key, body, { "idempotency-key": "k-1" });
        expect(first.status).toBe(201);
        expect(first.headers.get("idempotent-replayed")).toBeNull();
        const firstBody = await first.json();
        const second = await post(u.key, body, { "idempotency-key": "k-1" });
        expect(second.status).toBe(201);
        expect(second.headers.get("idempotent-replayed")).toBe("true");
        expect(second.headers.get("location")).toBe(first.headers.get("location"));
        expect(second.headers.get("content-type")).toContain("application/json");
        expectRateLimitHeaders(second);
        expect(await second.json()).toEqual(firstBody);
        expect(await t.db.sitemap.count({ where: { userId: u.id } })).toBe(1);
        // without the key, the same body is a new request: duplicate fileName
        await expectError(await post(u.key, body), 409, "duplicate_entry", "fileName");
      });

      it("same key + different request → 422 idempotency_key_reused; nothing written", async () => {
        const u = await seedUser();
        expect((await post(u.key, sitemapBody(), { "idempotency-key": "k-2" })).status).toBe(201);
        await expectError(await post(u.key, sitemapBody(), { "idempotency-key": "k-2" }), 422, "idempotency_key_reused", "Idempotency-Key");
        expect(await t.db.sitemap.count({ where: { userId: u.id } })).toBe(1);
      });

      it("10 concurrent duplicates → one row, every answer the same 201", async () => {
        const u = await seedUser();
        const body = sitemapBody();
        const results = await Promise.all(Array.from({ length: 10 }, () => post(u.key, body, { "idempotency-key": "k-3" })));
        expect(results.map((r) => r.status)).toEqual(Array(10).fill(201));
        const ids = new Set(await Promise.all(results.map(async (r) => (await r.json()).data.id)));
        expect(ids.size).toBe(1);
        expect(results.filter((r) => r.headers.get("idempotent-replayed") === "true")).toHaveLength(9);
        expect(await t.db.sitemap.count({ where: { userId: u.id } })).toBe(1);
        expect(await t.db.idempotencyRecord.count({ where: { userId: u.id } })).toBe(1);
      });

      it("keys are per account; error answers are not stored; after 24 h a key runs again; malformed keys are 422", async () => {
        const u = await seedUser();
        const v = await seedUser();
        const body = sitemapBody();
        expect((await post(u.key, body, { "idempotency-key": "shared" })).status).toBe(201);
        const other = await post(v.key, body, { "idempotency-key": "shared" });
        expect([other.status, other.headers.get("idempotent-replayed")]).toEqual([201, null]);

        await expectError(await post(u.key, { name: "x" }, { "idempotency-key": "bad-body" }), 422, "missing", "startUrl");
        const fixed = await post(u.key, sitemapBody(), { "idempotency-key": "bad-body" }); // the key is free again
        expect([fixed.status, fixed.headers.get("idempotent-replayed")]).toEqual([201, null]);

        await t.db.idempotencyRecord.updateMany({ where: { userId: u.id, key: "shared" }, data: { createdAt: new Date(Date.now() - 25 * 3600_000) } });
        await expectError(await post(u.key, body, { "idempotency-key": "shared" }), 409, "duplicate_entry", "fileName");

        await expectError(await post(u.key, sitemapBody(), { "idempotency-key": "has space" }), 422, "invalid_format", "Idempotency-Key");
        await expectError(await post(u.key, sitemapBody(), { "idempotency-key": "x".repeat(256) }), 422, "invalid_format", "Idempotency-Key");
      });

      it("a request that fails with a 5xx is not stored, so a retry runs again", async () => {
        const u = await seedUser();
        const log = vi.spyOn(console, "error").mockImplementation(() => {});
        const spy = vi.spyOn(t.db.sitemap, "create").mockRejectedValueOnce(new Error("db down"));
        try {
          await expectError(await post(u.key, sitemapBody({ fileName: "retry-me" }), { "idempotency-key": "k-5" }), 500, "internal_error");
        } finally {
          spy.mockRestore();
          log.mockRestore();
        }
        const retry = await post(u.key, sitemapBody({ fileName: "retry-me" }), { "idempotency-key": "k-5" });
        expect([retry.status, retry.headers.get("idempotent-replayed")]).toEqual([201, null]);
      });
    });
  });
}
