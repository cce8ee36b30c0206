/**
 * How long an export-only run takes (lib/runs/export-only.ts: a pushed URL published without a recrawl), by size of
 * the published inventory, on PGlite and PostgreSQL:
 *
 *   node --import tsx bench/push-export.ts        (npm run bench:push-export)
 *
 * Per backend (an in-memory PGlite, and a throw-away database on BENCH_DATABASE_URL when set, e.g.
 * postgresql://postgres@127.0.0.1:5432/postgres) and per size N of SIZES (default 1000,10000,50000): seeds a sitemap
 * whose published run lists N URLs (RunUrl rows, published through the crawl's own export step, whose time is
 * reported as "full export" for comparison), then REPS times (default 3): pushes one new URL (pushSitemapUrls), claims
 * an export run and runs its step (exportOnlyRun: copy of the published inventory + write + atomic publish), timing
 * push → files switched. The Inngest hop and the coalescing window (PUSH_EXPORT_WINDOW_MS, default 2 s) come on top:
 * what a client waits is window + this. Checks that every export lists N + pushes URLs.
 *
 * Writes the section between the `push-export` markers of bench/RESULTS.md (and prints it). Errors: exits 1.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";

const REPO = path.resolve(import.meta.dirname, "..");
const RESULTS = process.env.RESULTS ?? path.join(REPO, "bench", "RESULTS.md");
const SIZES = (process.env.SIZES ?? "1000,10000,50000").split(",").map(Number);
const REPS = Number(process.env.REPS ?? 3);
/** The default coalescing window (lib/env.ts PUSH_EXPORT_WINDOW_MS), added to each export for the goal. */
const WINDOW_MS = 2000;
process.env.FILES_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "sf-bench-push-"));
process.env.APP_URL ??= "http://sitemaps.test";

const { createDb, setDb } = await import("@/lib/db/client");
const { deployMigrations } = await import("@/lib/db/migrate");
const { pushSitemapUrls } = await import("@/lib/db/urls");
const { claimRun } = await import("@/lib/db/runs");
const { exportOnlyRun } = await import("@/lib/runs/export-only");
const { exportRun } = await import("@/lib/runs/execute");
const { listPublishedFiles } = await import("@/lib/db/files");

const log = (...a: unknown[]) => console.error("[bench:push-export]", ...a);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function openBackend(name: "pglite" | "postgres") {
  if (name === "pglite") {
    const { db, pglite } = createDb("pglite:memory");
    await deployMigrations({ pglite: pglite! });
    return { db, close: async () => { await db.$disconnect(); await pglite!.close(); } };
  }
  const base = process.env.BENCH_DATABASE_URL!;
  const dbName = `sf_bench_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const u = new URL(base);
  u.pathname = `/${dbName}`;
  await deployMigrations({ url: u.toString() });
  const { db } = createDb(u.toString());
  return {
    db,
    close: async () => {
      await db.$disconnect();
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await c.end();
    },
  };
}

type Row = { backend: string; n: number; fullMs: number; exportMs: number[]; listed: number };

async function measure(backend: "pglite" | "postgres", n: number): Promise<Row> {
  const { db, close } = await openBackend(backend);
  setDb(db);
  try {
    const user = await db.user.create({ data: { email: `bench-${randomBytes(4).toString("hex")}@example.com`, passwordHash: "x" } });
    const sm = await db.sitemap.create({ data: { userId: user.id, name: "bench", startUrl: "https://bench.example/", fileName: "bench" } });
    const run = await db.run.create({ data: { sitemapId: sm.id, trigger: "api", status: "running", urlsListed: n, startedAt: new Date() } });
    await db.sitemap.update({ where: { id: sm.id }, data: { activeRunId: run.id } });
    for (let i = 0; i < n; i += 5000) {
      await db.runUrl.createMany({
        data: Array.from({ length: Math.min(5000, n - i) }, (_, j) => ({
          runId: run.id,
          url: `https://bench.example/p/${String(i + j).padStart(7, "0")}`,
          status: 200,
          included: true,
          lastmod: new Date(Date.UTC(2026, 0, 1) + (i + j) * 1000),
          depth: 1,
        })),
      });
    }
    const t0 = performance.now();
    await exportRun(run.id);
    const fullMs = performance.now() - t0;
    const exportMs: number[] = [];
    let listed = 0;
    for (let r = 0; r < REPS; r++) {
      const s = performance.now();
      await pushSitemapUrls({ userId: user.id, sitemapId: sm.id, items: [{ url: `https://bench.example/pushed-${r}` }], source: "compat" });
      const ex = await claimRun({ sitemapId: sm.id, trigger: "api", kind: "export" });
      if (!ex) throw new Error("could not claim the sitemap for an export run");
      await exportOnlyRun(ex.id);
      exportMs.push(performance.now() - s);
      listed = (await listPublishedFiles({ sitemapId: sm.id, userId: user.id })).filter((f) => f.kind === "urlset").reduce((k, f) => k + f.urlCount, 0);
      if (listed !== n + r + 1) throw new Error(`export ${r + 1} lists ${listed} URLs, expected ${n + r + 1}`);
    }
    return { backend, n, fullMs, exportMs, listed };
  } finally {
    await close();
  }
}

const backends: ("pglite" | "postgres")[] = ["pglite", ...(process.env.BENCH_DATABASE_URL ? (["postgres"] as const) : [])];
const rows: Row[] = [];
const load0 = os.loadavg()[0];
for (const b of backends) {
  for (const n of SIZES) {
    log(`${b} N=${n}…`);
    rows.push(await measure(b, n));
  }
}
const fmt = (ms: number) => `${Math.round(ms).toLocaleString("en-US")} ms`;
const section = [
  "<!-- push-export:start -->",
  "## Pushed URL → published, no recrawl (`npm run bench:push-export`)",
  "",
  `${new Date().toISOString().replace("T", " ").slice(0, 19)} UTC, ${os.cpus().length} cores, Node ${process.version}, 1-min load ${load0.toFixed(1)} → ${os.loadavg()[0].toFixed(1)}. ` +
    `bench/push-export.ts: one push (pushSitemapUrls) then an export-only run (claim, copy of the published inventory, write, atomic publish) ` +
    `timed in-process, ${REPS} reps per size; the client also waits the coalescing window (PUSH_EXPORT_WINDOW_MS, default 2,000 ms) and the job hop. ` +
    `"full export" = the crawl's export step of the same inventory, once. Goal: a pushed URL served within seconds (window + export-only run ≤ 5 s at 10k URLs).`,
  "",
  "| backend | published URLs | full export | push → published (median) | reps | URLs listed after the last push |",
  "|---|---|---|---|---|---|",
  ...rows.map((r) => `| ${r.backend} | ${r.n.toLocaleString("en-US")} | ${fmt(r.fullMs)} | ${fmt(median(r.exportMs))} | ${r.exportMs.map(fmt).join(", ")} | ${r.listed.toLocaleString("en-US")} |`),
  "",
  ...rows
    .filter((r) => r.n === 10_000)
    .map((r) => {
      const total = WINDOW_MS + median(r.exportMs);
      return `Goal on ${r.backend}, 10,000 URLs: window ${fmt(WINDOW_MS)} + ${fmt(median(r.exportMs))} = ${fmt(total)} → **${total <= 5000 ? "met" : "NOT met"}** (1-min load ${load0.toFixed(1)}+ on 2 cores).`;
    }),
  "<!-- push-export:end -->",
].join("\n");
console.log(section);
const md = fs.readFileSync(RESULTS, "utf8");
const re = /<!-- push-export:start -->[\s\S]*<!-- push-export:end -->/;
fs.writeFileSync(RESULTS, re.test(md) ? md.replace(re, section) : `${md.trimEnd()}\n\n${section}\n`);
process.exit(0);
