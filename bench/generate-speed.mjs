#!/usr/bin/env node
/**
 * The main job through the app against the CLI, in one run: `npm run bench:generate` (or `node bench/generate-speed.mjs`).
 * Issue 12 item 4: through the app (POST /api/v1/sitemaps/{id}/generate, on PGlite and on PostgreSQL) the 10k-page
 * synthetic site crawls at ≥ 80 % of the CLI's pages/s, with the app's RSS growing ≤ 150 MB during the crawl.
 * Writes the section between the `generate-speed` markers of bench/RESULTS.md (and prints it); NO_WRITE=1 only prints.
 *
 * All on 127.0.0.1. The synthetic site of ../shared/bench (SITE_PAGES, default 10k; SITE_PORT, default 8240; no added
 * latency) is started once. For each database of DB (default "pglite postgres") and each build — BENCH_BASE_DIR
 * (another checkout with its own production build, e.g. main's commit, shown as "before") first when set, then this
 * one:
 *   1. a throw-away database (PostgreSQL: a database on BENCH_DATABASE_URL, default
 *      postgresql://postgres@127.0.0.1:5432/h12speed, dropped at the end; PGlite: a folder under /tmp), an account and an
 *      API key made by the account CLIs before the app starts (PGlite allows one process);
 *   2. `npm start` (scripts/run-app.mjs of that checkout: production build, built first when stale unless
 *      SKIP_BUILD=1; in-process Inngest runner) on PORT (default 3240);
 *   3. REPS times (default 2), alternating, each pair back to back:
 *      - the CLI: `node --max-semi-space-size=8 --v8-pool-size=2 --expose-gc scripts/crawl.mjs URL --out DIR
 *        --allow-host HOST --concurrency 10 --max-pages 10000000 --json` (the flags of `npm run crawl`, as section 1 of
 *        RESULTS.md runs it); pages/s = distinct pages the site served (its /__stats) ÷ the process's wall time;
 *        peak RSS of the process sampled from /proc every 100 ms;
 *      - the app: a new sitemap (a first crawl: no revalidation of earlier pages; concurrency 10, maxPages 1,000,000,
 *        maxDepth 100), then `POST …/generate?wait=120` (polled on GET /api/v1/runs/{id} past that);
 *        pages/s = distinct pages the site served ÷ (the run's `finishedAt` − the moment the request was sent): the
 *        run succeeded, its files published; RSS of the app's process tree sampled from /proc every 100 ms:
 *        baseline = the last sample before the request, peak = the highest during the run, growth = peak − baseline;
 *        the run's phases (phasesOf).
 * WORKER_NICE sets the app's CRAWL_WORKER_NICE (default: unset, the app's default of 10). On a machine shared with
 * other work, a crawl worker at nice 10 gets a fraction of a core that other processes at nice 0 leave it, while the
 * CLI runs at nice 0: WORKER_NICE=0 compares the two at the same priority (the section says which was used).
 * The ratio app/CLI is per pair (the CLI run just before each app run); the table also gives the median.
 * Bounded: generate waits at most RUN_TIMEOUT_S (default 600) per run, the CLI CLI_TIMEOUT_S (default 300); the apps and
 * the site are stopped after use and on exit. Errors: exits 1 with the reason (a run that does not succeed, an app that
 * does not start).
 */
import { spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { fetch } from "undici";
import { processTree } from "./lib/proc.mjs";
import { writeResultsSection } from "./lib/results-section.mjs";
import { scratchDatabase } from "./lib/scratch-db.mjs";
import { runTsx, startBenchApp, startSyntheticSite } from "./lib/bench-procs.mjs";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PORT = Number(process.env.PORT ?? 3240);
const BASE = `http://127.0.0.1:${PORT}`;
const SITE_PORT = Number(process.env.SITE_PORT ?? 8240);
const SITE_PAGES = process.env.SITE_PAGES ?? "10k";
const REPS = Number(process.env.REPS ?? 2);
const CONCURRENCY = 10;
const DBS = (process.env.DB ?? "pglite postgres").split(/\s+/).filter(Boolean);
const BASE_DIR = process.env.BENCH_BASE_DIR ? path.resolve(process.env.BENCH_BASE_DIR) : null;
/** CRAWL_WORKER_NICE for the app (unset: the app's default, nice 10; see the module doc). */
const WORKER_NICE = process.env.WORKER_NICE;
const RUN_TIMEOUT_S = Number(process.env.RUN_TIMEOUT_S ?? 600);
const CLI_TIMEOUT_S = Number(process.env.CLI_TIMEOUT_S ?? 300);
const SHARED_BENCH = process.env.SHARED_BENCH ?? path.join(REPO, "..", "shared", "bench");
const RESULTS = path.join(REPO, "bench", "RESULTS.md");
const SITE = `http://127.0.0.1:${SITE_PORT}/`;
/** The node flags of `npm run crawl` (package.json). */
const CLI_NODE_FLAGS = ["--max-semi-space-size=8", "--v8-pool-size=2", "--expose-gc"];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sf-gen-bench-"));
const cleanups = [];
const cleanup = async () => {
  for (const c of cleanups.splice(0).reverse()) await Promise.resolve(c()).catch(() => {});
};
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, async () => { await cleanup(); process.exit(130); });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...a) => console.error("[bench:generate]", ...a);
const load1 = () => os.loadavg()[0].toFixed(2);
const commitOf = (dir) => spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: dir, encoding: "utf8" }).stdout.trim();

/** Resident set size of `pids`, summed, in bytes (Linux /proc; a process that ended counts 0). */
function rssOf(pids) {
  let sum = 0;
  for (const pid of pids) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
      if (m) sum += Number(m[1]) * 1024;
    } catch {}
  }
  return sum;
}

/** Samples the RSS of `root`'s process tree every 100 ms until stopped: { stop() → { peak, last } } in bytes. */
function sampleRss(root) {
  let pids = processTree(root);
  let peak = rssOf(pids), last = peak, n = 0;
  const t = setInterval(() => {
    if (++n % 10 === 0) pids = processTree(root); // children may start later (next start → next-server)
    last = rssOf(pids);
    if (last > peak) peak = last;
  }, 100);
  return { stop: () => (clearInterval(t), { peak, last }), now: () => last };
}

/** A throw-away database of `kind` (bench/lib/scratch-db.mjs); PostgreSQL ones on BENCH_DATABASE_URL's server. */
function database(kind) {
  const adminUrl = (process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/h12speed").replace(/\/[^/]*$/, "/postgres");
  return scratchDatabase(kind, { tmpDir: tmp, prefix: "sf_generate", adminUrl });
}


const siteStats = async () => (await fetch(`${SITE}__stats`)).json();
const siteReset = async () => { await (await fetch(`${SITE}__reset`)).text(); };

/** One CLI crawl: { pages, wallS, pagesPerS, peakRssMb, listed }. */
async function cliCrawl(label) {
  await siteReset();
  const out = path.join(tmp, `cli-${label}`);
  const args = [...CLI_NODE_FLAGS, "scripts/crawl.mjs", SITE, "--out", out, "--allow-host", `127.0.0.1:${SITE_PORT}`, "--concurrency", String(CONCURRENCY), "--max-pages", "10000000", "--json"];
  const load = load1();
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", () => {});
  const rss = sampleRss(child.pid);
  const timer = setTimeout(() => child.kill("SIGKILL"), CLI_TIMEOUT_S * 1000);
  const code = await new Promise((r) => child.on("exit", (c) => r(c)));
  const wallS = (performance.now() - t0) / 1000;
  clearTimeout(timer);
  const { peak } = rss.stop();
  if (code !== 0) throw new Error(`the CLI crawl exited with ${code}`);
  const json = JSON.parse(stdout.trim().split("\n").filter((l) => l.startsWith("{")).pop() ?? "{}");
  const st = await siteStats();
  fs.rmSync(out, { recursive: true, force: true });
  return { pages: st.pages, wallS, pagesPerS: st.pages / wallS, peakRssMb: Math.round(Math.max(peak, (json.peakRssMb ?? 0) * 2 ** 20) / 2 ** 20), listed: json.urlsListed, load };
}


/**
 * Where an app run's wall time went, s: request → run started (job pick-up and the crawl step's start), started →
 * finished; on PostgreSQL also split at the first and last page seen (PageState.updatedAt of the sitemap's pages,
 * whole seconds: the crawl's own clock): started → first page (worker start-up), first → last page (the crawl),
 * last page → finished (post-crawl phases, export, publish). PGlite cannot be read while the app holds it.
 */
async function phasesOf(kind, url, sitemapId, run, t0) {
  const started = Date.parse(run.startedAt), finished = Date.parse(run.finishedAt);
  const out = { toStart: (started - t0) / 1000, startToEnd: (finished - started) / 1000 };
  if (kind !== "postgres") return out;
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const { rows } = await c.query(`SELECT min("updatedAt") AS a, max("updatedAt") AS b FROM "PageState" WHERE "sitemapId" = $1`, [sitemapId]);
  await c.end();
  // timestamp without time zone, UTC (Prisma's DateTime): read as UTC.
  const utc = (d) => Date.UTC(d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds());
  const a = utc(rows[0].a), b = utc(rows[0].b);
  return { ...out, toFirstPage: (a - started) / 1000, crawl: (b - a) / 1000, afterLastPage: (finished - b) / 1000 };
}

/** One build on one database: REPS pairs (CLI, then app). */
async function measureBuild(build, kind) {
  const db = await database(kind);
  const label = `${kind}-${path.basename(build.dir)}`;
  const env = {
    ...process.env,
    PORT: String(PORT),
    DATABASE_URL: db.url,
    APP_URL: BASE,
    NEXTAUTH_URL: BASE,
    NEXTAUTH_SECRET: crypto.randomBytes(32).toString("base64url"),
    FILES_DIR: path.join(tmp, `files-${label}`),
    CRAWL_ALLOW_HOSTS: `127.0.0.1:${SITE_PORT}`,
    INNGEST_MODE: "local",
    NEXT_TELEMETRY_DISABLED: "1",
    PLAN_LIMITS: JSON.stringify({ starter: { perMinute: 1_000_000, perDay: null } }),
    ...(WORKER_NICE !== undefined ? { CRAWL_WORKER_NICE: WORKER_NICE } : {}),
  };
  runTsx(build.dir, env, ["scripts/db-migrate.ts", "deploy"]);
  const email = `bench-${crypto.randomBytes(4).toString("hex")}@example.com`;
  runTsx(build.dir, env, ["scripts/user-create.ts", "--email", email, "--password", "bench-password-123"]);
  const key = runTsx(build.dir, env, ["scripts/apikey-create.ts", "--email", email, "--name", "bench"]).split("\n").pop();
  log(`${build.label} on ${kind}: starting the app (load ${load1()})`);
  const { stop, pid } = await startBenchApp({ dir: build.dir, env, logFile: path.join(tmp, `app-${label}.log`), baseUrl: BASE, cleanups });
  const headers = { authorization: `Bearer ${key}` };
  const api = async (method, p, body) => {
    const r = await fetch(BASE + p, { method, headers: { ...headers, ...(body ? { "content-type": "application/json" } : {}) }, body: body ? JSON.stringify(body) : undefined });
    const json = await r.json();
    if (r.status >= 300) throw new Error(`${method} ${p}: ${r.status} ${JSON.stringify(json)}`);
    return json.data;
  };
  const rows = [];
  try {
    for (let i = 0; i < 5; i++) await api("GET", "/api/v1/sitemaps");
    for (let rep = 1; rep <= REPS; rep++) {
      log(`${build.label} on ${kind} rep ${rep}: CLI (load ${load1()})`);
      const cli = await cliCrawl(`${label}-${rep}`);
      log(`  CLI ${cli.pages} pages in ${cli.wallS.toFixed(2)} s = ${cli.pagesPerS.toFixed(0)} pages/s, RSS ${cli.peakRssMb} MB`);
      const sm = await api("POST", "/api/v1/sitemaps", {
        name: `Synthetic ${rep}`, startUrl: SITE, fileName: `synthetic-${rep}`,
        crawl: { maxPages: 1_000_000, maxDepth: 100, concurrency: CONCURRENCY },
      });
      await siteReset();
      const rss = sampleRss(pid);
      await sleep(300);
      const baseline = rss.now();
      const load = load1();
      log(`${build.label} on ${kind} rep ${rep}: app (load ${load})`);
      const t0 = Date.now();
      let run = await api("POST", `/api/v1/sitemaps/${sm.id}/generate?wait=120`);
      const final = ["succeeded", "failed", "cancelled", "held"];
      while (!final.includes(run.status)) {
        if (Date.now() - t0 > RUN_TIMEOUT_S * 1000) throw new Error(`run ${run.id} did not end within ${RUN_TIMEOUT_S} s`);
        await sleep(100);
        run = await api("GET", `/api/v1/runs/${run.id}`);
      }
      const { peak } = rss.stop();
      if (run.status !== "succeeded") throw new Error(`run ${run.id} ended ${run.status}: ${run.error}`);
      const wallS = (Date.parse(run.finishedAt) - t0) / 1000;
      const st = await siteStats();
      const app = { pages: st.pages, wallS, pagesPerS: st.pages / wallS, listed: run.progress.urlsListed, baselineMb: baseline / 2 ** 20, peakMb: peak / 2 ** 20, load, phases: await phasesOf(kind, db.url, sm.id, run, t0) };
      log(`  phases ${JSON.stringify(app.phases)}`);
      log(`  app ${app.pages} pages in ${wallS.toFixed(2)} s = ${app.pagesPerS.toFixed(0)} pages/s, ${app.listed} listed, RSS ${app.baselineMb.toFixed(0)} → ${app.peakMb.toFixed(0)} MB`);
      rows.push({ kind, build: build.label, rep, cli, app });
    }
  } finally {
    await stop();
    await db.drop();
  }
  return rows;
}

const phaseText = (p) =>
  p.crawl !== undefined ? [p.toStart, p.toFirstPage, p.crawl, p.afterLastPage].map((v) => v.toFixed(1)).join(" / ") : `${p.toStart.toFixed(1)} / ${p.startToEnd.toFixed(1)}`;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main() {
  const started = Date.now();
  await startSyntheticSite({ script: path.join(SHARED_BENCH, "site", "server.mjs"), pages: SITE_PAGES, port: SITE_PORT, logFile: path.join(tmp, "site.log"), cleanups });
  const builds = [...(BASE_DIR ? [{ dir: BASE_DIR, label: `before (${commitOf(BASE_DIR)})` }] : []), { dir: REPO, label: `this build (${commitOf(REPO)})` }];
  const rows = [];
  for (const kind of DBS) for (const b of builds) rows.push(...(await measureBuild(b, kind)));
  const when = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const backend = (k) => (k === "pglite" ? "PGlite (embedded default)" : "PostgreSQL");
  const summary = [];
  for (const kind of DBS) for (const b of builds) {
    const rs = rows.filter((r) => r.kind === kind && r.build === b.label);
    summary.push(`${backend(kind)}, ${b.label}: median app/CLI ${(median(rs.map((r) => r.app.pagesPerS / r.cli.pagesPerS)) * 100).toFixed(0)} %, median RSS growth ${median(rs.map((r) => r.app.peakMb - r.app.baselineMb)).toFixed(0)} MB`);
  }
  const section = [
    "## The main job through the app vs the CLI (`npm run bench:generate`)",
    "",
    `Run ${when}, ${os.cpus().length} cores, the whole run took ${Math.round((Date.now() - started) / 60_000)} min. The ${SITE_PAGES}-page synthetic site`,
    `of ../shared/bench on loopback, no added latency, concurrency ${CONCURRENCY}. CLI: \`node ${CLI_NODE_FLAGS.join(" ")} scripts/crawl.mjs …\``,
    "(the flags of `npm run crawl`); app: `npm start` (production build, in-process Inngest runner), a new sitemap per run",
    "(a first crawl), `POST /api/v1/sitemaps/{id}/generate?wait=120`. pages/s = distinct pages the site served ÷ wall time",
    "(CLI: the process; app: from the request to the run's `finishedAt`, i.e. crawl, diff, audit, export and publish done).",
    "RSS: CLI peak of the process; app: its process tree sampled every 100 ms, before the request → peak during the run.",
    "Each CLI run is immediately followed by the app run it is compared with (ratio per pair). Goal (issue 12 item 4):",
    "app ≥ 80 % of the CLI's pages/s, app RSS growth ≤ 150 MB.",
    `The app's crawl worker ran at ${WORKER_NICE === undefined ? "its default nice value (10)" : `CRAWL_WORKER_NICE=${WORKER_NICE}`}.`,
    "",
    "\"app phases\": request → run started / started → first page / first → last page (the crawl) / last page →",
    "finished (post-crawl phases, export, publish), s; the page times are PageState's whole seconds, read on PostgreSQL",
    "only (PGlite: request → started / started → finished).",
    "",
    "| backend | build | rep | CLI pages | CLI s | CLI pages/s | CLI RSS | app pages | app listed | app s | app pages/s | app / CLI | app phases, s | app RSS before → peak (growth) | load 1m (CLI / app) |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|",
    ...rows.map((r) =>
      `| ${backend(r.kind)} | ${r.build} | ${r.rep} | ${r.cli.pages} | ${r.cli.wallS.toFixed(2)} | ${r.cli.pagesPerS.toFixed(0)} | ${r.cli.peakRssMb} MB | ${r.app.pages} | ${r.app.listed} | ${r.app.wallS.toFixed(2)} | ${r.app.pagesPerS.toFixed(0)} | ${((r.app.pagesPerS / r.cli.pagesPerS) * 100).toFixed(0)} % | ${phaseText(r.app.phases)} | ${r.app.baselineMb.toFixed(0)} → ${r.app.peakMb.toFixed(0)} MB (${(r.app.peakMb - r.app.baselineMb).toFixed(0)} MB) | ${r.cli.load} / ${r.app.load} |`,
    ),
    "",
    ...summary.map((s) => `- ${s}`),
    "",
  ].join("\n");
  console.log(section);
  writeResultsSection(RESULTS, "generate-speed", section);
}

try {
  await main();
} catch (err) {
  console.error("bench:generate:", err.message ?? err, err.cause ?? "");
  process.exitCode = 1;
} finally {
  await cleanup();
}
