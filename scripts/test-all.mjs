#!/usr/bin/env node
/**
 * `npm test`: the whole suite, in order — ESLint (no errors, no warnings), vitest (unit, integration, data layer on PGlite and, when
 * TEST_DATABASE_URL is set, PostgreSQL), then `next build`, then Playwright (Debian Chromium) against `next start`.
 * Stops at the first failing stage and exits with its code. `npm test -- --unit-only` runs lint and vitest only.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
const bin = (n) => path.join(root, "node_modules", ".bin", n);
const stages = [
  ["lint (eslint: Next's rules and the layer boundaries of ARCHITECTURE.md)", bin("eslint"), [".", "--max-warnings=0"]],
  ["unit + integration (vitest)", bin("vitest"), ["run"]],
  ["build (next build)", bin("next"), ["build"]],
  ["e2e (playwright)", bin("playwright"), ["test"]],
];
const unitOnly = process.argv.includes("--unit-only");
for (const [name, cmd, args] of unitOnly ? stages.slice(0, 2) : stages) {
  const t = Date.now();
  console.log(`\n=== ${name}`);
  const r = spawnSync(cmd, args, { stdio: "inherit", env, cwd: root });
  console.log(`=== ${name}: ${r.status === 0 ? "ok" : `FAILED (exit ${r.status ?? r.signal})`} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  if (r.status !== 0) process.exit(r.status ?? 1);
}
