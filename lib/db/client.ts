/**
 * The Prisma client of the process, on embedded PGlite or a real PostgreSQL server (see lib/db/url.ts).
 *
 * One client per process, kept on globalThis: PGlite allows one process per data directory, and Next.js may load
 * this module more than once (route bundles, instrumentation, HMR). Tests swap the client with `setDb()`.
 */
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { PrismaClient, type Prisma } from "@/generated/prisma/client";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaPg } from "@prisma/adapter-pg";
import { lockPgliteDir, unlockPgliteDir } from "./pglite-lock";
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

/** The driver under each client createDb built: runs one parameterised statement, $1… placeholders. */
type DirectExec = (text: string, values: unknown[]) => Promise<unknown>;
const drivers = new WeakMap<Db, DirectExec>();

/**
 * Builds a client for a URL. The caller owns it (and must `$disconnect()` it).
 * @param opts.poolMax PostgreSQL only: most connections the client opens at once (default: pg's 10).
 * On PostgreSQL the client runs on a pg pool built here (see executeDirect), which Prisma ends on `$disconnect()`
 * once it has connected (any Prisma query).
 */
export function createDb(url: string, pglite?: PGlite, opts: { poolMax?: number } = {}): { db: Db; pglite?: PGlite } {
  if (url.startsWith("pglite:")) {
    const pg = pglite ?? openPglite(url);
    const db = new PrismaClient({ adapter: new PrismaPGlite(pg) });
    urls.set(db, url);
    drivers.set(db, (text, values) => pg.query(text, values));
    return { db, pglite: pg };
  }
  // Our own pool, handed to the adapter (which ends it on $disconnect), so executeDirect can use the same connections.
  const pool = new pg.Pool({
    connectionString: url,
    ...(opts.poolMax ? { max: opts.poolMax } : {}),
  });
  // The cast: the adapter bundles its own copy of pg's type declarations; at run time both are the same `pg` module.
  const db = new PrismaClient({ adapter: new PrismaPg(pool as unknown as ConstructorParameters<typeof PrismaPg>[0], { disposeExternalPool: true }) });
  urls.set(db, url);
  drivers.set(db, (text, values) => pool.query(text, values));
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

/**
 * Runs one statement without a result on `db`'s driver directly (PGlite's `query`, or the pg pool under Prisma's
 * adapter), the statement built with Prisma.sql as for `$executeRaw`. Why: Prisma serialises a raw query's parameters
 * to JSON and parses them back before the driver sees them (@prisma/client runtime), so a large text parameter — a
 * crawl journal batch is one JSON document of up to a few hundred kB — costs two more passes over it and as much
 * garbage, on the crawl worker's thread (PostgreSQL) or the server's (PGlite). Only strings, numbers, booleans and
 * null are passed this way (the driver would convert a Date in the local time zone, unlike Prisma); a statement
 * with other values, or a client createDb did not build, goes through `$executeRaw`.
 * Inside a Prisma interactive transaction use its client's `$executeRaw` (this runs outside it).
 * Errors: the driver's error (pg / PGlite DatabaseError, not Prisma's error classes).
 */
export async function executeDirect(db: Db, statement: Prisma.Sql): Promise<void> {
  const run = drivers.get(db);
  const plain = statement.values.every((v) => v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean");
  if (!run || !plain) {
    await db.$executeRaw(statement);
    return;
  }
  await run(statement.text, statement.values);
}
