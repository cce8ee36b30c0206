/**
 * Entry of the crawl worker thread (lib/runs/crawl-thread.ts starts it; it is never imported). Runs the whole CPU
 * side of a crawl — fetches, response handling, HTML parsing, rule and robots.txt matching, the crawl journal —
 * through `crawlInto` (lib/runs/pipeline.ts). Without `runSink` (PGlite, tests) it hands everything that touches the
 * database to the parent thread:
 *
 *   worker → parent  {type:"call", id, op:"write", batch}      a journal batch (JournalBatch, structured clone)
 *                    {type:"call", id, op:"progress", p}       a progress snapshot (CrawlProgress)
 *                    {type:"call", id, op:"revalidate", url}   validators of a page known from earlier runs
 *                    {type:"done", summary} | {type:"error", error}
 *   parent → worker  {type:"reply", id, value} | {type:"reply", id, error}    answer to one call
 *                    {type:"abort"}                                           cancel (the crawl rejects, no record
 *                                                                             for a half-done visit)
 *
 * With `runSink` (PostgreSQL, lib/runs/crawl-thread.ts WorkerRunSink) the worker makes no "write", "progress" or
 * "revalidate" call: it opens its own database client and does that work itself (lib/runs/run-sink.ts); before it
 * posts "done" or "error" it waits for its database write in progress and closes its client, and an "error" after
 * the run's cancel was seen carries `cancelled: true`.
 * The thread lowers its own CPU priority first (`nice`, Linux: the kernel keeps a nice value per thread), then, with
 * `sched: "idle"`, moves itself to the SCHED_IDLE policy ({@link setIdlePolicy}). While HTTP requests are in flight
 * (the parent's counter, lib/runs/foreground.ts, shared as `foreground`) it defers each next fetch by up to `yieldMs`
 * and each journal write by up to `writeYieldMs` (JournalOptions.yieldTo).
 *
 * A call resolves only when the parent answers, so the journal's back-pressure holds across the thread boundary:
 * the worker stops handing out URLs while too much waits to be written (lib/runs/journal.ts, pipeline.ts boundLag).
 * Liveness: the worker stores Date.now() into the shared `heartbeat` slot every `heartbeatMs` from a timer, from the
 * moment its modules (and, with `runSink`, its database client) are loaded; a
 * synchronous task that blocks the thread (a backtracking regular expression) stops the beat, and the parent's
 * watchdog ends the thread. Input: `workerData` of type CrawlWorkerData (crawl-thread.ts). Imported in the parent
 * (by crawl-thread.ts, at run time), the module only exports {@link spawnCrawlWorker}.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import inspector from "node:inspector";
import os from "node:os";
import path from "node:path";
import { parentPort, Worker, workerData, type WorkerOptions } from "node:worker_threads";
import { crawlInto, type RecordSink } from "./pipeline";
import { threadCpuMs } from "./thread-cpu";
import { adoptForegroundCounter, yieldToForeground } from "./foreground";
import type { CrawlWorkerData, FromWorker, ToWorker, WorkerCall } from "./crawl-thread";
import type { Revalidation } from "@/lib/crawl/crawler";

/**
 * Starts this module (the bundle it is built into) as a crawl worker. Called by crawl-thread.ts after importing the
 * bundle at run time, so the `new Worker` happens in code that Next's bundler never sees (it would otherwise try to
 * bundle the worker script as a module of the app).
 */
export function spawnCrawlWorker(options: WorkerOptions): Worker {
  return new Worker(new URL(import.meta.url), options);
}

/** Connections of the worker's own pool (runSink): one journal transaction, one revalidation lookup, one progress write. */
export const WORKER_POOL_MAX = 3;

/** The calling thread's id (Linux: /proc/thread-self names it); 0 where unknown (another OS, a restricted /proc). */
export function currentThreadId(): number {
  if (process.platform !== "linux") return 0;
  try {
    const tid = Number(fs.readlinkSync("/proc/thread-self").split("/").pop());
    return Number.isInteger(tid) && tid > 0 ? tid : 0;
  } catch {
    return 0;
  }
}

/**
 * Sets the nice value of thread `tid` (Linux applies setpriority to that thread only). Returns false where that is
 * not possible (tid 0, another OS); the crawl then runs at the process's priority.
 */
export function lowerThreadPriority(tid: number, nice: number): boolean {
  if (nice <= 0 || !tid) return false;
  try {
    os.setPriority(tid, Math.min(19, nice));
    return true;
  } catch {
    return false;
  }
}

/** Linux scheduling policy numbers (sched.h) as /proc/<pid>/task/<tid>/stat reports them (field 41). */
export const SCHED_NORMAL = 0;
export const SCHED_IDLE = 5;

/**
 * Moves thread `tid` to SCHED_IDLE: it then runs only on CPU time that no thread of a normal policy wants, and a
 * waking normal thread (the one serving HTTP, a PostgreSQL backend answering it) preempts it at once; on an idle CPU it
 * runs at full speed. Linux lets an unprivileged thread lower itself to this policy (sched(7)); Node has no binding
 * for sched_setscheduler, so util-linux `chrt --idle -p 0 <tid>` does it (a tid is a valid pid for the sched calls).
 * Returns false where that is not possible (tid 0, another OS, no `chrt`, refused); the nice value then still applies.
 */
export function setIdlePolicy(tid: number): boolean {
  if (!tid || process.platform !== "linux") return false;
  try {
    const r = spawnSync("chrt", ["--idle", "-p", "0", String(tid)], { stdio: "ignore", timeout: 5_000 });
    return r.status === 0 && threadSchedPolicy(tid) === SCHED_IDLE;
  } catch {
    return false;
  }
}

/** Scheduling policy of thread `tid` of this process (SCHED_NORMAL, SCHED_IDLE, …; Linux /proc), or null when unknown. */
export function threadSchedPolicy(tid: number): number | null {
  if (!tid) return null;
  try {
    const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
    const policy = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[38]);
    return Number.isInteger(policy) ? policy : null;
  } catch {
    return null;
  }
}

/**
 * Profiling aid for bench/generate-phases.ts only: with `dir` (env CRAWL_WORKER_CPU_PROFILE_DIR) samples this thread's
 * CPU through node:inspector (`node --cpu-prof` does not profile a worker started with empty execArgv) and, on
 * `stop()`, writes `crawl-worker-<time>.cpuprofile` (the Chrome DevTools format) into `dir`. Without `dir`: null.
 * A failure to write the profile is printed to stderr and never fails the crawl.
 */
function startCpuProfile(dir: string | undefined): { stop(): Promise<void> } | null {
  if (!dir) return null;
  const session = new inspector.Session();
  session.connect();
  const post = <T>(method: string, params?: object) =>
    new Promise<T>((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res as T))));
  const started = post("Profiler.enable").then(() => post("Profiler.setSamplingInterval", { interval: 500 })).then(() => post("Profiler.start"));
  return {
    async stop() {
      try {
        await started;
        const { profile } = await post<{ profile: unknown }>("Profiler.stop");
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, `crawl-worker-${Date.now()}.cpuprofile`), JSON.stringify(profile));
      } catch (error) {
        console.error("crawl worker profile not written:", error);
      } finally {
        session.disconnect();
      }
    },
  };
}

if (parentPort && workerData?.crawlWorker === true) {
  const port = parentPort;
  const data = workerData as CrawlWorkerData;
  const beat = new BigInt64Array(data.heartbeat);
  const tid = currentThreadId();
  lowerThreadPriority(tid, data.nice);
  if (data.sched === "idle") setIdlePolicy(tid);
  adoptForegroundCounter(data.foreground);
  const yieldTo = (step: "write" | "fetch") => yieldToForeground(step === "write" ? data.writeYieldMs : data.yieldMs);
  Atomics.store(beat, 1, BigInt(tid));
  const tick = () => Atomics.store(beat, 0, BigInt(Date.now()));
  /** Starts the beat: after the worker's modules are loaded (start-up is bounded by STARTUP_MS, not the budget). */
  const startBeat = () => {
    // Where the CPU budget starts (slot 2: ms + 1, 0 = unknown): the parent's watchdog may first look later.
    const cpu = threadCpuMs(tid);
    if (cpu !== null) Atomics.store(beat, 2, BigInt(Math.round(cpu) + 1));
    tick();
    setInterval(tick, data.heartbeatMs).unref();
  };

  const abort = new AbortController();
  let seq = 0;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  const post = (m: FromWorker) => port.postMessage(m);
  const call = <T>(m: WorkerCall): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = ++seq;
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      post({ type: "call", id, ...m } as FromWorker);
    });
  port.on("message", (m: ToWorker) => {
    if (m.type === "abort") abort.abort(new DOMException("The crawl was cancelled.", "AbortError"));
    else if (m.type === "reply") {
      const w = waiting.get(m.id);
      if (!w) return;
      waiting.delete(m.id);
      if (m.error !== undefined) w.reject(new Error(m.error));
      else w.resolve(m.value);
    }
  });

  let cancelled = false;
  const run = async () => {
    let sink: RecordSink = {
      write: (_records, batch) => call<void>({ op: "write", batch }),
      ...(data.progress ? { progress: (p) => call<void>({ op: "progress", p }) } : {}),
    };
    let revalidate = data.revalidate ? (url: string) => call<Revalidation | null>({ op: "revalidate", url }) : undefined;
    let close = async () => {};
    if (data.runSink) {
      const [{ openThreadDb }, { createRunSink }] = await Promise.all([import("@/lib/db/thread-db"), import("./run-sink")]);
      const db = openThreadDb(data.runSink.databaseUrl, WORKER_POOL_MAX);
      // The client's query compiler loads on first use: part of the start-up, before the beat and the budget.
      await db.warm();
      const local = createRunSink(data.runSink.spec, () => {
        cancelled = true;
        abort.abort(new DOMException("The crawl was cancelled.", "AbortError"));
      });
      // Writes in progress, awaited before the worker reports its outcome (nothing half-written behind it).
      const pending = new Set<Promise<unknown>>();
      const track = <T>(p: Promise<T>): Promise<T> => {
        const settled = p.catch(() => {});
        pending.add(settled);
        void settled.finally(() => pending.delete(settled));
        return p;
      };
      sink = {
        write: (records, batch) => track(local.sink.write(records, batch)),
        progress: (p) => track(Promise.resolve(local.sink.progress!(p))),
      };
      revalidate = local.revalidate;
      close = async () => {
        while (pending.size) await Promise.all([...pending]);
        await db.close().catch(() => {});
      };
    }
    startBeat();
    try {
      return await crawlInto(data.settings, {
        signal: abort.signal,
        durable: data.durable,
        resume: data.resume,
        allowHosts: data.allowHosts,
        batchSize: data.batchSize,
        progressIntervalMs: data.progressIntervalMs,
        journal: { ...data.journal, yieldTo },
        audit: data.audit,
        deadline: data.deadline,
        pauseAfterMs: data.pauseAfterMs,
        ...(revalidate ? { revalidate } : {}),
        sink,
      });
    } finally {
      await close();
    }
  };
  const profile = startCpuProfile(process.env.CRAWL_WORKER_CPU_PROFILE_DIR);
  run().finally(() => profile?.stop()).then(
    (summary) => post({ type: "done", summary }),
    (error: unknown) =>
      post({
        type: "error",
        error: error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : { name: "Error", message: String(error) },
        ...(cancelled ? { cancelled: true } : {}),
      }),
  );
}
