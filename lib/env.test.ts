import { describe, expect, it } from "vitest";
import { getEnv } from "./env";

describe("getEnv", () => {
  it("applies defaults and treats blank values as unset", () => {
    expect(getEnv({ APP_URL: "  ", SIGNUP_ENABLED: "" })).toMatchObject({
      APP_URL: "http://localhost:3000",
      API_RATE_LIMIT_PER_MINUTE: 120,
      SIGNUP_RATE_LIMIT_PER_MINUTE: 5,
      SIGNUP_ENABLED: true,
    });
  });

  it("parses values and strips the trailing slash of APP_URL", () => {
    const env = getEnv({ APP_URL: "https://maps.example.com/", API_RATE_LIMIT_PER_MINUTE: "30", SIGNUP_ENABLED: "0" });
    expect(env).toMatchObject({ APP_URL: "https://maps.example.com", API_RATE_LIMIT_PER_MINUTE: 30, SIGNUP_ENABLED: false });
  });

  it("names every invalid variable", () => {
    expect(() => getEnv({ APP_URL: "ftp://x", API_RATE_LIMIT_PER_MINUTE: "0" })).toThrow(/APP_URL.*API_RATE_LIMIT_PER_MINUTE/);
  });
});
