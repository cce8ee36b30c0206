#!/usr/bin/env node
/**
 * Launcher of the crawl CLI (`npm run crawl -- <start-url> --out <dir> …`; flags: see scripts/crawl.ts).
 *
 * Runs scripts/crawl.ts as one esbuild bundle instead of through tsx: tsx's loader costs ~40 MB of RSS and start-up
 * time in the crawl process. The bundle is built on demand into node_modules/.cache/sitemap-forge/ (never committed;
 * a fresh clone builds it on the first run, ~0.3 s) and rebuilt whenever one of its input files changed: the build
 * records every input file with its mtime and size, and each start compares them (a few dozen stat calls).
 * Dependencies stay external (`--packages=external`) and load from node_modules as usual. esbuild is a direct
 * dependency (package.json), pinned to the version tsx uses.
 *
 *   node scripts/crawl.mjs --build-bundle    build (if stale) and exit; prints the bundle path
 *
 * Concurrent first runs are safe: each build writes to a temporary name and renames it into place.
 * Exit codes: those of scripts/crawl.ts; 3 when the bundle cannot be built.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const OUT_DIR = path.join(REPO, "node_modules", ".cache", "sitemap-forge");
const ENTRY = "scripts/crawl.ts";
const OUT = path.join(OUT_DIR, "crawl.mjs");
const MANIFEST = `${OUT}.inputs.json`;
/** Files that change the build without being bundled inputs. */
const EXTRA_INPUTS = ["tsconfig.json", "scripts/crawl.mjs"];

const stamp = (file) => {
  const st = fs.statSync(path.join(REPO, file));
  return `${st.mtimeMs}:${st.size}`;
};

/** True when the bundle exists and none of the files it was built from changed since. */
function isFresh() {
  try {
    const manifest = JSON.parse(fs.readFileSync(MANIFEST, "utf8"));
    if (!fs.existsSync(OUT)) return false;
    for (const [file, s] of Object.entries(manifest.inputs)) if (stamp(file) !== s) return false;
    return true;
  } catch {
    return false;
  }
}

async function build() {
  const esbuild = await import("esbuild");
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const tmp = `${OUT}.${process.pid}.tmp.mjs`;
  const result = await esbuild.build({
    absWorkingDir: REPO,
    entryPoints: [ENTRY],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    sourcemap: "linked",
    metafile: true,
    outfile: tmp,
    logLevel: "warning",
  });
  const inputs = {};
  for (const file of [...Object.keys(result.metafile.inputs), ...EXTRA_INPUTS]) {
    if (file.startsWith("node_modules/") || file.includes(":")) continue;
    inputs[file] = stamp(file);
  }
  // The linked source map keeps the temporary name in its sourceMappingURL comment: point it at the final name.
  const code = fs.readFileSync(tmp, "utf8").replace(/\/\/# sourceMappingURL=.*\n?$/, `//# sourceMappingURL=${path.basename(OUT)}.map\n`);
  fs.writeFileSync(tmp, code);
  fs.renameSync(`${tmp}.map`, `${OUT}.map`);
  fs.renameSync(tmp, OUT);
  const mtmp = `${MANIFEST}.${process.pid}.tmp`;
  fs.writeFileSync(mtmp, JSON.stringify({ entry: ENTRY, inputs }));
  fs.renameSync(mtmp, MANIFEST);
}

if (!isFresh()) {
  try {
    await build();
  } catch (err) {
    console.error(`crawl: cannot build the CLI bundle: ${err?.message ?? err}`);
    process.exit(3);
  }
}
if (process.argv[2] === "--build-bundle") {
  console.log(OUT);
  process.exit(0);
}
await import(pathToFileURL(OUT).href);
