import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Session } from "next-auth";
import { POST as signup } from "@/app/api/v1/signup/route";
import { authOptions } from "@/lib/auth/options";
import { ZUserDto } from "@/lib/schemas/users";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { ctx, expectError, fromAddress, randomIp, req } from "./helpers";

afterEach(() => {
  vi.unstubAllEnvs();
  vi.useRealTimers();
});

const email = () => `new-${randomUUID()}@example.com`;
const post = (body: unknown, ip = randomIp(), headers: Record<string, string> = {}) =>
  signup(req("POST", "/api/v1/signup", { body, headers: fromAddress(ip, headers) }), ctx());

type Authorize = (c: Record<string, string>) => Promise<{ id: string } | null>;
const authorize = (authOptions.providers[0] as unknown as { options: { authorize: Authorize } }).options.authorize;

for (const backend of testBackends()) {
  describe(`POST /api/v1/signup and credentials sign-in on ${backend.name}`, () => {
    const t = useTestDb(backend);

    it("201 with the user (no password hash); email stored lower-cased; bcrypt hash only", async () => {
      const e = email();
      const res = await post({ email: `  ${e.toUpperCase()} `, password: "s3cret-pass", name: "Ann" });
      expect(res.status).toBe(201);
      expect(res.headers.get("x-request-id")).toMatch(/^req_/);
      const user = ZUserDto.strict().parse((await res.json()).data);
      expect(user).toMatchObject({ email: e, name: "Ann" });
      const row = await t.db.user.findUniqueOrThrow({ where: { id: user.id } });
      expect(row.passwordHash).toMatch(/^\$2[aby]\$10\$/);
      expect(row.passwordHash).not.toContain("s3cret-pass");
    });

    it("409 duplicate_entry when the email exists (any case)", async () => {
      const e = email();
      expect((await post({ email: e, password: "password1" })).status).toBe(201);
      await expectError(await post({ email: e.toUpperCase(), password: "password2" }), 409, "duplicate_entry", "email");
    });

    const invalid: [string, unknown, string, string | undefined][] = [
      ["missing email", { password: "password1" }, "missing", "email"],
      ["missing password", { email: "a@b.co" }, "missing", "password"],
      ["bad email", { email: "not-an-email", password: "password1" }, "invalid_format", "email"],
      ["short password", { email: "a@b.co", password: "short" }, "invalid_value", "password"],
      ["password over 72 bytes", { email: "a@b.co", password: "é".repeat(37) }, "invalid_value", "password"],
      ["unknown field", { email: "a@b.co", password: "password1", admin: true }, "unknown_field", "admin"],
    ];
    for (const [name, body, code, field] of invalid) {
      it(`422 ${code} on ${name}`, async () => {
        await expectError(await post(body), 422, code, field);
      });
    }

    it("is rate-limited per client IP (429 + Retry-After), other IPs unaffected", async () => {
      vi.useFakeTimers({ toFake: ["Date"] });
      vi.setSystemTime(new Date("2030-01-01T00:00:30.000Z"));
      vi.stubEnv("SIGNUP_RATE_LIMIT_PER_MINUTE", "2");
      const ip = randomIp();
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 3; i++) {
        last = await post({ email: email(), password: "password1" }, ip);
        statuses.push(last.status);
      }
      expect(statuses).toEqual([201, 201, 429]);
      expect(last!.headers.get("retry-after")).toBe("30");
      await expectError(last!, 429, "rate_limited");
      expect((await post({ email: email(), password: "password1" })).status).toBe(201);
    });

    it("counts per socket address: X-Forwarded-For is ignored without TRUST_PROXY and believed with it", async () => {
      vi.useFakeTimers({ toFake: ["Date"] });
      vi.setSystemTime(new Date("2030-01-01T00:01:10.000Z"));
      vi.stubEnv("SIGNUP_RATE_LIMIT_PER_MINUTE", "1");
      const proxy = randomIp();
      // Without TRUST_PROXY a client's own X-Forwarded-For does not make it a new client.
      expect((await post({ email: email(), password: "password1" }, proxy, { "x-forwarded-for": randomIp() })).status).toBe(201);
      await expectError(await post({ email: email(), password: "password1" }, proxy, { "x-forwarded-for": randomIp() }), 429, "rate_limited");
      // Behind a proxy (TRUST_PROXY) the address it appended counts, so two clients of one proxy are two buckets.
      vi.stubEnv("TRUST_PROXY", "x-forwarded-for");
      expect((await post({ email: email(), password: "password1" }, proxy, { "x-forwarded-for": `6.6.6.6, ${randomIp()}` })).status).toBe(201);
      expect((await post({ email: email(), password: "password1" }, proxy, { "x-forwarded-for": `6.6.6.6, ${randomIp()}` })).status).toBe(201);
    });

    it("403 when sign-up is disabled", async () => {
      vi.stubEnv("SIGNUP_ENABLED", "false");
      await expectError(await post({ email: email(), password: "password1" }), 403, "forbidden");
    });

    it("next-auth credentials authorize(): right password → user, wrong password or unknown email → null", async () => {
      const e = email();
      const { data } = await (await post({ email: e, password: "password1" })).json();
      expect(await authorize({ email: e.toUpperCase(), password: "password1" })).toMatchObject({ id: data.id, email: e });
      expect(await authorize({ email: e, password: "password2" })).toBeNull();
      expect(await authorize({ email: email(), password: "password1" })).toBeNull();
      expect(await authorize({ email: "", password: "" })).toBeNull();
      expect(authOptions.session?.strategy).toBe("jwt");
      expect(authOptions.pages?.signIn).toBe("/login");
    });

    it("the session callback exposes the user id from the JWT", async () => {
      const session = await authOptions.callbacks!.session!({
        session: { user: { email: "a@b.co" }, expires: "2999-01-01" },
        token: { uid: "u_1" },
      } as never);
      expect((session as Session).user?.id).toBe("u_1");
      const token = await authOptions.callbacks!.jwt!({ token: {}, user: { id: "u_2" } } as never);
      expect(token.uid).toBe("u_2");
    });
  });
}
