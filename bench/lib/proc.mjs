/**
 * Process facts for the benchmarks, from Linux /proc.
 * processTree(root): the pid `root` and every process below it (children, grandchildren …), as an array of pids.
 * ticksOf(pids): user + system CPU of processes `pids` (all their threads), in clock ticks (1/100 s on Linux); 0 for
 * a process that is gone.
 */
import fs from "node:fs";

export function processTree(root) {
  const children = new Map();
  for (const d of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(d));
    } catch {}
  }
  const out = [];
  const walk = (pid) => { out.push(pid); for (const c of children.get(pid) ?? []) walk(c); };
  walk(root);
  return out;
}

export function ticksOf(pids) {
  let t = 0;
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      t += Number(f[11]) + Number(f[12]);
    } catch {}
  }
  return t;
}
