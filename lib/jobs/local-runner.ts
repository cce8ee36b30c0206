/**
 * LocalInngestRunner: an in-process stand-in for the Inngest executor (INNGEST_MODE=local), built on the DB.
 *
 * It speaks Inngest's public HTTP execution protocol (lib/jobs/protocol.ts) to the app's own `serve()` handlers,
 * using in-process `Request` objects and no network. The real SDK therefore runs the real functions, with memoised
 * steps, parallel steps, sleeps, sendEvent, retries (RetryAfterError's `retry-after` included) and onFailure.
 *
 * Parts: protocol.ts (wire format, SDK names), lib/db/job-runs.ts (the JobRun store), executor.ts (drives one job
 * run), cron-scheduler.ts (cron triggers under an advisory lock), this file (sync, events, polling, claiming).
 * A `JobRun` is one execution of an Inngest function; a sitemap's crawl is a `Run` (lib/runs) — a different thing.
 *
 * - Sync: a signed in-band PUT; the answer's functions replace the function table.
 * - Claims: a job run is claimed with a conditional update (due, or running with an expired lease) that sets
 *   `leaseOwner`/`leaseUntil`, so two processes never drive the same job run; a dead process's job runs are taken over
 *   once its lease expires (a step that was running then runs again: delivery is at least once, as on Inngest).
 * - Polling: every pollIntervalMs, at the next wakeAt, and at once after a local send or a finished job run.
 * - Roles (`execute`): a runner with `execute: false` (APP_ROLE=web) syncs and stores the job runs of the events its
 *   process sends, but never claims one and runs no cron jobs; runners of other processes on the same database
 *   (APP_ROLE=worker or all) pick them up within one poll interval.
 * - Concurrency: `{ key: "event.data.x", limit }`, the key a dotted path (no CEL); a slot is held only while a job run
 *   executes, not while it sleeps or waits for a retry (as on Inngest).
 * - Events: job run ids come from event ids (`jobRunIdFor`), so an event id that was already seen starts nothing.
 *   Trigger `if` expressions support only `event.<path> ==|!= <literal>` joined by `&&`; any other expression never
 *   matches, and the runner warns about it at start.
 * - Not supported (the job run fails with a clear error): waitForEvent, invoke, waitForSignal, AI/gateway steps,
 *   batching, throttle, rate limit, debounce, priority, cancelOn, function timeouts, streaming (INNGEST_STREAMING).
 *
 * Units: all durations are in ms; `ts` is epoch ms. Errors: `start()` throws when the sync fails (for example 401:
 * signing key mismatch); `send()` throws on DB errors; `idle()` throws on timeout.
 */
import { randomUUID } from "node:crypto";
import os from "node:os";
import { internalEvents } from "inngest";
import { resolveJobRunsDb, type Db } from "@/lib/db/job-runs";
import {
  claimJobRun,
  countOrphanJobRuns,
  countUnfinishedJobRuns,
  insertJobRuns,
  listClaimableJobRuns,
  nextJobRunWakeAt,
  type NewJobRun,
} from "@/lib/db/job-runs";
import { CronScheduler } from "./cron-scheduler";
import { JobRunExecutor, type Lease } from "./executor";
import { getLocalEventSink, setLocalEventSink, toLocalEvent, type LocalEvent, type LocalEventSink } from "./local-send";
import { createJobLogger, errorMessage, shortId, type JobLogger } from "./log";
import {
  DEFAULT_RETRIES,
  EVENT_PATH_RE,
  IN_BAND_SYNC,
  callRoute,
  compileExpression,
  concurrencyOf,
  headerKeys,
  jobRunIdFor,
  readPath,
  type FnConfig,
  type RouteHandler,
} from "./protocol";

export type LocalRunnerOptions = {
  /** The route's handlers (the module of the app's /api/inngest route) or any `serve()` result. */
  handler: { PUT: RouteHandler; POST: RouteHandler };
  /** URL the requests are addressed to. Nothing connects to it. Default http://127.0.0.1:$PORT/api/inngest. */
  url?: string;
  /** Signs every request; required when the client is in cloud mode (local mode always is). */
  signingKey?: string;
  /** Prisma client, or a getter (default: `getDb`, the process-wide client). */
  db?: Db | (() => Db);
  logger?: JobLogger;
  /** How often the DB is polled for due job runs, other processes' work and expired leases. Default 1000 ms. */
  pollIntervalMs?: number;
  /** Lease length while driving a job run; renewed every leaseMs/3. Default 30,000 ms. */
  leaseMs?: number;
  /** Job runs this process drives at once. Default 10. */
  maxConcurrentJobRuns?: number;
  /** Delay before retry `attempt` (1-based), in ms, when the SDK sends no retry-after. Default 5 s · 2^(attempt−1), capped at 10 min, ±10 % jitter. */
  backoffMs?: (attempt: number) => number;
  /** Start cron jobs (when this process wins the scheduler lock). Default true. */
  cron?: boolean;
  /** Claim and drive job runs (and run cron jobs). false: only store the job runs of sent events (APP_ROLE=web). Default true. */
  execute?: boolean;
  /** Test hook (INNGEST_LOCAL_TEST_CRON): every cron trigger fires on this croner pattern, without the scheduler lock. */
  cronPatternOverride?: string;
  /** Name of the scheduler's advisory lock (apps sharing a DB need distinct names). Default SCHEDULER_LOCK_NAME. */
  schedulerLockName?: string;
  /** Make this runner the target of `inngest.send()` / `step.sendEvent` (lib/jobs/local-send.ts). Default true. */
  routeSends?: boolean;
  /** Finished job runs older than this are deleted hourly by the scheduler process; 0 keeps them. Default 14 days. */
  retentionMs?: number;
  /** Keep retrying the first sync this long (ms) when it fails, e.g. while the HTTP server is not listening yet. Default 0. */
  syncRetryMs?: number;
  /** Re-sync before matching each send(), so new triggers/config apply without a restart (dev). Default false. */
  resyncOnSend?: boolean;
};

const defaultBackoff = (attempt: number) => {
  const base = Math.min(5000 * 2 ** Math.max(0, attempt - 1), 600_000);
  return Math.round(base * (0.9 + Math.random() * 0.2));
};

/**
 * The in-process Inngest runner (module doc). Defaults: the app's `/api/inngest` on 127.0.0.1:$PORT (3000), poll
 * every 1,000 ms, leases of 30,000 ms, at most 10 job runs at once, finished job runs kept 14 days.
 */
export class LocalInngestRunner implements LocalEventSink {
  /** This runner's lease owner id: `<host>:<pid>:<random>`. */
  readonly owner = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  readonly url: string;
  readonly log: JobLogger;

  private readonly opts: LocalRunnerOptions;
  private readonly pollIntervalMs: number;
  private readonly leaseMs: number;
  private readonly maxConcurrentJobRuns: number;
  private readonly backoffMs: (attempt: number) => number;
  private readonly executes: boolean;

  private fns = new Map<string, FnConfig>();
  private matchers = new Map<string, ((e: LocalEvent) => boolean)[]>(); // fnId -> one per event trigger
  private active = new Map<string, { promise: Promise<void>; lease: Lease }>();
  private started = false;
  private stopped = false;
  private ticking = false;
  private tickAgain = false;
  private tickTimer?: NodeJS.Timeout;
  private tickAt = Infinity;
  private readonly scheduler: CronScheduler;
  private readonly executor: JobRunExecutor;

  constructor(opts: LocalRunnerOptions) {
    this.opts = opts;
    this.url = opts.url ?? `http://127.0.0.1:${process.env.PORT || 3000}/api/inngest`;
    this.log = opts.logger ?? createJobLogger();
    this.pollIntervalMs = opts.pollIntervalMs ?? 1000;
    this.leaseMs = opts.leaseMs ?? 30_000;
    this.maxConcurrentJobRuns = opts.maxConcurrentJobRuns ?? 10;
    this.backoffMs = opts.backoffMs ?? defaultBackoff;
    this.executes = opts.execute !== false;
    const db = () => this.db;
    this.scheduler = new CronScheduler({
      db,
      log: this.log,
      lockName: opts.schedulerLockName,
      retentionMs: opts.retentionMs ?? 14 * 86_400_000,
      onTick: (fnId, at) => this.triggerCron(fnId, { at }),
      patternOverride: opts.cronPatternOverride,
    });
    this.executor = new JobRunExecutor({
      db,
      owner: this.owner,
      handler: opts.handler.POST,
      url: this.url,
      signingKey: opts.signingKey,
      leaseMs: this.leaseMs,
      backoffMs: this.backoffMs,
      log: this.log,
      fn: (fnId) => this.fns.get(fnId),
      isStopped: () => this.stopped,
      send: (events) => this.send(events),
      wake: (delayMs) => this.scheduleTick(delayMs),
    });
  }

  private get db(): Db {
    return resolveJobRunsDb(this.opts.db);
  }

  /** The functions found by the sync (ids are `<app>-<fn>`). */
  get functions(): FnConfig[] {
    return [...this.fns.values()];
  }

  /** Whether this runner holds the scheduler lock and runs the cron jobs. */
  get isScheduler(): boolean {
    return this.scheduler.isLeader;
  }

  /** Whether this runner claims and drives job runs (false: it only stores them; option `execute`). */
  get isExecutor(): boolean {
    return this.executes;
  }

  // ---- lifecycle ------------------------------------------------------------------------------------------------

  /**
   * Syncs the functions (signed in-band PUT), becomes the event sink (unless routeSends: false), takes the scheduler
   * lock and starts cron jobs (unless cron: false), then starts polling, which resumes unfinished job runs of the served
   * functions. With execute: false it stops after becoming the event sink. Throws Error when the sync fails. Call once.
   */
  async start(): Promise<void> {
    if (this.started) throw new Error("LocalInngestRunner.start() called twice");
    const allowInBand = process.env.INNGEST_ALLOW_IN_BAND_SYNC?.trim().toLowerCase();
    if (allowInBand === "false" || allowInBand === "0") {
      throw new Error("INNGEST_ALLOW_IN_BAND_SYNC is off: the local runner needs an in-band sync (unset it)");
    }
    const streaming = process.env.INNGEST_STREAMING?.trim().toLowerCase();
    if (streaming && !["false", "0"].includes(streaming)) {
      this.log.warn("INNGEST_STREAMING is set: streamed (201) responses are not supported locally and fail as errors");
    }
    const deadline = Date.now() + (this.opts.syncRetryMs ?? 0);
    for (;;) {
      try {
        await this.sync();
        break;
      } catch (err) {
        if (Date.now() >= deadline || /\b401\b/.test(errorMessage(err))) throw err;
        this.log.debug(`sync not possible yet (${errorMessage(err)}); retrying`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    this.started = true;
    this.log.info(`synced ${this.fns.size} function(s): ${[...this.fns.values()].map((f) => `${f.id} <- ${JSON.stringify(f.triggers)}`).join(", ")}`);

    if (this.opts.routeSends !== false) await setLocalEventSink(this);
    if (!this.executes) {
      this.log.info("execute: false (APP_ROLE=web): job runs are stored here and executed by the worker instances");
      return;
    }
    if (this.opts.cron !== false && [...this.fns.values()].some((f) => f.triggers.some((t) => t.cron))) await this.scheduler.start(() => this.functions);
    const unfinished = await countUnfinishedJobRuns(this.db, [...this.fns.keys()]);
    if (unfinished) this.log.info(`${unfinished} unfinished job run(s) in the database will be resumed when due`);
    for (const o of await countOrphanJobRuns(this.db, [...this.fns.keys()])) {
      this.log.warn(`${o.count} unfinished job run(s) of ${o.fnId}, which this app no longer serves`);
    }
    this.scheduleTick(0);
  }

  /** In-band sync: PUT the route, then replace the function table. Throws Error when the answer is not a sync. */
  private async sync(): Promise<void> {
    const res = await callRoute({
      handler: this.opts.handler.PUT,
      method: "PUT",
      url: this.url,
      body: { url: this.url },
      signingKey: this.opts.signingKey,
      headers: { [headerKeys.InngestSyncKind]: IN_BAND_SYNC },
    });
    if (res.status !== 200 || res.headers.get(headerKeys.InngestSyncKind) !== IN_BAND_SYNC || !Array.isArray(res.json?.functions)) {
      const hint = res.status === 401 ? " (signature rejected: the runner's signing key differs from the client's)" : "";
      throw new Error(`in-band sync failed: ${res.status} ${JSON.stringify(res.json)}${hint}`);
    }
    this.fns = new Map();
    this.matchers = new Map();
    for (const fn of res.json.functions as FnConfig[]) this.register(fn);
  }

  /**
   * Stops claiming job runs, the cron jobs and the timers, and detaches from `inngest.send()`. Job runs being driven get up to
   * `drainMs` (default 10,000 ms) to finish their current request; they then release their lease and stay queued.
   * Runs still busy after that are abandoned: no later result is saved, and their lease expires for another process
   * to take over.
   */
  async stop(opts: { drainMs?: number } = {}): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.tickTimer);
    // Cron jobs stop first (no tick queues work while runs drain); the scheduler lock is released with them.
    await this.scheduler.stop();
    if (getLocalEventSink() === this) await setLocalEventSink(undefined);
    const drives = [...this.active.values()];
    if (drives.length) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled(drives.map((d) => d.promise)),
        new Promise((r) => (timer = setTimeout(r, opts.drainMs ?? 10_000))),
      ]);
      clearTimeout(timer);
      for (const d of this.active.values()) {
        d.lease.abandoned = true;
        clearInterval(d.lease.timer);
        this.log.warn(`job run ${shortId(d.lease.jobRunId)} abandoned at stop; its lease will expire`);
      }
    }
  }

  /**
   * Resolves when no job run of the served functions is queued, running or sleeping, and nothing is being driven here.
   * Sleeping job runs are waited for. Throws Error after `timeoutMs` (default 30,000 ms). For tests and scripts.
   */
  async idle(opts: { timeoutMs?: number } = {}): Promise<void> {
    const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
    for (;;) {
      const unfinished = await countUnfinishedJobRuns(this.db, [...this.fns.keys()]);
      if (unfinished === 0 && this.active.size === 0) return;
      if (Date.now() > deadline) throw new Error(`idle() timed out: ${unfinished} unfinished job run(s), ${this.active.size} being driven`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  // ---- events and cron ------------------------------------------------------------------------------------------

  /**
   * Starts one job run per (event, matching function). Events keep their id (a random UUID when absent); a job run whose id
   * already exists (same function and event id) is not created again. Resolves to the event ids once the job runs are
   * stored. Throws Error before start(), and on DB errors.
   */
  async send(input: readonly unknown[]): Promise<{ ids: string[] }> {
    if (!this.started) throw new Error("LocalInngestRunner.send() before start()");
    const events = input.map(toLocalEvent);
    if (this.opts.resyncOnSend) await this.sync().catch((err) => this.log.warn(`re-sync failed, using the last one: ${errorMessage(err)}`));
    const rows: NewJobRun[] = [];
    for (const event of events) {
      for (const fn of this.fns.values()) {
        if (this.matchers.get(fn.id)!.some((m) => m(event))) rows.push(this.newJobRun(fn, event));
      }
      if (!rows.some((r) => r.event.id === event.id)) this.log.debug(`event ${event.name} (${event.id}) matches no function`);
    }
    if (rows.length) {
      const count = await insertJobRuns(this.db, rows);
      this.log.info(`${count} job run(s) queued for ${events.map((e) => e.name).join(", ")}${count < rows.length ? ` (${rows.length - count} duplicate event id(s) ignored)` : ""}`);
      this.scheduleTick(0);
    }
    return { ids: events.map((e) => e.id) };
  }

  /**
   * Starts a job run of a cron-triggered function now, with event `inngest/scheduled.timer` `{ cron }`. `fnId` is the full
   * id or its part after the app id ("refresh-feeds"). With `at` (a tick time), the job run id is derived from (function,
   * `at` rounded to the second), as for scheduled ticks, so firing the same tick twice starts one job run. Returns the job run
   * id, or null when that tick already has one. Throws Error for an unknown function or one without a cron trigger.
   */
  async triggerCron(fnId: string, opts: { at?: Date } = {}): Promise<string | null> {
    const fn = this.fns.get(fnId) ?? [...this.fns.values()].find((f) => f.id.endsWith(`-${fnId}`));
    const cron = fn?.triggers.find((t) => t.cron)?.cron;
    if (!fn || !cron) throw new Error(`no cron-triggered function "${fnId}"`);
    const at = opts.at ? new Date(Math.round(opts.at.getTime() / 1000) * 1000) : undefined;
    const event: LocalEvent = {
      name: internalEvents.ScheduledTimer,
      data: { cron },
      id: at ? `cron-${fn.id}-${at.toISOString()}` : randomUUID(),
      ts: at?.getTime() ?? Date.now(),
    };
    const row = this.newJobRun(fn, event);
    const count = await insertJobRuns(this.db, [row]);
    if (count) {
      this.log.info(`job run ${shortId(row.id)} queued for ${fn.id} (cron ${cron})`);
      this.scheduleTick(0);
    }
    return count ? row.id : null;
  }

  private register(fn: FnConfig) {
    this.fns.set(fn.id, fn);
    const matchers: ((e: LocalEvent) => boolean)[] = [];
    for (const t of fn.triggers ?? []) {
      if (!t.event) continue;
      const name = t.event;
      const byName = name.endsWith("*") ? (e: LocalEvent) => e.name.startsWith(name.slice(0, -1)) : (e: LocalEvent) => e.name === name;
      let cond: ((e: LocalEvent) => boolean) | null = () => true;
      if (t.expression) {
        cond = compileExpression(t.expression);
        if (!cond) this.log.warn(`${fn.id}: trigger expression "${t.expression}" is not supported locally; the trigger never fires`);
      }
      if (cond) matchers.push((e) => byName(e) && cond!(e));
    }
    this.matchers.set(fn.id, matchers);
    const c = concurrencyOf(fn);
    if (c?.key && !EVENT_PATH_RE.test(c.key)) {
      this.log.warn(`${fn.id}: concurrency key "${c.key}" is not a dotted event path; all its job runs share one slot pool`);
    }
    if (Array.isArray(fn.concurrency) && fn.concurrency.length > 1) this.log.warn(`${fn.id}: only the first concurrency limit is enforced locally`);
  }

  private newJobRun(fn: FnConfig, event: LocalEvent): NewJobRun {
    const retries = fn.steps?.step?.retries?.attempts ?? DEFAULT_RETRIES;
    return { id: jobRunIdFor(fn.id, event.id), fnId: fn.id, event, maxAttempts: retries + 1, concurrencyKey: this.concurrencyKeyFor(fn, event) };
  }

  private concurrencyKeyFor(fn: FnConfig, event: LocalEvent): string | null {
    const c = concurrencyOf(fn);
    if (!c) return null;
    const value = c.key && EVENT_PATH_RE.test(c.key) ? String(readPath({ event }, c.key) ?? "") : "";
    const scope = c.scope ?? "fn";
    return scope === "fn" ? `fn:${fn.id}:${value}` : `${scope}:${value}`;
  }

  /** Deletes completed and failed job runs last updated before `before`. Returns the number deleted. */
  prune(before: Date): Promise<number> {
    return this.scheduler.prune(before);
  }

  // ---- polling and claiming -------------------------------------------------------------------------------------

  private scheduleTick(delayMs: number) {
    if (this.stopped || !this.started || !this.executes) return;
    const at = Date.now() + Math.max(0, delayMs);
    if (this.tickTimer && at >= this.tickAt) return;
    clearTimeout(this.tickTimer);
    this.tickAt = at;
    this.tickTimer = setTimeout(() => {
      this.tickTimer = undefined;
      this.tickAt = Infinity;
      void this.tick();
    }, Math.max(0, delayMs));
    this.tickTimer.unref?.();
  }

  private async tick() {
    if (this.stopped) return;
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    this.ticking = true;
    let next = this.pollIntervalMs;
    try {
      do {
        this.tickAgain = false;
        await this.claimDue();
      } while (this.tickAgain && !this.stopped);
      const soonest = await nextJobRunWakeAt(this.db, [...this.fns.keys()], new Date());
      if (soonest) next = Math.min(next, soonest.getTime() - Date.now());
    } catch (err) {
      if (!this.stopped) this.log.error(`poll failed: ${errorMessage(err)}`);
    } finally {
      this.ticking = false;
    }
    this.scheduleTick(next);
  }

  private async claimDue() {
    if (this.active.size >= this.maxConcurrentJobRuns) return;
    const now = new Date();
    const due = await listClaimableJobRuns(this.db, [...this.fns.keys()], now, 100);
    const blocked = new Set<string>();
    for (const r of due) {
      if (this.stopped || this.active.size >= this.maxConcurrentJobRuns) break;
      if (this.active.has(r.id) || (r.concurrencyKey && blocked.has(r.concurrencyKey))) continue;
      let claimed = false;
      try {
        claimed = await this.claim(r, now);
      } catch (err) {
        this.log.warn(`claim of ${shortId(r.id)} failed: ${errorMessage(err)}`);
      }
      if (!claimed) {
        if (r.concurrencyKey) blocked.add(r.concurrencyKey);
        continue;
      }
      const lease: Lease = { jobRunId: r.id, lost: false, abandoned: false };
      const promise = this.executor.drive(r.id, lease).finally(() => {
        this.active.delete(r.id);
        this.scheduleTick(0);
      });
      this.active.set(r.id, { promise, lease });
    }
  }

  /** Claims a listed job run for this runner, under its function's concurrency limit. */
  private claim(r: { id: string; fnId: string; concurrencyKey: string | null }, now: Date): Promise<boolean> {
    const fn = this.fns.get(r.fnId);
    const limit = fn ? concurrencyOf(fn)?.limit : undefined;
    const concurrency = r.concurrencyKey && limit ? { key: r.concurrencyKey, limit } : undefined;
    return claimJobRun(this.db, { id: r.id, now, owner: this.owner, leaseMs: this.leaseMs, concurrency });
  }
}
