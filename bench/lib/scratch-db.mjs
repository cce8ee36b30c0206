/**
 * scratchDatabase(kind, { tmpDir, prefix, adminUrl }): a throw-away database for a benchmark, as
 * `{ url, name, drop }`.
 * - kind "pglite": a new folder under `tmpDir` (`url` = `pglite:<folder>`; `drop` removes the folder);
 * - kind "postgres": `CREATE DATABASE <prefix>_<10 hex>` on the server of `adminUrl` (default BENCH_DATABASE_URL, else
 *   postgresql://postgres@127.0.0.1:5432/test; the admin connection uses that URL's database); `url` points at the
 *   new database and `drop` runs `DROP DATABASE … WITH (FORCE)`. BENCH_DB_PREFIX, when set, replaces `prefix` (so
 *   benchmarks of several checkouts sharing one server keep to their own database names).
 * Errors: connection and SQL errors of pg are thrown; fs errors for the folder.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";

export async function scratchDatabase(kind, { tmpDir, prefix = "sf_bench", adminUrl } = {}) {
  if (kind === "pglite") {
    const dir = fs.mkdtempSync(path.join(tmpDir, "pg-"));
    return { url: `pglite:${dir}`, name: path.basename(dir), drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  const admin = adminUrl ?? process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
  const name = `${process.env.BENCH_DB_PREFIX || prefix}_${crypto.randomBytes(5).toString("hex")}`;
  const sql = async (text) => {
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    try {
      await c.query(text);
    } finally {
      await c.end();
    }
  };
  await sql(`CREATE DATABASE ${name}`);
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return { url: u.toString(), name, drop: () => sql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
