/**
 * Stored responses for `Idempotency-Key` (table IdempotencyRecord, primary key (userId, key)).
 *
 * A key is claimed by inserting its row with status 0 ("in progress"); the primary key makes the claim atomic, so of
 * concurrent requests with one key exactly one runs the handler. completeIdempotencyRecord stores the response;
 * releaseIdempotencyRecord deletes an unfinished claim (the handler failed with a 5xx, so a retry may run again).
 * Rows older than `ttlMs` (24 h) are deleted per user when that user claims a key, and an "in progress" row older
 * than `staleMs` (a process died mid-request) may be claimed again.
 */
import { getDb } from "./client";

export type IdempotencyRecordRow = {
  method: string;
  path: string;
  requestHash: string;
  /** 0 while the first request is still running */
  status: number;
  body: string;
  headers: Record<string, string>;
  createdAt: Date;
};

type Key = { userId: string; key: string };

/**
 * Deletes the user's records older than `ttlMs` and an in-progress record of this key older than `staleMs` (ms), then
 * inserts an in-progress record (status 0) for the key. Resolves true when this call inserted it, false when a record
 * of the key already exists.
 */
export async function claimIdempotencyRecord(
  opts: Key & { method: string; path: string; requestHash: string; now: Date; ttlMs: number; staleMs: number },
): Promise<boolean> {
  const db = getDb();
  await db.idempotencyRecord.deleteMany({
    where: {
      userId: opts.userId,
      OR: [
        { createdAt: { lt: new Date(opts.now.getTime() - opts.ttlMs) } },
        { key: opts.key, status: 0, createdAt: { lt: new Date(opts.now.getTime() - opts.staleMs) } },
      ],
    },
  });
  const { count } = await db.idempotencyRecord.createMany({
    data: [{ userId: opts.userId, key: opts.key, method: opts.method, path: opts.path, requestHash: opts.requestHash, status: 0, body: "", createdAt: opts.now }],
    skipDuplicates: true,
  });
  return count === 1;
}

/** The record of (userId, key), with its stored headers (`{}` when none), or null. */
export async function findIdempotencyRecord(k: Key): Promise<IdempotencyRecordRow | null> {
  const row = await getDb().idempotencyRecord.findUnique({
    where: { userId_key: k },
    select: { method: true, path: true, requestHash: true, status: true, body: true, headers: true, createdAt: true },
  });
  return row ? { ...row, headers: (row.headers ?? {}) as Record<string, string> } : null;
}

/**
 * Stores the response (status, body, headers) on the key's record while it is still in progress (status 0); otherwise
 * writes nothing.
 */
export async function completeIdempotencyRecord(k: Key & { status: number; body: string; headers: Record<string, string> }): Promise<void> {
  await getDb().idempotencyRecord.updateMany({
    where: { userId: k.userId, key: k.key, status: 0 },
    data: { status: k.status, body: k.body, headers: k.headers },
  });
}

/** Deletes the key's in-progress record (status 0), so a retry with the key runs again; a completed record stays. */
export async function releaseIdempotencyRecord(k: Key): Promise<void> {
  await getDb().idempotencyRecord.deleteMany({ where: { userId: k.userId, key: k.key, status: 0 } });
}
