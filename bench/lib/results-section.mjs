/**
 * writeResultsSection(file, name, section): puts `section` (markdown text ending in a newline) between the markers
 * `<!-- name:start -->` and `<!-- name:end -->` of `file` (bench/RESULTS.md), replacing what was there, or appends
 * the marked block when the file has no such markers yet. With NO_WRITE set in the environment it writes nothing.
 * bench/lib/report.mjs keeps every marked block when it re-renders the crawl figures.
 * Errors: fs errors (the folder missing, no permission) are thrown.
 */
import fs from "node:fs";

export function writeResultsSection(file, name, section) {
  if (process.env.NO_WRITE) return;
  const start = `<!-- ${name}:start -->`, end = `<!-- ${name}:end -->`;
  const current = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
  const block = `${start}\n${section}${end}`;
  const at = current.indexOf(start), stop = current.indexOf(end, at);
  const updated = at >= 0 && stop >= 0 ? current.slice(0, at) + block + current.slice(stop + end.length) : `${current.trimEnd()}\n\n${block}\n`;
  fs.writeFileSync(file, updated);
}
