/**
 * Our side of the writer benchmark: N URLs with lastmod → 50,000-URL urlset parts + sitemap index, through
 * `writeSitemapFiles` (lib/sitemap/writer.ts), into OUT_DIR (emptied first).
 *
 *   node --import tsx bench/writer-self.ts GZ(0|1) OUT_DIR [N=1000000]
 *
 * The input is exactly the one of ../shared/bench/writers/write-bench.mjs (same URLs, 1 in 100 with `&` in the query,
 * same lastmod values, same 50,000 URLs per part), generated lazily by a sync generator as the writer pulls it, so the
 * peer variants and ours do the same work. The clock (process.hrtime) covers only the writeSitemapFiles call, like
 * write-bench.mjs's clock (module loading and node start-up excluded; the process wall time is measured outside).
 * Peak RSS is measured outside by /usr/bin/time -v. Prints one JSON line in write-bench.mjs's shape:
 *   {variant, gz, n, ms, bytes, files, urlsPerS, urlCount, parts}
 */
import fs from "node:fs";
import path from "node:path";
import type { SitemapEntry } from "@/lib/core/types";
import { writeSitemapFiles } from "@/lib/sitemap/writer";

const [gzArg, outDirArg, nArg] = process.argv.slice(2);
if (!outDirArg) {
  console.error("usage: node --import tsx bench/writer-self.ts GZ(0|1) OUT_DIR [N]");
  process.exit(2);
}
const GZ = gzArg === "1";
const N = Number(nArg ?? 1_000_000);
const LIMIT = 50_000;
const HOST = "https://www.example.com";
const outDir = path.resolve(outDirArg);
fs.rmSync(outDir, { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });

const BASE_MS = Date.UTC(2026, 9, 1);
const urlOf = (i: number): string => `${HOST}/cat${i % 12}/item-${i}` + (i % 100 === 0 ? `?color=red&size=${i % 7}` : "");
const lastmodOf = (i: number): string => new Date(BASE_MS - (i % 100000) * 60000).toISOString();

function* entries(): Generator<SitemapEntry> {
  for (let i = 0; i < N; i++) yield { loc: urlOf(i), lastmod: lastmodOf(i) };
}

const t0 = process.hrtime.bigint();
const result = await writeSitemapFiles(entries(), {
  dir: outDir,
  fileName: "sitemap",
  baseUrl: HOST,
  maxFileEntries: LIMIT,
  gzip: GZ,
});
const ms = Number(process.hrtime.bigint() - t0) / 1e6;

let bytes = 0;
const names = fs.readdirSync(outDir);
for (const f of names) bytes += fs.statSync(path.join(outDir, f)).size;
console.log(
  JSON.stringify({
    variant: "ours",
    gz: GZ,
    n: N,
    ms: Math.round(ms),
    bytes,
    files: names.length,
    urlsPerS: Math.round(N / (ms / 1000)),
    urlCount: result.urlCount,
    parts: result.files.filter((f) => f.kind === "urlset").length,
  }),
);
