/**
 * A database client for another thread of the process (the crawl worker, lib/runs/crawl-worker.ts): each
 * worker_threads Worker has its own module instances, so it opens its own client on the same PostgreSQL database.
 * PGlite's database lives in the thread that opened it, so only PostgreSQL URLs are shared this way.
 */
import { createDb, currentDatabaseUrl, setDb } from "./client";

/**
 * The PostgreSQL URL of this thread's client (getDb()), for a worker to open its own client on; undefined on PGlite
 * or when the client's URL is unknown (then the database work must stay on this thread).
 */
export function shareableDatabaseUrl(): string | undefined {
  const url = currentDatabaseUrl();
  return url && !url.startsWith("pglite:") ? url : undefined;
}

/**
 * Opens a client on the PostgreSQL database at `url` with at most `poolMax` connections and installs it as this
 * thread's client (getDb()). Errors: connection errors surface on first use (or in `warm()`).
 */
export function openThreadDb(url: string, poolMax: number): { warm(): Promise<void>; close(): Promise<void> } {
  const { db } = createDb(url, undefined, { poolMax });
  setDb(db);
  return {
    /** Runs one trivial query: connects, and loads what the client loads on first use. */
    warm: async () => void (await db.$queryRaw`SELECT 1`),
    close: () => db.$disconnect(),
  };
}
