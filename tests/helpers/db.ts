/**
 * Fresh, migrated databases for tests: always an in-memory PGlite, and also a throw-away database on the PostgreSQL
 * server named by TEST_DATABASE_URL when it is set (CI sets it to the server on 127.0.0.1:5432).
 *
 *   for (const backend of testBackends()) describe(backend.name, () => { const t = useTestDb(backend); … t.db … })
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import pg from "pg";
import { createDb, setDb, type Db } from "@/lib/db/client";
import { deployMigrations } from "@/lib/db/migrate";

export type Backend = { name: "pglite" | "postgres"; url: string };

export function testBackends(): Backend[] {
  const list: Backend[] = [{ name: "pglite", url: "pglite:memory" }];
  if (process.env.TEST_DATABASE_URL) list.push({ name: "postgres", url: process.env.TEST_DATABASE_URL });
  return list;
}

/** Creates and migrates a database for `backend`; returns the client and a cleanup function. */
export async function createTestDb(backend: Backend): Promise<{ db: Db; url: string; cleanup: () => Promise<void> }> {
  if (backend.name === "pglite") {
    const { db, pglite } = createDb("pglite:memory");
    await deployMigrations({ pglite: pglite! });
    return { db, url: "pglite:memory", cleanup: async () => { await db.$disconnect(); await pglite!.close(); } };
  }
  const name = `sf_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: backend.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(backend.url);
  u.pathname = `/${name}`;
  const url = u.toString();
  await deployMigrations({ url });
  const { db } = createDb(url);
  return {
    db,
    url,
    cleanup: async () => {
      await db.$disconnect();
      const c = new pg.Client({ connectionString: backend.url });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** vitest hook pair: a fresh DB for the enclosing describe block, installed as the process-wide client. */
export function useTestDb(backend: Backend): { readonly db: Db; readonly url: string } {
  const state = {} as { db: Db; url: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    Object.assign(state, await createTestDb(backend));
    setDb(state.db);
  });
  afterAll(async () => { await state.cleanup?.(); });
  return { get db() { return state.db; }, get url() { return state.url; } };
}
