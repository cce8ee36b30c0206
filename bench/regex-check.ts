/**
 * Cost of the catastrophic-backtracking check (lib/core/regex-safety.ts) per pattern: first check (analysis) and a
 * second one (cache), in ms, plus the verdict. Run: `npx tsx bench/regex-check.ts` (about 10–60 s; prints a table).
 * The analysis is CPU work, so the figures scale with the machine's load; `uptime` is printed with them.
 */
import os from "node:os";
import { regexSafetyError } from "@/lib/core/regex-safety";

const PATTERNS = [
  "^/blog/",
  "\\.pdf$",
  "/(en|de)/",
  "/product/\\d+/?$",
  "\\d+\\.\\d+",
  "[?&](utm_[a-z]+|fbclid|gclid)=",
  "/tag/[^/]+/page/\\d+",
  "^https?://[^/]+/(en|de|fr)/.*$",
  "(a+)+$",
  "(a|a)*$",
  "(\\w+\\s?)*$",
  "a.*b.*c",
];

const t0 = performance.now();
regexSafetyError("(x+)+y", 60_000); // loads recheck (one-time cost, reported separately)
const loadMs = performance.now() - t0;
console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}; recheck load + first analysis ${loadMs.toFixed(0)} ms`);
console.log("| pattern | first check ms | cached ms | verdict |");
console.log("|---|---|---|---|");
for (const p of PATTERNS) {
  const a = performance.now();
  const verdict = regexSafetyError(p, 60_000);
  const b = performance.now();
  regexSafetyError(p, 60_000);
  const c = performance.now();
  console.log(`| \`${p}\` | ${(b - a).toFixed(1)} | ${(c - b).toFixed(3)} | ${verdict ? verdict.slice(0, 60) : "safe"} |`);
}
