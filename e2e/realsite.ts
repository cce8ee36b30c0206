/**
 * Where the e2e run keeps its nginx for the PostgreSQL manual. serve.sh writes `<cache>/postgres-<port>.pid`, and the
 * e2e teardown kills the server named there. The e2e run uses its own cache folder under .data/,
 * and links the already-extracted manual from ~/.cache/realsites when there is one (no second apt download).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** The nginx port of the e2e run; E2E_SITE_PORT moves it so two checkouts can run e2e at once. */
export const SITE_PORT = Number(process.env.E2E_SITE_PORT ?? 8181);
export const SITE_URL = `http://127.0.0.1:${SITE_PORT}/`;
export const E2E_REALSITES_CACHE = path.join(ROOT, ".data", "e2e-realsites");
/** serve.sh writes one pid file per site and port (`<cache>/<site>-<port>.pid`). */
export const SITE_PID_FILE = path.join(E2E_REALSITES_CACHE, `postgres-${SITE_PORT}.pid`);

/** Creates the e2e cache folder, reusing ~/.cache/realsites/postgres (the extracted package) when present. */
export function prepareRealsitesCache() {
  fs.mkdirSync(E2E_REALSITES_CACHE, { recursive: true });
  const shared = path.join(process.env.REALSITES_CACHE ?? path.join(os.homedir(), ".cache", "realsites"), "postgres");
  const mine = path.join(E2E_REALSITES_CACHE, "postgres");
  if (!fs.existsSync(mine) && fs.existsSync(path.join(shared, "usr"))) fs.symlinkSync(shared, mine, "dir");
}
