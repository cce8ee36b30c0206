/**
 * Crawl speed with referrer and inlink tracking (CrawlRecord.foundOn / inlinks, lib/crawl/crawler.ts) against the same
 * crawler with it switched off (`linkStats: false`, the crawl as it was before), in one run:
 *
 *   node --import tsx bench/crawl-linkstats.ts        (npm run bench:linkstats)
 *
 * Starts the synthetic site of ../shared/bench (SITE_PAGES pages, default 10k, no added latency, on SITE_PORT,
 * default 3221) and crawls it in this process with `crawl()` (concurrency CONCURRENCY, default 10; the records go to
 * a counting sink), REPS times per variant (default 7) after one warm-up crawl of off and on: each rep runs off, on
 * and a control (off again, an A/A comparison that shows the noise floor of this machine) back to back, the order
 * rotating, so load changes on the shared machine hit all alike. Reports per variant the median pages/s (page requests ÷ crawl wall
 * time), the median and best CPU ms per 1,000 pages (process.cpuUsage of this process: the crawler only, the site runs
 * in its own process) and the peak heap used, and the ratio on/off as the median of the ratios within each
 * back-to-back pair (the two crawls of a pair see nearly the same load). Goal: on is at most 5 % slower, by both measures (on a
 * loaded shared machine the wall-clock rate is noisy; CPU per page is what the tracking itself costs).
 *
 * Writes the section between the `crawl-linkstats` markers of bench/RESULTS.md (and prints it). Bounded: REPS × 2
 * crawls; the site is stopped on exit. Errors: exits 1 with the reason.
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DEFAULT_CRAWL_SETTINGS } from "@/lib/core/types";
import { crawl } from "@/lib/crawl/crawler";

const REPO = path.resolve(import.meta.dirname, "..");
const SHARED_BENCH = process.env.SHARED_BENCH ?? path.join(REPO, "..", "shared", "bench");
const SITE_PORT = Number(process.env.SITE_PORT ?? 3221);
const SITE_PAGES = process.env.SITE_PAGES ?? "10k";
const REPS = Number(process.env.REPS ?? 7);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 10);
const RESULTS = process.env.RESULTS ?? path.join(REPO, "bench", "RESULTS.md");
const log = (...a: unknown[]) => console.error("[bench:linkstats]", ...a);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** off: tracking off; on: tracking on (the default); control: tracking off again (A/A: the noise floor). */
type Variant = "off" | "on" | "control";
type Sample = { variant: Variant; pages: number; ms: number; cpuMs: number; heapMb: number; load: number };

async function startSite() {
  const child = spawn(process.execPath, [path.join(SHARED_BENCH, "site", "server.mjs"), "--pages", SITE_PAGES, "--port", String(SITE_PORT)], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  const origin = `http://127.0.0.1:${SITE_PORT}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${origin}/robots.txt`)).ok) return { origin, stop: () => child.kill() };
    } catch {
      await sleep(100);
    }
  }
  child.kill();
  throw new Error(`the synthetic site did not start on ${origin}`);
}

async function once(origin: string, variant: Variant): Promise<Sample> {
  (globalThis as { gc?: () => void }).gc?.();
  let records = 0;
  let heap = 0;
  const load = os.loadavg()[0];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const summary = await crawl(
    { ...DEFAULT_CRAWL_SETTINGS, startUrl: `${origin}/`, concurrency: CONCURRENCY, maxPages: 10_000_000, importRobotsSitemaps: false },
    {
      allowHosts: [`127.0.0.1:${SITE_PORT}`],
      linkStats: variant === "on",
      onRecord: () => void records++,
      progressIntervalMs: 250,
      onProgress: () => void (heap = Math.max(heap, process.memoryUsage().heapUsed)),
    },
  );
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  if (records === 0) throw new Error("the crawl recorded nothing");
  return { variant, pages: summary.pagesFetched, ms, cpuMs: (cpu.user + cpu.system) / 1000, heapMb: heap / 1048576, load };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const f0 = (n: number) => Math.round(n).toLocaleString("en-US");
/** A change in %, worded: +3.1 → "3.1 % faster", −3.1 → "3.1 % slower". */
const pct = (change: number) => (change >= 0 ? `${change.toFixed(1)} % faster` : `${(-change).toFixed(1)} % slower`);

async function main() {
  const site = await startSite();
  const samples: Sample[] = [];
  const started = new Date();
  try {
    log(`warm-up on ${site.origin} (${SITE_PAGES} pages)`);
    await once(site.origin, "off");
    await once(site.origin, "on");
    const order: Variant[] = ["off", "on", "control"];
    for (let i = 0; i < REPS; i++) {
      // Each rep runs the three variants back to back, the order rotating from rep to rep.
      for (const v of [...order.slice(i % 3), ...order.slice(0, i % 3)]) {
        const s = await once(site.origin, v);
        samples.push(s);
        log(`${v} rep ${i + 1}: ${f0((s.pages / s.ms) * 1000)} pages/s, ${s.cpuMs.toFixed(0)} CPU ms, load ${s.load.toFixed(2)}`);
      }
    }
  } finally {
    site.stop();
  }
  const stat = (v: Variant) => {
    const xs = samples.filter((s) => s.variant === v);
    return {
      pps: median(xs.map((s) => (s.pages / s.ms) * 1000)),
      cpuPer1k: median(xs.map((s) => (s.cpuMs / s.pages) * 1000)),
      bestCpuPer1k: Math.min(...xs.map((s) => (s.cpuMs / s.pages) * 1000)),
      heap: Math.max(...xs.map((s) => s.heapMb)),
      pages: xs[0].pages,
    };
  };
  const off = stat("off");
  const on = stat("on");
  const control = stat("control");
  // The crawls of one rep run back to back: ratios within a rep see nearly the same machine load.
  const ratios = (v: Variant) =>
    Array.from({ length: REPS }, (_, i) => {
      const rep = samples.slice(3 * i, 3 * i + 3);
      const x = rep.find((s) => s.variant === "off")!;
      const y = rep.find((s) => s.variant === v)!;
      return { pps: ((y.pages / y.ms) * x.ms) / x.pages, cpu: ((y.cpuMs / y.pages) * x.pages) / x.cpuMs };
    });
  const pairs = ratios("on");
  const ctl = ratios("control");
  const slower = (1 - median(pairs.map((p) => p.pps))) * 100;
  const cpuMore = (median(pairs.map((p) => p.cpu)) - 1) * 100;
  const cpuSlower = (1 - 1 / median(pairs.map((p) => p.cpu))) * 100;
  const ctlSlower = (1 - median(ctl.map((p) => p.pps))) * 100;
  const ctlCpuMore = (median(ctl.map((p) => p.cpu)) - 1) * 100;
  const bestMore = (on.bestCpuPer1k / off.bestCpuPer1k - 1) * 100;
  const commit = spawnSync("git", ["rev-parse", "--short=12", "HEAD"], { cwd: REPO, encoding: "utf8" }).stdout.trim() || "?";
  const L: string[] = [];
  L.push("<!-- crawl-linkstats:start -->");
  L.push("## Crawl speed with referrer and inlink tracking (`npm run bench:linkstats`)");
  L.push("");
  L.push(
    `${started.toISOString().slice(0, 19).replace("T", " ")} UTC, ${os.cpus().length} cores, Node ${process.version}, HEAD ${commit}. ` +
      `Synthetic site of ${SITE_PAGES} pages (${f0(on.pages)} page requests per crawl), 0 ms latency, concurrency ${CONCURRENCY}, ` +
      `\`crawl()\` in one process (bench/crawl-linkstats.ts), ${REPS} reps after one warm-up crawl each of off and on; a rep runs the three variants back to back, the order rotating. ` +
      "**off** = `linkStats: false` (the crawl without found-on and inlink tracking, as before); **on** = the default; " +
      "**control** = off again (an A/A comparison: the noise floor of this machine during the run). CPU = the crawling process's own user + system time.",
  );
  L.push("");
  L.push("| variant | pages/s (median) | CPU ms per 1,000 pages (median) | CPU ms per 1,000 pages (best) | peak heap MB |");
  L.push("|---|---|---|---|---|");
  L.push(`| off | ${f0(off.pps)} | ${off.cpuPer1k.toFixed(0)} | ${off.bestCpuPer1k.toFixed(0)} | ${off.heap.toFixed(0)} |`);
  L.push(`| on | ${f0(on.pps)} | ${on.cpuPer1k.toFixed(0)} | ${on.bestCpuPer1k.toFixed(0)} | ${on.heap.toFixed(0)} |`);
  L.push(`| control (off again) | ${f0(control.pps)} | ${control.cpuPer1k.toFixed(0)} | ${control.bestCpuPer1k.toFixed(0)} | ${control.heap.toFixed(0)} |`);
  L.push("");
  L.push(
    `On vs off, median of the ${REPS} reps (each rep: the three crawls back to back): ${pct(-slower)} in pages/s, ` +
      `${cpuMore >= 0 ? "+" : ""}${cpuMore.toFixed(1)} % CPU per page (the crawl is CPU-bound at 0 ms latency, so CPU per page is the rate ` +
      `an uncontended core would give: ${cpuSlower >= 0 ? `${cpuSlower.toFixed(1)} % slower` : `${(-cpuSlower).toFixed(1)} % faster`}). ` +
      `Best runs: ${bestMore >= 0 ? "+" : ""}${bestMore.toFixed(1)} % CPU per page. ` +
      `Noise floor (control vs off, the same code): ${pct(-ctlSlower)} in pages/s, ${ctlCpuMore >= 0 ? "+" : ""}${ctlCpuMore.toFixed(1)} % CPU per page. ` +
      `Goal ≤ 5 % slower: CPU per page **${cpuSlower <= 5 ? "met" : "NOT met"}**; pages/s ` +
      (Math.abs(ctlSlower) > 5
        ? `**not measurable in this run** (the control, the same code as off, differs from it by ${Math.abs(ctlSlower).toFixed(1)} %; re-run on a quiet machine).`
        : `**${slower <= 5 ? "met" : "NOT met"}**.`),
  );
  L.push("");
  L.push("| rep | variant | pages/s | CPU ms | 1-min load before |");
  L.push("|---|---|---|---|---|");
  samples.forEach((s, i) => L.push(`| ${Math.floor(i / 3) + 1} | ${s.variant} | ${f0((s.pages / s.ms) * 1000)} | ${s.cpuMs.toFixed(0)} | ${s.load.toFixed(2)} |`));
  L.push("<!-- crawl-linkstats:end -->");
  const section = L.join("\n");
  fs.mkdirSync(path.join(REPO, "bench", "out"), { recursive: true });
  fs.writeFileSync(path.join(REPO, "bench", "out", `linkstats-${started.toISOString().replace(/[:.]/g, "-")}.json`), JSON.stringify({ samples }, null, 1));
  console.log(section);
  const old = fs.existsSync(RESULTS) ? fs.readFileSync(RESULTS, "utf8") : "";
  const re = /<!-- crawl-linkstats:start -->[\s\S]*?<!-- crawl-linkstats:end -->/;
  fs.writeFileSync(RESULTS, re.test(old) ? old.replace(re, section) : `${old.trimEnd()}\n\n${section}\n`);
  log(`wrote ${RESULTS}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
