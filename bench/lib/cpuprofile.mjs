/**
 * Reading a V8 .cpuprofile (as written by `node --cpu-prof`) for bench/api-profile.mjs.
 *
 * summarise(profile, { fromMs, toMs, requests, endWallMs, top }) → text. Only the samples whose time falls in
 * [fromMs, toMs] (wall-clock epoch ms) count; the profile's clock is monotonic, so its endTime is taken to be
 * `endWallMs` (when the profiled process exited). Figures are ms of CPU per request (`requests` in the window):
 *   - busy time (not "(idle)"), GC;
 *   - the `top` (default 25) functions by self time and by inclusive time (counted once per sample however often a
 *     function is on the stack);
 *   - "owner" time: each sample charged to the innermost frame that is not Node's own code (node:*, natives), so a
 *     socket write counts for the library that wrote; owners are npm packages or the app's source files, found
 *     through the source maps (`.map` next to each bundle) of a Next production build;
 *     and the same per owner function;
 *   - inclusive time per app source file (lib/…, app/…, proxy.ts …, a file counted once per sample).
 */
import fs from "node:fs";
import { SourceMap } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const maps = new Map();
/** The original position of a frame of a bundle with a `.map` file, or null. Columns and lines 0-based. */
function original(url, line, column) {
  if (!url || !url.includes("/.next/")) return null;
  let sm = maps.get(url);
  if (sm === undefined) {
    sm = null;
    try {
      const file = url.startsWith("file:") ? fileURLToPath(url) : url;
      sm = new SourceMap(JSON.parse(fs.readFileSync(file + ".map", "utf8")));
    } catch {}
    maps.set(url, sm);
  }
  if (!sm) return null;
  const e = sm.findEntry(line, column);
  if (!e || !e.originalSource) return null;
  return { source: decodeURIComponent(e.originalSource).replace(/^(\.\.\/)+/, "").replace(/^file:\/\/\/?.*?\/(node_modules|lib|app|components|inngest)\//, "$1/"), line: e.originalLine + 1, name: e.name };
}

const pkgOfPath = (p) => {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(p);
  return m ? m[1] : null;
};

export function summarise(profile, { fromMs, toMs, requests, top = 25, endWallMs = Date.now() }) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const info = new Map();
  /** Per node: a label, its owner (package or app file; null for Node's own code) and its app file (or null). */
  const infoOf = (n) => {
    let i = info.get(n.id);
    if (i) return i;
    const f = n.callFrame;
    const o = original(f.url, f.lineNumber, f.columnNumber);
    const where = o ? `${o.source}:${o.line}` : f.url ? `${f.url.replace(/^.*\/(node_modules|\.next)\//, "$1/")}:${f.lineNumber + 1}` : "";
    const name = f.functionName || o?.name || "(anonymous)";
    const src = o?.source ?? f.url ?? "";
    const pkg = pkgOfPath(src);
    const isNode = !f.url || f.url.startsWith("node:");
    const appFile = !isNode && !pkg && o ? o.source : null;
    i = { label: `${name} ${where}`.trim(), owner: isNode ? null : pkg ?? appFile ?? path.basename(src), appFile };
    info.set(n.id, i);
    return i;
  };
  const toWall = (us) => endWallMs - (profile.endTime - us) / 1000;
  const self = new Map(), incl = new Map(), owner = new Map(), ownerFn = new Map(), files = new Map();
  const add = (m, k, v) => m.set(k, (m.get(k) ?? 0) + v);
  let total = 0, idle = 0, gc = 0;
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    const w = toWall(t);
    if (w < fromMs || w > toMs) continue;
    const us = profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0;
    const node = byId.get(profile.samples[i]);
    const fn = node.callFrame.functionName;
    total += us;
    if (fn === "(idle)") { idle += us; continue; }
    if (fn === "(garbage collector)") gc += us;
    add(self, infoOf(node).label, us);
    const seen = new Set(), seenFile = new Set();
    let own = null;
    for (let id = node.id; id !== undefined; id = parent.get(id)) {
      const x = infoOf(byId.get(id));
      if (!seen.has(x.label)) { seen.add(x.label); add(incl, x.label, us); }
      if (own === null && x.owner) { own = x.owner; add(ownerFn, `${x.label} [${x.owner}]`, us); }
      if (x.appFile && !seenFile.has(x.appFile)) { seenFile.add(x.appFile); add(files, x.appFile, us); }
    }
    add(owner, own ?? (fn.startsWith("(") ? fn : "(node internals, no JS caller)"), us);
  }
  const per = (us) => (us / 1000 / requests).toFixed(3);
  const list = (m, n) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([l, us]) => `${per(us).padStart(10)}  ${l}`);
  return [
    `window ${((toMs - fromMs) / 1000).toFixed(1)} s, ${requests} requests: sampled ${(total / 1e6).toFixed(1)} s, busy ${(total - idle) / 1e6} s = ${per(total - idle)} ms/req (GC ${per(gc)})`,
    "",
    "owner ms/req (innermost non-Node frame)",
    ...list(owner, top),
    "",
    "owner functions ms/req (the innermost non-Node frame of each sample)",
    ...list(ownerFn, top * 2),
    "",
    "app file inclusive ms/req",
    ...list(files, top),
    "",
    "self ms/req  function",
    ...list(self, top),
    "",
    "inclusive ms/req  function",
    ...list(incl, top * 2),
  ].join("\n");
}

/** summarise() of a profile written by bench/api-profile.mjs, with the window it saved beside it (FILE.window.json). */
export function summariseFile(file, overrides = {}) {
  const window = JSON.parse(fs.readFileSync(`${file}.window.json`, "utf8"));
  return summarise(JSON.parse(fs.readFileSync(file, "utf8")), { ...window, ...overrides });
}
