import { describe, expect, it } from "vitest";
import { applyPublicUrls } from "./app-env.mjs";

describe("applyPublicUrls (npm start's APP_URL / NEXTAUTH_URL defaults)", () => {
  it("APP_URL alone moves NEXTAUTH_URL with it, so next-auth redirects go to that host", () => {
    const env: Record<string, string | undefined> = { PORT: "3270", APP_URL: "https://maps.example.com/" };
    expect(applyPublicUrls(env)).toEqual({ appUrl: "https://maps.example.com/", authUrl: "https://maps.example.com" });
    expect(env.NEXTAUTH_URL).toBe("https://maps.example.com");
  });

  it("NEXTAUTH_URL alone gives APP_URL; nothing set gives localhost on PORT (default 3000)", () => {
    expect(applyPublicUrls({ NEXTAUTH_URL: "https://a.example" })).toEqual({ appUrl: "https://a.example", authUrl: "https://a.example" });
    expect(applyPublicUrls({ PORT: "3271" })).toEqual({ appUrl: "http://localhost:3271", authUrl: "http://localhost:3271" });
    expect(applyPublicUrls({ PORT: " ", APP_URL: "", NEXTAUTH_URL: "  " })).toEqual({
      appUrl: "http://localhost:3000",
      authUrl: "http://localhost:3000",
    });
  });

  it("keeps both when the caller sets both", () => {
    expect(applyPublicUrls({ APP_URL: "https://a.example", NEXTAUTH_URL: "https://a.example/api/auth" })).toEqual({
      appUrl: "https://a.example",
      authUrl: "https://a.example/api/auth",
    });
  });
});
