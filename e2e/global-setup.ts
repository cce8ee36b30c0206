/**
 * Before the e2e run: removes databases of earlier runs and serves the PostgreSQL manual (Debian's
 * postgresql-doc-15, ~1,170 pages) on http://127.0.0.1:8181/ with `<repoRoot>/../shared/realsites/serve.sh`.
 * The first run on a machine downloads the package (and nginx) through apt, which needs root: allow 180 s.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { E2E_REALSITES_CACHE, prepareRealsitesCache, ROOT, SITE_PORT } from "./realsite";

export default async function globalSetup() {
  const data = path.join(ROOT, ".data");
  const current = `e2e-pg-${process.env.E2E_RUN_ID}`;
  if (fs.existsSync(data)) {
    for (const name of fs.readdirSync(data)) {
      // The web server may already have created this run's database; only earlier runs' are removed.
      if (name.startsWith("e2e-pg-") && name !== current) fs.rmSync(path.join(data, name), { recursive: true, force: true });
    }
  }
  fs.mkdirSync(path.join(ROOT, "test-results", "screenshots"), { recursive: true });

  const serve = path.resolve(ROOT, "..", "shared", "realsites", "serve.sh");
  if (!fs.existsSync(serve)) throw new Error(`${serve} not found: shared/ must sit beside the repository`);
  prepareRealsitesCache();
  execFileSync("bash", [serve, "postgres", String(SITE_PORT)], {
    stdio: "inherit",
    timeout: 180_000,
    env: { ...process.env, REALSITES_CACHE: E2E_REALSITES_CACHE },
  });
}
