/**
 * A test database that this process and a child process (tests/helpers/step-child.ts) can both open, one after the
 * other: a PGlite folder (PGlite allows one process at a time, so `close()` releases it for the child) or a
 * throw-away database on the PostgreSQL server of TEST_DATABASE_URL (tests/helpers/db.ts).
 *
 * `open()` (re)opens it in this process and installs it as the process-wide client; `destroy()` removes it.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import { createDb, setDb, type Db } from "@/lib/db/client";
import { deployMigrations } from "@/lib/db/migrate";
import { unlockPgliteDir } from "@/lib/db/pglite-lock";
import { createTestDb, type Backend } from "@/tests/helpers/db";

export type SharedTestDatabase = { url: string; open(): Promise<Db>; close(): Promise<void>; destroy(): Promise<void> };

/** Creates and migrates the database; `prefix` names the PGlite folder under the OS temp dir. */
export async function sharedTestDatabase(backend: Backend, prefix: string): Promise<SharedTestDatabase> {
  if (backend.name === "pglite") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    const url = `pglite:${path.join(dir, "db")}`;
    let cur: { db: Db; pglite: PGlite } | null = null;
    const open = async () => {
      if (!cur) {
        const { db, pglite } = createDb(url);
        cur = { db, pglite: pglite! };
        setDb(db, pglite);
      }
      return cur.db;
    };
    const close = async () => {
      if (!cur) return;
      await cur.db.$disconnect();
      await cur.pglite.close();
      unlockPgliteDir(url.slice("pglite:".length));
      cur = null;
    };
    await open();
    await deployMigrations({ pglite: cur!.pglite });
    return { url, open, close, destroy: async () => (await close(), fs.rmSync(dir, { recursive: true, force: true })) };
  }
  const t = await createTestDb(backend);
  setDb(t.db);
  return { url: t.url, open: async () => (setDb(t.db), t.db), close: async () => {}, destroy: t.cleanup };
}
