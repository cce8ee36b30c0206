/**
 * Drives one claimed job run through the SDK (lib/jobs/protocol.ts) until it completes, fails, sleeps, waits for a
 * retry, or the runner stops; saves its state after every step (lib/db/job-runs.ts), only while it holds the lease.
 *
 * - 206 StepRun: memoise the data, reset the attempt, go on. StepError: retriable, so attempt + 1 and the job run is
 *   queued again with wakeAt = now + the SDK's `retry-after` (RetryAfterError) or else the back-off. StepFailed (or
 *   the last attempt): memoise `{type:"error"}`; the function then sees a thrown StepError.
 * - 206 StepPlanned × n: parallel steps, each POSTed with its hashed id. Sleep: memoise null, persist wakeAt.
 * - 4xx/5xx: a function error, retried the same way unless `x-inngest-no-retry: true`.
 * - Permanent failure: `inngest/function.failed` `{function_id, run_id, error, event}` is sent first (it starts
 *   `<id>-failure`, the onFailure handler), then the job run is marked failed.
 * - Leases: renewed every leaseMs/3; a lost or abandoned lease discards the result (LeaseLostError).
 *
 * Units: ms, epoch ms. Errors: internal errors (DB down) hand the job run back, due again after 5 s; never thrown.
 */
import { internalEvents } from "inngest";
import type { Db } from "@/lib/db/job-runs";
import { findJobRun, renewJobRunLease, requeueJobRun, saveJobRun, type JobRunPatch, type JobRunState } from "@/lib/db/job-runs";
import type { LocalEvent } from "./local-send";
import { errorMessage, RECORDED_PREFIX, shortId, type JobLogger } from "./log";
import {
  IGNORED_OPS,
  KNOWN_OPS,
  MAX_STEPS,
  RAN_OPS,
  StepOpCode,
  asJsonError,
  headerKeys,
  parseRetryAfter,
  postExecution,
  sleepWakeAt,
  type CallResult,
  type FnConfig,
  type Op,
  type RouteHandler,
  type StepRecord,
} from "./protocol";

/** A claim on a job run while this process drives it. */
export type Lease = { jobRunId: string; lost: boolean; abandoned: boolean; timer?: NodeJS.Timeout };

class LeaseLostError extends Error {
  constructor(jobRunId: string) {
    super(`lease on job run ${jobRunId} lost`);
  }
}

export type ExecutorContext = {
  db: () => Db;
  owner: string;
  handler: RouteHandler;
  url: string;
  signingKey?: string;
  leaseMs: number;
  backoffMs: (attempt: number) => number;
  log: JobLogger;
  fn: (fnId: string) => FnConfig | undefined;
  isStopped: () => boolean;
  /** Sends events into the runner (the failure event). */
  send: (events: LocalEvent[]) => Promise<unknown>;
  /** Asks the runner to poll again after `delayMs`. */
  wake: (delayMs: number) => void;
};

/** Drives claimed job runs through the SDK's HTTP protocol (module doc), one drive() per job run and lease. */
export class JobRunExecutor {
  constructor(private readonly ctx: ExecutorContext) {}

  private get db() {
    return this.ctx.db();
  }

  /** Drives the job run `jobRunId`, which this process has claimed, under `lease`. Never rejects. */
  async drive(jobRunId: string, lease: Lease): Promise<void> {
    lease.timer = setInterval(() => void this.renew(lease), Math.max(50, Math.floor(this.ctx.leaseMs / 3)));
    lease.timer.unref();
    try {
      const job = await findJobRun(this.db, jobRunId);
      if (!job || job.leaseOwner !== this.ctx.owner) return;
      const fn = this.ctx.fn(job.fnId);
      if (!fn) return await this.fail(job, lease, { name: "Error", message: `function ${job.fnId} is not served by this app` });
      this.ctx.log.debug(`job run ${shortId(job.id)} ${fn.id}: driving (attempt ${job.attempt})`);
      await this.execute(job, lease);
    } catch (err) {
      if (err instanceof LeaseLostError || lease.abandoned) {
        this.ctx.log.warn(`job run ${shortId(jobRunId)}: ${err instanceof Error ? err.message : "abandoned"}; result discarded`);
        return;
      }
      // An internal error (DB down, bug): hand the job run back, due again after a pause.
      this.ctx.log.error(`job run ${shortId(jobRunId)}: internal error ${errorMessage(err)}`);
      await requeueJobRun(this.db, jobRunId, this.ctx.owner, new Date(Date.now() + 5000)).catch(() => {});
    } finally {
      clearInterval(lease.timer);
    }
  }

  private async renew(lease: Lease) {
    if (lease.abandoned || lease.lost) return;
    try {
      if (!(await renewJobRunLease(this.db, lease.jobRunId, this.ctx.owner, new Date(Date.now() + this.ctx.leaseMs)))) lease.lost = true;
    } catch (err) {
      this.ctx.log.warn(`lease renewal of ${shortId(lease.jobRunId)} failed: ${errorMessage(err)}`);
    }
  }

  /** Saves the job run's progress plus `extra`, only while this runner still holds the lease. */
  private async save(job: JobRunState, lease: Lease, extra: Omit<JobRunPatch, "steps" | "stack" | "attempt" | "pendingStep"> = {}) {
    if (lease.abandoned || lease.lost) throw new LeaseLostError(job.id);
    const patch: JobRunPatch = { steps: job.steps, stack: job.stack, attempt: job.attempt, pendingStep: job.pendingStep, ...extra };
    if (!(await saveJobRun(this.db, job.id, this.ctx.owner, patch))) {
      lease.lost = true;
      throw new LeaseLostError(job.id);
    }
  }

  private record(job: JobRunState, id: string, rec: StepRecord) {
    job.steps[id] = rec;
    if (!job.stack.includes(id)) job.stack.push(id);
    job.attempt = 0;
    job.pendingStep = null;
  }

  private post(job: JobRunState, stepId: string): Promise<CallResult> {
    const { handler, url, signingKey } = this.ctx;
    return postExecution({ handler, url, signingKey, fnId: job.fnId, stepId, state: job });
  }

  private checkLease(job: JobRunState, lease: Lease) {
    if (lease.abandoned || lease.lost) throw new LeaseLostError(job.id);
  }

  private async execute(job: JobRunState, lease: Lease): Promise<void> {
    for (;;) {
      if (this.ctx.isStopped()) return this.release(job, lease);
      const res = await this.post(job, job.pendingStep ?? "step");
      this.checkLease(job, lease);

      if (res.status === 200) return this.complete(job, lease, res.json);
      if (res.status !== 206) {
        job.pendingStep = null;
        return this.functionError(job, lease, res);
      }
      const ops = Array.isArray(res.json) ? (res.json as Op[]) : [];
      if (!ops.length) return this.functionError(job, lease, { ...res, json: { name: "Error", message: "206 without ops" } });

      const unsupported = ops.find((o) => !KNOWN_OPS.has(o.op) && !IGNORED_OPS.has(o.op));
      if (unsupported) {
        return this.fail(job, lease, {
          name: "Error",
          message: `step "${unsupported.displayName ?? unsupported.id}" uses ${unsupported.op}, which the local runner does not support; use INNGEST_MODE=inngest`,
        });
      }
      for (const o of ops) if (IGNORED_OPS.has(o.op)) this.ctx.log.warn(`job run ${shortId(job.id)}: ${o.op} ignored (not supported locally)`);
      const done = ops.find((o) => o.op === StepOpCode.RunComplete);
      if (done) return this.complete(job, lease, done.data ?? null);

      // A step the SDK ran in this request (immediate execution, or the requested step).
      for (const op of ops.filter((o) => RAN_OPS.has(o.op))) {
        if (!(await this.applyRanOp(job, lease, op, res.headers))) return;
      }
      // Parallel (or not immediately executed) steps: run each by its hashed id.
      for (const op of ops.filter((o) => o.op === StepOpCode.StepPlanned)) {
        if (this.ctx.isStopped()) return this.release(job, lease);
        const r = await this.post(job, op.id);
        this.checkLease(job, lease);
        const ran = r.status === 206 && Array.isArray(r.json) ? (r.json as Op[]).find((o) => o.id === op.id) : undefined;
        if (!ran || !RAN_OPS.has(ran.op)) {
          return this.functionError(job, lease, r.status === 206 ? { ...r, status: 500, json: { name: "Error", message: `step ${op.id} did not run: ${JSON.stringify(r.json)}` } } : r);
        }
        if (!(await this.applyRanOp(job, lease, ran, r.headers))) return;
      }
      const sleeps = ops.filter((o) => o.op === StepOpCode.Sleep);
      if (sleeps.length) return this.sleep(job, lease, sleeps);
      if (!ops.some((o) => !IGNORED_OPS.has(o.op))) {
        return this.functionError(job, lease, { ...res, status: 500, json: { name: "Error", message: `no step to run in ${JSON.stringify(ops)}` } });
      }
      if (job.stack.length > MAX_STEPS) {
        return this.fail(job, lease, { name: "Error", message: `more than ${MAX_STEPS} steps: stopped (Inngest's limit is 1,000)` });
      }
      await this.save(job, lease);
    }
  }

  /** Applies StepRun/StepFailed (memoise, true) or StepError (schedules the retry, false). */
  private async applyRanOp(job: JobRunState, lease: Lease, op: Op, headers: Headers): Promise<boolean> {
    const label = op.displayName ?? op.name ?? op.id;
    if (op.op === StepOpCode.StepRun) {
      this.record(job, op.id, { type: "data", data: op.data ?? null });
      this.ctx.log.debug(`job run ${shortId(job.id)}: step ${label} ok`);
    } else if (op.op === StepOpCode.StepFailed || job.attempt + 1 >= job.maxAttempts) {
      this.record(job, op.id, { type: "error", error: asJsonError(op.error) });
      const msg = errorMessage(asJsonError(op.error).message);
      // A failure its function recorded and logged itself (RECORDED_PREFIX) is not logged again at warn level.
      (msg.startsWith(RECORDED_PREFIX) ? this.ctx.log.debug : this.ctx.log.warn)(`job run ${shortId(job.id)}: step ${label} failed permanently: ${msg}`);
    } else {
      job.pendingStep = op.id;
      await this.retry(job, lease, `step ${label}: ${errorMessage(asJsonError(op.error).message)}`, headers, asJsonError(op.error));
      return false;
    }
    await this.save(job, lease);
    return true;
  }

  private async functionError(job: JobRunState, lease: Lease, res: CallResult) {
    const error = asJsonError(res.json);
    if (res.status === 401) this.ctx.log.error(`job run ${shortId(job.id)}: 401 from the serve handler: signing key mismatch`);
    if (res.headers.get(headerKeys.NoRetry) === "true" || job.attempt + 1 >= job.maxAttempts) return this.fail(job, lease, error);
    return this.retry(job, lease, `function error ${res.status}: ${errorMessage(error.message)}`, res.headers, error);
  }

  /** Persists the next attempt as queued with wakeAt = now + (the SDK's retry-after, else the back-off). */
  private async retry(job: JobRunState, lease: Lease, why: string, headers: Headers, error: unknown) {
    job.attempt++;
    const delay = parseRetryAfter(headers.get(headerKeys.RetryAfter)) ?? this.ctx.backoffMs(job.attempt);
    this.ctx.log.warn(`job run ${shortId(job.id)}: ${why}; retry ${job.attempt}/${job.maxAttempts - 1} in ${delay} ms`);
    await this.save(job, lease, { status: "queued", wakeAt: new Date(Date.now() + delay), error });
    this.ctx.wake(delay);
  }

  private async sleep(job: JobRunState, lease: Lease, sleeps: Op[]) {
    const now = Date.now();
    let wakeAt = now;
    for (const op of sleeps) {
      try {
        wakeAt = Math.max(wakeAt, sleepWakeAt(op.name ?? "", now));
      } catch (err) {
        return this.fail(job, lease, { name: "Error", message: errorMessage(err) });
      }
    }
    // Memoised now, sent only after wakeAt: the poller does not claim the job run earlier.
    for (const op of sleeps) this.record(job, op.id, { type: "data", data: null });
    this.ctx.log.info(`job run ${shortId(job.id)}: sleeping until ${new Date(wakeAt).toISOString()} (${sleeps.map((s) => s.displayName ?? s.id).join(", ")})`);
    await this.save(job, lease, { status: "sleeping", wakeAt: new Date(wakeAt) });
    this.ctx.wake(wakeAt - Date.now());
  }

  private async complete(job: JobRunState, lease: Lease, output: unknown) {
    await this.save(job, lease, { status: "completed", output, error: null, wakeAt: null });
    this.ctx.log.info(`job run ${shortId(job.id)} ${job.fnId} completed`);
  }

  /** Marks the job run failed and sends `inngest/function.failed` (id `failed-<job run id>`), which starts onFailure. */
  private async fail(job: JobRunState, lease: Lease, error: Record<string, unknown>) {
    this.checkLease(job, lease);
    // The event first: if the process dies in between, the job run fails again and the event id dedupes.
    await this.ctx.send([
      {
        name: internalEvents.FunctionFailed,
        id: `failed-${job.id}`,
        ts: Date.now(),
        data: { function_id: job.fnId, run_id: job.id, error, event: job.event },
      },
    ]);
    await this.save(job, lease, { status: "failed", error, wakeAt: null });
    const msg = errorMessage(error.message);
    (msg.startsWith(RECORDED_PREFIX) ? this.ctx.log.debug : this.ctx.log.warn)(`job run ${shortId(job.id)} ${job.fnId} FAILED: ${msg}`);
  }

  /** Gives the job run back (queued, due now) for another runner or the next start. */
  private async release(job: JobRunState, lease: Lease) {
    await this.save(job, lease, { status: "queued", wakeAt: null });
    this.ctx.log.info(`job run ${shortId(job.id)} released at stop`);
  }
}
