#!/usr/bin/env node
/**
 * API latency under a bounded loopback load (autocannon) and the exactness of quotas and rate limits against the
 * running app: `npm run bench:api` (or `node bench/api-load.mjs`). Writes the section between the `api-load` markers
 * of bench/RESULTS.md (and prints it).
 *
 * What it does, all on 127.0.0.1:
 *   1. a throw-away database on the PostgreSQL server of BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/test),
 *      a tiny 3-page site on loopback to crawl;
 *   2. `npm start` on PORT (default 3917) with that database, the in-process Inngest runner and limits set by
 *      PLAN_LIMITS so the latency runs are not rate-limited (enterprise) and the exactness checks have small budgets
 *      (starter: 40 calls a day; professional: 20 a minute);
 *   3. GET /api/v1/sitemaps with 10 connections for DURATION s (default 15) over 200 sitemaps: p50/p99 latency, req/s;
 *   4. POST /api/v1/sitemaps/{id}/generate, one call per sitemap (200 calls, 10 connections): p50/p99 latency and
 *      statuses (every call must be 202: each sitemap has no active run);
 *   5. quota exactness: 30 calls of a starter key, then 50 in parallel with 10 left → exactly 10 × 200 and
 *      40 × 403 quota_exceeded; rate-limit exactness: 10 calls of a professional key, then 50 in parallel within the
 *      same UTC minute → exactly 10 × 200 and 40 × 429 rate_limited, each 429 with Retry-After.
 * Bounded: every load phase has a fixed duration or request count; the server and the site are stopped on exit.
 * Errors: exits 1 with the reason when the app does not come up within 10 minutes (a first start builds it) or an
 * exactness check fails.
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

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PORT = Number(process.env.PORT ?? 3917);
const BASE = `http://127.0.0.1:${PORT}`;
const DURATION = Number(process.env.DURATION ?? 15);
const SITEMAPS = 200;
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

async function database() {
  const admin = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
  const name = `sf_bench_${crypto.randomBytes(5).toString("hex")}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const d = new pg.Client({ connectionString: admin });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await d.end();
    },
  };
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

/** Signs up a fresh account through the public API; returns its email. */
async function signUp(plan) {
  const email = `bench-${plan}-${crypto.randomBytes(4).toString("hex")}@example.com`;
  const r = await fetch(`${BASE}/api/v1/signup`, {
    dispatcher: oneShot,
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email, password: "bench-password-123" }),
  });
  if (r.status !== 201) throw new Error(`signup: ${r.status} ${await r.text()}`);
  return email;
}

function cli(env, script, args) {
  const r = spawnSync(path.join(REPO, "node_modules", ".bin", "tsx"), [script, ...args], { cwd: REPO, env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${script}: ${r.stderr}`);
  return r.stdout.trim();
}

async function setPlan(dbUrl, email, plan) {
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  await c.query(`UPDATE "User" SET plan = $1 WHERE email = $2`, [plan, email]);
  await c.end();
}

function cannon(opts) {
  return new Promise((resolve, reject) => {
    const inst = autocannon({ connections: 10, ...opts }, (err, res) => (err ? reject(err) : resolve(res)));
    autocannon.track(inst, { renderProgressBar: false, renderResultsTable: false, renderLatencyTable: false, outputStream: { write() {} } });
  });
}

const statusCounts = (list) => list.reduce((m, s) => ((m[s] = (m[s] ?? 0) + 1), m), {});

async function main() {
  const site = await tinySite();
  cleanups.push(() => new Promise((r) => site.close(r)));
  const sitePort = site.address().port;
  const db = await database();
  cleanups.push(db.drop);
  const env = {
    ...process.env,
    PORT: String(PORT),
    DATABASE_URL: db.url,
    APP_URL: BASE,
    NEXTAUTH_URL: BASE,
    NEXTAUTH_SECRET: crypto.randomBytes(32).toString("base64url"),
    FILES_DIR: path.join(tmp, "files"),
    CRAWL_ALLOW_HOSTS: `127.0.0.1:${sitePort}`,
    INNGEST_MODE: "local",
    NEXT_TELEMETRY_DISABLED: "1",
    PLAN_LIMITS: JSON.stringify({
      enterprise: { perMinute: 1_000_000 },
      starter: { perMinute: 1_000, perDay: 40 },
      professional: { perMinute: 20, perDay: 1_000_000 },
    }),
  };
  const log = fs.openSync(path.join(tmp, "app.log"), "w");
  const app = spawn(process.execPath, ["scripts/run-app.mjs", "start"], { cwd: REPO, env, stdio: ["ignore", log, log], detached: true });
  cleanups.push(() => { try { process.kill(-app.pid, "SIGTERM"); } catch {} });
  await waitForApp(app, 600_000);

  // Accounts: signed up through the API, plan set in the database, keys issued by the account CLI (a second process
  // on the same PostgreSQL database; PGlite allows one process, which is why this benchmark uses PostgreSQL).
  const keys = {};
  for (const plan of ["enterprise", "starter", "professional"]) {
    const email = await signUp(plan);
    await setPlan(db.url, email, plan);
    keys[plan] = cli(env, "scripts/apikey-create.ts", ["--email", email, "--name", `bench-${plan}`]);
  }

  const ids = [];
  for (let i = 0; i < SITEMAPS; i++) {
    const r = await api(keys.enterprise, "POST", "/api/v1/sitemaps", {
      name: `Bench ${i}`, startUrl: `http://127.0.0.1:${sitePort}/`, fileName: `bench-${i}`,
    });
    if (r.status !== 201) throw new Error(`create sitemap: ${r.status} ${await r.text()}`);
    ids.push((await r.json()).data.id);
  }
  const auth = { authorization: `Bearer ${keys.enterprise}` };

  // Warm up the route (first request compiles nothing in production, but opens DB connections).
  for (let i = 0; i < 20; i++) await api(keys.enterprise, "GET", "/api/v1/sitemaps?limit=20");
  const list = await cannon({ url: `${BASE}/api/v1/sitemaps?limit=20`, headers: auth, duration: DURATION });

  let next = 0;
  const genStatuses = [];
  const generate = await cannon({
    url: BASE,
    amount: SITEMAPS,
    requests: [{
      method: "POST",
      headers: auth,
      setupRequest: (req) => ({ ...req, path: `/api/v1/sitemaps/${ids[next++ % ids.length]}/generate` }),
      onResponse: (status) => genStatuses.push(status),
    }],
  });

  // Quota exactness (daily quota 40 for starter): 30 sequential, then 50 parallel → exactly 10 succeed.
  for (let i = 0; i < 30; i++) await api(keys.starter, "GET", "/api/v1/usage");
  const quota = await Promise.all(Array.from({ length: 50 }, () => api(keys.starter, "GET", "/api/v1/usage")));
  const quotaBodies = await Promise.all(quota.map((r) => r.json()));
  const quotaOk = quota.filter((r) => r.status === 200).length;
  const quotaRefused = quotaBodies.filter((b) => b.error?.code === "quota_exceeded").length;

  // Rate-limit exactness (20 a minute for professional), all inside one UTC minute.
  const msLeft = 60_000 - (Date.now() % 60_000);
  if (msLeft < 20_000) await new Promise((r) => setTimeout(r, msLeft + 200));
  for (let i = 0; i < 10; i++) await api(keys.professional, "GET", "/api/v1/usage");
  const burst = await Promise.all(Array.from({ length: 50 }, () => api(keys.professional, "GET", "/api/v1/usage")));
  const burstOk = burst.filter((r) => r.status === 200).length;
  const burst429 = burst.filter((r) => r.status === 429);
  const retryAfterAll = burst429.every((r) => /^\d+$/.test(r.headers.get("retry-after") ?? ""));

  const when = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const load = os.loadavg()[0].toFixed(2);
  const ms = (v) => `${v} ms`;
  const section = [
    "## API latency under load and quota exactness (`npm run bench:api`)",
    "",
    `Run ${when} on ${os.cpus().length} cores (load average at the end ${load}), \`npm start\` (production build, in-process`,
    `Inngest runner) on PostgreSQL (127.0.0.1:5432), autocannon from the same machine, 10 connections.`,
    "",
    "| call | requests | p50 | p99 | max | req/s | statuses |",
    "|---|---:|---:|---:|---:|---:|---|",
    `| GET /api/v1/sitemaps?limit=20 (${DURATION} s, 200 sitemaps) | ${list.requests.total} | ${ms(list.latency.p50)} | ${ms(list.latency.p99)} | ${ms(list.latency.max)} | ${list.requests.average} | 2xx ${list["2xx"]}, non-2xx ${list.non2xx} |`,
    `| POST /api/v1/sitemaps/{id}/generate (one per sitemap) | ${generate.requests.total} | ${ms(generate.latency.p50)} | ${ms(generate.latency.p99)} | ${ms(generate.latency.max)} | ${generate.requests.average} | ${JSON.stringify(statusCounts(genStatuses))} |`,
    "",
    `Quota exactness: daily quota 40, 30 calls made, then 50 in parallel → ${quotaOk} × 200 and ${quotaRefused} × 403 \`quota_exceeded\` (expected 10 and 40).`,
    `Rate-limit exactness: 20 per minute, 10 calls made, then 50 in parallel → ${burstOk} × 200 and ${burst429.length} × 429 \`rate_limited\` (expected 10 and 40); Retry-After on every 429: ${retryAfterAll ? "yes" : "NO"}.`,
    "",
  ].join("\n");
  console.log(section);
  const start = "<!-- api-load:start -->", end = "<!-- api-load:end -->";
  const current = fs.existsSync(RESULTS) ? fs.readFileSync(RESULTS, "utf8") : "";
  const block = `${start}\n${section}${end}`;
  const updated = current.includes(start)
    ? current.replace(new RegExp(`${start}[\\s\\S]*?${end}`), block)
    : `${current.trimEnd()}\n\n${block}\n`;
  if (!process.env.NO_WRITE) fs.writeFileSync(RESULTS, updated);
  const exact = quotaOk === 10 && quotaRefused === 40 && burstOk === 10 && burst429.length === 40 && retryAfterAll;
  const allAccepted = genStatuses.length === SITEMAPS && genStatuses.every((s) => s === 202);
  if (!exact || !allAccepted) {
    console.error(`bench:api: ${!exact ? "quota or rate-limit counts were not exact" : "not every generate call was accepted"}`);
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
