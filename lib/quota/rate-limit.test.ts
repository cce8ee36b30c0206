import { describe, expect, it } from "vitest";
import { readUsageCounter } from "@/lib/db/usage";
import { setUsageCounter } from "@/tests/helpers/usage";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { consumeLimit, consumeRateLimit, peekLimit, releaseLimit, windowOf } from "./rate-limit";

const t0 = Date.parse("2030-01-01T00:00:15Z");

for (const backend of testBackends()) {
  describe(`fixed-window limits on database counters (${backend.name})`, () => {
    useTestDb(backend);

    it("allows `limit` requests per window, then refuses without counting, until the window ends", async () => {
      const results = [];
      for (let i = 0; i < 5; i++) results.push(await consumeRateLimit("k", { limit: 3, windowSec: 60 }, t0 + i * 1000));
      expect(results.map((r) => r.ok)).toEqual([true, true, true, false, false]);
      expect(results.map((r) => r.remaining)).toEqual([2, 1, 0, 0, 0]);
      expect(results[0]).toMatchObject({ limit: 3, reset: Date.parse("2030-01-01T00:01:00Z") / 1000 });
      expect(results[3].retryAfter).toBe(42); // 00:00:18 → 00:01:00
      expect(await peekLimit("k", 60, t0)).toBe(3); // refused requests were not counted
      const next = await consumeRateLimit("k", { limit: 3, windowSec: 60 }, Date.parse("2030-01-01T00:01:00Z"));
      expect(next).toMatchObject({ ok: true, remaining: 2 });
    });

    it("subjects are independent; Retry-After is at least 1 s", async () => {
      for (let i = 0; i < 3; i++) await consumeRateLimit("a", { limit: 3, windowSec: 60 }, t0);
      expect((await consumeRateLimit("b", { limit: 3, windowSec: 60 }, t0)).ok).toBe(true);
      const late = await consumeRateLimit("a", { limit: 3, windowSec: 60 }, Date.parse("2030-01-01T00:00:59.900Z"));
      expect(late).toMatchObject({ ok: false, retryAfter: 1 });
    });

    it("50 concurrent requests with 10 left: exactly 10 succeed and the counter ends at the limit", async () => {
      const { start } = windowOf(60, t0);
      await setUsageCounter({ subject: "c", window: "minute", start, count: 90 });
      const results = await Promise.all(Array.from({ length: 50 }, () => consumeLimit("c", 60, 100, t0)));
      expect(results.filter((r) => r.ok)).toHaveLength(10);
      expect(await readUsageCounter({ subject: "c", window: "minute", start })).toBe(100);
    });

    it("day windows are UTC days; unlimited (null) still counts; releaseLimit gives one back", async () => {
      const r = await consumeLimit("d", 86_400, null, t0);
      expect(r).toMatchObject({ ok: true, limit: null, remaining: null, used: 1, reset: Date.parse("2030-01-02T00:00:00Z") / 1000 });
      expect(r.counter).toMatchObject({ window: "day", start: new Date("2030-01-01T00:00:00Z") });
      await releaseLimit(r);
      expect(await peekLimit("d", 86_400, t0)).toBe(0);
      await releaseLimit(r); // never below zero
      expect(await peekLimit("d", 86_400, t0)).toBe(0);
    });

    it("a new minute window prunes the subject's older minute windows", async () => {
      await consumeLimit("p", 60, 5, t0);
      await consumeLimit("p", 60, 5, t0 + 120_000);
      expect(await readUsageCounter({ subject: "p", window: "minute", start: windowOf(60, t0).start })).toBe(0);
      expect(await peekLimit("p", 60, t0 + 120_000)).toBe(1);
    });
  });
}
