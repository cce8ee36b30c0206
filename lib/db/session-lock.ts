/**
 * Session-level advisory locks that stay held: `pg_try_advisory_lock(hashtext(name))` on a connection of their own.
 *
 * Why a connection of its own: a session-level advisory lock belongs to one database session. Taken through the
 * Prisma client on PostgreSQL it would sit on one connection of the client's pool (pg-pool), and the pool closes a
 * connection after 10 s idle (pg-pool's `idleTimeoutMillis` default), which silently releases the lock while its
 * holder still believes it leads. So on PostgreSQL the lock is taken on a dedicated `pg.Client` (TCP keep-alive on)
 * that lives as long as the lock; when that connection ends for any reason, `onLost` is called once.
 * On PGlite (one connection, one process per data folder) and for clients not built by createDb (their URL is
 * unknown), the lock is taken through the client itself, as before; `onLost` is then never called.
 *
 * `holdSessionLockAt` is the PostgreSQL part on its own, by URL, for callers that have no Db (lib/db/migrate.ts), with
 * the option to wait for the lock (`pg_advisory_lock`) instead of giving up.
 *
 * Units: none. Errors: both reject when the database cannot be reached; release never throws.
 */
import pg from "pg";
import { databaseUrlOf, type Db } from "./client";

export type HeldSessionLock = {
  /** Releases the lock (and closes its connection). Idempotent, never throws. */
  release(): Promise<void>;
};

/**
 * Tries to take the session-level advisory lock `name` (module doc). Returns the held lock, or null when another
 * session holds it. `onLost` runs once if the lock's own connection ends before release() (PostgreSQL only).
 */
export async function tryHoldSessionLock(db: Db, name: string, onLost: () => void = () => {}): Promise<HeldSessionLock | null> {
  const url = databaseUrlOf(db);
  if (!url || url.startsWith("pglite:")) {
    const rows = await db.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_lock(hashtext(${name})) AS locked`;
    if (rows[0]?.locked !== true) return null;
    let released = false;
    return {
      async release() {
        if (released) return;
        released = true;
        await db.$queryRaw`SELECT pg_advisory_unlock(hashtext(${name}))`.catch(() => {});
      },
    };
  }
  return holdSessionLockAt(url, name, { onLost });
}

/**
 * Holds the session-level advisory lock `name` on a new `pg.Client` of its own to the PostgreSQL at `url` (module
 * doc). With `wait: false` (default) returns null when another session holds it; with `wait: true` calls `onWait`
 * once and blocks (`pg_advisory_lock`) until it is free, so it never returns null. `onLost` runs once if the
 * connection ends before release(). Rejects when the server cannot be reached or the query fails.
 */
export async function holdSessionLockAt(
  url: string,
  name: string,
  opts: { wait?: boolean; onWait?: () => void; onLost?: () => void } = {},
): Promise<HeldSessionLock | null> {
  const client = new pg.Client({ connectionString: url, keepAlive: true, application_name: `sitemap-forge lock ${name}`.slice(0, 63) });
  let released = false;
  let lost = false;
  const lose = () => {
    if (released || lost) return;
    lost = true;
    opts.onLost?.();
  };
  // An error event without a listener would crash the process; a broken connection means the lock is gone.
  client.on("error", lose);
  client.on("end", lose);
  await client.connect();
  let locked = false;
  try {
    const r = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock(hashtext($1)) AS locked", [name]);
    locked = r.rows[0]?.locked === true;
    if (!locked && opts.wait) {
      opts.onWait?.();
      await client.query("SELECT pg_advisory_lock(hashtext($1))", [name]);
      locked = true;
    }
  } finally {
    if (!locked) {
      released = true;
      await client.end().catch(() => {});
    }
  }
  if (!locked) return null;
  return {
    async release() {
      if (released) return;
      released = true;
      // Closing the session releases its advisory locks.
      await client.end().catch(() => {});
    },
  };
}
