import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "@": fileURLToPath(new URL("./", import.meta.url)),
      // server-only throws outside Next's react-server condition; tests import lib/ directly.
      "server-only": fileURLToPath(new URL("./tests/helpers/empty.ts", import.meta.url)),
    },
  },
  test: {
    environment: "node",
    include: ["lib/**/*.test.ts", "inngest/**/*.test.ts", "scripts/**/*.test.ts", "app/**/*.test.ts", "tests/**/*.test.ts"],
    env: {
      NEXTAUTH_SECRET: "test-secret-0123456789abcdef0123456789",
      NEXTAUTH_URL: "http://localhost:3000",
      NEXT_TELEMETRY_DISABLED: "1",
      // The regex safety analysis is wall-clock bounded; a loaded test machine must not turn safe patterns into 422s.
      REGEX_CHECK_TIMEOUT_MS: "60000",
      // Route tests call handlers without a socket, so every request comes from the same "unknown" address; the
      // failed-auth limiter's own tests stub a low limit and send addresses (tests/api/failed-auth.test.ts).
      FAILED_AUTH_LIMIT_PER_MINUTE: "100000",
    },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // 2-core machines: two workers keep PGlite boots and real-site crawls from starving each other.
    maxWorkers: 2,
  },
});
