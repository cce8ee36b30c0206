/**
 * The local runner's cron scheduler: croner jobs for the cron triggers of the synced functions, run only in the
 * process that holds the scheduler's advisory lock (other processes try again every minute), plus the hourly
 * clean-up of finished job runs.
 *
 * - The lock is held on a database connection of its own (lib/db/session-lock.ts): on PostgreSQL a lock taken on a
 *   pooled connection was released when the pool closed that connection after 10 s idle, and a second instance then
 *   became scheduler too. If the lock's connection ends, this process stops its cron jobs and tries again every minute.
 * - `patternOverride` (test hook, INNGEST_LOCAL_TEST_CRON): every cron trigger fires on this croner pattern instead
 *   (seconds allowed), in every process that has it, without the lock, so a test can watch several schedulers
 *   fire at once and check that each tick and each hour slot still runs once.
 * - Cron strings are UTC, or carry a `TZ=<zone> ` prefix as on Inngest.
 * - Each tick calls `onTick(fnId, tickTime)`; the runner derives the job run id from (function, tick time), so a tick
 *   never runs twice even if two schedulers run at once (the lock makes that unlikely, not impossible).
 *
 * Units: ms. Errors: none thrown from timers (they are logged); `start()` rejects only on programming errors.
 */
import { Cron } from "croner";
import type { Db } from "@/lib/db/job-runs";
import { pruneJobRuns, tryAdvisoryLock } from "@/lib/db/job-runs";
import { tryHoldSessionLock, type HeldSessionLock } from "@/lib/db/session-lock";
import { errorMessage, type JobLogger } from "./log";
import type { FnConfig } from "./protocol";

export const SCHEDULER_LOCK_NAME = "sitemap-forge:inngest-local-scheduler";
/** How often a process without the lock tries to take it. */
export const LEADER_RETRY_MS = 60_000;

/**
 * Tries to take the scheduler's advisory lock (default name SCHEDULER_LOCK_NAME). True if this DB session holds it.
 */
export function tryAcquireSchedulerLock(db: Pick<Db, "$queryRaw">, name: string = SCHEDULER_LOCK_NAME): Promise<boolean> {
  return tryAdvisoryLock(db, name);
}

export type CronSchedulerOptions = {
  db: () => Db;
  log: JobLogger;
  lockName?: string;
  /** Finished job runs older than this are deleted hourly; 0 keeps them. */
  retentionMs: number;
  /** Starts the job run of one tick of function `fnId` at `at`. */
  onTick: (fnId: string, at: Date) => Promise<unknown>;
  /** Test hook: fire every cron trigger on this croner pattern instead, and without the lock (module doc). */
  patternOverride?: string;
};

/**
 * The local runner's cron scheduler (module doc): start(fns) competes for the lock, stop() ends the cron jobs and
 * releases it.
 */
export class CronScheduler {
  private crons: Cron[] = [];
  private leader = false;
  private lock?: HeldSessionLock;
  private stopped = false;
  private leaderTimer?: NodeJS.Timeout;
  private pruneTimer?: NodeJS.Timeout;

  constructor(private readonly opts: CronSchedulerOptions) {}

  /** Whether this process holds the lock and runs the cron jobs. */
  get isLeader(): boolean {
    return this.leader;
  }

  private get lockName() {
    return this.opts.lockName ?? SCHEDULER_LOCK_NAME;
  }

  /** Tries to become the scheduler for `fns` now, then every LEADER_RETRY_MS until it is or stop() is called. */
  async start(fns: () => FnConfig[]): Promise<void> {
    if (this.opts.patternOverride) {
      this.leader = true;
      this.opts.log.warn(`test hook INNGEST_LOCAL_TEST_CRON: every cron trigger fires on "${this.opts.patternOverride}", without the scheduler lock`);
      this.startCrons(fns());
      return;
    }
    const attempt = async () => {
      if (this.stopped || this.leader) return;
      let lock: HeldSessionLock | null;
      try {
        lock = await tryHoldSessionLock(this.opts.db(), this.lockName, () => this.lostLock());
      } catch (err) {
        this.opts.log.error(`scheduler lock: ${errorMessage(err)}`);
        return;
      }
      if (!lock) return;
      if (this.stopped) {
        await lock.release();
        return;
      }
      this.lock = lock;
      this.leader = true;
      clearInterval(this.leaderTimer);
      this.startCrons(fns());
    };
    this.attempt = attempt;
    await attempt();
    if (!this.leader) {
      this.opts.log.info("another process holds the scheduler lock; cron jobs run there (retrying every 60 s)");
      this.retryLater();
    }
  }

  private attempt: () => Promise<void> = async () => {};

  private retryLater() {
    clearInterval(this.leaderTimer);
    this.leaderTimer = setInterval(() => void this.attempt(), LEADER_RETRY_MS);
    this.leaderTimer.unref();
  }

  /** The lock's connection ended: this process is no longer the scheduler; stop the crons and try again later. */
  private lostLock() {
    if (this.stopped || !this.leader) return;
    this.opts.log.warn("the scheduler lock's database connection ended; cron jobs stop here until the lock is taken again");
    this.leader = false;
    this.lock = undefined;
    this.stopCrons();
    this.retryLater();
  }

  private startCrons(fns: FnConfig[]) {
    for (const fn of fns) {
      for (const t of fn.triggers) {
        if (!t.cron) continue;
        const m = t.cron.match(/^TZ=(\S+)\s+(.+)$/);
        const [timezone, pattern] = this.opts.patternOverride ? ["UTC", this.opts.patternOverride] : m ? [m[1], m[2]] : ["UTC", t.cron];
        const job = new Cron(pattern, { timezone, catch: (e) => this.opts.log.error(`cron ${fn.id}: ${errorMessage(e)}`), unref: true }, (self: Cron) => {
          this.opts.onTick(fn.id, self.currentRun() ?? new Date()).catch((e) => this.opts.log.error(`cron ${fn.id}: ${errorMessage(e)}`));
        });
        this.crons.push(job);
        this.opts.log.info(`cron ${fn.id} "${t.cron}" (${timezone}); next ${job.nextRun()?.toISOString()}`);
      }
    }
    if (this.opts.retentionMs > 0) {
      this.pruneTimer = setInterval(() => void this.prune(new Date(Date.now() - this.opts.retentionMs)).catch(() => {}), 3_600_000);
      this.pruneTimer.unref();
    }
  }

  /** Deletes completed and failed job runs last updated before `before`. Returns the number deleted. */
  async prune(before: Date): Promise<number> {
    const count = await pruneJobRuns(this.opts.db(), before);
    if (count) this.opts.log.info(`pruned ${count} finished job run(s)`);
    return count;
  }

  private stopCrons() {
    clearInterval(this.pruneTimer);
    for (const c of this.crons) c.stop();
    this.crons = [];
  }

  /** Stops the cron jobs and timers and releases the lock. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.leaderTimer);
    this.stopCrons();
    this.leader = false;
    const lock = this.lock;
    this.lock = undefined;
    await lock?.release();
  }
}
