import { afterEach, describe, expect, it, vi } from "vitest";

// Counts key lookups: the limiter must answer 429 without reaching this.
const lookups = vi.hoisted(() => ({ n: 0 }));
vi.mock("@/lib/db/api-requests", () => ({
  countKeyRequest: vi.fn(async () => {
    lookups.n++;
    return null;
  }),
  countRequest: vi.fn(),
}));

import { SOCKET_ADDRESS_HEADER } from "@/lib/api/client-ip";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { generateApiKey } from "./keys";
import { FailedAuthLimiter } from "./failed-auth-limiter";

afterEach(() => vi.unstubAllEnvs());

describe("FailedAuthLimiter", () => {
  it("blocks a bucket after `limit` failures until its window ends; peek counts nothing", () => {
    const l = new FailedAuthLimiter({ windowMs: 60_000, maxEntries: 10 });
    const t0 = Date.parse("2030-01-01T00:00:00.000Z");
    expect(l.peek("a", 2, t0)).toMatchObject({ blocked: false, remaining: 2 });
    expect(l.fail("a", 2, t0)).toMatchObject({ blocked: false, remaining: 1, reset: t0 / 1000 + 60, retryAfter: 60 });
    expect(l.peek("a", 2, t0 + 1000)).toMatchObject({ blocked: false, remaining: 1 });
    expect(l.fail("a", 2, t0 + 1000)).toMatchObject({ blocked: true, remaining: 0 });
    expect(l.peek("a", 2, t0 + 59_500)).toMatchObject({ blocked: true, retryAfter: 1, reset: t0 / 1000 + 60 });
    expect(l.peek("b", 2, t0 + 59_500).blocked).toBe(false);
    expect(l.peek("a", 2, t0 + 60_000)).toMatchObject({ blocked: false, remaining: 2 });
    expect(l.fail("a", 2, t0 + 60_000)).toMatchObject({ remaining: 1, reset: t0 / 1000 + 120 });
  });

  it("holds at most maxEntries buckets, dropping the oldest window first", () => {
    const l = new FailedAuthLimiter({ windowMs: 60_000, maxEntries: 3 });
    for (const [i, b] of ["a", "b", "c", "d"].entries()) {
      l.fail(b, 1, 1000 * i);
    }
    expect(l.size).toBe(3);
    expect(l.peek("a", 1, 4000).blocked).toBe(false); // dropped
    expect(["b", "c", "d"].map((b) => l.peek(b, 1, 4000).blocked)).toEqual([true, true, true]);
    // A window that restarts moves its bucket to the back of the line.
    l.fail("b", 1, 61_000);
    l.fail("e", 1, 61_500);
    expect(["b", "c", "d", "e"].map((b) => l.peek(b, 1, 61_600).blocked)).toEqual([true, false, true, true]);
  });
});

describe("withApiAuth and the failed-auth limit", () => {
  it("answers 429 before looking the key up: 300 made-up keys from one address cost `limit` lookups", async () => {
    vi.stubEnv("FAILED_AUTH_LIMIT_PER_MINUTE", "30");
    const route = withApiAuth(async () => Response.json({ data: "never" }));
    const statuses = new Map<number, number>();
    for (let i = 0; i < 300; i++) {
      const headers = { authorization: `Bearer ${generateApiKey().key}`, [SOCKET_ADDRESS_HEADER]: "192.0.2.7" };
      const res = await route(new Request("http://localhost/api/v1/sitemaps", { headers }), { params: Promise.resolve({}) });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
    expect(Object.fromEntries(statuses)).toEqual({ 401: 30, 429: 270 });
    expect(lookups.n).toBe(30);
  });
});
