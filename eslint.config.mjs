/**
 * ESLint flat config: Next's core-web-vitals and TypeScript rules, plus the layer boundaries of ARCHITECTURE.md
 * as `no-restricted-imports` rules, so a change that crosses a layer fails `npm test` (the lint stage).
 *
 *   app/ (pages, thin routes) → lib/ (domain) ← inngest/ (thin functions); components/ → lib/client, lib/schemas
 *   - Prisma, the generated client and the database client only in lib/db;
 *   - lib/ never imports app/ or inngest/;
 *   - lib/core imports nothing with I/O (no other lib folder, no node I/O modules, no Next, no Prisma);
 *   - components/ never import lib/db.
 * Tests, e2e specs, scripts and benchmarks may reach across layers (they set up databases and servers).
 */
import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

const PRISMA = [
  { group: ["@prisma/*", "@/generated/*", "**/generated/prisma/*"], message: "Prisma is used only in lib/db." },
  { group: ["@/lib/db/client", "**/db/client"], message: "The database client is used only in lib/db: call a lib/db module." },
];
const NOT_APP_OR_INNGEST = [
  { group: ["@/app", "@/app/*", "@/inngest", "@/inngest/*"], message: "lib/ never imports app/ or inngest/." },
  // Relative paths into the repository's app/ or inngest/ (the inngest package's own subpaths stay allowed).
  { regex: "^(\\.\\./)+(app|inngest)(/|$)", message: "lib/ never imports app/ or inngest/." },
];
// no-restricted-imports does not see `await import("…")`.
const DYNAMIC_APP_OR_INNGEST = [
  { selector: "ImportExpression[source.value=/^@\\/(app|inngest)\\//]", message: "lib/ never imports app/ or inngest/." },
];
const NO_IO_FOR_CORE = [
  { group: ["@/lib/*", "!@/lib/core", "!@/lib/core/*"], message: "lib/core imports only lib/core." },
  { group: ["next", "next/*", "undici", "pg", "@electric-sql/*"], message: "lib/core has no I/O and no framework." },
  {
    group: ["node:fs", "node:fs/*", "fs", "fs/*", "node:net", "net", "node:http", "http", "node:https", "https", "node:child_process", "child_process"],
    message: "lib/core has no I/O.",
  },
];
const NO_DB_FOR_UI = [
  { group: ["@/lib/db", "@/lib/db/*", "@prisma/*", "@/generated/*"], message: "Components use lib/client (the API), never lib/db." },
];
const TESTS = ["**/*.test.ts", "**/*.test.tsx", "tests/**", "e2e/**", "bench/**", "scripts/**"];

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  {
    rules: {
      // `_name` marks a parameter or binding kept on purpose (an interface's shape, a destructured field dropped).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true }],
    },
  },
  globalIgnores([".next/**", "bench/out/**", "node_modules/**", "generated/**", ".data/**", "test-results/**", "playwright-report/**", "next-env.d.ts"]),
  {
    files: ["lib/**/*.ts", "lib/**/*.tsx"],
    ignores: ["lib/db/**", ...TESTS],
    rules: {
      "no-restricted-imports": ["error", { patterns: [...PRISMA, ...NOT_APP_OR_INNGEST] }],
      "no-restricted-syntax": ["error", ...DYNAMIC_APP_OR_INNGEST],
    },
  },
  {
    files: ["lib/db/**/*.ts"],
    ignores: TESTS,
    rules: {
      "no-restricted-imports": ["error", { patterns: NOT_APP_OR_INNGEST }],
      "no-restricted-syntax": ["error", ...DYNAMIC_APP_OR_INNGEST],
    },
  },
  {
    files: ["lib/core/**/*.ts"],
    ignores: TESTS,
    rules: { "no-restricted-imports": ["error", { patterns: [...PRISMA, ...NOT_APP_OR_INNGEST, ...NO_IO_FOR_CORE] }] },
  },
  {
    files: ["app/**/*.ts", "app/**/*.tsx", "inngest/**/*.ts", "instrumentation.ts", "proxy.ts"],
    ignores: TESTS,
    rules: { "no-restricted-imports": ["error", { patterns: PRISMA }] },
  },
  {
    // Tests read JSON bodies of any shape and call handlers with loose fixtures.
    files: TESTS,
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    files: ["components/**/*.ts", "components/**/*.tsx"],
    rules: { "no-restricted-imports": ["error", { patterns: NO_DB_FOR_UI }] },
  },
]);
