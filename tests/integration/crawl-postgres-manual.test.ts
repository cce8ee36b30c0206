/**
 * Real-site integration test: crawl the PostgreSQL 15 manual (Debian's postgresql-doc-15, ~1,170 DocBook pages)
 * served by nginx on loopback (../shared/realsites/serve.sh), and compare the listed URLs with a ground truth
 * computed independently from the HTML files on disk.
 *
 * Ground truth: BFS from index.html over `<a href>` parsed with cheerio (not our htmlparser2 code), resolved with
 * WHATWG URL, fragments dropped, same origin only, following only links that are not rel=nofollow on pages without
 * meta nofollow; a URL is indexable when it maps to an existing *.html file (nginx answers 200 text/html) without
 * meta noindex and without a canonical naming another URL. The manual has no robots.txt (→ 404, everything
 * allowed), no meta robots and no rel=canonical, so the truth is every reachable HTML page: 1,170 URLs
 * (`/` plus the 1,169 *.html files, all reachable from the start page).
 *
 * Needs root and nginx (serve.sh installs nginx-light and downloads the .deb with apt on first use, hence the
 * 120 s hook timeout). Prints pages/s and peak RSS.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import * as cheerio from "cheerio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_CRAWL_SETTINGS, type CrawlRecord } from "@/lib/core/types";
import { crawl } from "@/lib/crawl/crawler";

const run = promisify(execFile);
const repoRoot = resolve(fileURLToPath(import.meta.url), "../../..");
const serveScript = join(repoRoot, "..", "shared", "realsites", "serve.sh");
const cacheDir = process.env.REALSITES_CACHE ?? join(homedir(), ".cache", "realsites");
const docRoot = join(cacheDir, "postgres", "usr/share/doc/postgresql-doc-15/html");
/** serve.sh keeps one nginx per site and port, its pid in `<cache>/<site>-<port>.pid`. */
const pidFile = () => join(cacheDir, `postgres-${port}.pid`);
const EXPECTED_PAGES = 1170;

let port = 0;
let origin = "";

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const p = (srv.address() as { port: number }).port;
      srv.close(() => ok(p));
    });
  });
}

/** Independent ground truth (see module doc). */
function groundTruth(): Set<string> {
  const start = `${origin}/`;
  const fileOf = (url: URL) => join(docRoot, decodeURIComponent(url.pathname === "/" ? "/index.html" : url.pathname));
  const indexable = new Set<string>();
  const seen = new Set<string>([start]);
  const queue = [start];
  while (queue.length > 0) {
    const url = queue.shift()!;
    const u = new URL(url);
    const file = fileOf(u);
    if (!u.pathname.endsWith(".html") && u.pathname !== "/") continue; // css/svg: not HTML
    if (!existsSync(file)) continue; // 404
    const $ = cheerio.load(readFileSync(file, "utf8"));
    const metaRobots = $('meta[name="robots" i]').attr("content")?.toLowerCase() ?? "";
    const canonical = $('link[rel="canonical" i]').attr("href");
    const canonicalUrl = canonical ? new URL(canonical, url) : null;
    if (canonicalUrl) canonicalUrl.hash = "";
    if (!/noindex|none/.test(metaRobots) && (!canonicalUrl || canonicalUrl.href === url)) indexable.add(url);
    if (/nofollow|none/.test(metaRobots)) continue;
    $("a[href]").each((_, el) => {
      if (/\bnofollow\b/i.test($(el).attr("rel") ?? "")) return;
      let link: URL;
      try {
        link = new URL($(el).attr("href")!, url);
      } catch {
        return;
      }
      link.hash = "";
      if (link.origin !== origin || seen.has(link.href)) return;
      seen.add(link.href);
      queue.push(link.href);
    });
  }
  return indexable;
}

beforeAll(async () => {
  port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  const { stdout } = await run("bash", [serveScript, "postgres", String(port)], { timeout: 120_000 });
  expect(stdout).toContain(`serving postgres at ${origin}/`);
}, 120_000);

afterAll(async () => {
  if (port && existsSync(pidFile())) await run("bash", ["-c", `kill "$(cat '${pidFile()}')"`]).catch(() => {});
});

describe("crawl the PostgreSQL 15 manual (real site, nginx on loopback)", () => {
  it(`lists exactly the ${EXPECTED_PAGES} indexable pages reachable from the start page`, async () => {
    // Crawl first, so the peak RSS below is the crawler's (plus vitest's baseline), not cheerio's ground truth.
    const records: CrawlRecord[] = [];
    const rssBefore = process.memoryUsage().rss;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const summary = await crawl(
      { ...DEFAULT_CRAWL_SETTINGS, startUrl: `${origin}/`, concurrency: 10, maxPages: 100_000 },
      { allowHosts: [`127.0.0.1:${port}`], onRecord: (r) => void records.push(r) },
    );
    const seconds = (performance.now() - t0) / 1000;
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    const cpu = process.cpuUsage(cpu0);

    expect(existsSync(join(docRoot, "robots.txt"))).toBe(false);
    const truth = groundTruth();
    expect(truth.size).toBe(EXPECTED_PAGES);

    const listed = new Set(records.filter((r) => r.included).map((r) => r.url));
    const missing = [...truth].filter((u) => !listed.has(u));
    const extra = [...listed].filter((u) => !truth.has(u));
    expect(missing).toEqual([]);
    expect(extra).toEqual([]);
    expect(summary.urlsListed).toBe(EXPECTED_PAGES);
    // Every excluded URL is explained; nginx's pages carry Last-Modified, so lastmod is always set.
    expect(records.every((r) => r.included || r.reason !== null)).toBe(true);
    expect(records.filter((r) => r.included).every((r) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(r.lastmod ?? ""))).toBe(true);

    console.log(
      `[postgres manual] listed ${summary.urlsListed}, excluded ${summary.urlsExcluded} ${JSON.stringify(
        Object.fromEntries(Object.entries(summary.excludedByReason).filter(([, n]) => n > 0)),
      )}; ${summary.pagesFetched} pages in ${seconds.toFixed(2)} s = ${(summary.pagesFetched / seconds).toFixed(0)} pages/s ` +
        `(concurrency 10), ` +
        `CPU ${((cpu.user + cpu.system) / 1000 / summary.pagesFetched).toFixed(2)} ms/page; ` +
        `peak RSS ${peakRssMb.toFixed(0)} MB (whole test process; ${(rssBefore / 2 ** 20).toFixed(0)} MB before the crawl)`,
    );
  }, 60_000);
});
