/**
 * Command line crawl + export, without the web server or its database (safe while the app runs on PGlite):
 *
 *   npm run crawl -- <start-url> --out <dir> [flags]      (flags: lib/crawl/cli-args.ts CRAWL_USAGE, or run without
 *                                                          arguments; every crawl setting has one)
 *   npm run crawl -- <start-url> --audit [--fail-on issues|errors]   (audit of the site's own sitemaps; --out optional)
 *   npm run crawl -- <start-url> --urls <file.csv|->   (the URL inventory as CSV, the API's columns; --out optional)
 *
 * `npm run crawl` runs this file as an esbuild bundle built on demand (scripts/crawl.mjs), not through tsx.
 * Same code path as the job (lib/runs/pipeline.ts): crawlInto() with an in-memory sink, then writeOutputs().
 * Prints pages fetched, URLs listed, excluded by reason, wall time, pages/s and peak RSS; a crawl cut short by
 * maxPages, maxDepth or the trap caps prints its warnings (lib/core/run-outcome.ts RUN_WARNINGS; `warnings` in --json)
 * and still exits 0. A crawl that lists nothing prints the failure's code, message and hint (`error: { code, message,
 * hint, detail }` in --json), the same diagnosis as a failed run of the app (dns_not_found, robots_5xx, …). With
 * --audit, the findings of the audit of the site's own sitemaps (lib/crawl/site-audit.ts) by kind, and the first
 * {@link AUDIT_LINES_PER_KIND} of each kind (`--json`: all of them). With --urls, every URL met with its result, reason
 * and detail, depth, found on, inlinks, lastmod and its source, duplicate cluster (lib/runs/inventory-file.ts), also
 * when the crawl listed nothing; `--urls -` writes it to stdout and the text report to stderr.
 * Exit codes: 0 ok (with or without warnings), 1 failed (nothing listed: the code says why; or the export failed),
 * 2 bad arguments, 3 the launcher could not build the bundle (scripts/crawl.mjs), 4 the audit found problems and
 * --fail-on asked to fail on them (`issues`: any finding; `errors`: sitemap_error or not_indexable).
 */
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import v8 from "node:v8";
import type { CrawlRecord } from "../lib/core/types";
import { CRAWL_ARG_OPTIONS, CRAWL_USAGE, crawlConfigFromArgs, type CrawlCliConfig } from "../lib/crawl/cli-args";
import { auditFindings, countFindings, type AuditFinding } from "../lib/crawl/site-audit";
import { createInventorySpool } from "../lib/runs/inventory-file";
import { crawlInto, crawlSettings, writeOutputs } from "../lib/runs/pipeline";
import { diagnoseEmptyCrawl, runWarnings, warningMessage } from "../lib/core/run-outcome";

function usage(msg?: string): never {
  if (msg) console.error(`error: ${msg}`);
  console.error(CRAWL_USAGE);
  process.exit(2);
}

if (process.argv.slice(2).some((a) => a === "--help" || a === "-h")) {
  console.log(CRAWL_USAGE);
  process.exit(0);
}

const config: CrawlCliConfig = (() => {
  try {
    const { values, positionals } = parseArgs({ allowPositionals: true, options: CRAWL_ARG_OPTIONS });
    const env = process.env.CRAWL_ALLOW_HOSTS?.split(",").map((s) => s.trim()).filter(Boolean) ?? [];
    return crawlConfigFromArgs(values, positionals[0], env);
  } catch (e) {
    return usage((e as Error).message);
  }
})();
const startUrl = config.settings.startUrl;
const outDir = path.resolve(config.outDir);
const settings = crawlSettings(config.settings);
const allowHosts = config.allowHosts;
/** Findings printed per kind (text report). */
const AUDIT_LINES_PER_KIND = 20;

/**
 * Keeps old-generation garbage bounded when node runs with --expose-gc (as `npm run crawl` does): every progress tick
 * (≤ 2 per second), when the heap in use exceeds 1.5 × what was live after the last full collection + 24 MB, collect
 * now. Pages in flight survive a few scavenges and are promoted; V8 would otherwise let that garbage pile up to several
 * times the live size before a full GC (peak RSS of a 100k-page crawl varied 146–224 MB between identical runs).
 * Cost: a full GC of ~30–60 MB live every few thousand pages. Without --expose-gc this does nothing.
 */
const collectIfBloated = (() => {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== "function") return () => {};
  let live = v8.getHeapStatistics().used_heap_size;
  return () => {
    if (v8.getHeapStatistics().used_heap_size <= live * 1.5 + 24 * 1048576) return;
    gc();
    live = v8.getHeapStatistics().used_heap_size;
  };
})();

const started = Date.now();
const listed: { loc: string; lastmod: string | null }[] = [];
let peakRss = process.memoryUsage().rss;
const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
const isTty = process.stderr.isTTY;
/** The URL inventory's spool (--urls), or null. */
const inventory = config.urls !== null ? createInventorySpool() : null;
/** The text report goes to stderr when stdout carries the inventory (--urls -). */
const say = config.urls === "-" ? (line: string) => console.error(line) : (line: string) => console.log(line);

try {
  const summary = await crawlInto(settings, {
    allowHosts,
    audit: config.audit,
    sink: {
      write: async (records: CrawlRecord[]) => {
        for (const r of records) if (r.included) listed.push({ loc: r.url, lastmod: r.lastmod });
        inventory?.write(records);
      },
      progress: (p) => {
        collectIfBloated();
        if (isTty) process.stderr.write(`\rfetched ${p.pagesFetched}  queued ${p.pagesQueued}  listed ${p.urlsListed}   `);
      },
    },
  });
  if (isTty) process.stderr.write("\n");
  const crawlMs = Date.now() - started;
  // Same stable order as the job's export (by URL).
  listed.sort((a, b) => (a.loc < b.loc ? -1 : a.loc > b.loc ? 1 : 0));
  if (config.write) fs.mkdirSync(outDir, { recursive: true });
  const written = listed.length && config.write
    ? await writeOutputs(listed, {
        dir: outDir,
        fileName: config.fileName,
        baseUrl: config.baseUrl,
        maxFileEntries: config.maxFileEntries,
        maxFileSize: config.maxFileSize,
        gzip: config.gzip,
      })
    : null;
  // The inventory, also when nothing was listed (it shows why every URL was left out).
  let inventoryRows: number | null = null;
  if (inventory) {
    const out = config.urls === "-" ? process.stdout : fs.createWriteStream(path.resolve(config.urls!));
    inventoryRows = await inventory.finish({ inlinks: summary.inlinks, published: written !== null, out });
    if (out !== process.stdout) await new Promise<void>((resolve, reject) => (out as fs.WriteStream).end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
  clearInterval(rssTimer);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const wallMs = Date.now() - started;
  const warnings = runWarnings(summary.excludedByReason);
  // Nothing listed is a failure whether or not files were asked for (--audit alone writes none).
  const failure = listed.length
    ? null
    : diagnoseEmptyCrawl({
        startUrl: settings.startUrl,
        robots: summary.robots,
        start: summary.start,
        excludedByReason: summary.excludedByReason,
        timeoutMs: settings.timeoutMs,
      });
  const report = {
    startUrl,
    pagesFetched: summary.pagesFetched,
    urlsListed: summary.urlsListed,
    urlsExcluded: summary.urlsExcluded,
    excludedByReason: summary.excludedByReason,
    crawlMs,
    wallMs,
    pagesPerSecond: Math.round((summary.pagesFetched / Math.max(crawlMs, 1)) * 1000 * 10) / 10,
    peakRssMb: Math.round(peakRss / 1024 / 1024),
    files: written?.files.map((f) => ({ name: f.name, urls: f.urlCount, bytes: f.bytes })) ?? [],
    out: config.write ? outDir : null,
    inventory: config.urls !== null ? { file: config.urls === "-" ? "-" : path.resolve(config.urls), urls: inventoryRows } : null,
    warnings,
    error: failure,
  };
  const findings: AuditFinding[] = [];
  if (summary.audit) for await (const f of auditFindings(summary.audit, { listed: listed.map((l) => l.loc) })) findings.push(f);
  const counts = countFindings(findings);
  const audit = summary.audit
    ? { source: summary.audit.source, found: summary.audit.found, sitemapFiles: summary.audit.files.length, sitemapUrls: summary.audit.urls.length, counts, findings }
    : null;
  if (config.json) console.log(JSON.stringify(audit ? { ...report, audit } : report));
  else {
    say(`Crawled ${report.startUrl}`);
    say(`  pages fetched   ${report.pagesFetched}`);
    say(`  URLs listed     ${report.urlsListed}`);
    say(`  URLs excluded   ${report.urlsExcluded}`);
    for (const [reason, n] of Object.entries(report.excludedByReason).filter((e) => e[1] > 0).sort((a, b) => b[1] - a[1]))
      say(`    ${reason.padEnd(20)} ${n}`);
    say(`  time            ${(report.wallMs / 1000).toFixed(2)} s (crawl ${(report.crawlMs / 1000).toFixed(2)} s)`);
    say(`  pages/s         ${report.pagesPerSecond}`);
    say(`  peak RSS        ${report.peakRssMb} MB`);
    if (written) for (const f of report.files) say(`  wrote ${path.join(outDir, f.name)}  (${f.urls} URLs, ${f.bytes} bytes)`);
    if (report.inventory && report.inventory.file !== "-") say(`  wrote ${report.inventory.file}  (URL inventory, ${report.inventory.urls} URLs)`);
    for (const w of warnings) say(`warning ${w}: ${warningMessage(w, summary.excludedByReason)}`);
    if (audit) printAudit(audit);
  }
  if (failure) {
    if (!config.json) console.error(`failed ${failure.code}: ${failure.message}\n  hint: ${failure.hint}\nNo sitemap written.`);
    process.exit(1);
  }
  const failing = config.failOn === "issues" ? findings.length : config.failOn === "errors" ? counts.sitemap_error + counts.not_indexable : 0;
  if (failing > 0) {
    console.error(`Audit: ${failing} problem${failing === 1 ? "" : "s"} in the site's own sitemaps (--fail-on ${config.failOn}).`);
    process.exit(4);
  }
  process.exit(0);
} catch (err) {
  clearInterval(rssTimer);
  inventory?.discard();
  console.error(`crawl failed: ${(err as Error).message}`);
  process.exit(1);
}

/** The audit's text report: where the sitemaps came from, counts by kind, the first findings of each kind. */
function printAudit(a: { source: string | null; found: boolean; sitemapFiles: number; sitemapUrls: number; counts: Record<string, number>; findings: AuditFinding[] }) {
  const from = a.source === "robots" ? "robots.txt Sitemap: lines" : a.source === "default" ? "/sitemap.xml" : "none read";
  say(`Audit of the site's own sitemaps (${from})`);
  if (!a.found && a.findings.length === 0) {
    say("  no sitemap published");
    return;
  }
  say(`  sitemap files   ${a.sitemapFiles}`);
  say(`  sitemap URLs    ${a.sitemapUrls}`);
  for (const [kind, n] of Object.entries(a.counts)) {
    say(`  ${kind.padEnd(22)} ${n}`);
    const some = a.findings.filter((f) => f.kind === kind).slice(0, AUDIT_LINES_PER_KIND);
    for (const f of some) {
      const d = f.detail ?? {};
      const extra = [f.reason, d.status != null ? `HTTP ${d.status}` : null, d.target ? `→ ${d.target}` : null, d.message ?? null].filter(Boolean).join("  ");
      say(`    ${f.url}${extra ? `  ${extra}` : ""}`);
    }
    if (n > some.length) say(`    … ${n - some.length} more (--json lists all)`);
  }
}
