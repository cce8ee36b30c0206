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
 * Times in ms. Errors: whatever the steps throw.
 */
import { randomBytes } from "node:crypto";
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
const rss0 = process.memoryUsage().rss;
let peak = rss0;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
const [crawl, crawlMs] = await t(() => crawlRun(run.id));
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
  again: { loadInventoryTotalsMs: totalsMs, computeRunDiffMs: diffMs, iterateListedUrlsMs: listedMs, iterateExportUrlsMs: exportReadMs },
  crawlStep: s0 && s1 ? { commits: s1.commits - s0.commits, rowsInserted: s1.inserted - s0.inserted } : undefined,
  files: exp.files, rssMb: { before: Math.round(rss0 / 2 ** 20), peak: Math.round(peak / 2 ** 20) },
}));
await db.$disconnect();
await pglite?.close();
process.exit(0);
