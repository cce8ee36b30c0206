#!/usr/bin/env node
/**
 * `npm start` / `npm run dev`: everything a fresh clone needs to serve the dashboard, with no other service.
 *
 *   1. Fills in local defaults: DATABASE_URL=pglite:./.data/pg (embedded PostgreSQL), a NEXTAUTH_SECRET generated
 *      once and kept in .data/nextauth-secret (never committed), APP_URL = NEXTAUTH_URL when only that is set, else
 *      http://localhost:$PORT (default 3000); NEXTAUTH_URL = APP_URL (next-auth sends sign-in and sign-out redirects to
 *      NEXTAUTH_URL's origin, so it must name the host users open), INNGEST_MODE=local (the in-process runner started
 *      by instrumentation.ts).
 *   2. Checks the configuration (scripts/check-env.ts: every variable with a format; exit 2 naming each bad one).
 *   3. Applies pending migrations (scripts/db-migrate.ts) in a child process that closes the database before the
 *      server opens it (PGlite allows one process per data directory).
 *   4. start: builds when .next is missing or older than the sources, then `next start`; dev: `next dev`.
 * Environment given by the caller always wins over these defaults.
 */
import { spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { applyPublicUrls } from "./app-env.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(root);
const mode = process.argv[2] === "dev" ? "dev" : "start";
const env = { ...process.env };
const port = env.PORT || "3000";
env.PORT = port;
env.NEXT_TELEMETRY_DISABLED ??= "1";
env.DATABASE_URL ||= "pglite:./.data/pg";
env.INNGEST_MODE ||= "local";
applyPublicUrls(env);
if (!env.NEXTAUTH_SECRET) {
  const file = path.join(root, ".data", "nextauth-secret");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (!fs.existsSync(file)) fs.writeFileSync(file, crypto.randomBytes(32).toString("base64url"), { mode: 0o600 });
  env.NEXTAUTH_SECRET = fs.readFileSync(file, "utf8").trim();
}

const bin = (name) => path.join(root, "node_modules", ".bin", name);
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: "inherit", env });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

run(bin("tsx"), ["scripts/check-env.ts"]);
console.log(`[sitemap-forge] database: ${env.DATABASE_URL.startsWith("pglite:") ? `embedded PGlite at ${env.DATABASE_URL.slice(7)}` : "PostgreSQL"}`);
run(bin("tsx"), ["scripts/db-migrate.ts", "deploy"]);

function newestMtime(paths) {
  let newest = 0;
  const walk = (p) => {
    let st;
    try { st = fs.statSync(p); } catch { return; }
    if (st.isDirectory()) {
      if (/(^|\/)(node_modules|\.next|\.data|test-results)$/.test(p)) return;
      for (const e of fs.readdirSync(p)) walk(path.join(p, e));
    } else newest = Math.max(newest, st.mtimeMs);
  };
  paths.forEach(walk);
  return newest;
}

if (mode === "start") {
  const buildId = path.join(root, ".next", "BUILD_ID");
  const sources = ["app", "components", "lib", "inngest", "generated", "public", "proxy.ts", "instrumentation.ts", "next.config.ts", "package-lock.json"];
  const stale = !fs.existsSync(buildId) || fs.statSync(buildId).mtimeMs < newestMtime(sources);
  if (stale && env.SKIP_BUILD !== "1") {
    console.log("[sitemap-forge] building the app (first start or sources changed)…");
    run(bin("next"), ["build"]);
  }
}

console.log(`[sitemap-forge] starting on ${env.APP_URL}`);
console.log(`[sitemap-forge] sign in: open ${env.APP_URL}/signup to create an account,`);
console.log(`               or: npm run user:create -- --email you@example.com --password '<at least 8 chars>'`);
const child = spawn(bin("next"), [mode, "-p", port], { stdio: "inherit", env });
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
