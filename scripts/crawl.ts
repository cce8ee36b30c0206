/**
 * Command line crawl + export, without the web server or its database (safe while the app runs on PGlite):
 *
 *   npm run crawl -- <start-url> --out <dir> [--allow-host host:port]… [--max-pages N] [--max-depth N]
 *                    [--concurrency N] [--file-name NAME] [--base-url URL] [--gzip] [--no-robots] [--user-agent UA]
 *                    [--max-file-entries N] [--max-file-size BYTES] [--json]
 *
 * Same code path as the job (lib/runs/pipeline.ts): crawlInto() with an in-memory sink, then writeOutputs().
 * Prints pages fetched, URLs listed, excluded by reason, wall time, pages/s and peak RSS. Exit codes: 0 ok,
 * 1 crawl/export failure (e.g. nothing indexable), 2 bad arguments.
 */
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { MAX_BYTES_PER_FILE, MAX_URLS_PER_FILE, type CrawlRecord } from "../lib/core/types";
import { crawlInto, crawlSettings, writeOutputs } from "../lib/runs/pipeline";

function usage(msg?: string): never {
  if (msg) console.error(`error: ${msg}`);
  console.error("usage: npm run crawl -- <start-url> --out <dir> [--allow-host host:port] [--max-pages N] [--concurrency N]");
  process.exit(2);
}

const { values, positionals } = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        out: { type: "string" },
        "allow-host": { type: "string", multiple: true },
        "max-pages": { type: "string" },
        "max-depth": { type: "string" },
        concurrency: { type: "string" },
        "file-name": { type: "string" },
        "base-url": { type: "string" },
        "user-agent": { type: "string" },
        "max-file-entries": { type: "string" },
        "max-file-size": { type: "string" },
        gzip: { type: "boolean" },
        "no-robots": { type: "boolean" },
        json: { type: "boolean" },
      },
    });
  } catch (e) {
    return usage((e as Error).message);
  }
})();

const int = (name: string, v: string | undefined, min: number, max: number): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) usage(`--${name} must be an integer in ${min}..${max}`);
  return n;
};

const startUrl = positionals[0];
if (!startUrl) usage("a start URL is required");
try {
  const u = new URL(startUrl);
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error();
} catch {
  usage(`not an absolute http(s) URL: ${startUrl}`);
}
if (!values.out) usage("--out <dir> is required");
const outDir = path.resolve(values.out);

const settings = crawlSettings({
  startUrl,
  maxPages: int("max-pages", values["max-pages"], 1, 10_000_000),
  maxDepth: int("max-depth", values["max-depth"], 0, 10_000),
  concurrency: int("concurrency", values.concurrency, 1, 256),
  userAgent: values["user-agent"],
  respectRobots: !values["no-robots"],
});
const allowHosts = [...(process.env.CRAWL_ALLOW_HOSTS?.split(",").map((s) => s.trim()).filter(Boolean) ?? []), ...(values["allow-host"] ?? [])];

const started = Date.now();
const listed: { loc: string; lastmod: string | null }[] = [];
let peakRss = process.memoryUsage().rss;
const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
const isTty = process.stderr.isTTY;

try {
  const summary = await crawlInto(settings, {
    allowHosts,
    sink: {
      write: async (records: CrawlRecord[]) => {
        for (const r of records) if (r.included) listed.push({ loc: r.url, lastmod: r.lastmod });
      },
      progress: (p) => {
        if (isTty) process.stderr.write(`\rfetched ${p.pagesFetched}  queued ${p.pagesQueued}  listed ${p.urlsListed}   `);
      },
    },
  });
  if (isTty) process.stderr.write("\n");
  const crawlMs = Date.now() - started;
  // Same stable order as the job's export (by URL).
  listed.sort((a, b) => (a.loc < b.loc ? -1 : a.loc > b.loc ? 1 : 0));
  const fileName = values["file-name"] ?? "sitemap";
  fs.mkdirSync(outDir, { recursive: true });
  const written = listed.length
    ? await writeOutputs(listed, {
        dir: outDir,
        fileName,
        baseUrl: values["base-url"] ?? new URL("/", startUrl).toString(),
        maxFileEntries: int("max-file-entries", values["max-file-entries"], 1, MAX_URLS_PER_FILE) ?? MAX_URLS_PER_FILE,
        maxFileSize: int("max-file-size", values["max-file-size"], 1024, MAX_BYTES_PER_FILE) ?? MAX_BYTES_PER_FILE,
        gzip: !!values.gzip,
      })
    : null;
  clearInterval(rssTimer);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const wallMs = Date.now() - started;
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
    out: outDir,
  };
  if (values.json) console.log(JSON.stringify(report));
  else {
    console.log(`Crawled ${report.startUrl}`);
    console.log(`  pages fetched   ${report.pagesFetched}`);
    console.log(`  URLs listed     ${report.urlsListed}`);
    console.log(`  URLs excluded   ${report.urlsExcluded}`);
    for (const [reason, n] of Object.entries(report.excludedByReason).sort((a, b) => b[1] - a[1]))
      console.log(`    ${reason.padEnd(20)} ${n}`);
    console.log(`  time            ${(report.wallMs / 1000).toFixed(2)} s (crawl ${(report.crawlMs / 1000).toFixed(2)} s)`);
    console.log(`  pages/s         ${report.pagesPerSecond}`);
    console.log(`  peak RSS        ${report.peakRssMb} MB`);
    if (written) for (const f of report.files) console.log(`  wrote ${path.join(outDir, f.name)}  (${f.urls} URLs, ${f.bytes} bytes)`);
  }
  if (!written) {
    console.error("No indexable page was found; no sitemap written.");
    process.exit(1);
  }
  process.exit(0);
} catch (err) {
  clearInterval(rssTimer);
  console.error(`crawl failed: ${(err as Error).message}`);
  process.exit(1);
}
