import { describe, expect, it } from "vitest";
import { consumeRateLimit, createMemoryStore, setRateLimitStore } from "./rate-limit";

describe("fixed-window rate limit", () => {
  const policy = { limit: 3, windowSec: 60 };
  const t0 = Date.parse("2030-01-01T00:00:15Z");

  it("allows `limit` requests per window, then refuses until the window ends", async () => {
    setRateLimitStore(createMemoryStore());
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await consumeRateLimit("k", policy, t0 + i * 1000));
    expect(results.map((r) => r.ok)).toEqual([true, true, true, false, false]);
    expect(results.map((r) => r.remaining)).toEqual([2, 1, 0, 0, 0]);
    expect(results[0]).toMatchObject({ limit: 3, reset: Date.parse("2030-01-01T00:01:00Z") / 1000 });
    expect(results[3].retryAfter).toBe(42); // 00:00:18 → 00:01:00
    const next = await consumeRateLimit("k", policy, Date.parse("2030-01-01T00:01:00Z"));
    expect(next).toMatchObject({ ok: true, remaining: 2 });
  });

  it("keys are independent; Retry-After is at least 1 s", async () => {
    setRateLimitStore(createMemoryStore());
    for (let i = 0; i < 3; i++) await consumeRateLimit("a", policy, t0);
    expect((await consumeRateLimit("b", policy, t0)).ok).toBe(true);
    const late = await consumeRateLimit("a", policy, Date.parse("2030-01-01T00:00:59.900Z"));
    expect(late).toMatchObject({ ok: false, retryAfter: 1 });
  });

  it("concurrent hits within one process are counted exactly", async () => {
    setRateLimitStore(createMemoryStore());
    const results = await Promise.all(Array.from({ length: 50 }, () => consumeRateLimit("c", { limit: 10, windowSec: 60 }, t0)));
    expect(results.filter((r) => r.ok)).toHaveLength(10);
  });

  it("a key's count starts again from zero in the next window", async () => {
    const store = createMemoryStore();
    expect(await store.increment("k", 0, 60_000)).toBe(1);
    expect(await store.increment("k", 0, 60_000)).toBe(2);
    expect(await store.increment("k", 60_000, 60_000)).toBe(1);
  });
});
