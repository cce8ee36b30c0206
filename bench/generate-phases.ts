/**
 * Where the time of one run goes, without the web server: `node --import tsx bench/generate-phases.ts` (optionally
 * `--cpu-prof`). Profiling aid for `npm run bench:generate` (bench/generate-speed.mjs); prints JSON, writes nothing.
 *
 * On DATABASE_URL's database (default a fresh in-memory PGlite; a PostgreSQL URL names an existing, migrated or empty
 * database: migrations are deployed), against the synthetic site at SITE (default http://127.0.0.1:8240/, started by
 * the caller, e.g. `node ../shared/bench/site/server.mjs --pages 10k --port 8240`): creates a user and a sitemap
 * (concurrency 10), claims a run, then times the job's steps as the Inngest function runs them: `crawlRun` (crawl in the
 * worker thread, journal writes, then the post-crawl phases) and `exportRun`. The post-crawl phases are timed once more
 * on their own afterwards on the finished run (each is idempotent): storeInlinks is not repeatable (it needs the
 * crawl's map) and is left out; loadInventoryTotals, computeRunDiff, the audit's inventory reads, iterateExportUrls.
 * On PostgreSQL also the database's committed transactions and rows inserted (pg_stat_database) during the crawl step.
 * CPU of the crawl step (`crawlStepCpuMs`): the process, its main thread (Linux /proc), and on PostgreSQL the backends
 * serving the database (processes whose title names it, sampled every 100 ms, so a backend that lives < 100 ms is
 * missed). With CRAWL_WORKER_CPU_PROFILE_DIR set, the crawl worker writes its CPU profile there (lib/runs/crawl-worker.ts).
 * Times in ms. Errors: whatever the steps throw.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import pg from "pg";
import { createDb, setDb, getDb } from "@/lib/db/client";
import { deployMigrations } from "@/lib/db/migrate";
import { createUser } from "@/lib/db/users";
import { insertSitemap } from "@/lib/db/sitemaps";
import { claimRun, computeRunDiff } from "@/lib/db/runs";
import { loadInventoryTotals } from "@/lib/db/frontier";
import { iterateExportUrls } from "@/lib/db/urls";
import { iterateListedUrls } from "@/lib/db/run-audit";
import { ZCreateSitemapBody } from "@/lib/schemas/sitemaps";
import { crawlRun, exportRun } from "@/lib/runs/execute";
import { currentThreadId } from "@/lib/runs/crawl-worker";
import { threadCpuMs } from "@/lib/runs/thread-cpu";

const SITE = process.env.SITE ?? "http://127.0.0.1:8240/";
const url = process.env.DATABASE_URL ?? "pglite:memory";
process.env.DATABASE_URL = url;
process.env.CRAWL_ALLOW_HOSTS ??= new URL(SITE).host;

async function pgStats(): Promise<{ commits: number; inserted: number } | null> {
  if (url.startsWith("pglite:")) return null;
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const r = await c.query(`SELECT pg_stat_force_next_flush()`).catch(() => null);
  void r;
  const { rows } = await c.query(`SELECT xact_commit::bigint AS c, tup_inserted::bigint AS i FROM pg_stat_database WHERE datname = current_database()`);
  await c.end();
  return { commits: Number(rows[0].c), inserted: Number(rows[0].i) };
}

const t = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
  const t0 = performance.now();
  const v = await fn();
  return [v, Math.round(performance.now() - t0)];
};

const { db, pglite } = createDb(url);
setDb(db, pglite);
await deployMigrations(pglite ? { pglite } : { url });
const user = await createUser({ email: `phases-${randomBytes(4).toString("hex")}@example.com`, password: "bench-password-123" });
const data = ZCreateSitemapBody.parse({ name: "Synthetic", startUrl: SITE, fileName: `syn-${randomBytes(3).toString("hex")}`, crawl: { maxPages: 1_000_000, maxDepth: 100, concurrency: 10 } });
const sm = await insertSitemap({ userId: user.id, data });
const run = await claimRun({ sitemapId: sm.id, trigger: "api" });
if (!run) throw new Error("no run claimed");
const s0 = await pgStats();
const dbName = url.startsWith("pglite:") ? null : new URL(url).pathname.slice(1);
/** CPU ms (user + system) of the PostgreSQL backends serving dbName (their process title names it), by pid: max seen. */
const backendCpu = new Map<number, number>();
const sampleBackends = () => {
  if (!dbName) return;
  for (const pid of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (!fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(` ${dbName} `)) continue;
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      backendCpu.set(Number(pid), (Number(f[11]) + Number(f[12])) * 10);
    } catch {}
  }
};
sampleBackends();
const backendCpu0 = new Map(backendCpu);
const mainTid = currentThreadId();
const mainCpu0 = threadCpuMs(mainTid);
const cpu0 = process.cpuUsage();
const rss0 = process.memoryUsage().rss;
let peak = rss0;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
  sampleBackends();
}, 100);
const [crawl, crawlMs] = await t(() => crawlRun(run.id));
const cpu1 = process.cpuUsage(cpu0);
const mainCpu1 = threadCpuMs(mainTid);
sampleBackends();
let backendMs = 0;
for (const [pid, ms] of backendCpu) backendMs += ms - (backendCpu0.get(pid) ?? 0);
const s1 = await pgStats();
const [exp, exportMs] = await t(() => exportRun(run.id));
clearInterval(sampler);
const [, totalsMs] = await t(() => loadInventoryTotals(run.id));
const [, diffMs] = await t(() => computeRunDiff(run.id, null));
const [, listedMs] = await t(async () => { let n = 0; for await (const _ of iterateListedUrls(run.id)) n++; return n; });
const [, exportReadMs] = await t(async () => { let n = 0; for await (const _ of iterateExportUrls(run.id, sm.id)) n++; return n; });
const rows = await getDb().$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM "RunUrl" WHERE "runId" = ${run.id}`;
console.log(JSON.stringify({
  db: url.startsWith("pglite:") ? "pglite" : "postgres",
  pagesFetched: crawl.pagesFetched, urlsListed: crawl.urlsListed, runUrls: Number(rows[0].n),
  crawlRunMs: crawlMs, exportRunMs: exportMs,
  // CPU of the crawl step: the whole process, its main thread (PGlite's writes, the post-crawl phases), the rest
  // (the crawl worker, libuv and V8's helper threads), and the database's backends (PostgreSQL, sampled every 100 ms).
  crawlStepCpuMs: {
    process: Math.round((cpu1.user + cpu1.system) / 1000),
    mainThread: mainCpu0 !== null && mainCpu1 !== null ? Math.round(mainCpu1 - mainCpu0) : undefined,
    postgresBackends: dbName ? Math.round(backendMs) : undefined,
  },
  again: { loadInventoryTotalsMs: totalsMs, computeRunDiffMs: diffMs, iterateListedUrlsMs: listedMs, iterateExportUrlsMs: exportReadMs },
  crawlStep: s0 && s1 ? { commits: s1.commits - s0.commits, rowsInserted: s1.inserted - s0.inserted } : undefined,
  files: exp.files, rssMb: { before: Math.round(rss0 / 2 ** 20), peak: Math.round(peak / 2 ** 20) },
}));
await db.$disconnect();
await pglite?.close();
process.exit(0);
