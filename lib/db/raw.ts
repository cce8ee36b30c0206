/**
 * Raw SQL on a client's own connection pool (PostgreSQL: the pg Pool behind its @prisma/adapter-pg; PGlite: the
 * PGlite instance behind its adapter), without Prisma's query interpreter, for the statements every API request runs
 * (lib/db/api-requests.ts, lib/db/sitemap-facts.ts, lib/db/sitemap-page.ts) and for the crawl journal's large
 * statements (executeDirect: lib/db/frontier.ts, lib/db/run-urls.ts). The profile of GET /api/v1/sitemaps
 * showed Prisma's client and driver adapter at about a sixth of a request's CPU for statements whose SQL we write
 * anyway; the pool, its connections and the PGlite queue are the same ones Prisma uses.
 *
 * Values: `$1`, `$2` … placeholders; a Date parameter is sent as its UTC wall time (`2026-12-07T23:00:00.000`, for a
 * `::timestamp(3)` cast: the schema's DateTime columns are timestamp(3) holding UTC), arrays as arrays. Results: rows
 * as objects by column name; timestamp(3) columns as Date (read as UTC, as Prisma does); json/jsonb parsed; int8
 * and numeric as the driver gives them (strings) — the SQL casts what it needs.
 * A client built elsewhere than createDb (no pool recorded) runs the same SQL through `$queryRawUnsafe`.
 * Errors: the driver's (pg DatabaseError / PGlite's), not Prisma's error classes.
 */
import pg from "pg";
import type { PGlite } from "@electric-sql/pglite";
import type { Prisma } from "@/generated/prisma/client";
import type { Db } from "./client";

/** What createDb recorded for a client: the pool or the PGlite instance its adapter runs on. */
export type RawTarget = { pool: pg.Pool } | { pglite: PGlite };

// On globalThis, like the client (lib/db/client.ts): Next.js loads this module once per route bundle, and the client
// that getDb() created in one bundle must find its pool from every other (else each statement would take the
// $queryRawUnsafe fallback, through Prisma).
type Holder = { targets: WeakMap<Db, RawTarget>; connected: WeakSet<Db> };
const holder = globalThis as typeof globalThis & { __sitemapForgeRawTargets?: Holder };
const { targets, connected } = (holder.__sitemapForgeRawTargets ??= { targets: new WeakMap(), connected: new WeakSet() });

/** Records where `db`'s adapter sends its statements (createDb calls this). */
export function setRawTarget(db: Db, target: RawTarget): void {
  targets.set(db, target);
}

const TIMESTAMP_OID = 1114;
// timestamp without time zone holds UTC here; pg's default parser would read it in the process's local zone.
const parseUtcTimestamp = (v: string): Date => new Date(`${v.replace(" ", "T")}Z`);
const pgTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === TIMESTAMP_OID && format !== "binary" ? parseUtcTimestamp : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig["getTypeParser"],
};

const toParam = (v: unknown): unknown => (v instanceof Date ? v.toISOString().slice(0, -1) : v);

/**
 * Collects the values of one statement built as a string: `p(value)` appends `value` to `values` and returns its
 * `$n` placeholder, for rawQuery(db, sql, values).
 */
export function placeholders(): { p: (value: unknown) => string; values: unknown[] } {
  const values: unknown[] = [];
  return { p: (value) => `$${values.push(value)}`, values };
}

/**
 * Runs one statement with `params` on `db`'s own pool (module doc) and returns its rows. `T`: the row shape the SQL
 * produces (column aliases, casts); not checked.
 */
export async function rawQuery<T>(db: Db, sql: string, params: readonly unknown[]): Promise<T[]> {
  const values = params.map(toParam);
  const target = targets.get(db);
  if (!target) return db.$queryRawUnsafe<T[]>(sql, ...values);
  if ("pool" in target) {
    // Prisma connects its adapter lazily; once connected, the client's $disconnect() ends this pool (the adapter's
    // disposeExternalPool), also for a client that only ever ran raw statements.
    if (!connected.has(db)) {
      await db.$connect();
      connected.add(db);
    }
    return (await target.pool.query({ text: sql, values, types: pgTypes })).rows as T[];
  }
  return (await target.pglite.query<T>(sql, values as unknown[], { parsers: { [TIMESTAMP_OID]: parseUtcTimestamp } })).rows;
}

/**
 * Runs one statement built with Prisma.sql (as for `$executeRaw`) on `db`'s own pool through rawQuery, discarding
 * its rows. Why: Prisma serialises a raw query's parameters to JSON and parses them back before the driver sees them
 * (@prisma/client runtime), so a large text parameter — a crawl journal batch is one JSON document of up to a few
 * hundred kB — costs two more passes over it and as much garbage, on the crawl worker's thread (PostgreSQL) or the
 * server's (PGlite). Values as rawQuery sends them (a Date as its UTC wall time). Inside a Prisma interactive
 * transaction use its client's `$executeRaw` (this runs outside it). Errors: the driver's (module doc).
 */
export async function executeDirect(db: Db, statement: Prisma.Sql): Promise<void> {
  await rawQuery(db, statement.text, statement.values);
}
