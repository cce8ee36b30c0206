#!/usr/bin/env node
/**
 * API latency while a crawl runs in the same app: `npm run bench:latency` (or `node bench/crawl-latency.mjs`).
 * Writes the section between the `crawl-latency` markers of bench/RESULTS.md (and prints it); NO_WRITE=1 only prints.
 *
 * For each backend of DB (default "postgres pglite": both, one table) and each mode of MODES (default
 * "thread worker-nice10 worker"), in one run, all on 127.0.0.1:
 *   - "thread": the crawl on the server's own thread (CRAWL_IN_WORKER=false), the baseline;
 *   - "worker-nice0": the worker thread at the process's priority, no deferral (CRAWL_WORKER_NICE=0
 *     CRAWL_WORKER_SCHED=normal CRAWL_FOREGROUND_YIELD_MS=0);
 *   - "worker-nice10": the worker at nice 10, no SCHED_IDLE, no deferral (the levers of commit cdc4819);
 *   - "worker-idle": nice 10 + SCHED_IDLE, no deferral (CRAWL_WORKER_SCHED=idle CRAWL_FOREGROUND_YIELD_MS=0
 *     CRAWL_FOREGROUND_WRITE_MS=0);
 *   - "worker": the defaults (nice 10 + the foreground-first deferral, lib/runs/foreground.ts: fetches ≤ 50 ms,
 *     journal writes ≤ 1 s);
 *   - "worker-all": the defaults + SCHED_IDLE (CRAWL_WORKER_SCHED=idle).
 * Per mode:
 *   1. a fresh database (postgres: a throw-away database on BENCH_DATABASE_URL, default
 *      postgresql://postgres@127.0.0.1:5432/test; pglite: a folder under /tmp), an account and an API key made
 *      by the account CLIs before the app starts (PGlite allows one process), 20 sitemaps for the list (4 of them
 *      crawl the synthetic site: each crawl is a first crawl, no revalidation of an earlier run's pages);
 *   2. `npm start` on PORT (default 3241; builds first when .next is stale) with the in-process Inngest runner;
 *   3. GET /api/v1/sitemaps with autocannon at 1 and 10 connections for DURATION s each (default 10): idle, then
 *      during a crawl of the synthetic site of ../shared/bench (SITE_PAGES pages, default 40k, served on SITE_PORT,
 *      default 8240, no added latency: the crawl is as CPU-bound as it gets). A "during" cell starts only on a crawl
 *      that has fetched 200 pages and whose pages left outlast the cell at its current rate (× 1.5, plus 3 s); else
 *      that crawl is cancelled and a fresh run of the next sitemap started (the 4th is measured anyway), so every cell
 *      is covered unless the crawl speeds up fourfold. At 10k pages a quiet machine's crawl (~700–1,500 pages/s)
 *      ends within one cell, hence the default of 40k. The table says how many pages were crawled during each cell and whether one crawl covered
 *      all of it, and the CPU each kind of thread of the app (and the site) used during it (Linux /proc; cpuTicks).
 * Bounded: fixed durations; the app and the site are stopped on exit. Errors: exits 1 with the reason.
 */
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { processTree } from "./lib/proc.mjs";
import { fetch } from "undici";
import { writeResultsSection } from "./lib/results-section.mjs";
import { scratchDatabase } from "./lib/scratch-db.mjs";
import { runTsx, startBenchApp, startSyntheticSite } from "./lib/bench-procs.mjs";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PORT = Number(process.env.PORT ?? 3241);
const BASE = `http://127.0.0.1:${PORT}`;
const DURATION = Number(process.env.DURATION ?? 10);
const SITE_PORT = Number(process.env.SITE_PORT ?? 8240);
// 40k pages: at the ~700–1,500 pages/s of a quiet machine a 10k-page crawl ends within one 10 s cell.
const SITE_PAGES = process.env.SITE_PAGES ?? "40k";
const DBS = (process.env.DB ?? "postgres pglite").split(/\s+/).filter(Boolean);
const MODES = (process.env.MODES ?? "thread worker-nice10 worker").split(/\s+/).filter(Boolean);
/** Pages of the synthetic site ("10k" → 10000). */
const SITE_N = Number(SITE_PAGES.replace(/k$/i, "000"));
const SHARED_BENCH = process.env.SHARED_BENCH ?? path.join(REPO, "..", "shared", "bench");
const RESULTS = path.join(REPO, "bench", "RESULTS.md");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sf-lat-bench-"));
const cleanups = [];
const cleanup = async () => {
  for (const c of cleanups.splice(0).reverse()) await Promise.resolve(c()).catch(() => {});
};
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, async () => { await cleanup(); process.exit(130); });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...a) => console.error("[bench:latency]", ...a);

/** A throw-away database (bench/lib/scratch-db.mjs). */
function database(DB) {
  return scratchDatabase(DB, { tmpDir: tmp, prefix: "sf_lat" });
}




/**
 * CPU ticks (user + system, 1/100 s) of every thread of the app's process tree and of the synthetic site's process,
 * by `pid/tid`, each with its kind: "main" (a process's own thread: the one that serves HTTP), "crawl" (threads with a
 * nice value > 0 or the SCHED_IDLE policy: the crawl worker, CRAWL_WORKER_NICE / CRAWL_WORKER_SCHED), "other" (GC,
 * libuv pool, a crawl worker at nice 0), "site". Linux /proc; empty elsewhere.
 */
function cpuTicks(appPid, sitePid) {
  const t = new Map();
  const read = (file) => {
    const stat = fs.readFileSync(file, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { ticks: Number(f[11]) + Number(f[12]), nice: Number(f[16]), policy: Number(f[38]) };
  };
  try {
    for (const pid of processTree(appPid)) {
      for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
        try {
          const { ticks, nice, policy } = read(`/proc/${pid}/task/${tid}/stat`);
          t.set(`${pid}/${tid}`, { ticks, kind: Number(tid) === pid ? "main" : nice > 0 || policy === 5 ? "crawl" : "other" });
        } catch {}
      }
    }
    if (sitePid) t.set("site", { ticks: read(`/proc/${sitePid}/stat`).ticks, kind: "site" });
  } catch {}
  return t;
}

/**
 * Runs `fn` and returns its result with the CPU % (of one core) each kind of thread used meanwhile: summed per thread
 * (end − start; a thread started during the cell counts from 0, so a crawl worker replaced mid-cell never makes a
 * column negative; a thread that ended during the cell is missing from it).
 */
async function withCpu(appPid, sitePid, fn) {
  const a = cpuTicks(appPid, sitePid);
  const l0 = os.loadavg()[0];
  const t0 = performance.now();
  const res = await fn();
  const secs = (performance.now() - t0) / 1000;
  const b = cpuTicks(appPid, sitePid);
  const sum = { main: 0, crawl: 0, other: 0, site: 0 };
  for (const [k, v] of b) sum[v.kind] += Math.max(0, v.ticks - (a.get(k)?.ticks ?? 0));
  const pct = Object.fromEntries(Object.entries(sum).map(([k, v]) => [k, Math.round(v / secs)]));
  return { res, cpu: pct, mainMs: sum.main * 10, load: `${l0.toFixed(1)} → ${os.loadavg()[0].toFixed(1)}` };
}

function cannon(connections, headers) {
  return new Promise((resolve, reject) => {
    const inst = autocannon({ url: `${BASE}/api/v1/sitemaps`, connections, headers, duration: DURATION }, (err, res) => (err ? reject(err) : resolve(res)));
    autocannon.track(inst, { renderProgressBar: false, renderResultsTable: false, renderLatencyTable: false, outputStream: { write() {} } });
  });
}

let sitePid = 0;

/** Environment of each mode (module doc). */
const MODE_ENV = {
  thread: { CRAWL_IN_WORKER: "false" },
  "worker-nice0": { CRAWL_WORKER_NICE: "0", CRAWL_WORKER_SCHED: "normal", CRAWL_FOREGROUND_YIELD_MS: "0", CRAWL_FOREGROUND_WRITE_MS: "0" },
  "worker-nice10": { CRAWL_WORKER_NICE: "10", CRAWL_WORKER_SCHED: "normal", CRAWL_FOREGROUND_YIELD_MS: "0", CRAWL_FOREGROUND_WRITE_MS: "0" },
  "worker-idle": { CRAWL_WORKER_SCHED: "idle", CRAWL_FOREGROUND_YIELD_MS: "0", CRAWL_FOREGROUND_WRITE_MS: "0" },
  worker: {},
  "worker-all": { CRAWL_WORKER_SCHED: "idle" },
};
const TERMINAL = ["succeeded", "failed", "cancelled"];

async function measureMode(DB, mode) {
  if (!MODE_ENV[mode]) throw new Error(`unknown mode ${mode} (one of ${Object.keys(MODE_ENV).join(", ")})`);
  const db = await database(DB);
  const env = {
    ...process.env,
    PORT: String(PORT),
    DATABASE_URL: db.url,
    APP_URL: BASE,
    NEXTAUTH_URL: BASE,
    NEXTAUTH_SECRET: crypto.randomBytes(32).toString("base64url"),
    FILES_DIR: path.join(tmp, `files-${mode}`),
    CRAWL_ALLOW_HOSTS: `127.0.0.1:${SITE_PORT}`,
    CRAWL_IN_WORKER: "true",
    ...MODE_ENV[mode],
    INNGEST_MODE: "local",
    NEXT_TELEMETRY_DISABLED: "1",
    PLAN_LIMITS: JSON.stringify({ starter: { perMinute: 1_000_000, perDay: null } }),
  };
  runTsx(REPO, env, ["scripts/db-migrate.ts", "deploy"]);
  const email = `bench-${crypto.randomBytes(4).toString("hex")}@example.com`;
  runTsx(REPO, env, ["scripts/user-create.ts", "--email", email, "--password", "bench-password-123"]);
  const key = runTsx(REPO, env, ["scripts/apikey-create.ts", "--email", email, "--name", "bench"]).split("\n").pop();
  log(`${DB} ${mode}: starting the app (load ${os.loadavg()[0].toFixed(2)})`);
  const { stop, pid: appPid } = await startBenchApp({ dir: REPO, env, logFile: path.join(tmp, `app-${env.CRAWL_IN_WORKER}.log`), baseUrl: BASE, cleanups });
  const measure = (c) => withCpu(appPid, sitePid, () => cannon(c, headers));
  const headers = { authorization: `Bearer ${key}` };
  const api = async (method, p, body) => {
    const r = await fetch(BASE + p, { method, headers: { ...headers, ...(body ? { "content-type": "application/json" } : {}) }, body: body ? JSON.stringify(body) : undefined });
    const json = await r.json();
    if (r.status >= 300) throw new Error(`${method} ${p}: ${r.status} ${JSON.stringify(json)}`);
    return json.data;
  };
  for (let i = 0; i < 16; i++) await api("POST", "/api/v1/sitemaps", { name: `List ${i}`, startUrl: "https://www.example.com/", fileName: `list-${i}` });
  const crawlSitemaps = [];
  for (let i = 0; i < 4; i++) {
    crawlSitemaps.push(
      (await api("POST", "/api/v1/sitemaps", {
        name: `Synthetic ${i}`,
        startUrl: `http://127.0.0.1:${SITE_PORT}/`,
        fileName: `synthetic-${i}`,
        crawl: { maxPages: SITE_N * 2, maxDepth: 100, concurrency: 8 },
      })).id,
    );
  }
  for (let i = 0; i < 30; i++) await api("GET", "/api/v1/sitemaps");

  const rows = [];
  for (const c of [1, 10]) rows.push({ db: DB, mode, connections: c, state: "idle", ...(await measure(c)) });

  let next = 0;
  let runId = null;
  const runState = async () => (runId ? api("GET", `/api/v1/runs/${runId}`) : null);
  const endRun = async () => {
    let run = await runState();
    if (run && !TERMINAL.includes(run.status)) await api("POST", `/api/v1/runs/${runId}/cancel`).catch(() => {});
    for (let i = 0; run && !TERMINAL.includes(run.status) && i < 600; i++) {
      await sleep(200);
      run = await runState();
    }
  };
  /** A crawl with ≥ 200 pages fetched that will outlast a cell at its current rate (module doc). */
  const ensureCrawl = async () => {
    for (let attempt = 0; attempt < crawlSitemaps.length; attempt++) {
      let run = await runState();
      if (!run || TERMINAL.includes(run.status)) {
        if (next >= crawlSitemaps.length) throw new Error("every crawl sitemap was used; raise SITE_PAGES");
        runId = (await api("POST", `/api/v1/sitemaps/${crawlSitemaps[next++]}/generate`)).id;
        run = await runState();
      }
      const t0 = Date.now();
      while (run.progress.pagesFetched < 200 && !TERMINAL.includes(run.status)) {
        if (Date.now() - t0 > 300_000) throw new Error("the crawl did not start");
        await sleep(100);
        run = await runState();
      }
      const a = run.progress.pagesFetched, ta = Date.now();
      await sleep(1000);
      run = await runState();
      const rate = ((run.progress.pagesFetched - a) * 1000) / (Date.now() - ta);
      const last = attempt === crawlSitemaps.length - 1;
      // The last sitemap's crawl is measured anyway ("covered" then says whether it lasted): raise SITE_PAGES if not.
      if (!TERMINAL.includes(run.status) && (last || SITE_N - run.progress.pagesFetched > rate * 1.5 * (DURATION + 3))) return run;
      log(`${DB} ${mode}: ${SITE_N - run.progress.pagesFetched} pages left at ${rate.toFixed(0)}/s would not outlast a cell: next crawl`);
      await endRun();
    }
    throw new Error("no crawl outlasted a cell");
  };
  for (const c of [1, 10]) {
    const before = await ensureCrawl();
    const { res, cpu, mainMs, load } = await measure(c);
    const after = await runState();
    rows.push({
      db: DB,
      mode,
      connections: c,
      state: "crawl",
      res,
      cpu,
      mainMs,
      load,
      pages: after.progress.pagesFetched - before.progress.pagesFetched,
      covered: after.id === before.id && after.status === "running",
    });
  }
  // A clean stop: the crawl is cancelled, not measured.
  await endRun();
  await stop();
  await db.drop();
  return rows;
}

async function main() {
  const started = Date.now();
  sitePid = await startSyntheticSite({ script: path.join(SHARED_BENCH, "site", "server.mjs"), pages: SITE_PAGES, port: SITE_PORT, logFile: path.join(tmp, "site.log"), cleanups });
  const rows = [];
  for (const DB of DBS) for (const mode of MODES) rows.push(...(await measureMode(DB, mode)));
  const when = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const load = os.loadavg().map((l) => l.toFixed(2)).join(" / ");
  const commit = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: REPO, encoding: "utf8" }).stdout.trim();
  const ms = (v) => `${v} ms`;
  const label = {
    thread: "on the server thread (CRAWL_IN_WORKER=false)",
    "worker-nice0": "worker at nice 0, no deferral",
    "worker-nice10": "worker at nice 10, no deferral (cdc4819 levers)",
    "worker-idle": "worker at nice 10 + SCHED_IDLE, no deferral",
    worker: "worker, defaults (nice 10 + deferral: fetch ≤ 50 ms, write ≤ 1 s)",
    "worker-all": "worker, defaults + SCHED_IDLE",
  };
  const backend = (db) => (db === "pglite" ? "PGlite" : "PostgreSQL");
  const find = (db, mode, c, state) => rows.find((r) => r.db === db && r.mode === mode && r.connections === c && r.state === state);
  const ratios = DBS.flatMap((db) =>
    MODES.map((m) => `${backend(db)} ${m}: ${(find(db, m, 1, "crawl").res.latency.p99 / find(db, m, 1, "idle").res.latency.p99).toFixed(2)}×`),
  ).join(", ");
  const perReq = (r) => (r.mainMs / Math.max(1, r.res.requests.total)).toFixed(1);
  /** Server-thread CPU of a during-cell beyond its requests at the idle cell's cost per request, ms per 100 pages. */
  const crawlOnServer = (r) => {
    if (r.state === "idle" || !r.pages) return "–";
    const idle = find(r.db, r.mode, r.connections, "idle");
    const api = (idle.mainMs / Math.max(1, idle.res.requests.total)) * r.res.requests.total;
    return Math.max(0, ((r.mainMs - api) / r.pages) * 100).toFixed(0);
  };
  const section = [
    "## API latency during a crawl (`npm run bench:latency`)",
    "",
    `Run ${when}, commit ${commit}, ${os.cpus().length} cores, load average (1/5/15 min) at the end ${load}; the whole run took`,
    `${Math.round((Date.now() - started) / 60_000)} min. \`npm start\` (production build, in-process Inngest runner) on ${DBS.map(backend).join(" and ")}`,
    `(PostgreSQL at 127.0.0.1:5432; PGlite, the embedded default, in a folder); autocannon GET /api/v1/sitemaps (20 sitemaps)`,
    `for ${DURATION} s per cell from the same machine; the crawl: the ${SITE_PAGES}-page synthetic site of ../shared/bench on`,
    "loopback, no added latency, concurrency 8, through the app (generate → local runner → crawl step), each crawl a first",
    "crawl of its sitemap. \"pages\": pages the crawl fetched during the cell; \"covered\": one crawl ran for the whole cell.",
    "CPU: % of one core used during the cell, summed per thread, by the app's own threads (from /proc: each process's main",
    "thread, which serves HTTP; threads with a nice value > 0 or SCHED_IDLE, i.e. the crawl worker; every other thread of",
    "the app) and by the site. \"ms/req\": server-thread CPU time per API request of the cell; \"crawl ms/100 p\": the",
    "server thread's CPU time in a during-cell beyond its requests at the idle cell's cost each, per 100 pages crawled",
    "(on PGlite: the journal's transactions, progress writes and message handling; 10 ms /proc resolution).",
    "",
    "| backend | crawl runs | conn. | state | requests | p50 | p99 | max | req/s | pages | covered | CPU: server thread / crawl worker / other / site | ms/req | crawl ms/100 p | load 1m |",
    "|---|---|---:|---|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---|",
    ...rows.map((r) =>
      `| ${backend(r.db)} | ${label[r.mode] ?? r.mode} | ${r.connections} | ${r.state === "idle" ? "idle" : "during crawl"} | ${r.res.requests.total} | ${ms(r.res.latency.p50)} | ${ms(r.res.latency.p99)} | ${ms(r.res.latency.max)} | ${r.res.requests.average} | ${r.pages ?? "–"} | ${r.state === "idle" ? "–" : r.covered ? "yes" : "no"} | ${r.cpu.main} / ${r.cpu.crawl} / ${r.cpu.other} / ${r.cpu.site} % | ${perReq(r)} | ${crawlOnServer(r)} | ${r.load} |`,
    ),
    "",
    `p99 during the crawl ÷ idle p99, 1 connection: ${ratios} (goal for the worker: ≤ 1.5×).`,
    "",
  ].join("\n");
  console.log(section);
  writeResultsSection(RESULTS, "crawl-latency", section);
}

try {
  await main();
} catch (err) {
  console.error("bench:latency:", err.message ?? err, err.cause ?? "");
  process.exitCode = 1;
} finally {
  await cleanup();
}
