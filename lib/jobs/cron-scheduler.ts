/**
 * The local runner's cron scheduler: croner jobs for the cron triggers of the synced functions, run only in the
 * process that holds the scheduler's advisory lock (other processes try again every minute), plus the hourly
 * clean-up of finished job runs.
 *
 * - Cron strings are UTC, or carry a `TZ=<zone> ` prefix as on Inngest.
 * - Each tick calls `onTick(fnId, tickTime)`; the runner derives the job run id from (function, tick time), so a tick
 *   never runs twice even if two schedulers run at once (the lock makes that unlikely, not impossible).
 *
 * Units: ms. Errors: none thrown from timers (they are logged); `start()` rejects only on programming errors.
 */
import { Cron } from "croner";
import type { Db } from "@/lib/db/job-runs";
import { pruneJobRuns, releaseAdvisoryLock, tryAdvisoryLock } from "@/lib/db/job-runs";
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
};

export class CronScheduler {
  private crons: Cron[] = [];
  private leader = false;
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
    const attempt = async () => {
      if (this.stopped || this.leader) return;
      try {
        if (!(await tryAdvisoryLock(this.opts.db(), this.lockName))) return;
      } catch (err) {
        this.opts.log.error(`scheduler lock: ${errorMessage(err)}`);
        return;
      }
      if (this.stopped) return;
      this.leader = true;
      clearInterval(this.leaderTimer);
      this.startCrons(fns());
    };
    await attempt();
    if (!this.leader) {
      this.opts.log.info("another process holds the scheduler lock; cron jobs run there (retrying every 60 s)");
      this.leaderTimer = setInterval(() => void attempt(), LEADER_RETRY_MS);
      this.leaderTimer.unref();
    }
  }

  private startCrons(fns: FnConfig[]) {
    for (const fn of fns) {
      for (const t of fn.triggers) {
        if (!t.cron) continue;
        const m = t.cron.match(/^TZ=(\S+)\s+(.+)$/);
        const [timezone, pattern] = m ? [m[1], m[2]] : ["UTC", t.cron];
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

  /** Stops the cron jobs and timers and releases the lock. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.leaderTimer);
    clearInterval(this.pruneTimer);
    for (const c of this.crons) c.stop();
    this.crons = [];
    if (this.leader) {
      this.leader = false;
      await releaseAdvisoryLock(this.opts.db(), this.lockName).catch(() => {});
    }
  }
}
