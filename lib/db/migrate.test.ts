/**
 * deployMigrations on PostgreSQL (TEST_DATABASE_URL) when several processes start at once: the migration lock makes
 * one caller apply every migration and the others wait, then find nothing pending.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { deployMigrations } from "./migrate";

const base = process.env.TEST_DATABASE_URL;

describe.skipIf(!base)("deployMigrations on PostgreSQL, two callers at once", () => {
  it("applies each migration once; the caller that waited applies nothing", async () => {
    const name = `sf_test_${randomBytes(6).toString("hex")}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const u = new URL(base!);
    u.pathname = `/${name}`;
    try {
      let waited = 0;
      const results = await Promise.all([0, 1].map(() => deployMigrations({ url: u.toString() }, { onWait: () => waited++ })));
      const all = fs.readdirSync(path.resolve("prisma/migrations")).filter((d) => fs.existsSync(path.resolve("prisma/migrations", d, "migration.sql")));
      const nonEmpty = results.filter((r) => r.length > 0);
      expect(nonEmpty).toHaveLength(1);
      expect(nonEmpty[0].sort()).toEqual(all.sort());
      expect(waited).toBe(1);
      const check = new pg.Client({ connectionString: u.toString() });
      await check.connect();
      const rows = (await check.query("SELECT count(*)::int AS n, count(finished_at)::int AS done FROM _prisma_migrations")).rows[0];
      await check.end();
      expect(rows).toEqual({ n: all.length, done: all.length });
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  }, 120_000);
});
