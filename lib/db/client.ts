/**
 * The Prisma client of the process, on embedded PGlite or a real PostgreSQL server (see lib/db/url.ts).
 *
 * One client per process, kept on globalThis: PGlite allows one process per data directory, and Next.js may load
 * this module more than once (route bundles, instrumentation, HMR). Tests swap the client with `setDb()`.
 */
import fs from "node:fs";
import path from "node:path";
import { PrismaClient } from "@/generated/prisma/client";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { lockPgliteDir, unlockPgliteDir } from "./pglite-lock";
import { setRawTarget } from "./raw";
import { databaseUrl } from "./url";

export type Db = PrismaClient;

type Holder = { db?: Db; pglite?: PGlite };
const holder: Holder = ((globalThis as typeof globalThis & { __sitemapForgeDb?: Holder }).__sitemapForgeDb ??= {});

/**
 * Opens the PGlite database of a `pglite:` URL (creates parent folders). `pglite:memory` → in-memory.
 * Errors: PgliteLockedError when another live process has the folder open (see pglite-lock.ts).
 */
export function openPglite(url: string): PGlite {
  const dir = url.slice("pglite:".length);
  if (dir === "memory" || dir === "") return new PGlite();
  fs.mkdirSync(path.resolve(dir, ".."), { recursive: true });
  lockPgliteDir(dir);
  const pg = new PGlite(dir);
  const close = pg.close.bind(pg);
  // Closing releases the folder for other processes.
  pg.close = async () => {
    try {
      await close();
    } finally {
      unlockPgliteDir(dir);
    }
  };
  return pg;
}

/** The URL each client was built for (see {@link currentDatabaseUrl}). */
const urls = new WeakMap<Db, string>();

/**
 * Builds a client for a URL. The caller owns it (and must `$disconnect()` it).
 * @param opts.poolMax PostgreSQL only: most connections the client opens at once (default: pg's 10).
 * On PostgreSQL the client runs on a pg pool built here, shared with lib/db/raw.ts, which Prisma ends on
 * `$disconnect()` once it has connected (any Prisma query).
 */
export function createDb(url: string, pglite?: PGlite, opts: { poolMax?: number } = {}): { db: Db; pglite?: PGlite } {
  if (url.startsWith("pglite:")) {
    const pg = pglite ?? openPglite(url);
    const db = new PrismaClient({ adapter: new PrismaPGlite(pg) });
    urls.set(db, url);
    setRawTarget(db, { pglite: pg });
    return { db, pglite: pg };
  }
  // Our pool, handed to the adapter, so the hot path's raw statements (lib/db/raw.ts) share its connections;
  // disposeExternalPool: $disconnect() still ends it, as when the adapter built the pool itself.
  const pool = new pg.Pool({ connectionString: url, ...(opts.poolMax ? { max: opts.poolMax } : {}) });
  // An idle connection the server closes (restart, a dropped test database) is discarded by pg; without a listener
  // its 'error' event would crash the process before the adapter adds its own.
  pool.on("error", () => {});
  // The cast: the adapter ships its own (newer) @types/pg; at run time both are node_modules/pg.
  const adapterPool = pool as unknown as ConstructorParameters<typeof PrismaPg>[0];
  const db = new PrismaClient({ adapter: new PrismaPg(adapterPool, { disposeExternalPool: true }) });
  urls.set(db, url);
  setRawTarget(db, { pool });
  return { db };
}

/**
 * The URL of the process-wide client (getDb(), or the client installed by setDb() when createDb built it), so
 * another thread can open its own client on the same PostgreSQL database. undefined when the client was built
 * elsewhere. A `pglite:` URL names a database only this thread may open.
 */
export function currentDatabaseUrl(): string | undefined {
  return urls.get(getDb());
}

/** The URL `db` was built for by createDb, or undefined when it was built elsewhere (see currentDatabaseUrl). */
export function databaseUrlOf(db: Db): string | undefined {
  return urls.get(db);
}

/** The process-wide client for DATABASE_URL, created on first use. */
export function getDb(): Db {
  if (!holder.db) Object.assign(holder, createDb(databaseUrl()));
  return holder.db!;
}

/** The PGlite instance behind getDb(), if the process runs on PGlite. */
export function getPglite(): PGlite | undefined {
  getDb();
  return holder.pglite;
}

/** Replaces the process-wide client (tests, CLI tools). */
export function setDb(db: Db, pglite?: PGlite): void {
  holder.db = db;
  holder.pglite = pglite;
}

/**
 * Options for interactive transactions: Prisma's 5 s default is too short on a loaded 2-core machine with PGlite;
 * our transactions are short, so a longer limit only matters under load.
 */
export const TX_OPTIONS = { maxWait: 10_000, timeout: 30_000 } as const;
