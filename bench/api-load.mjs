#!/usr/bin/env node
/**
 * API latency and throughput under a bounded loopback load (autocannon), the app's CPU per request, and the
 * exactness of quotas and rate limits against the running app: `npm run bench:api` (or `node bench/api-load.mjs`).
 * Writes the section between the `api-load` markers of bench/RESULTS.md (and prints it).
 *
 * For each database of BENCH_DBS (default "postgres pglite": both in one run) and each build — BENCH_BASE_DIR (another
 * checkout with its own production build, e.g. main's commit, shown as "before") first when set, then this one:
 *   1. a throw-away database: on the PostgreSQL server of BENCH_DATABASE_URL (default
 *      postgresql://postgres@127.0.0.1:5432/test), or a fresh PGlite folder; three accounts (starter, professional,
 *      enterprise) and their keys made by the account CLIs before the app starts (PGlite allows one process);
 *   2. `npm start` (scripts/run-app.mjs of that checkout; it builds first when .next is stale unless SKIP_BUILD=1) on
 *      PORT (default 3917) with the in-process Inngest runner and limits set by PLAN_LIMITS so the latency runs are
 *      not rate-limited (enterprise) and the exactness checks have small budgets (starter: 40 calls a day;
 *      professional: 20 a minute); a tiny 3-page site on loopback to crawl;
 *   3. GET /api/v1/sitemaps?limit=20 with 10 connections for DURATION s (default 15) over 200 sitemaps: p50/p99
 *      latency, req/s, and CPU ms per request of the app's process tree (user + system ticks from /proc, Linux) and,
 *      on PostgreSQL, of the server processes of the app's connections: robust to the load of a shared machine,
 *      which the 1-minute load average next to each row shows;
 *   4. (unless GENERATE=0) POST /api/v1/sitemaps/{id}/generate, one call per sitemap (200 calls, 10 connections):
 *      p50/p99 latency and statuses (every call must be 202: each sitemap has no active run);
 *   5. quota exactness: 30 calls of a starter key, then 50 in parallel with 10 left → exactly 10 × 200 and
 *      40 × 403 quota_exceeded; rate-limit exactness: 10 calls of a professional key, then 50 in parallel within the
 *      same UTC minute → exactly 10 × 200 and 40 × 429 rate_limited, each 429 with Retry-After.
 * Bounded: every load phase has a fixed duration or request count; the server and the site are stopped after each
 * run and on exit. NO_WRITE=1: print only.
 * Errors: exits 1 with the reason when an app does not come up within 10 minutes or an exactness check fails.
 */
import { spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import pg from "pg";
import { Agent, fetch } from "undici";
import { PGlite } from "@electric-sql/pglite";
import { processTree, ticksOf } from "./lib/proc.mjs";
import { writeResultsSection } from "./lib/results-section.mjs";
import { scratchDatabase } from "./lib/scratch-db.mjs";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PORT = Number(process.env.PORT ?? 3917);
const BASE = `http://127.0.0.1:${PORT}`;
const DURATION = Number(process.env.DURATION ?? 15);
const SITEMAPS = 200;
// GENERATE=0 skips phase 4 (its 200 crawls then run in the background of the exactness checks, slowly on PGlite).
const GENERATE = process.env.GENERATE !== "0";
const DBS = (process.env.BENCH_DBS ?? "postgres pglite").split(/\s+/).filter(Boolean);
const BASE_DIR = process.env.BENCH_BASE_DIR ? path.resolve(process.env.BENCH_BASE_DIR) : null;
const TICK_MS = 10;
const IDLE_MS = 5_000; // /proc stat ticks (USER_HZ = 100 on Linux)
const RESULTS = path.join(REPO, "bench", "RESULTS.md");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sf-api-bench-"));
const cleanups = [];
const cleanup = async () => { for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => {}); };
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, async () => { await cleanup(); process.exit(130); });

function tinySite() {
  const pages = { "/": '<a href="/a">a</a><a href="/b">b</a>', "/a": '<a href="/">home</a>', "/b": '<a href="/a">a</a>' };
  const server = http.createServer((req, res) => {
    if (req.url === "/robots.txt") { res.writeHead(404).end(); return; }
    const body = pages[req.url ?? ""];
    if (!body) { res.writeHead(404).end(); return; }
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(`<!doctype html><title>${req.url}</title>${body}`);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** A throw-away database of `kind` (bench/lib/scratch-db.mjs). */
function database(kind) {
  return scratchDatabase(kind, { tmpDir: tmp, prefix: "sf_bench" });
}

/** PostgreSQL server processes serving database `name` (the app's pooled connections). */
async function serverPids(name) {
  if (!name) return [];
  const c = new pg.Client({ connectionString: process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test" });
  await c.connect();
  const r = await c.query("SELECT pid FROM pg_stat_activity WHERE datname = $1", [name]);
  await c.end();
  return r.rows.map((x) => x.pid);
}

/** Runs `fn` (a load phase) and returns its result with the CPU ticks the app (and the database server) used. */
async function withCpu(appPid, dbName, fn) {
  const app = processTree(appPid);
  const db = await serverPids(dbName);
  const a = [ticksOf(app), ticksOf(db)];
  const l0 = os.loadavg()[0];
  const res = await fn();
  const l1 = os.loadavg()[0];
  return { res, appTicks: ticksOf(app) - a[0], dbTicks: ticksOf(db) - a[1], load: `${l0.toFixed(1)} → ${l1.toFixed(1)}` };
}

/** Sets users' plans on a PGlite folder no process has open (before the app starts). */
async function setPlansPglite(dir, plans) {
  const db = new PGlite(dir);
  for (const [email, plan] of plans) await db.query(`UPDATE "User" SET plan = $1 WHERE email = $2`, [plan, email]);
  await db.close();
}

async function waitForApp(child, ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`the app exited with ${child.exitCode}; see ${path.join(tmp, "app.log")}`);
    try {
      const r = await fetch(`${BASE}/api/v1/openapi.json`);
      if (r.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error("the app did not answer within the time limit");
}

// No keep-alive for the checks: a request on a socket the server is closing as idle would fail before it is counted.
const oneShot = new Agent({ pipelining: 0 });
const api = (key, method, p, body) =>
  fetch(BASE + p, {
    dispatcher: oneShot,
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });

function cli(dir, env, script, args) {
  const r = spawnSync(path.join(dir, "node_modules", ".bin", "tsx"), [script, ...args], { cwd: dir, env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${script}: ${r.stderr}`);
  return r.stdout.trim();
}


function cannon(opts) {
  return new Promise((resolve, reject) => {
    const inst = autocannon({ connections: 10, ...opts }, (err, res) => (err ? reject(err) : resolve(res)));
    autocannon.track(inst, { renderProgressBar: false, renderResultsTable: false, renderLatencyTable: false, outputStream: { write() {} } });
  });
}

const statusCounts = (list) => list.reduce((m, s) => ((m[s] = (m[s] ?? 0) + 1), m), {});

/** The commit of checkout `dir` (short), or "?" */
function commitOf(dir) {
  const r = spawnSync("git", ["-C", dir, "rev-parse", "--short", "HEAD"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : "?";
}

/** One build on one database: the load phases and the exactness checks. */
async function runOne(dir, kind, sitePort) {
  const db = await database(kind);
  const env = {
    ...process.env,
    PORT: String(PORT),
    DATABASE_URL: db.url,
    APP_URL: BASE,
    NEXTAUTH_URL: BASE,
    NEXTAUTH_SECRET: crypto.randomBytes(32).toString("base64url"),
    FILES_DIR: path.join(tmp, `files-${kind}-${crypto.randomBytes(3).toString("hex")}`),
    CRAWL_ALLOW_HOSTS: `127.0.0.1:${sitePort}`,
    INNGEST_MODE: "local",
    NEXT_TELEMETRY_DISABLED: "1",
    PLAN_LIMITS: JSON.stringify({
      enterprise: { perMinute: 1_000_000 },
      starter: { perMinute: 1_000, perDay: 40 },
      professional: { perMinute: 20, perDay: 1_000_000 },
    }),
  };
  const local = [];
  const stopAll = async () => { for (const c of local.reverse()) await Promise.resolve(c()).catch(() => {}); };
  local.push(db.drop);
  try {
    // Accounts and keys before the app starts (PGlite allows one process per folder), by this checkout's code: the
    // builds compared share the schema.
    const emails = Object.fromEntries(["enterprise", "starter", "professional"].map((plan) => [plan, `bench-${plan}-${crypto.randomBytes(4).toString("hex")}@example.com`]));
    const byEmail = JSON.parse(cli(REPO, env, "bench/api-accounts.ts", Object.values(emails)).split("\n").pop());
    const keys = Object.fromEntries(Object.entries(emails).map(([plan, e]) => [plan, byEmail[e]]));
    if (kind === "pglite") await setPlansPglite(db.url.slice("pglite:".length), Object.entries(emails).map(([plan, e]) => [e, plan]));
    else {
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      for (const [plan, e] of Object.entries(emails)) await c.query(`UPDATE "User" SET plan = $1 WHERE email = $2`, [plan, e]);
      await c.end();
    }

    const log = fs.openSync(path.join(tmp, `app-${kind}-${path.basename(dir)}.log`), "w");
    const app = spawn(process.execPath, ["scripts/run-app.mjs", "start"], { cwd: dir, env, stdio: ["ignore", log, log], detached: true });
    local.push(async () => {
      try { process.kill(-app.pid, "SIGTERM"); } catch {}
      for (let i = 0; i < 100 && app.exitCode === null && app.signalCode === null; i++) await new Promise((r) => setTimeout(r, 100));
    });
    await waitForApp(app, 600_000);

    const ids = [];
    for (let i = 0; i < SITEMAPS; i++) {
      const r = await api(keys.enterprise, "POST", "/api/v1/sitemaps", {
        name: `Bench ${i}`, startUrl: `http://127.0.0.1:${sitePort}/`, fileName: `bench-${i}`,
      });
      if (r.status !== 201) throw new Error(`create sitemap: ${r.status} ${await r.text()}`);
      ids.push((await r.json()).data.id);
    }
    const auth = { authorization: `Bearer ${keys.enterprise}` };

    // Warm up the route (a production build compiles nothing, but opens DB connections and fills caches).
    for (let i = 0; i < 20; i++) await api(keys.enterprise, "GET", "/api/v1/sitemaps?limit=20");
    // The app's CPU while idle (timers, the local job runner): at a few req/s it is a large part of CPU ms/req.
    const idle = await withCpu(app.pid, db.name, () => new Promise((r) => setTimeout(r, IDLE_MS)));
    const list = await withCpu(app.pid, db.name, () => cannon({ url: `${BASE}/api/v1/sitemaps?limit=20`, headers: auth, duration: DURATION }));

    let next = 0;
    const genStatuses = [];
    const generate = !GENERATE ? null : await withCpu(app.pid, db.name, () => cannon({
      url: BASE,
      amount: SITEMAPS,
      requests: [{
        method: "POST",
        headers: auth,
        setupRequest: (req) => ({ ...req, path: `/api/v1/sitemaps/${ids[next++ % ids.length]}/generate` }),
        onResponse: (status) => genStatuses.push(status),
      }],
    }));

    // Quota exactness (daily quota 40 for starter): 30 sequential, then 50 parallel → exactly 10 succeed.
    for (let i = 0; i < 30; i++) await api(keys.starter, "GET", "/api/v1/usage");
    const quota = await Promise.all(Array.from({ length: 50 }, () => api(keys.starter, "GET", "/api/v1/usage")));
    const quotaBodies = await Promise.all(quota.map((r) => r.json()));
    const quotaOk = quota.filter((r) => r.status === 200).length;
    const quotaRefused = quotaBodies.filter((b) => b.error?.code === "quota_exceeded").length;

    // Rate-limit exactness (20 a minute for professional), all inside one UTC minute.
    const msLeft = 60_000 - (Date.now() % 60_000);
    // 60 calls on a loaded machine may take tens of seconds: start early in a minute.
    if (msLeft < 45_000) await new Promise((r) => setTimeout(r, msLeft + 200));
    for (let i = 0; i < 10; i++) await api(keys.professional, "GET", "/api/v1/usage");
    const burst = await Promise.all(Array.from({ length: 50 }, () => api(keys.professional, "GET", "/api/v1/usage")));
    const burstOk = burst.filter((r) => r.status === 200).length;
    const burst429 = burst.filter((r) => r.status === 429);
    const retryAfterAll = burst429.every((r) => /^\d+$/.test(r.headers.get("retry-after") ?? ""));
    return { idle, list, generate, genStatuses, quotaOk, quotaRefused, burstOk, burst429: burst429.length, retryAfterAll };
  } finally {
    await stopAll();
  }
}

const ms = (v) => `${v} ms`;
const perReq = (ticks, n) => (n ? ((ticks * TICK_MS) / n).toFixed(2) : "–");

async function main() {
  const site = await tinySite();
  cleanups.push(() => new Promise((r) => site.close(r)));
  const sitePort = site.address().port;
  const builds = [...(BASE_DIR ? [{ dir: BASE_DIR, label: `before (${commitOf(BASE_DIR)})` }] : []), { dir: REPO, label: `this build (${commitOf(REPO)})` }];
  const runs = [];
  for (const kind of DBS) {
    for (const b of builds) {
      console.error(`bench:api: ${b.label} on ${kind}…`);
      runs.push({ kind, ...b, r: await runOne(b.dir, kind, sitePort) });
    }
  }

  const when = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const dbName = (k) => (k === "pglite" ? "PGlite (embedded default)" : "PostgreSQL");
  const row = (x, phase, what) => {
    const c = x.r[phase];
    const res = c.res;
    const n = res.requests.total;
    const statuses = phase === "list" ? `2xx ${res["2xx"]}, non-2xx ${res.non2xx}` : JSON.stringify(statusCounts(x.r.genStatuses));
    return `| ${what} | ${dbName(x.kind)} | ${x.label} | ${n} | ${ms(res.latency.p50)} | ${ms(res.latency.p99)} | ${ms(res.latency.max)} | ${res.requests.average} | ${perReq(c.appTicks, n)} | ${((x.r.idle.appTicks * TICK_MS) / (IDLE_MS / 1000)).toFixed(0)} | ${x.kind === "postgres" ? perReq(c.dbTicks, n) : "(in the app)"} | ${c.load} | ${statuses} |`;
  };
  const section = [
    "## API latency under load and quota exactness (`npm run bench:api`)",
    "",
    `Run ${when} on ${os.cpus().length} cores (load average 1/5/15 min at the end ${os.loadavg().map((l) => l.toFixed(2)).join(" / ")}), \`npm start\``,
    `(production build, in-process Inngest runner) on PostgreSQL (127.0.0.1:5432) and on PGlite, autocannon from the same`,
    `machine, 10 connections. CPU ms/req: user + system CPU of the app's process tree (and, on PostgreSQL, of the server`,
    `processes of its connections) during the phase, divided by its requests (from /proc): robust to the machine's load,`,
    `unlike req/s and latency; "app idle CPU ms/s": the app's CPU per second in the ${IDLE_MS / 1000} s before the phase, with no requests`,
    `(part of CPU ms/req at a low request rate). "load 1m": the 1-minute load average at the start → end of the phase.`,
    "",
    "| call | database | build | requests | p50 | p99 | max | req/s | app CPU ms/req | app idle CPU ms/s | DB server CPU ms/req | load 1m | statuses |",
    "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ...runs.map((x) => row(x, "list", `GET /api/v1/sitemaps?limit=20 (${DURATION} s, 200 sitemaps)`)),
    ...(GENERATE ? runs.map((x) => row(x, "generate", "POST /api/v1/sitemaps/{id}/generate (one per sitemap)")) : []),
    "",
    ...runs.flatMap((x) => [
      `${dbName(x.kind)}, ${x.label}: quota exactness (daily quota 40, 30 calls made, then 50 in parallel) → ${x.r.quotaOk} × 200 and ${x.r.quotaRefused} × 403 \`quota_exceeded\` (expected 10 and 40); ` +
        `rate-limit exactness (20 per minute, 10 calls made, then 50 in parallel) → ${x.r.burstOk} × 200 and ${x.r.burst429} × 429 \`rate_limited\` (expected 10 and 40); Retry-After on every 429: ${x.r.retryAfterAll ? "yes" : "NO"}.`,
      "",
    ]),
  ].join("\n");
  console.log(section);
  writeResultsSection(RESULTS, "api-load", section);
  const bad = runs.filter((x) => !(x.r.quotaOk === 10 && x.r.quotaRefused === 40 && x.r.burstOk === 10 && x.r.burst429 === 40 && x.r.retryAfterAll));
  const refused = runs.filter((x) => GENERATE && !(x.r.genStatuses.length === SITEMAPS && x.r.genStatuses.every((st) => st === 202)));
  if (bad.length || refused.length) {
    console.error(`bench:api: ${bad.length ? `quota or rate-limit counts were not exact (${bad.map((x) => `${x.kind} ${x.label}`).join(", ")})` : ""} ${refused.length ? "not every generate call was accepted" : ""}`);
    process.exitCode = 1;
  }
}

try {
  await main();
} catch (err) {
  console.error("bench:api:", err.message ?? err, err.cause ?? "");
  process.exitCode = 1;
} finally {
  await cleanup();
}
