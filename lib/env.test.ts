import { describe, expect, it } from "vitest";
import { getEnv } from "./env";

describe("getEnv", () => {
  it("applies defaults and treats blank values as unset", () => {
    expect(getEnv({ APP_URL: "  ", SIGNUP_ENABLED: "" })).toMatchObject({
      APP_URL: "http://localhost:3000",
      SIGNUP_RATE_LIMIT_PER_MINUTE: 5,
      SIGNUP_ENABLED: true,
    });
    expect(getEnv({}).API_RATE_LIMIT_PER_MINUTE).toBeUndefined(); // each plan's own limit applies
  });

  it("parses values and strips the trailing slash of APP_URL", () => {
    const env = getEnv({ APP_URL: "https://maps.example.com/", API_RATE_LIMIT_PER_MINUTE: "30", SIGNUP_ENABLED: "0" });
    expect(env).toMatchObject({ APP_URL: "https://maps.example.com", API_RATE_LIMIT_PER_MINUTE: 30, SIGNUP_ENABLED: false });
  });

  it("names every invalid variable", () => {
    expect(() => getEnv({ APP_URL: "ftp://x", API_RATE_LIMIT_PER_MINUTE: "0" })).toThrow(/APP_URL.*API_RATE_LIMIT_PER_MINUTE/);
  });

  it("parses PLAN_LIMITS as JSON and names what is wrong with it", () => {
    expect(getEnv({ PLAN_LIMITS: '{"starter":{"perDay":null}}' }).PLAN_LIMITS).toEqual({ starter: { perDay: null } });
    expect(() => getEnv({ PLAN_LIMITS: "{nope" })).toThrow(/PLAN_LIMITS: not valid JSON/);
    expect(() => getEnv({ PLAN_LIMITS: '{"gold":{}}' })).toThrow(/PLAN_LIMITS/);
    expect(() => getEnv({ PLAN_LIMITS: '{"starter":{"perMinute":0}}' })).toThrow(/PLAN_LIMITS\.starter\.perMinute/);
  });

  it("parses TRUST_PROXY into the header to believe and its hop count", () => {
    expect(getEnv({}).TRUST_PROXY).toBeUndefined();
    expect(getEnv({ TRUST_PROXY: "X-Forwarded-For" }).TRUST_PROXY).toEqual({ header: "x-forwarded-for", hops: 1 });
    expect(getEnv({ TRUST_PROXY: "x-forwarded-for:3" }).TRUST_PROXY).toEqual({ header: "x-forwarded-for", hops: 3 });
    expect(getEnv({ TRUST_PROXY: "x-real-ip" }).TRUST_PROXY).toEqual({ header: "x-real-ip", hops: 0 });
    expect(() => getEnv({ TRUST_PROXY: "x-forwarded-for:0" })).toThrow(/TRUST_PROXY: the hop count/);
    for (const bad of ["true", "1", "forwarded", "x real ip"]) expect(() => getEnv({ TRUST_PROXY: bad }), bad).toThrow(/TRUST_PROXY: expected/);
  });
});
