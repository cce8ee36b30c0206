import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueApiKey } from "@/lib/auth/issue-api-key";
import { hashApiKey } from "@/lib/auth/keys";
import { setUsageCounter } from "@/tests/helpers/usage";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { countKeyRequest, countRequest, type PlanRow } from "./api-requests";
import { createDb, type Db } from "./client";
import { readUsageCounter } from "./usage";
import { createUser } from "./users";

const t0 = Date.parse("2030-01-01T00:00:15Z");
const minuteStart = new Date("2030-01-01T00:00:00Z");
const dayStart = new Date("2030-01-01T00:00:00Z");
const PLANS: PlanRow[] = [
  { name: "starter", perMinute: 60, perDay: 1000 },
  { name: "professional", perMinute: 300, perDay: 25_000 },
  { name: "enterprise", perMinute: 1000, perDay: 2_147_483_647 },
];
const keyRequest = (hash: string, db?: Db) =>
  countKeyRequest({ hash, plans: PLANS, minutePrefix: "key:", dayPrefix: "user:", minuteStart, dayStart, now: new Date(t0), db });
let n = 0;

for (const backend of testBackends()) {
  describe(`one statement per API request (${backend.name})`, () => {
    const t = useTestDb(backend);
    const seed = async (plan = "starter") => {
      const u = await createUser({ email: `r${++n}-${backend.name}@example.com`, password: "password1" });
      await t.db.user.update({ where: { id: u.id }, data: { plan } });
      const k = await issueApiKey({ userId: u.id, name: "k", scopes: ["read"] });
      const minute = { subject: `key:${k.id}`, window: "minute", start: minuteStart };
      const day = { subject: `user:${u.id}`, window: "day", start: dayStart };
      return { u, k, hash: hashApiKey(k.key), minute, day };
    };

    it("countKeyRequest: finds the key, counts both windows by the owner's plan, touches lastUsedAt once a minute", async () => {
      const s = await seed("professional");
      expect(await keyRequest(s.hash)).toEqual({ id: s.k.id, userId: s.u.id, scopes: ["read"], plan: "professional", minute: 1, day: 1 });
      expect((await t.db.apiKey.findUniqueOrThrow({ where: { id: s.k.id } })).lastUsedAt).toEqual(new Date(t0));
      await t.db.apiKey.update({ where: { id: s.k.id }, data: { lastUsedAt: new Date(t0 - 30_000) } });
      expect(await keyRequest(s.hash)).toMatchObject({ minute: 2, day: 2 });
      expect((await t.db.apiKey.findUniqueOrThrow({ where: { id: s.k.id } })).lastUsedAt).toEqual(new Date(t0 - 30_000));
      // Professional's minute limit is 300: 299 used → one more, then refused, and the day is not counted.
      await setUsageCounter({ ...s.minute, count: 299 });
      expect(await keyRequest(s.hash)).toMatchObject({ minute: 300, day: 3 });
      expect(await keyRequest(s.hash)).toMatchObject({ minute: null, day: null });
      expect(await readUsageCounter(s.day)).toBe(3);
    });

    it("countKeyRequest: an unknown plan counts under the first row (starter); revoked and unknown keys count nothing", async () => {
      const s = await seed("gold");
      await setUsageCounter({ ...s.minute, count: 59 });
      expect(await keyRequest(s.hash)).toMatchObject({ plan: "gold", minute: 60 });
      expect(await keyRequest(s.hash)).toMatchObject({ minute: null });
      await t.db.apiKey.update({ where: { id: s.k.id }, data: { revokedAt: new Date() } });
      const dayBefore = await readUsageCounter(s.day);
      expect(await keyRequest(s.hash)).toBeNull();
      expect(await keyRequest(hashApiKey("sfk_unknown"))).toBeNull();
      expect(await readUsageCounter(s.day)).toBe(dayBefore);
    });

    it("countRequest: the day counter is tried only when the minute one allowed the request; either may be absent", async () => {
      const s = await seed();
      const minute = { ...s.minute, limit: 2 };
      const day = { ...s.day, limit: 3 };
      expect(await countRequest({ minute, day })).toEqual({ minute: 1, day: 1 });
      expect(await countRequest({ minute, day })).toEqual({ minute: 2, day: 2 });
      expect(await countRequest({ minute, day })).toEqual({ minute: null, day: null });
      expect(await countRequest({ minute: null, day })).toEqual({ minute: null, day: 3 });
      expect(await countRequest({ minute: null, day })).toEqual({ minute: null, day: null });
      expect(await countRequest({ minute: { ...minute, limit: 5 }, day: null })).toEqual({ minute: 3, day: null });
      expect([await readUsageCounter(s.minute), await readUsageCounter(s.day)]).toEqual([3, 3]);
    });
  });
}

// Two app instances on one PostgreSQL database: two Prisma clients, each with its own connection pool.
const pgBackend = testBackends().find((b) => b.name === "postgres");
describe.runIf(pgBackend)("one statement per API request, two clients on one PostgreSQL database", () => {
  const t = useTestDb(pgBackend!);
  let second: Db;
  beforeAll(() => {
    second = createDb(t.url).db;
  });
  afterAll(async () => {
    await second?.$disconnect();
  });
  const seed = async () => {
    const u = await createUser({ email: `two${++n}@example.com`, password: "password1" });
    const k = await issueApiKey({ userId: u.id, name: "k" });
    return {
      u, k, hash: hashApiKey(k.key),
      minute: { subject: `key:${k.id}`, window: "minute", start: minuteStart },
      day: { subject: `user:${u.id}`, window: "day", start: dayStart },
    };
  };
  // Half the calls on each client; on each, half look the key up (countKeyRequest), half are cache hits (countRequest).
  const call = (s: Awaited<ReturnType<typeof seed>>, i: number) => {
    const db = i % 2 === 0 ? t.db : second;
    return i % 4 < 2
      ? keyRequest(s.hash, db)
      : countRequest({ minute: { ...s.minute, limit: 60 }, day: { ...s.day, limit: 1000 }, db });
  };

  it("50 parallel requests with 10 left in the minute: exactly 10 counted in both windows", async () => {
    const s = await seed();
    await setUsageCounter({ ...s.minute, count: 50 });
    await setUsageCounter({ ...s.day, count: 100 });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => call(s, i)));
    expect(results.filter((r) => r!.minute !== null)).toHaveLength(10);
    expect(results.filter((r) => r!.day !== null)).toHaveLength(10);
    expect(await readUsageCounter(s.minute)).toBe(60);
    expect(await readUsageCounter(s.day)).toBe(110);
  });

  it("50 parallel requests with 10 left in the day: exactly 10 counted in the day; every one counted in the minute", async () => {
    const s = await seed();
    await setUsageCounter({ ...s.day, count: 990 });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => call(s, i)));
    expect(results.filter((r) => r!.day !== null)).toHaveLength(10);
    // The statement cannot undo the minute count of a request the day refused: the caller gives it back
    // (lib/quota/api-limits.ts); here nobody does, so all 50 stay counted in the minute.
    expect(results.filter((r) => r!.minute !== null)).toHaveLength(50);
    expect(await readUsageCounter(s.day)).toBe(1000);
    expect(await readUsageCounter(s.minute)).toBe(50);
  });
});
