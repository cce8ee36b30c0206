#!/usr/bin/env node
/**
 * The kernel lever of the crawl worker, by CPU accounting (Linux, util-linux `taskset` and `chrt`):
 * `node bench/sched-share.mjs`. Two busy loops pinned to CPU 0 for 4 s each round: one at the default priority (stands
 * for the thread serving HTTP), one lowered as the crawl worker lowers itself (lib/runs/crawl-worker.ts): nice 10
 * (CRAWL_WORKER_SCHED=normal, the default) or nice 10 + SCHED_IDLE (CRAWL_WORKER_SCHED=idle). Prints each loop's CPU ticks (1/100 s, /proc) and
 * the lowered loop's share of the core. Robust on a busy machine: it compares two loops on the same core. Prints only.
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
const ticks = (pid) => { const f = fs.readFileSync(`/proc/${pid}/stat`, "utf8"); const x = f.slice(f.lastIndexOf(")") + 2).split(" "); return +x[11] + +x[12]; };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
for (const mode of ["nice10", "idle", "nice10", "idle"]) {
  const a = spawn("taskset", ["-c", "0", process.execPath, "-e", "for(;;){}"]);
  const b = spawn("taskset", ["-c", "0", process.execPath, "-e", "for(;;){}"]);
  await sleep(300);
  os.setPriority(b.pid, 10);
  if (mode === "idle") spawnSync("chrt", ["--idle", "-p", "0", String(b.pid)]);
  const a0 = ticks(a.pid), b0 = ticks(b.pid);
  await sleep(4000);
  const da = ticks(a.pid) - a0, db = ticks(b.pid) - b0;
  a.kill(); b.kill();
  console.log(`${mode}: default-priority loop ${da} ticks, lowered loop ${db} ticks in 4 s; lowered share ${(100 * db / (da + db)).toFixed(1)} % (load ${os.loadavg()[0].toFixed(1)})`);
  await sleep(300);
}
