#!/usr/bin/env node
/**
 * What the audit of a site's own sitemaps costs a crawl: `node bench/audit-overhead.mjs` (prints a Markdown table).
 *
 * Serves the synthetic site of ../shared/bench (SITE_PAGES pages, default 10k, on SITE_PORT, default 3262) behind a
 * small loopback proxy (PROXY_PORT, default 3263; it rewrites the site's port in bodies and Location) that adds the site's own `/sitemap.xml`: the ground-truth URLs plus
 * 500 URLs no page links to (orphans) and up to 500 of its noindex pages (not indexable). Then crawls it with the CLI
 * (`scripts/crawl.mjs`, concurrency 10, files written to a temporary folder) ROUNDS times (default 3)
 * alternately without and with `--audit`, in the same run, and prints the median pages/s, peak RSS and the audit's
 * counts. Both variants go through the same proxy, so only the audit differs. Bounded: each crawl has a 300 s timeout;
 * the servers are stopped on exit. Errors: exits 1 with the reason.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SITE = path.resolve(REPO, "../shared/bench/site/server.mjs");
const SITE_PORT = Number(process.env.SITE_PORT ?? 3262);
const PROXY_PORT = Number(process.env.PROXY_PORT ?? 3263);
const PAGES = process.env.SITE_PAGES ?? "10k";
const ROUNDS = Number(process.env.ROUNDS ?? 3);

const site = spawn(process.execPath, [SITE, "--pages", PAGES, "--port", String(SITE_PORT)], { stdio: "ignore" });
let proxy = null;
const stop = () => {
  site.kill();
  proxy?.close();
};
process.on("exit", stop);

/** Runs a command; resolves with its exit status, stdout and stderr. */
const run = (cmd, args, opts) =>
  new Promise((resolve) => {
    const child = spawn(cmd, args, { ...opts, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
const wait = (ms) => new Promise((r) => setTimeout(r, ms));
async function getJson(url) {
  for (let i = 0; i < 50; i++) {
    try {
      const res = await fetch(url);
      if (res.ok) return await res.json();
    } catch {
      // not listening yet
    }
    await wait(200);
  }
  throw new Error(`no answer from ${url}`);
}

try {
  const truth = await getJson(`http://127.0.0.1:${SITE_PORT}/__truth.json`);
  const origin = `http://127.0.0.1:${PROXY_PORT}`;
  const paths = truth.urls.map((u) => new URL(u).pathname + new URL(u).search);
  const n = truth.urls.length;
  const extra = [];
  for (let i = 0; i < 500; i++) extra.push(`/orphan-${i}`);
  // Pages with i % 25 == 3 carry a meta robots noindex (../shared/bench/site/server.mjs); up to 500 of them.
  for (let i = 3, k = 0; k < 500 && i < truth.pages; i += 25, k++) if (i % 50 !== 7 && i % 100 !== 42) extra.push(`/cat${i % 12}/item-${i}`);
  const sitemap = Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` +
      [...paths, ...extra].map((p) => `<url><loc>${origin}${p.replace(/&/g, "&amp;")}</loc></url>`).join("") +
      `</urlset>`,
  );
  proxy = http.createServer((req, res) => {
    if (req.url === "/sitemap.xml") {
      res.writeHead(200, { "content-type": "application/xml", "content-length": sitemap.length });
      return res.end(sitemap);
    }
    // The site names itself (canonical, absolute links) with its own port: rewrite it to the proxy's.
    const headers = { ...req.headers };
    delete headers["accept-encoding"]; // plain bodies, so the rewrite below sees the text
    const up = http.request({ host: "127.0.0.1", port: SITE_PORT, path: req.url, method: req.method, headers }, (r) => {
      const chunks = [];
      r.on("data", (c) => chunks.push(c));
      r.on("end", () => {
        const body = Buffer.from(Buffer.concat(chunks).toString("latin1").replaceAll(`127.0.0.1:${SITE_PORT}`, `127.0.0.1:${PROXY_PORT}`), "latin1");
        const headers = { ...r.headers, "content-length": String(body.length) };
        if (headers.location) headers.location = headers.location.replaceAll(`127.0.0.1:${SITE_PORT}`, `127.0.0.1:${PROXY_PORT}`);
        delete headers["transfer-encoding"];
        res.writeHead(r.statusCode ?? 502, headers);
        res.end(body);
      });
    });
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  proxy.keepAliveTimeout = 5000;
  await new Promise((r) => proxy.listen(PROXY_PORT, "127.0.0.1", r));

  const runs = { plain: [], audit: [] };
  let counts = null;
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of ["plain", "audit"]) {
      const out = fs.mkdtempSync(path.join(os.tmpdir(), "audit-bench-"));
      const args = ["--expose-gc", "scripts/crawl.mjs", `${origin}/`, "--out", out, "--concurrency", "10", "--max-pages", "20000", "--json", ...(mode === "audit" ? ["--audit"] : [])];
      // Asynchronous: the proxy runs in this process and must keep serving while the crawl runs.
      const r = await run(process.execPath, args, { cwd: REPO, env: { ...process.env, CRAWL_ALLOW_HOSTS: `127.0.0.1:${PROXY_PORT}` }, timeout: 300_000 });
      fs.rmSync(out, { recursive: true, force: true });
      if (r.status !== 0) throw new Error(`crawl (${mode}) exited ${r.status}: ${r.stderr} ${r.stdout.slice(0, 2000)}`);
      const rep = JSON.parse(r.stdout.trim().split("\n").pop());
      runs[mode].push({ pps: rep.pagesPerSecond, rss: rep.peakRssMb, listed: rep.urlsListed });
      if (rep.audit) counts = rep.audit.counts;
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const row = (mode) => `| ${mode === "plain" ? "without --audit" : "with --audit"} | ${median(runs[mode].map((x) => x.pps))} | ${runs[mode].map((x) => x.pps).join(", ")} | ${Math.max(...runs[mode].map((x) => x.rss))} | ${runs[mode][0].listed} |`;
  const ratio = median(runs.audit.map((x) => x.pps)) / median(runs.plain.map((x) => x.pps));
  console.log(`Audit overhead: synthetic site, ${PAGES} pages, own /sitemap.xml of ${n + extra.length} URLs (${n} indexable, 500 orphans, ${extra.length - 500} noindex), concurrency 10, ${ROUNDS} rounds alternating, load ${os.loadavg()[0].toFixed(2)}`);
  console.log("");
  console.log("| variant | pages/s (median) | pages/s (runs) | peak RSS MB (max) | URLs listed |");
  console.log("|---|---|---|---|---|");
  console.log(row("plain"));
  console.log(row("audit"));
  console.log("");
  console.log(`with/without: ${(ratio * 100).toFixed(1)} %; audit findings: ${JSON.stringify(counts)}`);
  stop();
  process.exit(0);
} catch (e) {
  console.error(`audit-overhead: ${e.message}`);
  stop();
  process.exit(1);
}
