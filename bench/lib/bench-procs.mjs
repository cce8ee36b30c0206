/**
 * Processes the app benchmarks start (bench/crawl-latency.mjs, bench/generate-speed.mjs), all on 127.0.0.1.
 *
 * - startSyntheticSite({ script, pages, port, logFile, cleanups }): the shared benchmark site
 *   (../shared/bench/site/server.mjs) with `pages` pages; resolves to its pid once /robots.txt answers (≤ 10 s).
 * - startBenchApp({ dir, env, logFile, baseUrl, cleanups }): `npm start` of the checkout `dir`
 *   (scripts/run-app.mjs: migrations, a build when stale, next start) in a process group of its own; resolves to
 *   `{ stop, pid }` once `${baseUrl}/api/v1/openapi.json` answers (≤ APP_START_TIMEOUT_S, default 2,700 s: a first
 *   start builds the app). `stop()` sends SIGTERM to the group and waits ≤ 10 s.
 * - runTsx(dir, env, args): `tsx args…` in `dir`, synchronously; its stdout, trimmed.
 * Each start pushes its stop function onto `cleanups` (run them in reverse order on exit).
 * Errors: a site or app that exits or does not answer in time rejects with the log file's path; runTsx throws with the
 * command's stderr when it exits non-zero.
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function startSyntheticSite({ script, pages, port, logFile, cleanups }) {
  const out = fs.openSync(logFile, "w");
  const site = spawn(process.execPath, [script, "--pages", String(pages), "--port", String(port)], { stdio: ["ignore", out, out] });
  cleanups.push(() => site.kill("SIGTERM"));
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/robots.txt`)).ok) return site.pid;
    } catch {}
    await sleep(100);
  }
  throw new Error(`the synthetic site did not start; see ${logFile}`);
}

export async function startBenchApp({ dir, env, logFile, baseUrl, cleanups }) {
  const out = fs.openSync(logFile, "w");
  const app = spawn(process.execPath, ["scripts/run-app.mjs", "start"], { cwd: dir, env, stdio: ["ignore", out, out], detached: true });
  const stop = async () => {
    try { process.kill(-app.pid, "SIGTERM"); } catch {}
    for (let i = 0; i < 100 && app.exitCode === null && app.signalCode === null; i++) await sleep(100);
  };
  cleanups.push(stop);
  // A first start builds the app: on a loaded 2-core machine `next build` alone has taken 15+ minutes.
  const limitS = Number(process.env.APP_START_TIMEOUT_S ?? 2700);
  const until = Date.now() + limitS * 1000;
  while (Date.now() < until) {
    if (app.exitCode !== null) throw new Error(`the app exited with ${app.exitCode}; see ${logFile}`);
    try {
      if ((await fetch(`${baseUrl}/api/v1/openapi.json`)).ok) return { stop, pid: app.pid };
    } catch {}
    await sleep(500);
  }
  throw new Error(`the app did not answer within ${limitS} s (building included); see ${logFile}`);
}

export function runTsx(dir, env, args) {
  const r = spawnSync(path.join(dir, "node_modules", ".bin", "tsx"), args, { cwd: dir, env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${args.join(" ")}: ${r.stderr}`);
  return r.stdout.trim();
}
