/**
 * The job's crawl off the web server's event loop: `crawlInWorker` runs `crawlInto` (lib/runs/pipeline.ts) in a
 * `worker_threads` Worker (lib/runs/crawl-worker.ts) with a budget. Same options and result as `crawlInto`; the sink
 * and `revalidate` run here, answering the worker's calls (see crawl-worker.ts for the protocol), so PGlite — one
 * process, one thread — stays where it is; with `runSink` (PostgreSQL) the worker does the run's database work
 * itself on its own connections ({@link WorkerRunSink}) and this thread only watches it.
 *
 * Why: the crawl's CPU work (response handling, HTML parsing, crawl rules — a rule's regular expression is the user's
 * own code and can backtrack for minutes on one URL) ran on the thread that serves HTTP, so one crawl slowed every
 * other request of the instance.
 *
 * Budget (each ends the worker with `worker.terminate()` and rejects with {@link CrawlBudgetError}; the sink's call
 * in progress, if any, is awaited first, so no batch is half-written):
 * - stall: one synchronous task blocks the worker for more than `stallMs` (the worker's heartbeat, stored in a
 *   SharedArrayBuffer every `heartbeatMs`, is older than that; counted from the first beat, after the worker's
 *   modules are loaded) → `crawl_cpu_budget_exceeded`. Where the thread's own CPU time is readable (Linux: the
 *   worker stores its thread id next to the beat, /proc/self/task/<tid>/stat), the blocked task must also have used
 *   at least half of `stallMs` of CPU since the beat: a worker that is merely waiting for a CPU (a busy machine, its
 *   lower priority, see `nice`) is not stopped;
 * - CPU: the worker thread's CPU time since its first beat (Linux, as above; elsewhere Node's eventLoopUtilization
 *   `active` time, which also counts time the thread waited for a CPU) exceeds `cpuMs` → `crawl_cpu_budget_exceeded`;
 * - wall time: at `wallMs` the crawl stops fetching and ends normally (crawler `deadline`: visits under way finish, the
 *   URLs left are recorded "max_pages", the summary says `stoppedBy: "time_budget"`, and the run succeeds with the
 *   warning time_budget_reached); only a worker still running {@link TIME_BUDGET_GRACE_MS} later is ended →
 *   `crawl_time_budget_exceeded`;
 * - heap: the worker's old generation is capped at `heapMb` (resourceLimits); hitting it →
 *   `crawl_memory_budget_exceeded`.
 * Defaults come from the environment (lib/env.ts: CRAWL_STALL_MS, CRAWL_CPU_BUDGET_MS, CRAWL_TIME_BUDGET_MS,
 * CRAWL_WORKER_HEAP_MB). Budgets count per call (one crawl step, or a resumed attempt of it); `wallMs` is what the caller
 * gives: lib/runs/execute.ts passes what is left of the run's CRAWL_TIME_BUDGET_MS. With `pauseAfterMs` (a bounded
 * step) the crawl pauses after that long, counted from the crawl's start in the worker (lib/runs/pipeline.ts).
 *
 * Loading: the worker runs an esbuild bundle of lib/runs/crawl-worker.ts (dependencies external, loaded from
 * node_modules), built on first use into `node_modules/.cache/sitemap-forge/crawl-worker.mjs` under the process's
 * working directory (the repository root for `npm start`, `next start` and vitest), and rebuilt when one of its
 * input files changed (their mtimes and sizes are recorded next to it), as scripts/crawl.mjs does for the CLI.
 *
 * Errors: CrawlBudgetError (above); the sink's or `revalidate`'s own error when one of them threw; `signal.reason`
 * when aborted (the worker gets {@link ABORT_GRACE_MS} to stop, then is terminated); the worker's error (with its
 * name and message) for anything the crawler throws; Error when the bundle cannot be built or the worker exits early.
 */
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Worker } from "node:worker_threads";
import type { CrawlRecord, CrawlSettings } from "@/lib/core/types";
import type { CrawlSummary, Revalidation } from "@/lib/crawl/crawler";
import type { CrawlIntoOptions, CrawlProgress, CrawlResume } from "./pipeline";
import type { JournalBatch, JournalOptions } from "./journal";
import type { FrontierItem } from "@/lib/crawl/frontier";
import { getEnv } from "@/lib/env";
import type { RunSinkSpec } from "./run-sink";
import { threadCpuMs } from "./thread-cpu";
import { foregroundCounter } from "./foreground";

/** Why a crawl was stopped by its budget; `code` is also the start of `message` (it ends up in Run.error). */
export class CrawlBudgetError extends Error {
  readonly code: "crawl_cpu_budget_exceeded" | "crawl_time_budget_exceeded" | "crawl_memory_budget_exceeded";
  constructor(code: CrawlBudgetError["code"], message: string) {
    super(`${code}: ${message}`);
    this.name = "CrawlBudgetError";
    this.code = code;
  }
}

export type CrawlBudget = {
  /** Longest a single synchronous task may block the worker, ms. */
  stallMs: number;
  /** Busy time of the worker thread for the whole crawl, ms. */
  cpuMs: number;
  /** Wall time of the crawl, ms. */
  wallMs: number;
  /** Old-generation heap cap of the worker, MB. */
  heapMb: number;
};

/** The budget from the environment (lib/env.ts). */
export function budgetFromEnv(): CrawlBudget {
  const env = getEnv();
  return { stallMs: env.CRAWL_STALL_MS, cpuMs: env.CRAWL_CPU_BUDGET_MS, wallMs: env.CRAWL_TIME_BUDGET_MS, heapMb: env.CRAWL_WORKER_HEAP_MB };
}

/** ms the worker may take to load its modules and beat for the first time (a loaded machine is slow at it). */
export const STARTUP_MS = 60_000;

/** ms the worker gets to stop after an abort before it is terminated. */
export const ABORT_GRACE_MS = 5_000;

/** What the worker receives (structured clone); see crawl-worker.ts. */
export type CrawlWorkerData = {
  /** Marks the thread as a crawl worker (the bundle's worker side runs only then). */
  crawlWorker: true;
  settings: CrawlSettings;
  durable: boolean;
  resume: { recorded: string[]; queue: FrontierItem[]; pagesFetched: number } | null;
  allowHosts?: string[];
  batchSize?: number;
  progressIntervalMs?: number;
  journal?: Omit<Partial<JournalOptions>, "write" | "now">;
  revalidate: boolean;
  progress: boolean;
  /** Audit the site's own sitemaps (CrawlIntoOptions.audit). */
  audit: boolean;
  /** The time budget as a crawler deadline, ms since the epoch. */
  deadline?: number;
  /** Length of this step's slice of the crawl, ms from the crawl's start in the worker (CrawlIntoOptions.pauseAfterMs). */
  pauseAfterMs?: number;
  /** Three BigInt64 slots: Date.now() of the worker's last beat; the worker thread's id (Linux; 0 = unknown); the worker's CPU time at its first beat, ms + 1 (0 = unknown). */
  heartbeat: SharedArrayBuffer;
  heartbeatMs: number;
  /**
   * Nice value of the worker thread (env CRAWL_WORKER_NICE, 0–19, default 10). A crawl is background work: on a
   * busy machine the kernel then gives the CPU to the thread that serves HTTP first, while an idle machine still
   * gives the crawl all the CPU it can use (a nice value only matters when threads compete). Linux applies a nice
   * value per thread; elsewhere it is not applied.
   */
  nice: number;
  /** Scheduling policy of the worker thread (env CRAWL_WORKER_SCHED, default "normal"): "idle" = Linux SCHED_IDLE (crawl-worker.ts setIdlePolicy). */
  sched: "idle" | "normal";
  /** The server thread's count of HTTP requests in flight (lib/runs/foreground.ts), one Int32 slot. */
  foreground: SharedArrayBuffer;
  /** Longest the worker defers its next fetch while HTTP requests are served, ms (env CRAWL_FOREGROUND_YIELD_MS; 0 = never). */
  yieldMs: number;
  /** Longest the worker defers one journal write while HTTP requests are served, ms (env CRAWL_FOREGROUND_WRITE_MS; 0 = never). */
  writeYieldMs: number;
  /** The run's database side, done in the worker on a pool of its own (see {@link WorkerRunSink}); else null. */
  runSink: { spec: RunSinkSpec; databaseUrl: string } | null;
};

/**
 * The crawl's database side in the worker: on PostgreSQL, the worker opens its own client (a pool of at most 3
 * connections to `databaseUrl`, crawl-worker.ts WORKER_POOL_MAX) and writes the journal batches, the run's progress
 * and the revalidation lookups itself (lib/runs/run-sink.ts), so no batch crosses the threads and the calling thread does
 * no crawl work. `opts.sink` and `opts.revalidate` are then not called. `onCancelRequested` runs on the calling
 * thread when the worker's progress tick found the run's cancel requested (the crawl then rejects with
 * `opts.signal.reason` when the caller aborts its signal there, as lib/runs/execute.ts does).
 */
export type WorkerRunSink = { spec: RunSinkSpec; databaseUrl: string; onCancelRequested(): void };

/** One call of the worker to the parent: a journal batch to write, a progress snapshot, a revalidation lookup. */
export type WorkerCall = { op: "write"; batch: JournalBatch } | { op: "progress"; p: CrawlProgress } | { op: "revalidate"; url: string };

export type FromWorker =
  | ({ type: "call"; id: number } & WorkerCall)
  | { type: "done"; summary: CrawlSummary }
  /** `cancelled`: the worker's own progress tick found the run's cancel requested (WorkerRunSink). */
  | { type: "error"; error: { name: string; message: string; stack?: string }; cancelled?: boolean };

export type ToWorker = { type: "reply"; id: number; value?: unknown; error?: string } | { type: "abort" };

/**
 * Crawls like `crawlInto`, in a worker thread, within `budget` (default: {@link budgetFromEnv}). `opts.journal.now`
 * (a test clock) cannot cross the thread boundary: when given, it dates each batch's records as the batch arrives.
 */
export async function crawlInWorker(
  settings: CrawlSettings,
  opts: CrawlIntoOptions & { budget?: Partial<CrawlBudget>; runSink?: WorkerRunSink },
): Promise<CrawlSummary> {
  const budget = { ...budgetFromEnv(), ...opts.budget };
  opts.signal?.throwIfAborted();
  const script = await ensureWorkerBundle();
  // 0 until the worker's first beat: loading its modules is not a stalled crawl step (STARTUP_MS bounds it).
  const heartbeat = new SharedArrayBuffer(24);
  const beat = new BigInt64Array(heartbeat);
  const { now, ...journal } = opts.journal ?? {};
  const resume: CrawlResume | null | undefined = opts.resume;
  const data: CrawlWorkerData = {
    crawlWorker: true,
    settings,
    durable: !!opts.durable,
    resume: resume ? { recorded: [...resume.recorded], queue: [...resume.queue], pagesFetched: resume.pagesFetched } : null,
    allowHosts: opts.allowHosts,
    batchSize: opts.batchSize,
    progressIntervalMs: opts.progressIntervalMs,
    journal,
    revalidate: !!opts.revalidate,
    audit: !!opts.audit,
    progress: !!opts.sink.progress,
    heartbeat,
    heartbeatMs: Math.max(10, Math.min(1000, Math.floor(budget.stallMs / 5))),
    deadline: Date.now() + budget.wallMs,
    pauseAfterMs: opts.pauseAfterMs,
    nice: getEnv().CRAWL_WORKER_NICE,
    sched: getEnv().CRAWL_WORKER_SCHED,
    foreground: foregroundCounter().buffer as SharedArrayBuffer,
    yieldMs: getEnv().CRAWL_FOREGROUND_YIELD_MS,
    writeYieldMs: getEnv().CRAWL_FOREGROUND_WRITE_MS,
    runSink: opts.runSink ? { spec: opts.runSink.spec, databaseUrl: opts.runSink.databaseUrl } : null,
  };
  // The bundle starts itself (crawl-worker.ts spawnCrawlWorker): no `new Worker` in code Next's bundler sees.
  // No execArgv of this process (e.g. `--import tsx` of a script run through tsx): the bundle is plain JavaScript,
  // and a loader in the worker only slows its start.
  const bundle = (await import(/*turbopackIgnore: true*/ /*webpackIgnore: true*/ pathToFileURL(script).href)) as typeof import("./crawl-worker");
  const worker: Worker = bundle.spawnCrawlWorker({
    workerData: data,
    execArgv: [],
    resourceLimits: { maxOldGenerationSizeMb: budget.heapMb },
  });
  const t0 = Date.now();

  return new Promise<CrawlSummary>((resolve, reject) => {
    let settled = false;
    /** The first error of a sink/revalidate call: the crawl's real cause when the worker then fails. */
    let callError: { error: unknown } | null = null;
    const inflight = new Set<Promise<void>>();
    let abortTimer: NodeJS.Timeout | undefined;

    const finish = async (outcome: { value: CrawlSummary } | { error: unknown }, terminate: boolean) => {
      if (settled) return;
      settled = true;
      clearInterval(watchdog);
      clearTimeout(abortTimer);
      opts.signal?.removeEventListener("abort", onAbort);
      if (terminate) await worker.terminate().catch(() => {});
      // A database write in progress ends before the caller sees the outcome (nothing half-written behind it).
      while (inflight.size > 0) await Promise.allSettled([...inflight]);
      if (!terminate) void worker.terminate().catch(() => {});
      if ("value" in outcome) resolve(outcome.value);
      else reject(outcome.error);
    };

    const answer = (id: number, work: () => unknown) => {
      const p = (async () => {
        try {
          const value = await work();
          if (!settled) worker.postMessage({ type: "reply", id, value } satisfies ToWorker);
        } catch (error) {
          callError ??= { error };
          if (!settled) worker.postMessage({ type: "reply", id, error: error instanceof Error ? error.message : String(error) } satisfies ToWorker);
        }
      })();
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
    };

    worker.on("message", (m: FromWorker) => {
      if (settled) return;
      if (m.type === "call") {
        if (m.op === "write") {
          if (now) m.batch.receivedAt = m.batch.records.map(() => now());
          answer(m.id, () => opts.sink.write(m.batch.records as CrawlRecord[], m.batch));
        } else if (m.op === "progress") answer(m.id, () => opts.sink.progress?.(m.p));
        else answer(m.id, () => (opts.revalidate ? opts.revalidate(m.url) : null) as Promise<Revalidation | null>);
      } else if (m.type === "done") void finish({ value: m.summary }, false);
      else {
        if (m.cancelled && !opts.signal?.aborted) opts.runSink?.onCancelRequested();
        if (opts.signal?.aborted) return void finish({ error: opts.signal.reason }, true);
        if (callError) return void finish({ error: callError.error }, true);
        const err = new Error(m.error.message);
        err.name = m.error.name;
        if (m.error.stack) err.stack = m.error.stack;
        void finish({ error: err }, true);
      }
    });
    worker.on("error", (err: Error & { code?: string }) => {
      const error =
        err.code === "ERR_WORKER_OUT_OF_MEMORY"
          ? new CrawlBudgetError("crawl_memory_budget_exceeded", `the crawl used more than its ${budget.heapMb} MB of memory and was stopped.`)
          : err;
      void finish({ error }, true);
    });
    worker.on("exit", (code) => {
      void finish({ error: opts.signal?.aborted ? opts.signal.reason : new Error(`the crawl worker exited early (code ${code})`) }, false);
    });

    const onAbort = () => {
      worker.postMessage({ type: "abort" } satisfies ToWorker);
      abortTimer = setTimeout(() => void finish({ error: opts.signal!.reason }, true), ABORT_GRACE_MS);
    };
    opts.signal?.addEventListener("abort", onAbort, { once: true });

    /** The beat last seen, and the worker's CPU time (ms) when it was first seen. */
    let seen = { beat: 0, cpuMs: 0 };
    /** The worker's busy time (ms) at its first beat: start-up (loading modules) is not part of the budget. */
    let startBusy: number | null = null;
    const watchdog = setInterval(() => {
      if (settled) return;
      const last = Number(Atomics.load(beat, 0));
      if (last === 0 && Date.now() - t0 > STARTUP_MS) {
        return void finish({ error: new Error(`the crawl worker did not start within ${fmtSeconds(STARTUP_MS)}`) }, true);
      }
      const cpuMs = last === 0 ? null : threadCpuMs(Number(Atomics.load(beat, 1)));
      if (last !== seen.beat) seen = { beat: last, cpuMs: cpuMs ?? 0 };
      const busyNow = last === 0 ? null : (cpuMs ?? worker.performance.eventLoopUtilization().active);
      // The budget starts at the first beat: the worker stored its CPU time then (slot 2, ms + 1; 0 = not readable),
      // which a watchdog tick that comes late (a busy event loop) would otherwise overstate.
      const atFirstBeat = Number(Atomics.load(beat, 2)) - 1;
      if (busyNow !== null) startBusy ??= cpuMs !== null && atFirstBeat >= 0 ? atFirstBeat : busyNow;
      const blocked = cpuMs === null || cpuMs - seen.cpuMs >= budget.stallMs / 2;
      if (last !== 0 && Date.now() - last > budget.stallMs && blocked) {
        return void finish(
          {
            error: new CrawlBudgetError(
              "crawl_cpu_budget_exceeded",
              `one step of the crawl kept the CPU busy for more than ${fmtSeconds(budget.stallMs)} (for example a crawl rule's regular expression backtracking on a long URL), so the crawl was stopped. The previously published files stay served.`,
            ),
          },
          true,
        );
      }
      if (busyNow !== null && busyNow - startBusy! > budget.cpuMs) {
        return void finish(
          {
            error: new CrawlBudgetError(
              "crawl_cpu_budget_exceeded",
              `the crawl used more than its ${fmtSeconds(budget.cpuMs)} of CPU time and was stopped. The previously published files stay served.`,
            ),
          },
          true,
        );
      }
      if (Date.now() - t0 > budget.wallMs + TIME_BUDGET_GRACE_MS) {
        return void finish(
          {
            error: new CrawlBudgetError(
              "crawl_time_budget_exceeded",
              `the crawl ran longer than its ${fmtSeconds(budget.wallMs)} and was stopped. The previously published files stay served.`,
            ),
          },
          true,
        );
      }
      // Sampled at a quarter of the smaller limit (at most once a second), so a crawl cannot run far past its CPU budget
      // between two samples, nor end before a budget it exceeded was ever checked.
    }, Math.max(10, Math.min(1000, Math.floor(Math.min(budget.stallMs, budget.cpuMs) / 4))));
  });
}

/**
 * How long after the time budget a crawl may still take to wind down (visits under way: a request's deadline, 429/503
 * back-off, rendering) before its worker is ended, ms.
 */
export const TIME_BUDGET_GRACE_MS = 120_000;

export { threadCpuMs };

const fmtSeconds = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`);

const ENTRY = "lib/runs/crawl-worker.ts";
/** Files that change the build without being bundled inputs. */
const EXTRA_INPUTS = ["tsconfig.json"];

/** The bundle's folder: node_modules/.cache/sitemap-forge under the working directory (the repository root). */
function outDir(): string {
  // The ignore comments keep Next's file tracing from pulling the whole repository into the server output.
  return path.join(/*turbopackIgnore: true*/ process.cwd(), "node_modules", ".cache", "sitemap-forge");
}

let building: Promise<string> | null = null;

/**
 * Path of the worker bundle, built when missing or stale (see module doc). Concurrent builds (several processes)
 * are safe: each writes a temporary file and renames it into place. Throws Error when esbuild fails.
 */
export async function ensureWorkerBundle(): Promise<string> {
  const root = process.cwd();
  const out = path.join(outDir(), "crawl-worker.mjs");
  const manifest = `${out}.inputs.json`;
  const stamp = (file: string) => {
    const st = fs.statSync(path.join(/*turbopackIgnore: true*/ root, file));
    return `${st.mtimeMs}:${st.size}`;
  };
  const fresh = () => {
    try {
      const m = JSON.parse(fs.readFileSync(/*turbopackIgnore: true*/ manifest, "utf8")) as { inputs: Record<string, string> };
      if (!fs.existsSync(/*turbopackIgnore: true*/ out)) return false;
      for (const [file, s] of Object.entries(m.inputs)) if (stamp(file) !== s) return false;
      return true;
    } catch {
      return false;
    }
  };
  if (fresh()) return out;
  building ??= (async () => {
    const esbuild = await import(/*turbopackIgnore: true*/ "esbuild");
    fs.mkdirSync(/*turbopackIgnore: true*/ outDir(), { recursive: true });
    const tmp = `${out}.${process.pid}.${Date.now()}.tmp.mjs`;
    const result = await esbuild.build({
      absWorkingDir: root,
      entryPoints: [ENTRY],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      packages: "external",
      metafile: true,
      outfile: tmp,
      logLevel: "silent",
    });
    const inputs: Record<string, string> = {};
    for (const file of [...Object.keys(result.metafile.inputs), ...EXTRA_INPUTS]) {
      if (file.startsWith("node_modules/") || file.includes(":")) continue;
      inputs[file] = stamp(file);
    }
    fs.renameSync(/*turbopackIgnore: true*/ tmp, out);
    const mtmp = `${manifest}.${process.pid}.tmp`;
    fs.writeFileSync(/*turbopackIgnore: true*/ mtmp, JSON.stringify({ entry: ENTRY, inputs }));
    fs.renameSync(/*turbopackIgnore: true*/ mtmp, manifest);
    return out;
  })().finally(() => {
    building = null;
  });
  return building;
}
