/**
 * XSD validation for tests: `await validateXml(file, "urlset" | "sitemapindex")` runs
 *   xmllint --nonet --noout --schema <shared>/xsd/urlset-all.xsd|siteindex-all.xsd <file>
 * and throws an Error carrying xmllint's stderr when the file is not valid (resolves to nothing when it is).
 *
 * - Schemas come from `shared/xsd/`, a sibling of the repo root (`<repoRoot>/../shared`), as in CI's checkout.
 *   The wrappers import the official XSDs by relative `schemaLocation`, so xmllint finds them from any cwd, and
 *   `--nonet` guarantees nothing is fetched.
 * - `.xml.gz` files work too (xmllint reads gzip transparently).
 * - Needs `xmllint` on PATH (Debian: `apt-get install -y libxml2-utils`).
 * - The path is passed as an argument with no shell involved, so a file name cannot inject commands.
 * XSDs miss some rules (raw spaces/Unicode in anyURI, dateTime without timezone, duplicates): assert those separately.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** `<repoRoot>/../shared/xsd`, resolved from this file (tests/helpers/ → repo root). */
export const XSD_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "shared", "xsd");

const WRAPPER = { urlset: "urlset-all.xsd", sitemapindex: "siteindex-all.xsd" } as const;

/** Validates `file` against the sitemaps.org schema for its root element; throws with xmllint's stderr if invalid. */
export function validateXml(file: string, kind: "urlset" | "sitemapindex"): Promise<void> {
  const schema = path.join(XSD_DIR, WRAPPER[kind]);
  if (!existsSync(schema)) return Promise.reject(new Error(`XSD not found: ${schema} (is shared/ beside the repo?)`));
  return new Promise((resolve, reject) => {
    execFile(
      "xmllint",
      ["--nonet", "--noout", "--schema", schema, file],
      { maxBuffer: 16 * 1024 * 1024 },
      (err, _stdout, stderr) => {
        if (err) reject(new Error(`xmllint: ${file} is not a valid ${kind}:\n${stderr || err.message}`));
        else resolve();
      },
    );
  });
}
