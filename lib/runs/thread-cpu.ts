/**
 * CPU time of one thread of this process (Linux), for the crawl worker's CPU budget: read by the worker at its first
 * heartbeat (where its budget starts) and by the parent's watchdog afterwards (lib/runs/crawl-thread.ts).
 */
import fs from "node:fs";

/** USER_HZ of /proc's tick counts (100 on every Linux architecture Node runs on). */
const CLOCK_TICKS_PER_S = 100;

/**
 * CPU time (user + system) of thread `tid` of this process, ms (10 ms resolution, from /proc/self/task/<tid>/stat);
 * null when unknown (tid 0, not Linux, unreadable).
 */
export function threadCpuMs(tid: number): number | null {
  if (!tid) return null;
  try {
    const stat = fs.readFileSync(/*turbopackIgnore: true*/ `/proc/self/task/${tid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) * (1000 / CLOCK_TICKS_PER_S);
  } catch {
    return null;
  }
}
