/**
 * LocalInngestRunner: an in-process stand-in for the Inngest executor (INNGEST_MODE=local), built on the DB.
 *
 * It speaks Inngest's public HTTP execution protocol to the app's own `serve()` handlers
 * (app/api/inngest/route.ts), using in-process `Request` objects and no network. The real SDK therefore runs the real
 * functions, with memoised steps, parallel steps, sleeps, sendEvent, retries and onFailure. The protocol below was
 * read from inngest 4.24.0 (`components/InngestCommHandler.js` handleAction/runStep, `helpers/functions.js`
 * parseFnData, `components/execution/engine.js`, `helpers/net.js`). See also shared/docs/inngest-local.md.
 *
 * Protocol:
 * - Sync: `PUT <url>` with `x-inngest-sync-kind: in_band` and body `{url}`. Answers 200 with the registration JSON
 *   `{functions:[{id:"<app>-<fn>", triggers:[{event,expression?}|{cron}], steps:{step:{retries:{attempts}}},
 *   concurrency}]}`. A function with `onFailure` is also registered as `<id>-failure`, triggered by
 *   `inngest/function.failed` with `expression: "event.data.function_id == '<id>'"`.
 * - Execute: `POST <url>?fnId=<id>&stepId=step|<hashed step id>` with body `{event, events:[event], steps:{<hashed id>:
 *   {type:"data",data}|{type:"error",error}}, version:2, ctx:{run_id, attempt, max_attempts,
 *   disable_immediate_execution:false, use_api:false, stack:{stack:[ids], current}}}`. No `ctx.fn_id` is sent, so
 *   the SDK stays in plain async mode and never calls the Inngest API to checkpoint.
 *   - 200: the run is done; the body is the return value.
 *   - 206 `[op]`: `StepRun` (memoise data); `StepError` (retriable: attempt+1, back off, re-POST that step);
 *     `StepFailed` (retries exhausted: memoise `{type:"error"}`, and the function sees a thrown StepError);
 *     `StepPlanned` × n (parallel: POST each with its stepId); `Sleep` (`name` = "1h30m" | ISO date: persist wakeAt,
 *     memoise null on wake-up).
 *   - 4xx/5xx: a function-level error. It is retried unless the response has `x-inngest-no-retry: true` (the SDK sets
 *     that on the final attempt and for NonRetriableError). `x-inngest-retry-after` (seconds or a date) overrides the
 *     backoff.
 * - Signing (when a signing key is set): `x-inngest-signature: t=<unix s>&s=<hex HMAC-SHA256(key without
 *   "signkey-<env>-", canonicalJSON(body) + t)>`. The body sent is that canonical JSON (sorted keys).
 *
 * State is kept in the `JobRun` table, one row per run, and saved after every step. Statuses:
 * queued → running → (sleeping | queued with wakeAt for a retry) → … → completed | failed.
 * - Claims: a run is claimed with a conditional update (status due, or running with an expired lease), which sets
 *   `leaseOwner` and `leaseUntil`. Two processes therefore never drive the same run. The lease is renewed every
 *   leaseMs/3 while the run is driven, and every save requires `leaseOwner = me`. When a process dies, its runs are
 *   taken over once the lease expires; a step that was running then runs again, because delivery is at least once,
 *   as on Inngest.
 * - Polling: every pollIntervalMs, at the next wakeAt, and at once after a local send or a finished run.
 * - Concurrency: `{ key: "event.data.x", limit }`, with the key taken as a dotted path (no CEL). The runner counts
 *   runs that are running with a live lease, under `pg_advisory_xact_lock(hashtext(key))`. A slot is held only while
 *   a run executes, not while it sleeps or waits for a retry (as on Inngest).
 * - Events: job ids come from event ids (`runIdFor`), so an event id that was already seen starts nothing. Trigger
 *   `if` expressions support only `event.<path> ==|!= <literal>` joined by `&&`; a trigger with any other expression
 *   never matches, and the runner warns about it at start.
 * - Cron: croner jobs, in UTC or in the `TZ=<zone> ` prefix of the cron string. They start only in the process that
 *   wins `pg_try_advisory_lock` (other processes retry every minute). Each tick's run id comes from (function,
 *   tick time), so a tick never runs twice, even if two schedulers are running.
 * - Permanent failure: the run is marked failed, and an `inngest/function.failed` event
 *   `{function_id, run_id, error, event}` is sent, which starts `<id>-failure` (onFailure).
 * - Not supported (the run fails with a clear error): waitForEvent, invoke, waitForSignal, AI/gateway steps, batching,
 *   throttle, rate limit, debounce, priority, cancelOn, function timeouts, streaming (INNGEST_STREAMING).
 *
 * Units: all durations are in ms; `ts` is epoch ms. Errors: `start()` throws when the sync fails (for example 401:
 * signing key mismatch); `send()` throws on DB errors; `idle()` throws on timeout.
 */
import { createHash, createHmac, randomUUID } from "node:crypto";
import os from "node:os";
import { Cron } from "croner";
import { Prisma } from "@/generated/prisma/client";
import { getDb, type Db } from "@/lib/db/client";
import { getLocalEventSink, setLocalEventSink, toLocalEvent, type LocalEvent, type LocalEventSink } from "./local-send";

// ---------------------------------------------------------------------------------------------------------------
// Logging

export type JobLogLevel = "silent" | "error" | "warn" | "info" | "debug";
export type JobLogger = Record<Exclude<JobLogLevel, "silent">, (msg: string, ...rest: unknown[]) => void>;

const LEVELS: Record<JobLogLevel, number> = { silent: 0, error: 1, warn: 2, info: 3, debug: 4 };

/**
 * A console logger with the `[inngest-local]` prefix. The level comes from `INNGEST_LOCAL_LOG_LEVEL`
 * (silent|error|warn|info|debug); without it the level is `silent` under vitest or NODE_ENV=test, otherwise `info`.
 */
export function createJobLogger(level?: JobLogLevel): JobLogger {
  const envLevel = process.env.INNGEST_LOCAL_LOG_LEVEL as JobLogLevel | undefined;
  const lvl =
    level ?? (envLevel && envLevel in LEVELS ? envLevel : process.env.VITEST || process.env.NODE_ENV === "test" ? "silent" : "info");
  const make = (l: Exclude<JobLogLevel, "silent">, out: (...a: unknown[]) => void) =>
    LEVELS[l] <= LEVELS[lvl] ? (msg: string, ...rest: unknown[]) => out(`[inngest-local] ${msg}`, ...rest) : () => {};
  return {
    error: make("error", console.error),
    warn: make("warn", console.warn),
    info: make("info", console.log),
    debug: make("debug", console.debug),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Protocol helpers (pure)

/** Canonical JSON (RFC 8785 key order, as the `canonicalize` package the SDK uses): what is signed and sent. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" && !Number.isFinite(value)) throw new Error("non-finite number in JSON body");
    return JSON.stringify(value) ?? "null";
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") return canonicalJson((value as any).toJSON());
  if (Array.isArray(value)) {
    return `[${value.map((v) => (v === undefined || typeof v === "function" || typeof v === "symbol" ? "null" : canonicalJson(v))).join(",")}]`;
  }
  const obj = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const k of Object.keys(obj).sort()) {
    const v = obj[k];
    if (v === undefined || typeof v === "function" || typeof v === "symbol") continue;
    parts.push(`${JSON.stringify(k)}:${canonicalJson(v)}`);
  }
  return `{${parts.join(",")}}`;
}

/**
 * The `x-inngest-signature` header value for a request body (the exact string sent): `t=<unix s>&s=<hex>`, where
 * s = HMAC-SHA256 keyed by the signing key without its `signkey-<env>-` prefix, over `body + t`.
 */
export function signBody(body: string, signingKey: string, nowMs: number = Date.now()): string {
  const t = Math.floor(nowMs / 1000).toString();
  const key = signingKey.replace(/^signkey-[\w]+-/, "");
  const s = createHmac("sha256", key).update(body + t).digest("hex");
  return `t=${t}&s=${s}`;
}

/**
 * When a `Sleep` op started at `fromMs` ends, in epoch ms. `name` is an SDK time string ("1w2d3h4m5s", and "ms" is
 * also accepted) or an ISO date (sleepUntil). Throws Error for anything else.
 */
export function sleepWakeAt(name: string, fromMs: number = Date.now()): number {
  if (/^\d{4}-\d{2}-\d{2}T/.test(name)) {
    const t = Date.parse(name);
    if (Number.isNaN(t)) throw new Error(`invalid sleep date "${name}"`);
    return t;
  }
  const unit: Record<string, number> = { w: 604_800_000, d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  const re = /(\d+(?:\.\d+)?)(ms|w|d|h|m|s)/g;
  let total = 0;
  let consumed = 0;
  for (const m of name.matchAll(re)) {
    total += Number(m[1]) * unit[m[2]];
    consumed += m[0].length;
  }
  if (consumed === 0 || consumed !== name.length) throw new Error(`invalid sleep duration "${name}"`);
  return fromMs + total;
}

/** Parses `x-inngest-retry-after`: whole seconds or a date. Returns the delay in ms (≥ 0), or undefined. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : Math.max(0, t - nowMs);
}

/** Reads a dotted path (`event.data.sitemapId`) from `root`. */
export function readPath(root: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined), root);
}

const PATH_RE = /^event(?:\.[A-Za-z_$][\w$]*)+$/;

/**
 * Compiles the supported subset of Inngest trigger expressions: clauses `event.<path> == <literal>` or `!=`, joined by
 * `&&`. Literals are 'single' or "double" quoted strings, numbers, true, false or null. Returns null for anything else.
 */
export function compileExpression(expr: string): ((event: LocalEvent) => boolean) | null {
  const clauses = expr.split("&&").map((c) => c.trim());
  const tests: ((event: LocalEvent) => boolean)[] = [];
  for (const clause of clauses) {
    const m = clause.match(/^(event(?:\.[A-Za-z_$][\w$]*)+)\s*(==|!=)\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|true|false|null)$/);
    if (!m) return null;
    const [, path, op, lit] = m;
    const literal: unknown = lit.startsWith("'") || lit.startsWith('"') ? lit.slice(1, -1).replace(/\\(.)/g, "$1") : JSON.parse(lit);
    tests.push((event) => {
      const v = readPath({ event }, path);
      return op === "==" ? v === literal : v !== literal;
    });
  }
  return (event) => tests.every((t) => t(event));
}

/** The JobRun id of function `fnId` for event `eventId`: a deterministic 32-hex id, so a repeated event id starts nothing. */
export function runIdFor(fnId: string, eventId: string): string {
  return createHash("sha256").update(`${fnId}\n${eventId}`).digest("hex").slice(0, 32);
}

// ---------------------------------------------------------------------------------------------------------------
// Registration shapes

export type FnTrigger = { event?: string; expression?: string; cron?: string };
type ConcurrencyConfig = { limit: number; key?: string; scope?: "fn" | "env" | "account" };
/** A function as the in-band sync registers it (the fields the runner uses). */
export type FnConfig = {
  id: string;
  name?: string;
  triggers: FnTrigger[];
  steps: Record<string, { retries?: { attempts?: number } }>;
  concurrency?: number | ConcurrencyConfig | (number | ConcurrencyConfig)[];
};

/** Inngest's default when a function sets no `retries`: 4 retries after the first attempt. */
export const DEFAULT_RETRIES = 4;

function concurrencyOf(fn: FnConfig): ConcurrencyConfig | undefined {
  const first = Array.isArray(fn.concurrency) ? fn.concurrency[0] : fn.concurrency;
  const c = typeof first === "number" ? { limit: first } : first;
  return c && typeof c.limit === "number" && c.limit > 0 ? c : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Runner

export type RouteHandler = (req: Request) => Promise<Response>;
export type JobRunStatus = "queued" | "running" | "sleeping" | "completed" | "failed";
export const UNFINISHED_STATUSES: JobRunStatus[] = ["queued", "running", "sleeping"];

export type LocalRunnerOptions = {
  /** The route's handlers (`import * as route from "@/app/api/inngest/route"`) or any `serve()` result. */
  handler: { PUT: RouteHandler; POST: RouteHandler };
  /** URL the requests are addressed to. Nothing connects to it. Default http://127.0.0.1:$PORT/api/inngest. */
  url?: string;
  /** Signs every request; required when the client is in cloud mode (local mode always is). */
  signingKey?: string;
  /** Prisma client, or a getter (default: `getDb`, the process-wide client). */
  db?: Db | (() => Db);
  logger?: JobLogger;
  /** How often the DB is polled for due runs, other processes' work and expired leases. Default 1000 ms. */
  pollIntervalMs?: number;
  /** Lease length while driving a run; renewed every leaseMs/3. Default 30,000 ms. */
  leaseMs?: number;
  /** Runs this process drives at once. Default 10. */
  maxConcurrentRuns?: number;
  /** Delay before retry `attempt` (1-based), in ms. Default 5 s · 2^(attempt−1), capped at 10 min, ±10 % jitter. */
  backoffMs?: (attempt: number) => number;
  /** Start cron jobs (when this process wins the scheduler lock). Default true. */
  cron?: boolean;
  /** Name of the scheduler's advisory lock (apps sharing a DB need distinct names). Default SCHEDULER_LOCK_NAME. */
  schedulerLockName?: string;
  /** Make this runner the target of `inngest.send()` / `step.sendEvent` (lib/jobs/local-send.ts). Default true. */
  routeSends?: boolean;
  /** Finished runs older than this are deleted hourly by the scheduler process; 0 keeps them. Default 14 days. */
  retentionMs?: number;
  /** Keep retrying the first sync this long (ms) when it fails, e.g. while the HTTP server is not listening yet. Default 0. */
  syncRetryMs?: number;
  /** Re-sync before matching each send(), so new triggers/config apply without a restart (dev). Default false. */
  resyncOnSend?: boolean;
};

type StepRecord = { type: "data"; data: unknown } | { type: "error"; error: unknown };
type Op = { op: string; id: string; name?: string; displayName?: string; data?: unknown; error?: unknown; opts?: unknown };
type RunState = {
  id: string;
  fnId: string;
  event: LocalEvent;
  steps: Record<string, StepRecord>;
  stack: string[];
  attempt: number;
  maxAttempts: number;
  pendingStep: string | null;
};
type CallResult = { status: number; headers: Headers; json: any };
type Lease = { runId: string; lost: boolean; abandoned: boolean; timer?: NodeJS.Timeout };

class LeaseLostError extends Error {
  constructor(runId: string) {
    super(`lease on run ${runId} lost`);
  }
}

/** Steps per run before the runner gives up (Inngest's default limit is 1,000). */
export const MAX_STEPS = 1000;
const KNOWN_OPS = new Set(["StepRun", "StepError", "StepFailed", "StepPlanned", "Sleep", "RunComplete"]);
const IGNORED_OPS = new Set(["DeferAdd", "DeferAbort"]);

export const SCHEDULER_LOCK_NAME = "sitemap-forge:inngest-local-scheduler";

/**
 * Tries to take a session-level advisory lock (`pg_try_advisory_lock(hashtext(name))`, default: the scheduler's).
 * Returns true if this DB session holds it now. With a connection pool (PrismaPg) the lock lives on one pooled
 * connection and is released if the pool closes that connection. So it makes a second scheduler unlikely, not
 * impossible; cron run ids make a duplicate tick harmless anyway.
 */
export async function tryAcquireSchedulerLock(db: Pick<Db, "$queryRaw">, name: string = SCHEDULER_LOCK_NAME): Promise<boolean> {
  const rows = await db.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_lock(hashtext(${name})) AS locked`;
  return rows[0]?.locked === true;
}

const defaultBackoff = (attempt: number) => {
  const base = Math.min(5000 * 2 ** Math.max(0, attempt - 1), 600_000);
  return Math.round(base * (0.9 + Math.random() * 0.2));
};

const errorMessage = (e: unknown) => (e instanceof Error ? e.message : typeof e === "string" ? e : JSON.stringify(e));
const asJsonError = (e: unknown): Record<string, unknown> =>
  e && typeof e === "object" && typeof (e as any).message === "string"
    ? (e as Record<string, unknown>)
    : { name: "Error", message: typeof e === "string" ? e : JSON.stringify(e) ?? "Unknown error" };
const json = (v: unknown) => (v === null || v === undefined ? Prisma.JsonNull : (v as Prisma.InputJsonValue));
const short = (id: string) => id.slice(0, 8);

export class LocalInngestRunner implements LocalEventSink {
  /** This runner's lease owner id: `<host>:<pid>:<random>`. */
  readonly owner = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  readonly url: string;
  readonly log: JobLogger;

  private readonly opts: LocalRunnerOptions;
  private readonly pollIntervalMs: number;
  private readonly leaseMs: number;
  private readonly maxConcurrentRuns: number;
  private readonly backoffMs: (attempt: number) => number;

  private fns = new Map<string, FnConfig>();
  private matchers = new Map<string, ((e: LocalEvent) => boolean)[]>(); // fnId -> one per event trigger
  private crons: Cron[] = [];
  private active = new Map<string, { promise: Promise<void>; lease: Lease }>();
  private started = false;
  private stopped = false;
  private ticking = false;
  private tickAgain = false;
  private tickTimer?: NodeJS.Timeout;
  private tickAt = Infinity;
  private leader = false;
  private leaderTimer?: NodeJS.Timeout;
  private pruneTimer?: NodeJS.Timeout;

  constructor(opts: LocalRunnerOptions) {
    this.opts = opts;
    this.url = opts.url ?? `http://127.0.0.1:${process.env.PORT || 3000}/api/inngest`;
    this.log = opts.logger ?? createJobLogger();
    this.pollIntervalMs = opts.pollIntervalMs ?? 1000;
    this.leaseMs = opts.leaseMs ?? 30_000;
    this.maxConcurrentRuns = opts.maxConcurrentRuns ?? 10;
    this.backoffMs = opts.backoffMs ?? defaultBackoff;
  }

  private get db(): Db {
    const d = this.opts.db;
    return typeof d === "function" ? d() : (d ?? getDb());
  }

  /** The functions found by the sync (ids are `<app>-<fn>`). */
  get functions(): FnConfig[] {
    return [...this.fns.values()];
  }

  /** Whether this runner holds the scheduler lock and runs the cron jobs. */
  get isScheduler(): boolean {
    return this.leader;
  }

  // ---- lifecycle ------------------------------------------------------------------------------------------------

  /**
   * Syncs the functions (signed in-band PUT), becomes the event sink (unless routeSends: false), takes the scheduler
   * lock and starts cron jobs (unless cron: false), then starts polling, which resumes unfinished runs of the served
   * functions. Throws Error when the sync fails. Call once.
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
    if (this.opts.cron !== false && [...this.fns.values()].some((f) => f.triggers.some((t) => t.cron))) await this.electScheduler();
    const unfinished = await this.db.jobRun.count({ where: { fnId: { in: [...this.fns.keys()] }, status: { in: UNFINISHED_STATUSES } } });
    if (unfinished) this.log.info(`${unfinished} unfinished run(s) in the database will be resumed when due`);
    const orphans = await this.db.jobRun.groupBy({
      by: ["fnId"],
      where: { fnId: { notIn: [...this.fns.keys()] }, status: { in: UNFINISHED_STATUSES } },
      _count: { _all: true },
    });
    for (const o of orphans) this.log.warn(`${o._count._all} unfinished run(s) of ${o.fnId}, which this app no longer serves`);
    this.scheduleTick(0);
  }

  /** In-band sync: PUT the route, then replace the function table. Throws Error when the answer is not a sync. */
  private async sync(): Promise<void> {
    const res = await this.call("PUT", {}, { url: this.url }, { "x-inngest-sync-kind": "in_band" });
    if (res.status !== 200 || res.headers.get("x-inngest-sync-kind") !== "in_band" || !Array.isArray(res.json?.functions)) {
      const hint = res.status === 401 ? " (signature rejected: the runner's signing key differs from the client's)" : "";
      throw new Error(`in-band sync failed: ${res.status} ${JSON.stringify(res.json)}${hint}`);
    }
    this.fns = new Map();
    this.matchers = new Map();
    for (const fn of res.json.functions as FnConfig[]) this.register(fn);
  }

  /**
   * Stops claiming runs, the cron jobs and the timers, and detaches from `inngest.send()`. Runs being driven get up to
   * `drainMs` (default 10,000 ms) to finish their current request; they then release their lease and stay queued.
   * Runs still busy after that are abandoned: no later result is saved, and their lease expires for another process
   * to take over.
   */
  async stop(opts: { drainMs?: number } = {}): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.tickTimer);
    clearInterval(this.leaderTimer);
    clearInterval(this.pruneTimer);
    for (const c of this.crons) c.stop();
    this.crons = [];
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
        this.log.warn(`run ${short(d.lease.runId)} abandoned at stop; its lease will expire`);
      }
    }
    if (this.leader) {
      this.leader = false;
      await this.db.$queryRaw`SELECT pg_advisory_unlock(hashtext(${this.opts.schedulerLockName ?? SCHEDULER_LOCK_NAME}))`.catch(() => {});
    }
  }

  /**
   * Resolves when no run of the served functions is queued, running or sleeping, and nothing is being driven here.
   * Sleeping runs are waited for. Throws Error after `timeoutMs` (default 30,000 ms). For tests and scripts.
   */
  async idle(opts: { timeoutMs?: number } = {}): Promise<void> {
    const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
    for (;;) {
      const unfinished = await this.db.jobRun.count({ where: { fnId: { in: [...this.fns.keys()] }, status: { in: UNFINISHED_STATUSES } } });
      if (unfinished === 0 && this.active.size === 0) return;
      if (Date.now() > deadline) throw new Error(`idle() timed out: ${unfinished} unfinished run(s), ${this.active.size} being driven`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  // ---- events and cron ------------------------------------------------------------------------------------------

  /**
   * Starts one run per (event, matching function). Events keep their id (a random UUID when absent); a run whose id
   * already exists (same function and event id) is not created again. Resolves to the event ids once the runs are
   * stored. Throws Error before start(), and on DB errors.
   */
  async send(input: readonly unknown[]): Promise<{ ids: string[] }> {
    if (!this.started) throw new Error("LocalInngestRunner.send() before start()");
    const events = input.map(toLocalEvent);
    if (this.opts.resyncOnSend) await this.sync().catch((err) => this.log.warn(`re-sync failed, using the last one: ${errorMessage(err)}`));
    const rows: Prisma.JobRunCreateManyInput[] = [];
    for (const event of events) {
      for (const fn of this.fns.values()) {
        if (this.matchers.get(fn.id)!.some((m) => m(event))) rows.push(this.newRun(fn, event));
      }
      if (!rows.some((r) => (r.event as LocalEvent).id === event.id)) this.log.debug(`event ${event.name} (${event.id}) matches no function`);
    }
    if (rows.length) {
      const { count } = await this.db.jobRun.createMany({ data: rows, skipDuplicates: true });
      this.log.info(`${count} run(s) queued for ${events.map((e) => e.name).join(", ")}${count < rows.length ? ` (${rows.length - count} duplicate event id(s) ignored)` : ""}`);
      this.scheduleTick(0);
    }
    return { ids: events.map((e) => e.id) };
  }

  /**
   * Starts a run of a cron-triggered function now, with event `inngest/scheduled.timer` `{ cron }`. `fnId` is the full
   * id or its part after the app id ("refresh-feeds"). With `at` (a tick time), the run id is derived from (function,
   * `at` rounded to the second), as for scheduled ticks, so firing the same tick twice starts one run. Returns the run
   * id, or null when that tick already has a run. Throws Error for an unknown function or one without a cron trigger.
   */
  async triggerCron(fnId: string, opts: { at?: Date } = {}): Promise<string | null> {
    const fn = this.fns.get(fnId) ?? [...this.fns.values()].find((f) => f.id.endsWith(`-${fnId}`));
    const cron = fn?.triggers.find((t) => t.cron)?.cron;
    if (!fn || !cron) throw new Error(`no cron-triggered function "${fnId}"`);
    const at = opts.at ? new Date(Math.round(opts.at.getTime() / 1000) * 1000) : undefined;
    const event: LocalEvent = {
      name: "inngest/scheduled.timer",
      data: { cron },
      id: at ? `cron-${fn.id}-${at.toISOString()}` : randomUUID(),
      ts: at?.getTime() ?? Date.now(),
    };
    const row = this.newRun(fn, event);
    const { count } = await this.db.jobRun.createMany({ data: [row], skipDuplicates: true });
    if (count) {
      this.log.info(`run ${short(row.id)} queued for ${fn.id} (cron ${cron})`);
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
    if (c?.key && !PATH_RE.test(c.key)) {
      this.log.warn(`${fn.id}: concurrency key "${c.key}" is not a dotted event path; all its runs share one slot pool`);
    }
    if (Array.isArray(fn.concurrency) && fn.concurrency.length > 1) this.log.warn(`${fn.id}: only the first concurrency limit is enforced locally`);
  }

  private newRun(fn: FnConfig, event: LocalEvent): Prisma.JobRunCreateManyInput & { id: string } {
    const retries = fn.steps?.step?.retries?.attempts ?? DEFAULT_RETRIES;
    return {
      id: runIdFor(fn.id, event.id),
      fnId: fn.id,
      event: event as unknown as Prisma.InputJsonValue,
      steps: {},
      stack: [],
      attempt: 0,
      maxAttempts: retries + 1,
      status: "queued",
      concurrencyKey: this.concurrencyKeyFor(fn, event),
    };
  }

  private concurrencyKeyFor(fn: FnConfig, event: LocalEvent): string | null {
    const c = concurrencyOf(fn);
    if (!c) return null;
    const value = c.key && PATH_RE.test(c.key) ? String(readPath({ event }, c.key) ?? "") : "";
    const scope = c.scope ?? "fn";
    return scope === "fn" ? `fn:${fn.id}:${value}` : `${scope}:${value}`;
  }

  private async electScheduler() {
    const attempt = async () => {
      if (this.stopped || this.leader) return;
      try {
        if (!(await tryAcquireSchedulerLock(this.db, this.opts.schedulerLockName))) return;
      } catch (err) {
        this.log.error(`scheduler lock: ${errorMessage(err)}`);
        return;
      }
      if (this.stopped) return;
      this.leader = true;
      clearInterval(this.leaderTimer);
      this.startCrons();
    };
    await attempt();
    if (!this.leader) {
      this.log.info("another process holds the scheduler lock; cron jobs run there (retrying every 60 s)");
      this.leaderTimer = setInterval(() => void attempt(), 60_000);
      this.leaderTimer.unref();
    }
  }

  private startCrons() {
    for (const fn of this.fns.values()) {
      for (const t of fn.triggers) {
        if (!t.cron) continue;
        const m = t.cron.match(/^TZ=(\S+)\s+(.+)$/);
        const [timezone, pattern] = m ? [m[1], m[2]] : ["UTC", t.cron];
        const job = new Cron(pattern, { timezone, catch: (e) => this.log.error(`cron ${fn.id}: ${errorMessage(e)}`), unref: true }, (self: Cron) => {
          this.triggerCron(fn.id, { at: self.currentRun() ?? new Date() }).catch((e) => this.log.error(`cron ${fn.id}: ${errorMessage(e)}`));
        });
        this.crons.push(job);
        this.log.info(`cron ${fn.id} "${t.cron}" (${timezone}); next ${job.nextRun()?.toISOString()}`);
      }
    }
    const retention = this.opts.retentionMs ?? 14 * 86_400_000;
    if (retention > 0) {
      this.pruneTimer = setInterval(() => void this.prune(new Date(Date.now() - retention)).catch(() => {}), 3_600_000);
      this.pruneTimer.unref();
    }
  }

  /** Deletes completed and failed runs last updated before `before`. Returns the number deleted. */
  async prune(before: Date): Promise<number> {
    const { count } = await this.db.jobRun.deleteMany({ where: { status: { in: ["completed", "failed"] }, updatedAt: { lt: before } } });
    if (count) this.log.info(`pruned ${count} finished run(s)`);
    return count;
  }

  // ---- polling and claiming -------------------------------------------------------------------------------------

  private scheduleTick(delayMs: number) {
    if (this.stopped || !this.started) return;
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
      const soonest = await this.db.jobRun.findFirst({
        where: { fnId: { in: [...this.fns.keys()] }, status: { in: ["queued", "sleeping"] }, wakeAt: { gt: new Date() } },
        orderBy: { wakeAt: "asc" },
        select: { wakeAt: true },
      });
      if (soonest?.wakeAt) next = Math.min(next, soonest.wakeAt.getTime() - Date.now());
    } catch (err) {
      if (!this.stopped) this.log.error(`poll failed: ${errorMessage(err)}`);
    } finally {
      this.ticking = false;
    }
    this.scheduleTick(next);
  }

  private async claimDue() {
    if (this.active.size >= this.maxConcurrentRuns) return;
    const now = new Date();
    const due = await this.db.jobRun.findMany({
      where: { fnId: { in: [...this.fns.keys()] }, ...this.claimableWhere(now) },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      take: 100,
      select: { id: true, fnId: true, concurrencyKey: true },
    });
    const blocked = new Set<string>();
    for (const r of due) {
      if (this.stopped || this.active.size >= this.maxConcurrentRuns) break;
      if (this.active.has(r.id) || (r.concurrencyKey && blocked.has(r.concurrencyKey))) continue;
      let claimed = false;
      try {
        claimed = await this.claim(r, now);
      } catch (err) {
        this.log.warn(`claim of ${short(r.id)} failed: ${errorMessage(err)}`);
      }
      if (!claimed) {
        if (r.concurrencyKey) blocked.add(r.concurrencyKey);
        continue;
      }
      const lease: Lease = { runId: r.id, lost: false, abandoned: false };
      const promise = this.drive(r.id, lease);
      this.active.set(r.id, { promise, lease });
    }
  }

  private claimableWhere(now: Date): Prisma.JobRunWhereInput {
    return {
      OR: [
        { status: { in: ["queued", "sleeping"] }, OR: [{ wakeAt: null }, { wakeAt: { lte: now } }] },
        { status: "running", OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }] },
      ],
    };
  }

  /** Conditional update queued/sleeping (due) or running with an expired lease → running, leased to this runner. */
  private async claim(r: { id: string; fnId: string; concurrencyKey: string | null }, now: Date): Promise<boolean> {
    const where: Prisma.JobRunWhereInput = { id: r.id, ...this.claimableWhere(now) };
    const data = { status: "running", leaseOwner: this.owner, leaseUntil: new Date(now.getTime() + this.leaseMs) };
    const fn = this.fns.get(r.fnId);
    const limit = fn ? concurrencyOf(fn)?.limit : undefined;
    const key = r.concurrencyKey;
    if (!key || !limit) return (await this.db.jobRun.updateMany({ where, data })).count === 1;
    return this.db.$transaction(
      async (tx) => {
        // Serialises claims of one key across processes; the count below then sees every committed claim.
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${key}))`;
        const busy = await tx.jobRun.count({
          where: { concurrencyKey: key, status: "running", leaseUntil: { gte: now }, id: { not: r.id } },
        });
        if (busy >= limit) return false;
        return (await tx.jobRun.updateMany({ where, data })).count === 1;
      },
      { maxWait: 10_000, timeout: 10_000 },
    );
  }

  // ---- driving a run --------------------------------------------------------------------------------------------

  private async drive(runId: string, lease: Lease): Promise<void> {
    lease.timer = setInterval(() => void this.renew(lease), Math.max(50, Math.floor(this.leaseMs / 3)));
    lease.timer.unref();
    try {
      const row = await this.db.jobRun.findUnique({ where: { id: runId } });
      if (!row || row.leaseOwner !== this.owner) return;
      const run: RunState = {
        id: row.id,
        fnId: row.fnId,
        event: row.event as unknown as LocalEvent,
        steps: (row.steps ?? {}) as Record<string, StepRecord>,
        stack: (row.stack ?? []) as string[],
        attempt: row.attempt,
        maxAttempts: row.maxAttempts,
        pendingStep: row.pendingStep,
      };
      const fn = this.fns.get(run.fnId);
      if (!fn) {
        await this.fail(run, lease, { name: "Error", message: `function ${run.fnId} is not served by this app` });
        return;
      }
      this.log.debug(`run ${short(run.id)} ${fn.id}: driving (attempt ${run.attempt})`);
      await this.execute(run, lease);
    } catch (err) {
      if (err instanceof LeaseLostError || lease.abandoned) {
        this.log.warn(`run ${short(runId)}: ${err instanceof Error ? err.message : "abandoned"}; result discarded`);
        return;
      }
      // An internal error (DB down, bug): hand the run back, due again after a pause.
      this.log.error(`run ${short(runId)}: internal error ${errorMessage(err)}`);
      await this.db.jobRun
        .updateMany({
          where: { id: runId, leaseOwner: this.owner },
          data: { status: "queued", leaseOwner: null, leaseUntil: null, wakeAt: new Date(Date.now() + 5000) },
        })
        .catch(() => {});
    } finally {
      clearInterval(lease.timer);
      this.active.delete(runId);
      this.scheduleTick(0);
    }
  }

  private async renew(lease: Lease) {
    if (lease.abandoned || lease.lost) return;
    try {
      const { count } = await this.db.jobRun.updateMany({
        where: { id: lease.runId, leaseOwner: this.owner, status: "running" },
        data: { leaseUntil: new Date(Date.now() + this.leaseMs) },
      });
      if (count === 0) lease.lost = true;
    } catch (err) {
      this.log.warn(`lease renewal of ${short(lease.runId)} failed: ${errorMessage(err)}`);
    }
  }

  /** Saves run fields, only while this runner still holds the lease. */
  private async save(run: RunState, lease: Lease, data: Prisma.JobRunUpdateManyMutationInput) {
    if (lease.abandoned || lease.lost) throw new LeaseLostError(run.id);
    const { count } = await this.db.jobRun.updateMany({ where: { id: run.id, leaseOwner: this.owner }, data });
    if (count !== 1) {
      lease.lost = true;
      throw new LeaseLostError(run.id);
    }
  }

  private progress(run: RunState): Prisma.JobRunUpdateManyMutationInput {
    return {
      steps: run.steps as Prisma.InputJsonValue,
      stack: run.stack,
      attempt: run.attempt,
      pendingStep: run.pendingStep,
    };
  }

  private record(run: RunState, id: string, rec: StepRecord) {
    run.steps[id] = rec;
    if (!run.stack.includes(id)) run.stack.push(id);
    run.attempt = 0;
    run.pendingStep = null;
  }

  private body(run: RunState) {
    return {
      event: run.event,
      events: [run.event],
      steps: run.steps,
      version: 2,
      ctx: {
        run_id: run.id,
        attempt: run.attempt,
        max_attempts: run.maxAttempts,
        disable_immediate_execution: false,
        use_api: false,
        stack: { stack: run.stack, current: run.stack.length - 1 },
      },
    };
  }

  private async call(method: "PUT" | "POST", query: Record<string, string>, body: unknown, extra: Record<string, string> = {}): Promise<CallResult> {
    const url = new URL(this.url);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const raw = canonicalJson(body);
    const headers: Record<string, string> = { "content-type": "application/json", ...extra };
    if (this.opts.signingKey) headers["x-inngest-signature"] = signBody(raw, this.opts.signingKey);
    try {
      const res = await this.opts.handler[method](new Request(url, { method, body: raw, headers }));
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        /* keep the text */
      }
      return { status: res.status, headers: res.headers, json: parsed };
    } catch (err) {
      return { status: 500, headers: new Headers(), json: { name: "Error", message: `serve handler threw: ${errorMessage(err)}` } };
    }
  }

  private post(run: RunState, stepId: string) {
    return this.call("POST", { fnId: run.fnId, stepId }, this.body(run));
  }

  /** Drives `run` until it completes, fails, sleeps, waits for a retry, or the runner stops. */
  private async execute(run: RunState, lease: Lease): Promise<void> {
    for (;;) {
      if (this.stopped) return this.release(run, lease);
      const res = await this.post(run, run.pendingStep ?? "step");
      if (lease.abandoned || lease.lost) throw new LeaseLostError(run.id);

      if (res.status === 200) return this.complete(run, lease, res.json);
      if (res.status !== 206) {
        run.pendingStep = null;
        return this.functionError(run, lease, res);
      }
      const ops = Array.isArray(res.json) ? (res.json as Op[]) : [];
      if (!ops.length) return this.functionError(run, lease, { ...res, json: { name: "Error", message: "206 without ops" } });

      const unsupported = ops.find((o) => !KNOWN_OPS.has(o.op) && !IGNORED_OPS.has(o.op));
      if (unsupported) {
        return this.fail(run, lease, {
          name: "Error",
          message: `step "${unsupported.displayName ?? unsupported.id}" uses ${unsupported.op}, which the local runner does not support; use INNGEST_MODE=inngest`,
        });
      }
      for (const o of ops) if (IGNORED_OPS.has(o.op)) this.log.warn(`run ${short(run.id)}: ${o.op} ignored (not supported locally)`);
      const done = ops.find((o) => o.op === "RunComplete");
      if (done) return this.complete(run, lease, done.data ?? null);

      // A step the SDK ran in this request (immediate execution, or the requested step).
      for (const op of ops.filter((o) => o.op === "StepRun" || o.op === "StepError" || o.op === "StepFailed")) {
        if (!(await this.applyRanOp(run, lease, op, res.headers))) return;
      }
      // Parallel (or not immediately executed) steps: run each by its hashed id.
      for (const op of ops.filter((o) => o.op === "StepPlanned")) {
        if (this.stopped) return this.release(run, lease);
        const r = await this.post(run, op.id);
        if (lease.abandoned || lease.lost) throw new LeaseLostError(run.id);
        const ran = r.status === 206 && Array.isArray(r.json) ? (r.json as Op[]).find((o) => o.id === op.id) : undefined;
        if (!ran || !["StepRun", "StepError", "StepFailed"].includes(ran.op)) {
          return this.functionError(run, lease, r.status === 206 ? { ...r, status: 500, json: { name: "Error", message: `step ${op.id} did not run: ${JSON.stringify(r.json)}` } } : r);
        }
        if (!(await this.applyRanOp(run, lease, ran, r.headers))) return;
      }
      const sleeps = ops.filter((o) => o.op === "Sleep");
      if (sleeps.length) return this.sleep(run, lease, sleeps);
      if (!ops.some((o) => o.op !== "DeferAdd" && o.op !== "DeferAbort")) {
        return this.functionError(run, lease, { ...res, status: 500, json: { name: "Error", message: `no step to run in ${JSON.stringify(ops)}` } });
      }
      if (run.stack.length > MAX_STEPS) {
        return this.fail(run, lease, { name: "Error", message: `more than ${MAX_STEPS} steps: stopped (Inngest's limit is 1,000)` });
      }
      await this.save(run, lease, this.progress(run));
    }
  }

  /** Applies StepRun/StepFailed (memoise, true) or StepError (schedules the retry, false). */
  private async applyRanOp(run: RunState, lease: Lease, op: Op, headers: Headers): Promise<boolean> {
    const label = op.displayName ?? op.name ?? op.id;
    if (op.op === "StepRun") {
      this.record(run, op.id, { type: "data", data: op.data ?? null });
      this.log.debug(`run ${short(run.id)}: step ${label} ok`);
    } else if (op.op === "StepFailed" || run.attempt + 1 >= run.maxAttempts) {
      this.record(run, op.id, { type: "error", error: asJsonError(op.error) });
      this.log.warn(`run ${short(run.id)}: step ${label} failed permanently: ${errorMessage(asJsonError(op.error).message)}`);
    } else {
      run.pendingStep = op.id;
      await this.retry(run, lease, `step ${label}: ${errorMessage(asJsonError(op.error).message)}`, headers, asJsonError(op.error));
      return false;
    }
    await this.save(run, lease, this.progress(run));
    return true;
  }

  private async functionError(run: RunState, lease: Lease, res: CallResult) {
    const error = asJsonError(res.json);
    if (res.status === 401) this.log.error(`run ${short(run.id)}: 401 from the serve handler: signing key mismatch`);
    if (res.headers.get("x-inngest-no-retry") === "true" || run.attempt + 1 >= run.maxAttempts) return this.fail(run, lease, error);
    return this.retry(run, lease, `function error ${res.status}: ${errorMessage(error.message)}`, res.headers, error);
  }

  /** Persists the next attempt as queued with wakeAt = now + backoff (or the SDK's retry-after); frees the slot. */
  private async retry(run: RunState, lease: Lease, why: string, headers: Headers, error: unknown) {
    run.attempt++;
    const delay = parseRetryAfter(headers.get("x-inngest-retry-after")) ?? this.backoffMs(run.attempt);
    this.log.warn(`run ${short(run.id)}: ${why}; retry ${run.attempt}/${run.maxAttempts - 1} in ${delay} ms`);
    await this.save(run, lease, {
      ...this.progress(run),
      status: "queued",
      wakeAt: new Date(Date.now() + delay),
      error: json(error),
      leaseOwner: null,
      leaseUntil: null,
    });
  }

  private async sleep(run: RunState, lease: Lease, sleeps: Op[]) {
    const now = Date.now();
    let wakeAt = now;
    for (const op of sleeps) {
      try {
        wakeAt = Math.max(wakeAt, sleepWakeAt(op.name ?? "", now));
      } catch (err) {
        return this.fail(run, lease, { name: "Error", message: errorMessage(err) });
      }
    }
    // Memoised now, sent only after wakeAt: the poller does not claim the run earlier.
    for (const op of sleeps) this.record(run, op.id, { type: "data", data: null });
    this.log.info(`run ${short(run.id)}: sleeping until ${new Date(wakeAt).toISOString()} (${sleeps.map((s) => s.displayName ?? s.id).join(", ")})`);
    await this.save(run, lease, { ...this.progress(run), status: "sleeping", wakeAt: new Date(wakeAt), leaseOwner: null, leaseUntil: null });
    this.scheduleTick(wakeAt - Date.now());
  }

  private async complete(run: RunState, lease: Lease, output: unknown) {
    await this.save(run, lease, {
      ...this.progress(run),
      status: "completed",
      output: json(output),
      error: Prisma.JsonNull,
      wakeAt: null,
      leaseOwner: null,
      leaseUntil: null,
    });
    this.log.info(`run ${short(run.id)} ${run.fnId} completed`);
  }

  /** Marks the run failed and sends `inngest/function.failed` (id `failed-<run id>`), which starts onFailure. */
  private async fail(run: RunState, lease: Lease, error: Record<string, unknown>) {
    if (lease.abandoned || lease.lost) throw new LeaseLostError(run.id);
    // The event first: if the process dies in between, the run fails again and the event id dedupes.
    await this.send([
      {
        name: "inngest/function.failed",
        id: `failed-${run.id}`,
        data: { function_id: run.fnId, run_id: run.id, error, event: run.event },
      },
    ]);
    await this.save(run, lease, { ...this.progress(run), status: "failed", error: json(error), wakeAt: null, leaseOwner: null, leaseUntil: null });
    this.log.warn(`run ${short(run.id)} ${run.fnId} FAILED: ${errorMessage(error.message)}`);
  }

  /** Gives the run back (queued, due now) for another runner or the next start. */
  private async release(run: RunState, lease: Lease) {
    await this.save(run, lease, { ...this.progress(run), status: "queued", wakeAt: null, leaseOwner: null, leaseUntil: null });
    this.log.info(`run ${short(run.id)} released at stop`);
  }
}
