#!/usr/bin/env node
// Benchmark orchestrator (run it through bench/run.sh, which sets the paths and the global time bound).
// Sections (env SECTIONS, space separated, in this order): crawl10k crawl100k rust write profile.
// Every run is one line in $RUN_DIR/results.jsonl; bench/lib/report.mjs turns that file into bench/RESULTS.md.
// All benchmark traffic goes to 127.0.0.1. Every child command is bounded by `timeout`.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

const env = process.env;
const REPO = env.REPO;
const SHARED = env.SHARED_BENCH;
const RUN_DIR = env.RUN_DIR;
const REALSITES = env.REALSITES_SERVE;
if (!REPO || !SHARED || !RUN_DIR) throw new Error("REPO, SHARED_BENCH and RUN_DIR must be set (use bench/run.sh)");

const cfg = {
  sections: (env.SECTIONS || "crawl10k crawl100k rust write profile").split(/\s+/).filter(Boolean),
  peers: (env.PEERS ?? "sgc-lib crawlee").split(/\s+/).filter(Boolean),
  cells: (env.CELLS || "0:10 20:50").split(/\s+/).filter(Boolean).map((c) => c.split(":").map(Number)), // latency:concurrency
  pages: +(env.PAGES || 10000),
  bigPages: +(env.BIG_PAGES || 100000),
  selfReps: +(env.SELF_REPS || 3),
  peerReps: +(env.PEER_REPS || 1),
  bundle: (env.BUNDLE ?? "1") === "1",
  tsxRow: (env.TSX_ROW ?? "0") === "1",
  crawlTimeout: +(env.CRAWL_TIMEOUT || 900),
  rustConc: +(env.RUST_CONC || 10),
  rustTimeout: +(env.RUST_TIMEOUT || 1200),
  writeN: +(env.WRITE_N || 1000000),
  writeReps: +(env.WRITE_REPS || 3),
  writerPeerGzip: (env.WRITER_PEER_GZIP ?? "1") === "1",
  writeTimeout: +(env.WRITE_TIMEOUT || 600),
  peerDir: env.PEERDIR || path.join(os.homedir(), ".cache/sitemap-bench/peers"),
  realsitesCache: env.REALSITES_CACHE || path.join(os.homedir(), ".cache/sitemap-bench/realsites"),
};
const RESULTS = path.join(RUN_DIR, "results.jsonl");
const CLK_TCK = +(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim() || 100);
const log = (...a) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...a);

// ---------------------------------------------------------------- cleanup of what we start
const children = new Set();
const nginxPidFiles = new Set();
function cleanup() {
  for (const c of children) {
    try { c.kill("SIGTERM"); } catch {}
  }
  children.clear();
  for (const f of nginxPidFiles) {
    try { process.kill(+fs.readFileSync(f, "utf8").trim(), "SIGTERM"); } catch {}
  }
  nginxPidFiles.clear();
}
process.on("exit", cleanup);
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => { log(`${sig}: cleaning up`); cleanup(); process.exit(130); });

// ---------------------------------------------------------------- machine state
const loadavg = () => +fs.readFileSync("/proc/loadavg", "utf8").split(" ")[0];
function procStat() { // machine-wide jiffies
  const f = fs.readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + (f[4] || 0);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}
function pidCpuS(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
    return (+f[11] + +f[12]) / CLK_TCK; // utime, stime
  } catch { return null; }
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function get(url, asJson = false) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return asJson ? r.json() : r.text();
}

// ---------------------------------------------------------------- synthetic site
async function startSite(pages, latency) {
  const port = await freePort();
  const logf = fs.openSync(path.join(RUN_DIR, `site-${pages}-l${latency}.log`), "a");
  const child = spawn(process.execPath, [path.join(SHARED, "site/server.mjs"), "--pages", String(pages), "--port", String(port), "--latency", String(latency)], { stdio: ["ignore", logf, logf] });
  children.add(child);
  fs.appendFileSync(path.join(RUN_DIR, "pids.txt"), `${child.pid}\n`);
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 200; i++) {
    try { await get(url + "robots.txt"); break; } catch { await sleep(100); }
    if (child.exitCode !== null) throw new Error("synthetic site exited; see " + logf);
  }
  // the truth's URLs carry the port, so one file per server
  const truthFile = path.join(RUN_DIR, `truth-${pages}-p${port}.json`);
  fs.writeFileSync(truthFile, await get(url + "__truth.json"));
  log(`synthetic site ${pages} pages, ${latency} ms, at ${url} (pid ${child.pid})`);
  return {
    url, port, pid: child.pid, truthFile, pages, latency,
    stop: async () => {
      if (child.exitCode === null) { child.kill("SIGTERM"); await new Promise((r) => child.once("exit", r)); }
      children.delete(child);
    },
  };
}

// ---------------------------------------------------------------- one measured child process
function parseTimeV(file) {
  let t = "";
  try { t = fs.readFileSync(file, "utf8"); } catch { return {}; }
  const g = (re) => { const m = t.match(re); return m ? m[1] : null; };
  const wall = (g(/Elapsed \(wall clock\) time.*: (.*)/) || "0").split(":").map(Number).reduce((a, b) => a * 60 + b, 0);
  return {
    wallS: +wall.toFixed(2),
    cpuS: +(+g(/User time \(seconds\): ([\d.]+)/) + +g(/System time \(seconds\): ([\d.]+)/)).toFixed(2),
    peakRssMB: +(+g(/Maximum resident set size \(kbytes\): (\d+)/) / 1024).toFixed(1),
  };
}

/** Runs cmd under /usr/bin/time -v and `timeout`, sampling the load average; returns machine-state figures too. */
async function runMeasured({ dir, cmd, args, cwd, extraEnv, timeoutS, serverPid }) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "cmd.txt"), [cmd, ...args].join(" ") + `\n(cwd ${cwd})\n`);
  const out = fs.openSync(path.join(dir, "stdout"), "w");
  const err = fs.openSync(path.join(dir, "stderr"), "w");
  const load1Before = loadavg();
  const st0 = procStat();
  const srv0 = serverPid ? pidCpuS(serverPid) : null;
  let load1Max = load1Before;
  const sampler = setInterval(() => { load1Max = Math.max(load1Max, loadavg()); }, 1000);
  const child = spawn("/usr/bin/time", ["-v", "-o", path.join(dir, "time.txt"), "timeout", "--kill-after=10", String(timeoutS), cmd, ...args], {
    cwd, env: { ...process.env, ...extraEnv }, stdio: ["ignore", out, err],
  });
  children.add(child);
  const rc = await new Promise((r) => child.once("exit", (code) => r(code)));
  children.delete(child);
  clearInterval(sampler);
  fs.closeSync(out); fs.closeSync(err);
  const st1 = procStat();
  const srv1 = serverPid ? pidCpuS(serverPid) : null;
  const load1After = loadavg();
  const t = parseTimeV(path.join(dir, "time.txt"));
  const machineBusyCpuS = +((st1.busy - st0.busy) / CLK_TCK).toFixed(2);
  const machineCpuS = +((st1.total - st0.total) / CLK_TCK).toFixed(2);
  const serverCpuS = srv0 !== null && srv1 !== null ? +(srv1 - srv0).toFixed(2) : null;
  const otherCpuS = +(machineBusyCpuS - (t.cpuS || 0) - (serverCpuS || 0)).toFixed(2);
  return {
    rc, timedOut: rc === 124 || rc === 137, ...t, serverCpuS, machineBusyCpuS,
    machineBusyPct: machineCpuS ? +((100 * machineBusyCpuS) / machineCpuS).toFixed(0) : null,
    otherCpuS, otherCores: t.wallS ? +(otherCpuS / t.wallS).toFixed(2) : null,
    load1Before, load1After, load1Max,
  };
}
function lastJsonLine(file) {
  try {
    const lines = fs.readFileSync(file, "utf8").split("\n").filter((l) => l.trim().startsWith("{"));
    return lines.length ? JSON.parse(lines[lines.length - 1]) : null;
  } catch { return null; }
}
function score(truthFile, files, dir) {
  if (!files.length || !fs.existsSync(files[0]) || !fs.statSync(files[0]).size) return {};
  const r = spawnSync(process.execPath, [path.join(SHARED, "lib/score.mjs"), "--truth", truthFile, ...files], { encoding: "utf8", maxBuffer: 64 << 20 });
  fs.writeFileSync(path.join(dir, "score.json"), r.stdout || "{}");
  try { return JSON.parse(r.stdout); } catch { return {}; }
}
const record = (r) => { fs.appendFileSync(RESULTS, JSON.stringify(r) + "\n"); return r; };

// ---------------------------------------------------------------- crawlers
// `npm run crawl` runs scripts/crawl.mjs, which builds this bundle on demand and imports it in the same process.
const BUNDLE = path.join(REPO, "node_modules/.cache/sitemap-forge/crawl.mjs");
// The node flags `npm run crawl` passes (package.json): a smaller young generation and 2 V8 worker threads instead
// of one per core (~8–20 MB less peak RSS each, measured on the 10k-page site).
const SELF_NODE_FLAGS = ["--max-semi-space-size=8", "--v8-pool-size=2", "--expose-gc"]; // --expose-gc: scripts/crawl.ts collectIfBloated
function crawlerCommand(peer, url, dir, c) {
  const host = new URL(url).host;
  const selfArgs = [url, "--out", path.join(dir, "sitemap"), "--allow-host", host, "--concurrency", String(c), "--max-pages", "10000000", "--json"];
  switch (peer) {
    case "self": return { cmd: process.execPath, args: [...SELF_NODE_FLAGS, "scripts/crawl.mjs", ...selfArgs], cwd: REPO };
    case "self-tsx": return { cmd: process.execPath, args: ["--import", "tsx", "scripts/crawl.ts", ...selfArgs], cwd: REPO };
    case "crawlee": return { cmd: process.execPath, args: [path.join(SHARED, "peers/crawlee-cheerio.mjs"), url, dir, String(c)], cwd: dir,
      extraEnv: { PEER_MODULES: path.join(cfg.peerDir, "cr/node_modules"), CRAWLEE_STORAGE_DIR: path.join(dir, "storage") } };
    case "sgc-lib": return { cmd: process.execPath, args: [path.join(SHARED, "peers/sgc-lib.cjs"), url, dir, String(c)], cwd: dir,
      extraEnv: { PEER_MODULES: path.join(cfg.peerDir, "sgc/node_modules") } };
    default: throw new Error("unknown peer " + peer);
  }
}
function crawlerOutputs(peer, dir) {
  if (peer.startsWith("self")) {
    const d = path.join(dir, "sitemap");
    return fs.existsSync(d) ? fs.readdirSync(d).filter((f) => /\.xml(\.gz)?$/.test(f)).map((f) => path.join(d, f)) : [];
  }
  if (peer === "crawlee") return [path.join(dir, "sitemap-index.xml")];
  return fs.readdirSync(dir).filter((f) => /^sitemap.*\.xml$/.test(f)).sort().slice(0, 1).map((f) => path.join(dir, f));
}

async function crawlOnce(section, site, peer, c, rep, extra = {}) {
  const dir = path.join(RUN_DIR, section, `${peer}-n${site.pages}-l${site.latency}-c${c}-r${rep}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  await get(site.url + "__reset");
  const { cmd, args, cwd, extraEnv } = crawlerCommand(peer, site.url, dir, c);
  log(`${section}: ${peer} c=${c} rep ${rep} (load ${loadavg()})`);
  const m = await runMeasured({ dir, cmd, args: [...(extra.nodeFlags || []), ...args], cwd, extraEnv, timeoutS: cfg.crawlTimeout, serverPid: site.pid });
  const st = await get(site.url + "__stats", true);
  fs.writeFileSync(path.join(dir, "stats.json"), JSON.stringify(st));
  const sc = score(site.truthFile, crawlerOutputs(peer, dir), dir);
  const self = peer.startsWith("self") ? lastJsonLine(path.join(dir, "stdout")) : null;
  const r = record({
    section, peer, pages: site.pages, latencyMs: site.latency, conc: c, rep, ...m,
    requests: st.requests, htmlRequests: st.html, uniquePages: st.pages,
    uniquePagesPerS: m.wallS ? +(st.pages / m.wallS).toFixed(1) : null,
    htmlPerS: m.wallS ? +(st.html / m.wallS).toFixed(1) : null,
    requestsPerS: m.wallS ? +(st.requests / m.wallS).toFixed(1) : null,
    robotsViolations: st.private, hiddenFetched: st.hidden, queryFetched: st.query, nonHtmlFetched: st.files,
    redirectsFetched: st.redirects, notFoundFetched: st.notFound,
    precision: sc.precision ?? null, recall: sc.recall ?? null, tp: sc.tp, fp: sc.fp, fn: sc.fn, fpBy: sc.fpBy, listed: sc.unique, lastmodEntries: sc.lastmodEntries,
    self: self && {
      crawlMs: self.crawlMs, wallMs: self.wallMs, pagesFetched: self.pagesFetched, urlsListed: self.urlsListed,
      cliPagesPerSecond: self.pagesPerSecond, cliPeakRssMb: self.peakRssMb,
      crawlPhaseUniquePagesPerS: self.crawlMs ? +(st.pages / (self.crawlMs / 1000)).toFixed(1) : null,
      excludedByReason: Object.fromEntries(Object.entries(self.excludedByReason || {}).filter(([, v]) => v)),
    },
    ...(extra.tag ? { tag: extra.tag } : {}),
    dir: path.relative(REPO, dir),
  });
  log(`  -> wall ${r.wallS}s, ${r.uniquePagesPerS} pages/s, RSS ${r.peakRssMB} MB, P ${r.precision} R ${r.recall}, rc ${r.rc}, other cores ${r.otherCores}`);
  return r;
}

function buildBundle() {
  const esbuild = path.join(REPO, "node_modules/.bin/esbuild");
  // --sourcemap: an external .map (not loaded at run time) that maps the CPU profile back to lib/… lines
  const mk = (entry, outfile) => {
    const r = spawnSync(esbuild, [entry, "--bundle", "--platform=node", "--format=esm", "--packages=external", "--target=node20", "--sourcemap", `--outfile=${outfile}`, "--log-level=warning"], { cwd: REPO, encoding: "utf8" });
    if (r.status !== 0) { log(`esbuild failed for ${entry}: ${r.stderr}`); return false; }
    return true;
  };
  return fs.existsSync(esbuild) && mk("bench/writer-self.ts", path.join(RUN_DIR, "writer-self.bundle.mjs"));
}

// Import cost: RSS of a process that only loaded the crawl pipeline (tsx vs bundled), i.e. the floor under any crawl.
function baselineRss() {
  const probe = path.join(RUN_DIR, "rss-probe.ts");
  fs.writeFileSync(probe, `import "${path.join(REPO, "lib/runs/pipeline.ts")}";\nconsole.log(JSON.stringify({ rssMB: +(process.memoryUsage().rss / 1048576).toFixed(1) }));\n`);
  const run = (args) => {
    const r = spawnSync("/usr/bin/time", ["-f", "%M", process.execPath, ...args], { cwd: REPO, encoding: "utf8" });
    const kb = +(r.stderr.trim().split("\n").pop() || 0);
    return +(kb / 1024).toFixed(1);
  };
  const out = {
    nodeBareMB: run(["-e", "0"]),
    nodeTsxEmptyMB: run(["--import", "tsx", "-e", "0"]),
    tsxPipelineLoadedMB: run(["--import", "tsx", probe]),
  };
  if (fs.existsSync(BUNDLE)) {
    const b = path.join(RUN_DIR, "rss-probe.bundle.mjs");
    spawnSync(path.join(REPO, "node_modules/.bin/esbuild"), [probe, "--bundle", "--platform=node", "--format=esm", "--packages=external", `--outfile=${b}`, "--log-level=warning"], { cwd: REPO });
    out.bundlePipelineLoadedMB = run([b]);
  }
  return out;
}

// ---------------------------------------------------------------- sections
async function sectionCrawl10k() {
  for (const [lat, c] of cfg.cells) {
    const site = await startSite(cfg.pages, lat);
    try {
      // ours and the peers alternate: self, peer1, self, peer2, self, …, so each peer run has ours right before/after
      const order = [];
      const peers = cfg.peers.flatMap((p) => Array.from({ length: cfg.peerReps }, (_, i) => [p, i + 1]));
      let selfRep = 0;
      order.push(["self", ++selfRep]);
      for (const p of peers) { order.push(p); if (selfRep < cfg.selfReps) order.push(["self", ++selfRep]); }
      while (selfRep < cfg.selfReps) order.push(["self", ++selfRep]);
      if (cfg.tsxRow) order.push(["self-tsx", 1]);
      for (const [peer, rep] of order) await crawlOnce("crawl10k", site, peer, c, rep);
    } finally { await site.stop(); }
  }
}

async function sectionCrawl100k() {
  const [lat, c] = cfg.cells[0];
  // an adjacent 10k run under the same conditions, then the 100k run: "within 10 %" compares these two
  let site = await startSite(cfg.pages, lat);
  try { await crawlOnce("crawl100k", site, "self", c, 1, { tag: "adjacent-10k" }); } finally { await site.stop(); }
  site = await startSite(cfg.bigPages, lat);
  try { await crawlOnce("crawl100k", site, "self", c, 1); } finally { await site.stop(); }
}

async function sectionRust() {
  if (!REALSITES || !fs.existsSync(REALSITES)) { log("rust: realsites/serve.sh not found, skipped"); return; }
  const port = await freePort();
  log(`rust: starting nginx on ${port} (first run downloads rust-doc: slow)`);
  const pidFile = path.join(cfg.realsitesCache, "rust.pid");
  nginxPidFiles.add(pidFile);
  fs.appendFileSync(path.join(RUN_DIR, "pidfiles.txt"), `${pidFile}\n`);
  const s = spawnSync("timeout", ["1800", "bash", REALSITES, "rust", String(port)], { env: { ...process.env, REALSITES_CACHE: cfg.realsitesCache }, encoding: "utf8" });
  if (s.status !== 0) { log(`rust: serve.sh failed: ${s.stderr}`); record({ section: "rust", error: `serve.sh failed: ${(s.stderr || "").slice(-300)}` }); return; }
  const url = `http://127.0.0.1:${port}/`;
  try {
    const dir = path.join(RUN_DIR, "rust", `self-c${cfg.rustConc}`);
    fs.rmSync(dir, { recursive: true, force: true });
    const { cmd, args, cwd } = crawlerCommand("self", url, dir, cfg.rustConc);
    log(`rust: self c=${cfg.rustConc} (load ${loadavg()})`);
    const m = await runMeasured({ dir, cmd, args, cwd, timeoutS: cfg.rustTimeout });
    const self = lastJsonLine(path.join(dir, "stdout"));
    // .html files in the served tree: the size of the site (what "~32,000 pages" refers to)
    const root = path.join(cfg.realsitesCache, "rust/usr/share/doc/rust-doc/html");
    const htmlFiles = Number(spawnSync("bash", ["-c", `find ${JSON.stringify(root)} -name '*.html' | wc -l`], { encoding: "utf8" }).stdout.trim()) || null;
    const r = record({
      section: "rust", peer: "self", conc: cfg.rustConc, ...m, htmlFilesOnDisk: htmlFiles,
      pagesFetched: self?.pagesFetched ?? null, urlsListed: self?.urlsListed ?? null, urlsExcluded: self?.urlsExcluded ?? null,
      excludedByReason: self ? Object.fromEntries(Object.entries(self.excludedByReason || {}).filter(([, v]) => v)) : null,
      crawlMs: self?.crawlMs ?? null, pagesPerSWall: self && m.wallS ? +(self.pagesFetched / m.wallS).toFixed(1) : null,
      cliPagesPerSecond: self?.pagesPerSecond ?? null, cliPeakRssMb: self?.peakRssMb ?? null,
      files: self?.files?.length ?? null, dir: path.relative(REPO, dir),
    });
    log(`  -> ${r.pagesFetched} fetched, ${r.urlsListed} listed, wall ${r.wallS}s, RSS ${r.peakRssMB} MB, rc ${r.rc}`);
  } finally {
    try { process.kill(+fs.readFileSync(pidFile, "utf8").trim(), "SIGTERM"); } catch {}
    nginxPidFiles.delete(pidFile);
  }
}

async function writeOnce(variant, gz, rep) {
  const dir = path.join(RUN_DIR, "write", `${variant}-gz${gz}-r${rep}`);
  const tmp = path.join(RUN_DIR, "write-tmp");
  let cmd = process.execPath, args, extraEnv = {};
  if (variant === "ours") args = ["--import", "tsx", "bench/writer-self.ts", String(gz), tmp, String(cfg.writeN)];
  else if (variant === "ours-bundle") args = [path.join(RUN_DIR, "writer-self.bundle.mjs"), String(gz), tmp, String(cfg.writeN)];
  else { args = [path.join(SHARED, "writers/write-bench.mjs"), variant, String(gz), tmp, String(cfg.writeN)]; extraEnv = { WRITER_MODULES: path.join(cfg.peerDir, "ref/node_modules") }; }
  log(`write: ${variant} gzip=${gz} rep ${rep} (load ${loadavg()})`);
  const m = await runMeasured({ dir, cmd, args, cwd: REPO, extraEnv, timeoutS: cfg.writeTimeout });
  const o = lastJsonLine(path.join(dir, "stdout")) || {};
  fs.rmSync(tmp, { recursive: true, force: true });
  const r = record({ section: "write", variant, gz: !!gz, rep, n: cfg.writeN, ...m, scriptMs: o.ms ?? null, bytes: o.bytes ?? null, files: o.files ?? null, urlCount: o.urlCount ?? null, processWallS: m.wallS });
  log(`  -> ${r.scriptMs} ms (process ${r.wallS}s), RSS ${r.peakRssMB} MB, rc ${r.rc}`);
  return r;
}

async function sectionWrite() {
  const hasBundle = cfg.bundle && fs.existsSync(path.join(RUN_DIR, "writer-self.bundle.mjs"));
  for (const gz of [0, 1]) {
    // ours, sitemap, ours, template, ours, …: the peer runs sit between our repetitions
    const between = gz === 0 || cfg.writerPeerGzip ? ["sitemap", "template"] : ["template"];
    for (let rep = 1; rep <= cfg.writeReps; rep++) {
      await writeOnce("ours", gz, rep);
      if (between[rep - 1]) await writeOnce(between[rep - 1], gz, 1);
    }
    for (const v of between.slice(cfg.writeReps)) await writeOnce(v, gz, 1);
    if (hasBundle) await writeOnce("ours-bundle", gz, 1);
  }
}

async function sectionProfile() {
  const [lat, c] = cfg.cells[0];
  const site = await startSite(cfg.pages, lat);
  const profDir = path.join(RUN_DIR, "profile");
  fs.rmSync(profDir, { recursive: true, force: true });
  // The bundled CLI (same code, no tsx) is profiled: its source map gives exact lib/… lines, and tsx's loader thread
  // and TypeScript transform stay out of the picture. Without a bundle, the tsx run is profiled (lines are then unusable).
  const peer = "self";
  try {
    await crawlOnce("profile", site, peer, c, 1, { nodeFlags: ["--cpu-prof", `--cpu-prof-dir=${profDir}`], tag: "cpu-prof (not a figure)" });
  } finally { await site.stop(); }
  const profs = fs.existsSync(profDir) ? fs.readdirSync(profDir).filter((f) => f.endsWith(".cpuprofile")).map((f) => path.join(profDir, f)) : [];
  if (!profs.length) { log("profile: no .cpuprofile written"); return; }
  // the main thread's profile is the largest (a loader thread, if any, writes a small one)
  profs.sort((a, b) => fs.statSync(b).size - fs.statSync(a).size);
  const smArgs = fs.existsSync(BUNDLE + ".map") ? ["--sourcemap", BUNDLE + ".map", "--bundle", BUNDLE] : [];
  const r = spawnSync(process.execPath, [path.join(REPO, "bench/lib/cpuprofile-top.mjs"), profs[0], "--json", ...smArgs], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status === 0) fs.writeFileSync(path.join(RUN_DIR, "profile.json"), JSON.stringify({ ...JSON.parse(r.stdout), profiled: peer }, null, 1));
  else log(`profile summary failed: ${r.stderr}`);
}

// ---------------------------------------------------------------- main
const started = Date.now();
const git = (a) => spawnSync("git", a, { cwd: REPO, encoding: "utf8", maxBuffer: 256 << 20 }).stdout.trimEnd();
// Fingerprint of the code under test (tracked changes + untracked files under lib/ scripts/ bench/*.ts), taken at the
// start and the end: others edit the tree while the benchmark runs, and the report says so when it changed.
function treeFingerprint() {
  const h = createHash("sha256");
  h.update(git(["rev-parse", "HEAD"]));
  h.update(git(["diff", "HEAD", "--", "lib", "scripts", "bench/writer-self.ts"]));
  for (const f of git(["ls-files", "--others", "--exclude-standard", "--", "lib", "scripts"]).split("\n").filter(Boolean)) {
    h.update(f);
    try { h.update(fs.readFileSync(path.join(REPO, f))); } catch {}
  }
  return h.digest("hex").slice(0, 12);
}
const meta = {
  startedAt: new Date().toISOString(),
  host: os.hostname(),
  cpu: os.cpus()[0]?.model, cores: os.cpus().length, memGB: +(os.totalmem() / 2 ** 30).toFixed(1),
  kernel: `${os.type()} ${os.release()} ${os.arch()}`,
  node: process.version,
  commit: git(["rev-parse", "HEAD"]), commitSubject: git(["log", "-1", "--format=%s"]),
  dirty: git(["status", "--porcelain", "--untracked-files=all", "--", "lib", "scripts", "bench"]).split("\n").filter(Boolean),
  treeAtStart: treeFingerprint(),
  load1AtStart: loadavg(), loadavgAtStart: fs.readFileSync("/proc/loadavg", "utf8").trim(),
  config: cfg,
};
fs.writeFileSync(path.join(RUN_DIR, "meta.json"), JSON.stringify(meta, null, 2));
log(`run dir ${RUN_DIR}; sections: ${cfg.sections.join(" ")}`);
// The crawl CLI's own bundle (what `npm run crawl` runs), built before any timing so no run pays for the build.
{
  const r = spawnSync(process.execPath, ["scripts/crawl.mjs", "--build-bundle"], { cwd: REPO, encoding: "utf8" });
  if (r.status !== 0) { log(`crawl bundle build failed: ${r.stderr}`); process.exit(2); }
}
if (cfg.bundle && !buildBundle()) cfg.bundle = false;
meta.baselineRss = baselineRss();
log(`baseline RSS: ${JSON.stringify(meta.baselineRss)}`);

const sections = { crawl10k: sectionCrawl10k, crawl100k: sectionCrawl100k, rust: sectionRust, write: sectionWrite, profile: sectionProfile };
meta.sectionTimes = {};
for (const s of cfg.sections) {
  if (!sections[s]) { log(`unknown section ${s}`); continue; }
  const t0 = Date.now();
  try { await sections[s](); } catch (e) { log(`section ${s} failed: ${e.stack || e}`); record({ section: s, error: String(e.message || e) }); }
  meta.sectionTimes[s] = +((Date.now() - t0) / 1000).toFixed(0);
  fs.writeFileSync(path.join(RUN_DIR, "meta.json"), JSON.stringify(meta, null, 2));
}
meta.finishedAt = new Date().toISOString();
meta.totalS = +((Date.now() - started) / 1000).toFixed(0);
meta.loadavgAtEnd = fs.readFileSync("/proc/loadavg", "utf8").trim();
meta.treeAtEnd = treeFingerprint();
fs.writeFileSync(path.join(RUN_DIR, "meta.json"), JSON.stringify(meta, null, 2));
cleanup();
log(`done in ${meta.totalS} s`);
