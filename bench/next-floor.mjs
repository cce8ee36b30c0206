#!/usr/bin/env node
/**
 * The floor of issue 12 item 5 on this machine: what Next.js itself allows for a GET route handler, with no database,
 * no authentication and no work of ours (`node bench/next-floor.mjs`, ~2 minutes).
 *
 * Writes a throw-away Next app into bench/out/next-floor/ (gitignored; it resolves `next`, `react` and autocannon
 * from this repo's node_modules, so it is the same Next 16 as the app), builds it (`next build`, production) and
 * serves it with `next start` on PORT (default 3500). Its routes (App Router route handlers, force-dynamic so each
 * request runs the handler):
 *   /api/ping  → Response.json({ ok: true })                        (the bare route: Next's own per-request work)
 *   /api/list  → Response.json({ data: 20 DTO-sized objects, … })   (plus a JSON body the size of a list page)
 * Each is loaded with autocannon at 10 connections for DURATION s (default 15) after a 3 s warm-up, and the script
 * prints req/s, p50/p99 latency and the server's CPU per request: user + system ticks of the `next start` process
 * tree from /proc during the phase ÷ its requests (robust to the machine's other load, unlike req/s), with the
 * 1-minute load average before → after. Prints a markdown table; the throw-away app is removed at the end.
 * Errors: exits 1 when the build fails or the server does not answer within 2 minutes.
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { processTree, ticksOf } from "./lib/proc.mjs";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const DIR = path.join(REPO, "bench", "out", "next-floor");
const PORT = Number(process.env.PORT ?? 3500);
const BASE = `http://127.0.0.1:${PORT}`;
const DURATION = Number(process.env.DURATION ?? 15);
const TICK_MS = 10; // /proc stat ticks (USER_HZ = 100 on Linux)

// A sitemap DTO's shape and size (about 1.6 kB of JSON each), so /api/list pays a list page's JSON.stringify.
const dto = (i) => ({
  id: `cm${String(i).padStart(23, "0")}`, number: i, name: `Bench ${i}`, startUrl: "http://127.0.0.1:8000/", fileName: `bench-${i}`,
  active: true, maxFileEntries: 50000, maxFileSize: 52428800, gzip: false,
  crawl: { maxPages: 10000, maxDepth: 50, concurrency: 8, userAgent: null, respectRobots: true, rules: [], queryPolicy: "keep", queryAllowlist: [],
    trailingSlash: "keep", maxUrlLength: 2047, respectCrawlDelay: false, importRobotsSitemaps: true, renderJs: "off", excludeNoindex: true,
    followNofollow: false, respectCanonical: true, collapseDuplicates: false },
  extensions: { images: true, imageHosts: [], hreflang: true, video: false, news: false, newsPublicationName: null, newsLanguage: null },
  auth: { basicAuth: false, headers: [], cookies: [] },
  output: { priorityMode: "off", defaultPriority: null, defaultChangefreq: null, lastmod: true, lastmodSource: "content", extraFormats: [], xslStylesheet: false },
  subScopes: [], templateId: null, options: { exportCharset: "utf-8" }, writeIntoRobots: false, exportAfterImport: false, exportPlan: [],
  exportCron: null, timezone: "UTC", publishGuard: 0.3, publishedRunId: null, publishedUrlsListed: null, lastRun: null, lastSucceededAt: null,
  sitemapUrl: null, createdAt: new Date(0).toISOString(), updatedAt: new Date(0).toISOString(),
});

function writeApp() {
  fs.rmSync(DIR, { recursive: true, force: true });
  const file = (p, text) => {
    fs.mkdirSync(path.dirname(path.join(DIR, p)), { recursive: true });
    fs.writeFileSync(path.join(DIR, p), text);
  };
  file("package.json", JSON.stringify({ name: "next-floor", private: true, type: "module" }));
  file("next.config.mjs", `export default { poweredByHeader: false, turbopack: { root: ${JSON.stringify(REPO)} } };\n`);
  file("app/api/ping/route.js", `export const dynamic = "force-dynamic";\nexport function GET() { return Response.json({ ok: true }); }\n`);
  file(
    "app/api/list/route.js",
    `export const dynamic = "force-dynamic";\nconst dto = ${dto.toString()};\n` +
      // Built per request, as the real route builds its DTOs from rows.
      `export function GET() { return Response.json({ data: Array.from({ length: 20 }, (_, i) => dto(i)), next_cursor: "x" }); }\n`,
  );
}

const cannon = (opts) =>
  new Promise((resolve, reject) => {
    const inst = autocannon({ connections: 10, ...opts }, (err, res) => (err ? reject(err) : resolve(res)));
    autocannon.track(inst, { renderProgressBar: false, renderResultsTable: false, renderLatencyTable: false, outputStream: { write() {} } });
  });

async function waitFor(url, child, ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("next start did not answer within the time limit");
}

async function main() {
  writeApp();
  const next = path.join(REPO, "node_modules", "next", "dist", "bin", "next");
  const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" };
  const b = spawnSync(process.execPath, [next, "build"], { cwd: DIR, env, encoding: "utf8" });
  if (b.status !== 0) throw new Error(`next build failed:\n${b.stdout}\n${b.stderr}`);
  const server = spawn(process.execPath, [next, "start", "-p", String(PORT), "-H", "127.0.0.1"], { cwd: DIR, env, stdio: "ignore", detached: true });
  const stop = () => {
    try { process.kill(-server.pid, "SIGTERM"); } catch {}
  };
  process.on("exit", stop);
  for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => { stop(); process.exit(130); });
  await waitFor(`${BASE}/api/ping`, server, 120_000);
  const rows = [];
  for (const route of ["/api/ping", "/api/list"]) {
    await cannon({ url: BASE + route, duration: 3 });
    const pids = processTree(server.pid);
    const l0 = os.loadavg()[0];
    const t0 = ticksOf(pids);
    const r = await cannon({ url: BASE + route, duration: DURATION });
    const ticks = ticksOf(pids) - t0;
    const l1 = os.loadavg()[0];
    const n = r.requests.total;
    rows.push(
      `| GET ${route} | ${n} | ${r.latency.p50} ms | ${r.latency.p99} ms | ${r.requests.average} | ${((ticks * TICK_MS) / n).toFixed(2)} | ` +
        `${Math.round(r.throughput.average / Math.max(1, r.requests.average))} | ${l0.toFixed(1)} → ${l1.toFixed(1)} | ${r["2xx"]} / ${r.non2xx} |`,
    );
  }
  stop();
  fs.rmSync(DIR, { recursive: true, force: true });
  console.log(`Next.js floor, ${new Date().toISOString()}, ${os.cpus().length} cores, autocannon 10 connections, ${DURATION} s per route\n`);
  console.log("| route | requests | p50 | p99 | req/s | server CPU ms/req | bytes/resp | load 1m | 2xx / non-2xx |");
  console.log("|---|---:|---:|---:|---:|---:|---:|---|---|");
  for (const r of rows) console.log(r);
}

main().catch((err) => {
  console.error(err.message ?? err);
  process.exit(1);
});
