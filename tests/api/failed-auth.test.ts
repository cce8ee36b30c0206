/**
 * The per-address limit on failed authentications (lib/auth/failed-auth-limiter.ts) in front of every route family,
 * the client address it counts under (lib/api/client-ip.ts, TRUST_PROXY), and the RFC 6750 `WWW-Authenticate` of
 * every 401, on the native API and the four adapters.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next-auth", async (orig) => ({ ...(await orig<typeof import("next-auth")>()), getServerSession: vi.fn(async () => null) }));

import { GET as list } from "@/app/api/v1/sitemaps/route";
import { POST as msgMethod } from "@/app/api/[method]/route";
import { POST as anqiImport } from "@/app/api/import/sitemap/route";
import { GET as shopList } from "@/app/api/shop/sitemaps/route";
import { GET as sxList } from "@/app/v1/sitemaps/route";
import { generateApiKey } from "@/lib/auth/keys";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { BASE, ctx, expectError, expectRateLimitHeaders, fromAddress, randomIp, req, seedUser } from "./helpers";

afterEach(() => {
  vi.unstubAllEnvs();
  vi.useRealTimers();
});

const bad = () => `Bearer ${generateApiKey().key}`; // well-formed, so a lookup would reach the database
const native = (headers: Record<string, string>) => list(req("GET", "/api/v1/sitemaps", { headers }), ctx());

for (const backend of testBackends()) {
  describe(`failed-authentication limit on ${backend.name}`, () => {
    useTestDb(backend);
    let alice: Awaited<ReturnType<typeof seedUser>>;
    beforeAll(async () => {
      alice = await seedUser();
    });

    it("N failures from one address → 401s counting down, then 429 + Retry-After; the window ends after 60 s", async () => {
      vi.useFakeTimers({ toFake: ["Date"] });
      vi.setSystemTime(new Date("2030-01-01T00:00:00.000Z"));
      vi.stubEnv("FAILED_AUTH_LIMIT_PER_MINUTE", "3");
      const ip = randomIp();
      const remaining: (string | null)[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await native(fromAddress(ip, { authorization: bad() }));
        await expectError(res, 401, "unauthorized");
        remaining.push(res.headers.get("x-ratelimit-remaining"));
        expect(res.headers.get("x-ratelimit-limit")).toBe("3");
        expect(res.headers.get("x-ratelimit-reset")).toBe(String(Date.parse("2030-01-01T00:01:00.000Z") / 1000));
      }
      expect(remaining).toEqual(["2", "1", "0"]);

      vi.setSystemTime(new Date("2030-01-01T00:00:20.000Z"));
      const res = await native(fromAddress(ip, { authorization: bad() }));
      const err = await expectError(res, 429, "rate_limited");
      expect(err.message).toMatch(/failed authentications/);
      expect(res.headers.get("retry-after")).toBe("40");
      expect(res.headers.get("x-ratelimit-remaining")).toBe("0");
      expect(res.headers.get("www-authenticate")).toBeNull();
      // A valid key from that address waits too: the limit is checked before any key is looked up.
      await expectError(await native(fromAddress(ip, { authorization: `Bearer ${alice.key}` })), 429, "rate_limited");

      vi.setSystemTime(new Date("2030-01-01T00:01:00.001Z"));
      expect((await native(fromAddress(ip, { authorization: `Bearer ${alice.key}` }))).status).toBe(200);
    });

    it("successful calls are not counted and other addresses are unaffected", async () => {
      vi.stubEnv("FAILED_AUTH_LIMIT_PER_MINUTE", "2");
      const ip = randomIp();
      await expectError(await native(fromAddress(ip, { authorization: bad() })), 401, "unauthorized");
      for (let i = 0; i < 5; i++) {
        const ok = await native(fromAddress(ip, { authorization: `Bearer ${alice.key}` }));
        expect(ok.status).toBe(200);
        expectRateLimitHeaders(ok);
        expect(ok.headers.get("x-ratelimit-limit")).toBe("60"); // the plan's limit again, not the failed-auth one
      }
      await expectError(await native(fromAddress(ip, { authorization: bad() })), 401, "unauthorized");
      await expectError(await native(fromAddress(ip, { authorization: bad() })), 429, "rate_limited");
      expect((await native(fromAddress(randomIp(), { authorization: `Bearer ${alice.key}` }))).status).toBe(200);
      await expectError(await native(fromAddress(randomIp(), { authorization: bad() })), 401, "unauthorized");
    });

    it("counts the IPv6 /64, not the single address", async () => {
      vi.stubEnv("FAILED_AUTH_LIMIT_PER_MINUTE", "2");
      const net = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:1`;
      await expectError(await native(fromAddress(`${net}::1`, { authorization: bad() })), 401, "unauthorized");
      await expectError(await native(fromAddress(`${net}::2`, { authorization: bad() })), 401, "unauthorized");
      await expectError(await native(fromAddress(`${net}:ffff::3`, { authorization: bad() })), 429, "rate_limited");
      await expectError(await native(fromAddress(`${net.replace(/:1$/, ":2")}::1`, { authorization: bad() })), 401, "unauthorized");
    });

    it("a client's own X-Forwarded-For / X-Real-IP is ignored without TRUST_PROXY", async () => {
      vi.stubEnv("FAILED_AUTH_LIMIT_PER_MINUTE", "2");
      const ip = randomIp();
      for (const spoof of [{ "x-forwarded-for": randomIp() }, { "x-real-ip": randomIp() }] as Record<string, string>[]) {
        await expectError(await native(fromAddress(ip, { authorization: bad(), ...spoof })), 401, "unauthorized");
      }
      await expectError(await native(fromAddress(ip, { authorization: bad(), "x-forwarded-for": randomIp() })), 429, "rate_limited");
    });

    it("TRUST_PROXY=x-forwarded-for[:N] believes the N-th address from the right; x-real-ip its value", async () => {
      vi.stubEnv("FAILED_AUTH_LIMIT_PER_MINUTE", "1");
      const proxy = randomIp();
      vi.stubEnv("TRUST_PROXY", "x-forwarded-for");
      const a = randomIp();
      // What the client put in front of the list does not matter; the hop the proxy appended does.
      await expectError(await native(fromAddress(proxy, { authorization: bad(), "x-forwarded-for": `1.1.1.1, ${a}` })), 401, "unauthorized");
      await expectError(await native(fromAddress(proxy, { authorization: bad(), "x-forwarded-for": `2.2.2.2, ${a}` })), 429, "rate_limited");
      await expectError(await native(fromAddress(proxy, { authorization: bad(), "x-forwarded-for": `${a}, ${randomIp()}` })), 401, "unauthorized");

      vi.stubEnv("TRUST_PROXY", "x-forwarded-for:2");
      const b = randomIp();
      await expectError(await native(fromAddress(proxy, { authorization: bad(), "x-forwarded-for": `9.9.9.9, ${b}, ${randomIp()}` })), 401, "unauthorized");
      await expectError(await native(fromAddress(proxy, { authorization: bad(), "x-forwarded-for": `8.8.8.8, ${b}, ${randomIp()}` })), 429, "rate_limited");

      vi.stubEnv("TRUST_PROXY", "x-real-ip");
      const c = randomIp();
      await expectError(await native(fromAddress(proxy, { authorization: bad(), "x-real-ip": c, "x-forwarded-for": randomIp() })), 401, "unauthorized");
      await expectError(await native(fromAddress(proxy, { authorization: bad(), "x-real-ip": c, "x-forwarded-for": randomIp() })), 429, "rate_limited");
      // No trusted header (the request bypassed the proxy): the socket address counts.
      const direct = randomIp();
      await expectError(await native(fromAddress(direct, { authorization: bad() })), 401, "unauthorized");
      await expectError(await native(fromAddress(direct, { authorization: bad() })), 429, "rate_limited");
    });

    describe("every route family", () => {
      const form = (fields: Record<string, string>) => ({
        "content-type": "application/x-www-form-urlencoded",
        body: new URLSearchParams(fields).toString(),
      });
      const families: {
        name: string;
        call: (ip: string, key: string | null) => Promise<Response>;
        status401: number | null;
        status429: number;
        body429: (b: any) => void;
        /** X-RateLimit-Limit of a known key (default "60", the plan's); null where the adapter has none. */
        minuteLimit?: string | null;
      }[] = [
        {
          name: "native /api/v1",
          call: (ip, key) => native(fromAddress(ip, key ? { authorization: `Bearer ${key}` } : {})),
          status401: 401,
          status429: 429,
          body429: (b) => expect(b.error.code).toBe("rate_limited"),
        },
        {
          name: "Sitemap.xml API /v1",
          call: (ip, key) => sxList(new Request(`${BASE}/v1/sitemaps`, { headers: fromAddress(ip, key ? { authorization: `Bearer ${key}` } : {}) }), ctx()),
          status401: 401,
          status429: 429,
          body429: (b) => expect(b.error).toMatchObject({ code: "rate_limit_exceeded", type: "rate_limit_error" }),
        },
        {
          name: "shop API",
          call: (ip, key) => shopList(new Request(`${BASE}/api/shop/sitemaps`, { headers: fromAddress(ip, key ? { authorization: `Bearer ${key}` } : {}) }), ctx()),
          status401: 401,
          status429: 429,
          body429: (b) => expect(b.error).toMatchObject({ status: 429, type: "tooManyRequests" }),
        },
        {
          name: "AnQiCMS (errors are 200 {code,msg})",
          call: (ip, key) => {
            const { body, ...headers } = form({});
            return anqiImport(new Request(`${BASE}/api/import/sitemap${key ? `?token=${key}` : ""}`, { method: "POST", headers: fromAddress(ip, headers), body }), ctx());
          },
          status401: null,
          status429: 200,
          body429: (b) => expect(b).toMatchObject({ code: -1, data: { error: "rate_limited" } }),
        },
        {
          name: "mysitemapgenerator (errors are 200 notices)",
          call: (ip, key) => {
            const { body, ...headers } = form(key ? { api_key: key } : {});
            return msgMethod(new Request(`${BASE}/api/getBalance?format=json`, { method: "POST", headers: fromAddress(ip, headers), body }), ctx({ method: "getBalance" }));
          },
          status401: null,
          status429: 200,
          body429: (b) => expect(JSON.stringify(b)).toMatch(/failed authentications/),
          // the adapter has no per-minute limit of its own unless the operator sets one
          minuteLimit: null,
        },
      ];

      for (const f of families) {
        it(`${f.name}: WWW-Authenticate on 401 only, X-RateLimit-* of the address, 429 + Retry-After in its own shape`, async () => {
          vi.stubEnv("FAILED_AUTH_LIMIT_PER_MINUTE", "2");
          const ip = randomIp();
          const none = await f.call(ip, null);
          const wrong = await f.call(ip, generateApiKey().key);
          if (f.status401 !== null) {
            expect([none.status, wrong.status]).toEqual([401, 401]);
            expect(none.headers.get("www-authenticate")).toBe("Bearer");
            expect(wrong.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
          } else {
            expect(none.headers.get("www-authenticate")).toBeNull();
            expect(wrong.headers.get("www-authenticate")).toBeNull();
          }
          expect([none.headers.get("x-ratelimit-remaining"), wrong.headers.get("x-ratelimit-remaining")]).toEqual(["1", "0"]);
          expect(wrong.headers.get("x-ratelimit-reset")).toMatch(/^\d{10}$/);

          const limited = await f.call(ip, alice.key);
          expect(limited.status).toBe(f.status429);
          expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
          expect(limited.headers.get("x-ratelimit-limit")).toBe("2");
          f.body429(await limited.json());
          const minuteLimit = f.minuteLimit === undefined ? "60" : f.minuteLimit;
          expect((await f.call(randomIp(), alice.key)).headers.get("x-ratelimit-limit")).toBe(minuteLimit);
        });
      }
    });
  });
}
