/**
 * Job runs (table JobRun): the local Inngest runner's record of one function execution (lib/jobs/local-runner.ts),
 * not to be confused with a sitemap's crawl `Run` (lib/db/runs.ts). One row per (function, event id); the id is
 * deterministic (lib/jobs/protocol.ts jobRunIdFor), so inserting an event twice starts one job run.
 *
 * Statuses: queued → running → (sleeping | queued with wakeAt for a retry) → … → completed | failed.
 * Leases: a job run is driven by the process whose `leaseOwner` it carries, until `leaseUntil`. Every write of a
 * driver requires `leaseOwner = owner`, so a process that lost its lease never overwrites the new owner's work.
 * Concurrency: a claim with a concurrency key takes `pg_advisory_xact_lock(hashtext(key))` and counts the key's
 * running job runs with a live lease, so the limit holds across processes (PGlite and PostgreSQL).
 *
 * Every function takes the Prisma client first (the runner may be given its own). Units: Date instants, ms.
 * Errors: database errors reject.
 */
import { Prisma, type JobRun } from "@/generated/prisma/client";
import { getDb, type Db } from "./client";
import type { LocalEvent } from "@/lib/jobs/local-send";

/**
 * The runner receives the database handle it passes back to these functions (tests give each runner its own
 * database); it never queries through it.
 */
export type { Db };

/** The handle a runner was given (a client or a getter), or the process-wide client when it was given none. */
export function resolveJobRunsDb(given: Db | (() => Db) | undefined): Db {
  return typeof given === "function" ? given() : (given ?? getDb());
}

export type JobRunStatus = "queued" | "running" | "sleeping" | "completed" | "failed";
export const UNFINISHED_JOB_RUN_STATUSES: JobRunStatus[] = ["queued", "running", "sleeping"];

/** A memoised step result (the SDK's `{type:"data"|"error"}` form). */
export type JobStepRecord = { type: "data"; data: unknown } | { type: "error"; error: unknown };

/** A job run as the runner drives it (the DTO of a JobRun row). */
export type JobRunState = {
  id: string;
  fnId: string;
  event: LocalEvent;
  steps: Record<string, JobStepRecord>;
  stack: string[];
  attempt: number;
  maxAttempts: number;
  pendingStep: string | null;
  leaseOwner: string | null;
};

/** A new job run (status queued). */
export type NewJobRun = { id: string; fnId: string; event: LocalEvent; maxAttempts: number; concurrencyKey: string | null };

/** The one mapper from a JobRun row to JobRunState. */
export function toJobRunState(row: JobRun): JobRunState {
  return {
    id: row.id,
    fnId: row.fnId,
    event: row.event as unknown as LocalEvent,
    steps: (row.steps ?? {}) as Record<string, JobStepRecord>,
    stack: (row.stack ?? []) as string[],
    attempt: row.attempt,
    maxAttempts: row.maxAttempts,
    pendingStep: row.pendingStep,
    leaseOwner: row.leaseOwner,
  };
}

const json = (v: unknown) => (v === null || v === undefined ? Prisma.JsonNull : (v as Prisma.InputJsonValue));

/** Inserts new job runs (queued); ids that exist already are skipped. Returns the number inserted. */
export async function insertJobRuns(db: Db, rows: NewJobRun[]): Promise<number> {
  if (!rows.length) return 0;
  const { count } = await db.jobRun.createMany({
    data: rows.map((r) => ({ ...r, event: r.event as unknown as Prisma.InputJsonValue, steps: {}, stack: [], attempt: 0, status: "queued" })),
    skipDuplicates: true,
  });
  return count;
}

/** Unfinished (queued, running, sleeping) job runs of the functions `fnIds`. */
export async function countUnfinishedJobRuns(db: Db, fnIds: string[]): Promise<number> {
  return db.jobRun.count({ where: { fnId: { in: fnIds }, status: { in: UNFINISHED_JOB_RUN_STATUSES } } });
}

/** Unfinished job runs of functions other than `fnIds` (no longer served), counted per function. */
export async function countOrphanJobRuns(db: Db, fnIds: string[]): Promise<{ fnId: string; count: number }[]> {
  const groups = await db.jobRun.groupBy({
    by: ["fnId"],
    where: { fnId: { notIn: fnIds }, status: { in: UNFINISHED_JOB_RUN_STATUSES } },
    _count: { _all: true },
  });
  return groups.map((g) => ({ fnId: g.fnId, count: g._count._all }));
}

/** Due (queued/sleeping with wakeAt ≤ now or none) or running with an expired lease. */
const claimableWhere = (now: Date): Prisma.JobRunWhereInput => ({
  OR: [
    { status: { in: ["queued", "sleeping"] }, OR: [{ wakeAt: null }, { wakeAt: { lte: now } }] },
    { status: "running", OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }] },
  ],
});

/** Up to `take` claimable job runs of `fnIds`, oldest first. */
export async function listClaimableJobRuns(db: Db, fnIds: string[], now: Date, take: number) {
  return db.jobRun.findMany({
    where: { fnId: { in: fnIds }, ...claimableWhere(now) },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    take,
    select: { id: true, fnId: true, concurrencyKey: true },
  });
}

/**
 * Claims job run `id` if it is still claimable: status running, leased to `owner` until now + leaseMs. With a
 * `concurrency` key and limit, the claim fails while `limit` other job runs of the key run with a live lease.
 * Returns true when claimed.
 */
export async function claimJobRun(
  db: Db,
  opts: { id: string; now: Date; owner: string; leaseMs: number; concurrency?: { key: string; limit: number } },
): Promise<boolean> {
  const where: Prisma.JobRunWhereInput = { id: opts.id, ...claimableWhere(opts.now) };
  const data = { status: "running", leaseOwner: opts.owner, leaseUntil: new Date(opts.now.getTime() + opts.leaseMs) };
  const c = opts.concurrency;
  if (!c) return (await db.jobRun.updateMany({ where, data })).count === 1;
  return db.$transaction(
    async (tx) => {
      // Serialises claims of one key across processes; the count below then sees every committed claim.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${c.key}))`;
      const busy = await tx.jobRun.count({
        where: { concurrencyKey: c.key, status: "running", leaseUntil: { gte: opts.now }, id: { not: opts.id } },
      });
      if (busy >= c.limit) return false;
      return (await tx.jobRun.updateMany({ where, data })).count === 1;
    },
    { maxWait: 10_000, timeout: 10_000 },
  );
}

/** The job run `id`, or null. */
export async function findJobRun(db: Db, id: string): Promise<JobRunState | null> {
  const row = await db.jobRun.findUnique({ where: { id } });
  return row ? toJobRunState(row) : null;
}

/** Extends the lease of a running job run held by `owner` to `until`. False when the lease is gone. */
export async function renewJobRunLease(db: Db, id: string, owner: string, until: Date): Promise<boolean> {
  const { count } = await db.jobRun.updateMany({ where: { id, leaseOwner: owner, status: "running" }, data: { leaseUntil: until } });
  return count === 1;
}

/**
 * What a driver saves: the progress (steps, stack, attempt, pendingStep) always; `status` with `wakeAt`, `output`,
 * `error` when the job run leaves the driver (then the lease is released too).
 */
export type JobRunPatch = {
  steps: Record<string, JobStepRecord>;
  stack: string[];
  attempt: number;
  pendingStep: string | null;
  status?: Exclude<JobRunStatus, "running">;
  wakeAt?: Date | null;
  output?: unknown;
  error?: unknown;
};

/** Saves `patch` while `owner` holds the lease. False (nothing written) when the lease was lost. */
export async function saveJobRun(db: Db, id: string, owner: string, patch: JobRunPatch): Promise<boolean> {
  const data: Prisma.JobRunUpdateManyMutationInput = {
    steps: patch.steps as Prisma.InputJsonValue,
    stack: patch.stack,
    attempt: patch.attempt,
    pendingStep: patch.pendingStep,
  };
  if (patch.status) Object.assign(data, { status: patch.status, leaseOwner: null, leaseUntil: null });
  if (patch.wakeAt !== undefined) data.wakeAt = patch.wakeAt;
  if ("output" in patch) data.output = json(patch.output);
  if ("error" in patch) data.error = json(patch.error);
  const { count } = await db.jobRun.updateMany({ where: { id, leaseOwner: owner }, data });
  return count === 1;
}

/** Hands a job run held by `owner` back: queued, no lease, due at `wakeAt` (after an internal error). */
export async function requeueJobRun(db: Db, id: string, owner: string, wakeAt: Date): Promise<void> {
  await db.jobRun.updateMany({ where: { id, leaseOwner: owner }, data: { status: "queued", leaseOwner: null, leaseUntil: null, wakeAt } });
}

/** The earliest future wakeAt of a queued or sleeping job run of `fnIds`, or null. */
export async function nextJobRunWakeAt(db: Db, fnIds: string[], now: Date): Promise<Date | null> {
  const row = await db.jobRun.findFirst({
    where: { fnId: { in: fnIds }, status: { in: ["queued", "sleeping"] }, wakeAt: { gt: now } },
    orderBy: { wakeAt: "asc" },
    select: { wakeAt: true },
  });
  return row?.wakeAt ?? null;
}

/** Deletes completed and failed job runs last updated before `before`. Returns the number deleted. */
export async function pruneJobRuns(db: Db, before: Date): Promise<number> {
  const { count } = await db.jobRun.deleteMany({ where: { status: { in: ["completed", "failed"] }, updatedAt: { lt: before } } });
  return count;
}

/**
 * Tries to take the session-level advisory lock `pg_try_advisory_lock(hashtext(name))`. True if this DB session holds
 * it now. With a connection pool the lock lives on one pooled connection and is released if the pool closes it, so
 * a lock that must stay held uses lib/db/session-lock.ts instead (the cron scheduler does).
 */
export async function tryAdvisoryLock(db: Pick<Db, "$queryRaw">, name: string): Promise<boolean> {
  const rows = await db.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_lock(hashtext(${name})) AS locked`;
  return rows[0]?.locked === true;
}
