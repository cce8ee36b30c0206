/**
 * Dashboard end-to-end tests (e2e/*.spec.ts) against the production build on http://localhost:3107.
 *
 * - Browser: Debian's Chromium (/usr/bin/chromium, or CHROMIUM_PATH); never `npx playwright install`.
 * - App: `node scripts/run-app.mjs start` (migrates, builds when the sources changed, then `next start`) with a fresh
 *   PGlite database per run under .data/e2e-pg-<run id> and published files under .data/e2e-files.
 * - Crawl target: the PostgreSQL manual on 127.0.0.1:8181 (E2E_SITE_PORT), served by e2e/global-setup.ts (nginx; needs root).
 * - Artifacts go to test-results/: screenshots and the downloaded sitemap in test-results/screenshots/, traces of
 *   failed tests next to them.
 * - E2E_BASE_URL=http://localhost:3000 runs the specs against a server you started yourself (none is started then;
 *   it must allow crawling 127.0.0.1:8181, i.e. CRAWL_ALLOW_HOSTS=127.0.0.1:8181).
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CHROMIUM_BASE_ARGS, chromiumPath } from "./lib/core/chromium";
import { defineConfig, devices, type PlaywrightTestConfig } from "@playwright/test";

const root = path.dirname(fileURLToPath(import.meta.url));
const PORT = Number(process.env.E2E_PORT ?? 3107);
const EXTERNAL = process.env.E2E_BASE_URL?.replace(/\/+$/, "");
const BASE_URL = EXTERNAL ?? `http://localhost:${PORT}`;
// Workers re-read this file; the id set by the main process is inherited, so everyone agrees on one database.
process.env.E2E_RUN_ID ??= new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const DB_DIR = path.join(root, ".data", `e2e-pg-${process.env.E2E_RUN_ID}`);
const FILES_DIR = path.join(root, ".data", "e2e-files");

const webServer: PlaywrightTestConfig["webServer"] = {
  command: "node scripts/run-app.mjs start",
  url: `${BASE_URL}/api/auth/csrf`,
  reuseExistingServer: false,
  // run-app builds first when .next is missing or older than the sources (about 1 min on 2 busy cores).
  timeout: 300_000,
  stdout: "pipe",
  stderr: "pipe",
  env: {
    PORT: String(PORT),
    DATABASE_URL: `pglite:${DB_DIR}`,
    FILES_DIR,
    CRAWL_ALLOW_HOSTS: `127.0.0.1:${process.env.E2E_SITE_PORT ?? 8181}`,
    NEXTAUTH_URL: BASE_URL,
    APP_URL: BASE_URL,
    NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET ?? "e2e-secret-0123456789abcdef0123456789",
    NEXT_TELEMETRY_DISABLED: "1",
  },
};

export default defineConfig({
  testDir: "./e2e",
  testMatch: "**/*.spec.ts",
  globalSetup: "./e2e/global-setup.ts",
  globalTeardown: "./e2e/global-teardown.ts",
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1, // 2-core machine and one PGlite database: one browser at a time
  retries: 0,
  forbidOnly: Boolean(process.env.CI),
  reporter: [["list"]],
  outputDir: "test-results",
  use: {
    baseURL: BASE_URL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    acceptDownloads: true,
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        viewport: { width: 1280, height: 860 },
        launchOptions: {
          executablePath: chromiumPath(),
          args: [...CHROMIUM_BASE_ARGS],
        },
      },
    },
  ],
  webServer: EXTERNAL ? undefined : webServer,
});
