#!/usr/bin/env node
// Summarise a V8 .cpuprofile (node --cpu-prof): self time by function, self time by file/package, and inclusive
// time of our own functions (lib/, scripts/).
//   node bench/lib/cpuprofile-top.mjs FILE.cpuprofile [--json] [--top 25] [--sourcemap BUNDLE.map --bundle BUNDLE.mjs]
// With --sourcemap, frames inside the bundle are mapped back to their source file and line (node:module SourceMap).
// Percentages: `pct` of the profile's total sampled time, `busyPct` of the time the thread was not idle
// ("(idle)" = waiting on I/O).
import fs from "node:fs";
import { SourceMap } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith("--"));
const asJson = args.includes("--json");
const TOP = +(args[args.indexOf("--top") + 1] || 25) || 25;
const prof = JSON.parse(fs.readFileSync(file, "utf8"));
const opt = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : null);
if (opt("--sourcemap") && opt("--bundle")) {
  const sm = new SourceMap(JSON.parse(fs.readFileSync(opt("--sourcemap"), "utf8")));
  const bundle = path.resolve(opt("--bundle"));
  const bundleUrl = pathToFileURL(bundle).href;
  for (const n of prof.nodes) {
    const cf = n.callFrame;
    if (cf.url !== bundleUrl && cf.url !== bundle) continue;
    const e = sm.findEntry(cf.lineNumber, cf.columnNumber);
    if (e && e.originalSource) {
      const src = e.originalSource.startsWith("file://") ? e.originalSource : pathToFileURL(path.resolve(path.dirname(bundle), e.originalSource)).href;
      n.callFrame = { ...cf, url: src, lineNumber: e.originalLine, columnNumber: e.originalColumn };
    }
  }
}

const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of prof.nodes) for (const c of n.children || []) parent.set(c, n.id);

const REPO_MARK = /\/(lib|scripts|bench)\/[^?]*$/;
function shortUrl(url) {
  if (!url) return "";
  const u = url.replace(/^file:\/\//, "");
  const nm = u.lastIndexOf("/node_modules/");
  if (nm >= 0) {
    const rest = u.slice(nm + 14).split("/");
    const pkg = rest[0].startsWith("@") ? rest.slice(0, 2).join("/") : rest[0];
    return `${pkg}/${rest.slice(rest[0].startsWith("@") ? 2 : 1).join("/")}`;
  }
  const m = u.match(REPO_MARK);
  return m ? m[0].slice(1) : u;
}
function area(cf) {
  const url = cf.url || "";
  if (!url) {
    if (/^\((garbage collector|program|idle|root)\)$/.test(cf.functionName)) return cf.functionName;
    return "(native/builtin)";
  }
  if (url.startsWith("node:")) {
    const m = url.match(/^node:(?:internal\/)?([^/]+(?:\/[^/]+)?)/);
    return `node:${m ? m[1] : url}`;
  }
  const u = url.replace(/^file:\/\//, "");
  const nm = u.lastIndexOf("/node_modules/");
  if (nm >= 0) {
    const rest = u.slice(nm + 14).split("/");
    return rest[0].startsWith("@") ? rest.slice(0, 2).join("/") : rest[0];
  }
  const m = u.match(REPO_MARK);
  return m ? m[0].slice(1) : u;
}
const fnKey = (cf) => `${cf.functionName || "(anonymous)"}  ${shortUrl(cf.url)}${cf.url ? ":" + (cf.lineNumber + 1) : ""}`;
const isOurs = (cf) => REPO_MARK.test((cf.url || "").replace(/^file:\/\//, "")) && !(cf.url || "").includes("/node_modules/");

// time per sample: timeDeltas[i] is the gap before sample i; attribute the gap after a sample to it
const samples = prof.samples || [];
const deltas = prof.timeDeltas || [];
const dt = samples.map((_, i) => (i + 1 < deltas.length ? deltas[i + 1] : 0));
const total = dt.reduce((a, b) => a + b, 0) || 1;

const self = new Map(), byArea = new Map(), incl = new Map();
const callers = new Map(); // native/builtin frame key → Map(first JS caller key → time)
let idle = 0;
for (let i = 0; i < samples.length; i++) {
  const n = byId.get(samples[i]);
  if (!n) continue;
  const cf = n.callFrame;
  if (cf.functionName === "(idle)") idle += dt[i];
  const k = fnKey(cf);
  self.set(k, (self.get(k) || 0) + dt[i]);
  if (!cf.url && !/^\(/.test(cf.functionName)) {
    let id = parent.get(n.id);
    // the first caller outside Node's internals (our code or a package): who asked for this native work
    while (id !== undefined && (!byId.get(id).callFrame.url || byId.get(id).callFrame.url.startsWith("node:"))) id = parent.get(id);
    const ck = id !== undefined ? fnKey(byId.get(id).callFrame) : "(Node internals only)";
    const m = callers.get(k) || new Map();
    m.set(ck, (m.get(ck) || 0) + dt[i]);
    callers.set(k, m);
  }
  const a = area(cf);
  byArea.set(a, (byArea.get(a) || 0) + dt[i]);
  // inclusive time of our own functions (each function counted once per sample even if recursive)
  const seen = new Set();
  for (let id = n.id; id !== undefined; id = parent.get(id)) {
    const f = byId.get(id).callFrame;
    if (!isOurs(f)) continue;
    const kk = fnKey(f);
    if (seen.has(kk)) continue;
    seen.add(kk);
    incl.set(kk, (incl.get(kk) || 0) + dt[i]);
  }
}
const pct = (v) => +((100 * v) / total).toFixed(1);
const busyPct = (v) => +((100 * v) / Math.max(total - idle, 1)).toFixed(1);
const top = (m, n) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => ({ name: k, ms: Math.round(v / 1000), pct: pct(v), busyPct: busyPct(v) }));
const out = {
  file,
  totalMs: Math.round(total / 1000),
  idlePct: pct(idle),
  busyMs: Math.round((total - idle) / 1000),
  selfByFunction: top(self, TOP).map((r) => (callers.has(r.name) ? { ...r, calledFrom: top(callers.get(r.name), 3) } : r)),
  selfByArea: top(byArea, 20),
  inclusiveOurs: top(incl, 20),
};
if (asJson) console.log(JSON.stringify(out, null, 1));
else {
  console.log(`profile ${file}: ${out.totalMs} ms sampled, idle ${out.idlePct} %`);
  for (const [title, rows] of [["self time by function", out.selfByFunction], ["self time by file/package", out.selfByArea], ["inclusive time, our functions", out.inclusiveOurs]]) {
    console.log(`\n${title}:`);
    for (const r of rows) {
      console.log(`${String(r.pct).padStart(6)} %  ${String(r.busyPct).padStart(6)} % busy  ${String(r.ms).padStart(6)} ms  ${r.name}`);
      for (const c of r.calledFrom || []) console.log(`${" ".repeat(30)}from ${c.name} (${c.ms} ms)`);
    }
  }
}
