import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { applyAuthUrlDefault, assertEnvironment, checkEnvironment, ConfigError } from "./check-env";

describe("checkEnvironment", () => {
  it("accepts an empty environment, blank values and good values", () => {
    expect(checkEnvironment({})).toEqual([]);
    expect(checkEnvironment({ PLAN_LIMITS: " ", PORT: "" })).toEqual([]);
    expect(
      checkEnvironment({
        DATABASE_URL: "postgresql://u:p@db:5432/x",
        PORT: "3220",
        APP_URL: "https://maps.example.com",
        NEXTAUTH_URL: "https://maps.example.com",
        FILES_DIR: os.tmpdir(),
        CRAWL_ALLOW_HOSTS: "127.0.0.1:8081,[::1]:80",
        INNGEST_MODE: "Inngest",
        SECRETS_KEY: "ab".repeat(32),
        INDEXNOW_ENDPOINTS: "https://api.indexnow.org/indexnow",
        INDEXNOW_MAX_ATTEMPTS: "4",
        WEBHOOK_RETRY_DELAYS_MS: "1000, 2000",
        PLAN_LIMITS: '{"starter":{"perMinute":10}}',
        TRUST_PROXY: "x-forwarded-for:2",
        FAILED_AUTH_LIMIT_PER_MINUTE: "10",
      }),
    ).toEqual([]);
  });

  it("reports a bad crawl-step setting once, with the bound it breaks", () => {
    expect(checkEnvironment({ CRAWL_STEP_SECONDS: "0" })).toEqual(["CRAWL_STEP_SECONDS: Too small: expected number to be >=0.05"]);
    expect(checkEnvironment({ CRAWL_STEP_SECONDS: "-1" })).toHaveLength(1);
    expect(checkEnvironment({ CRAWL_STEP_SECONDS: "7201" })).toHaveLength(1);
    expect(checkEnvironment({ CRAWL_STEP_SECONDS: "0.05" })).toEqual([]);
  });

  it("names every bad variable and its problem", () => {
    const file = path.join(os.tmpdir(), `not-a-dir-${process.pid}`);
    fs.writeFileSync(file, "x");
    const problems = checkEnvironment({
      PLAN_LIMITS: "{nope",
      DATABASE_URL: "mysql://x",
      PORT: "70000",
      NEXTAUTH_URL: "localhost:3000",
      FILES_DIR: file,
      CRAWL_ALLOW_HOSTS: "127.0.0.1",
      INNGEST_MODE: "cloud",
      SECRETS_KEY: "short",
      INDEXNOW_ENDPOINTS: "ftp://x",
      INDEXNOW_MAX_ATTEMPTS: "0",
      WEBHOOK_RETRY_DELAYS_MS: "10s",
      TRUST_PROXY: "true",
      FAILED_AUTH_LIMIT_PER_MINUTE: "0",
    });
    fs.rmSync(file);
    const names = problems.map((p) => p.split(":")[0]);
    expect(names.sort()).toEqual(
      [
        "CRAWL_ALLOW_HOSTS",
        "DATABASE_URL",
        "FAILED_AUTH_LIMIT_PER_MINUTE",
        "FILES_DIR",
        "INDEXNOW_ENDPOINTS",
        "INDEXNOW_MAX_ATTEMPTS",
        "INNGEST_MODE",
        "NEXTAUTH_URL",
        "PLAN_LIMITS",
        "PORT",
        "SECRETS_KEY",
        "TRUST_PROXY",
        "WEBHOOK_RETRY_DELAYS_MS",
      ].sort(),
    );
    expect(problems).toContain("PLAN_LIMITS: not valid JSON");
    expect(problems.find((p) => p.startsWith("TRUST_PROXY"))).toMatch(/x-forwarded-for, x-forwarded-for:N/);
    expect(problems.find((p) => p.startsWith("SECRETS_KEY"))).toMatch(/32 bytes/);
    expect(() => assertEnvironment({ PORT: "x" })).toThrow(ConfigError);
  });

  it("APP_ROLE is all, web or worker; INNGEST_LOCAL_TEST_CRON must be a cron pattern", () => {
    for (const role of ["all", "web", "worker"]) expect(checkEnvironment({ APP_ROLE: role })).toEqual([]);
    expect(checkEnvironment({ APP_ROLE: "both" })).toEqual([expect.stringMatching(/^APP_ROLE: .*"all".*"web".*"worker"/)]);
    expect(checkEnvironment({ INNGEST_LOCAL_TEST_CRON: "*/2 * * * * *" })).toEqual([]);
    expect(checkEnvironment({ INNGEST_LOCAL_TEST_CRON: "every minute" })).toEqual([expect.stringMatching(/^INNGEST_LOCAL_TEST_CRON: not a cron pattern/)]);
  });

  it("names the path inside PLAN_LIMITS", () => {
    expect(checkEnvironment({ PLAN_LIMITS: '{"starter":{"perMinute":0}}' })).toEqual([
      expect.stringMatching(/^PLAN_LIMITS\.starter\.perMinute: /),
    ]);
  });
});

describe("npm start's check step", () => {
  it("stops scripts/run-app.mjs with exit 2 and the variable's name before it touches the database", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "check-env-"));
    const db = path.join(dir, "pg");
    const r = spawnSync(process.execPath, ["scripts/run-app.mjs"], {
      env: { ...process.env, PLAN_LIMITS: '{"starter":{"perMinute":"many"}}', DATABASE_URL: `pglite:${db}`, PORT: "3229", SKIP_BUILD: "1" },
      encoding: "utf8",
      timeout: 60_000,
    });
    const dbCreated = fs.existsSync(db);
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/invalid configuration[\s\S]*PLAN_LIMITS\.starter\.perMinute: /);
    expect(r.stdout).not.toMatch(/starting on/);
    expect(dbCreated).toBe(false);
  });
});

describe("NEXTAUTH_URL follows APP_URL", () => {
  it("applyAuthUrlDefault fills a blank NEXTAUTH_URL from APP_URL and keeps a set one", () => {
    const env: Record<string, string | undefined> = { APP_URL: "https://maps.example.com/", NEXTAUTH_URL: " " };
    expect(applyAuthUrlDefault(env)).toBe("https://maps.example.com");
    expect(env.NEXTAUTH_URL).toBe("https://maps.example.com");
    expect(applyAuthUrlDefault({ APP_URL: "https://a.example", NEXTAUTH_URL: "https://a.example/api/auth" })).toBe("https://a.example/api/auth");
    expect(applyAuthUrlDefault({})).toBeUndefined();
  });

  it("a NEXTAUTH_URL on another origin than APP_URL is a problem naming both; same origin with a path is fine", () => {
    const problems = checkEnvironment({ APP_URL: "https://maps.example.com", NEXTAUTH_URL: "http://localhost:3000" });
    expect(problems).toEqual([expect.stringMatching(/^NEXTAUTH_URL: .*http:\/\/localhost:3000.*https:\/\/maps\.example\.com/)]);
    expect(checkEnvironment({ APP_URL: "https://maps.example.com/", NEXTAUTH_URL: "https://maps.example.com/api/auth" })).toEqual([]);
  });
});
