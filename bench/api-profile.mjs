#!/usr/bin/env node
/**
 * A V8 CPU profile of the app under the list load of bench/api-load.mjs, to see where a request's CPU goes:
 *   PROFILE_DB=postgres|pglite PORT=3250 DURATION=15 node bench/api-profile.mjs [checkout dir, default this one]
 * Starts `next start` of the checkout (its production build: run `npx next build` first) under
 * `node --cpu-prof` on a throw-away database (PostgreSQL of BENCH_DATABASE_URL, default
 * postgresql://postgres@127.0.0.1:5432/test, or a fresh PGlite folder), one enterprise account with a key and 200
 * sitemaps, then GET /api/v1/sitemaps?limit=20 at 10 connections for DURATION s (autocannon), and stops the app
 * (SIGTERM: Next exits, V8 writes the profile). Prints the load's figures, the status of a few URLs the proxy decides
 * on (undecodable paths of each family → 400, /dashboard → sign-in redirect), the profile's path (the biggest
 * .cpuprofile of the run: the server process, with the load window saved beside it as FILE.window.json), then the
 * breakdown of the samples taken during the load phase only, in ms per request (bench/lib/cpuprofile.mjs; PROFILE_TOP
 * rows per list, default 25). PROFILE_DIR: where profiles go (default a temp folder).
 * Errors: exits 1 with the reason (app not up within 10 minutes, a setup call failing).
 */
import { spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import pg from "pg";
import { PGlite } from "@electric-sql/pglite";
import { summarise } from "./lib/cpuprofile.mjs";
import { scratchDatabase } from "./lib/scratch-db.mjs";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const DIR = path.resolve(process.argv[2] ?? REPO);
const PORT = Number(process.env.PORT ?? 3250);
const BASE = `http://127.0.0.1:${PORT}`;
const DURATION = Number(process.env.DURATION ?? 15);
const KIND = process.env.PROFILE_DB ?? "postgres";
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sf-api-profile-"));
const profDir = process.env.PROFILE_DIR ?? path.join(tmp, "prof");
fs.mkdirSync(profDir, { recursive: true });

// A throw-away database (bench/lib/scratch-db.mjs); a PGlite folder goes with `tmp`.
const { url: dbUrl, drop } = await scratchDatabase(KIND === "pglite" ? "pglite" : "postgres", { tmpDir: tmp, prefix: "sf_api_prof" });
const env = {
  ...process.env,
  PORT: String(PORT),
  DATABASE_URL: dbUrl,
  APP_URL: BASE,
  NEXTAUTH_URL: BASE,
  NEXTAUTH_SECRET: crypto.randomBytes(32).toString("base64url"),
  FILES_DIR: path.join(tmp, "files"),
  INNGEST_MODE: "local",
  NEXT_TELEMETRY_DISABLED: "1",
  SKIP_BUILD: "1",
  PLAN_LIMITS: JSON.stringify({ enterprise: { perMinute: 1_000_000 } }),
};
const email = `prof-${crypto.randomBytes(4).toString("hex")}@example.com`;
const r = spawnSync(path.join(DIR, "node_modules", ".bin", "tsx"), ["bench/api-accounts.ts", email], { cwd: DIR, env, encoding: "utf8" });
if (r.status !== 0) throw new Error(r.stderr);
const key = JSON.parse(r.stdout.trim().split("\n").pop())[email];
if (KIND === "pglite") {
  const db = new PGlite(dbUrl.slice("pglite:".length));
  await db.query(`UPDATE "User" SET plan = 'enterprise' WHERE email = $1`, [email]);
  await db.close();
} else {
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  await c.query(`UPDATE "User" SET plan = 'enterprise' WHERE email = $1`, [email]);
  await c.end();
}

const log = fs.openSync(path.join(tmp, "app.log"), "w");
// `next start` itself (the migrations were applied by bench/api-accounts.ts): Node 20 refuses --cpu-prof in NODE_OPTIONS.
const app = spawn(process.execPath, ["--cpu-prof", `--cpu-prof-dir=${profDir}`, "node_modules/next/dist/bin/next", "start", "-p", String(PORT)], {
  cwd: DIR,
  env,
  stdio: ["ignore", log, log],
  detached: true,
});
let exitedAt = null;
app.on("exit", () => { exitedAt = Date.now(); });
const stop = async () => {
  try { process.kill(-app.pid, "SIGTERM"); } catch {}
  for (let i = 0; i < 300 && app.exitCode === null && app.signalCode === null; i++) await new Promise((res) => setTimeout(res, 100));
};
const auth = { authorization: `Bearer ${key}` };
try {
  const until = Date.now() + 600_000;
  for (;;) {
    if (Date.now() > until || app.exitCode !== null) throw new Error(`the app did not come up; see ${path.join(tmp, "app.log")}`);
    try { if ((await fetch(`${BASE}/api/v1/openapi.json`)).ok) break; } catch {}
    await new Promise((res) => setTimeout(res, 1000));
  }
  for (let i = 0; i < 200; i++) {
    const res = await fetch(`${BASE}/api/v1/sitemaps`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ name: `P ${i}`, startUrl: "https://example.com/", fileName: `p-${i}` }),
    });
    if (res.status !== 201) throw new Error(`create: ${res.status} ${await res.text()}`);
  }
  for (let i = 0; i < 50; i++) await (await fetch(`${BASE}/api/v1/sitemaps?limit=20`, { headers: auth })).text();
  const t0 = Date.now();
  const load0 = os.loadavg()[0];
  const res = await new Promise((resolve, reject) =>
    autocannon({ url: `${BASE}/api/v1/sitemaps?limit=20`, headers: auth, connections: 10, duration: DURATION }, (e, x) => (e ? reject(e) : resolve(x))),
  );
  const t1 = Date.now();
  console.log(`load: ${res.requests.total} requests, ${res.requests.average} req/s, p50 ${res.latency.p50} ms, p99 ${res.latency.p99} ms, non-2xx ${res.non2xx}, load 1m ${load0.toFixed(1)} → ${os.loadavg()[0].toFixed(1)}`);
  // What the proxy decides (its matcher takes API and file paths only when they hold a %): undecodable paths of each
  // family still get their 400, the dashboard its sign-in redirect.
  for (const p of ["/api/v1/sitemaps/%ff", "/s/%ff/x.xml", "/v1/sitemaps/%ff/urls", "/api/shop/sitemaps/%ff", "/api/v1/sitemaps?cursor=%ff", "/dashboard", "/api/v1/usage"]) {
    const r = await fetch(`${BASE}${p}`, { headers: auth, redirect: "manual" });
    console.log(`GET ${p} → ${r.status} ${r.headers.get("location") ?? ""} ${(await r.text()).replace(/\s+/g, " ").slice(0, 110)}`);
  }
  await stop();
  const files = fs.readdirSync(profDir).filter((f) => f.endsWith(".cpuprofile")).map((f) => path.join(profDir, f));
  const biggest = files.sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0];
  const window = { fromMs: t0, toMs: t1, requests: res.requests.total, endWallMs: exitedAt ?? Date.now(), top: Number(process.env.PROFILE_TOP ?? 25) };
  // The window beside the profile, to summarise it again: node -e 'import("./bench/lib/cpuprofile.mjs").then(m => m.summariseFile(FILE))'
  fs.writeFileSync(`${biggest}.window.json`, JSON.stringify(window));
  console.log(`profile: ${biggest}`);
  console.log(summarise(JSON.parse(fs.readFileSync(biggest, "utf8")), window));
} finally {
  await stop();
  await drop();
}
