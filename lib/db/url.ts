/**
 * Where the database is. `DATABASE_URL` = `pglite:./.data/pg` (embedded PostgreSQL, the default) |
 * `pglite:memory` (tests) | `postgresql://user:pw@host:5432/db` (a real PostgreSQL server).
 */
export const DEFAULT_DATABASE_URL = "pglite:./.data/pg";

/** DATABASE_URL trimmed, or {@link DEFAULT_DATABASE_URL} (embedded PGlite in ./.data/pg) when unset or blank. */
export function databaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.DATABASE_URL?.trim() || DEFAULT_DATABASE_URL;
}
