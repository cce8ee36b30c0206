/**
 * Entry of the crawl worker thread (lib/runs/crawl-thread.ts starts it; it is never imported). Runs the whole CPU
 * side of a crawl — fetches, response handling, HTML parsing, rule and robots.txt matching, the crawl journal —
 * through `crawlInto` (lib/runs/pipeline.ts), and hands everything that touches the database to the parent thread:
 *
 *   worker → parent  {type:"call", id, op:"write", batch}      a journal batch (JournalBatch, structured clone)
 *                    {type:"call", id, op:"progress", p}       a progress snapshot (CrawlProgress)
 *                    {type:"call", id, op:"revalidate", url}   validators of a page known from earlier runs
 *                    {type:"done", summary} | {type:"error", error}
 *   parent → worker  {type:"reply", id, value} | {type:"reply", id, error}    answer to one call
 *                    {type:"abort"}                                           cancel (the crawl rejects, no record
 *                                                                             for a half-done visit)
 *
 * A call resolves only when the parent answers, so the journal's back-pressure holds across the thread boundary:
 * the worker stops handing out URLs while too much waits to be written (lib/runs/journal.ts, pipeline.ts boundLag).
 * Liveness: the worker stores Date.now() into the shared `heartbeat` slot every `heartbeatMs` from a timer; a
 * synchronous task that blocks the thread (a backtracking regular expression) stops the beat, and the parent's
 * watchdog ends the thread. Input: `workerData` of type CrawlWorkerData (crawl-thread.ts). Imported in the parent
 * (by crawl-thread.ts, at run time), the module only exports {@link spawnCrawlWorker}.
 */
import { parentPort, Worker, workerData, type WorkerOptions } from "node:worker_threads";
import { crawlInto } from "./pipeline";
import type { CrawlWorkerData, FromWorker, ToWorker, WorkerCall } from "./crawl-thread";

/**
 * Starts this module (the bundle it is built into) as a crawl worker. Called by crawl-thread.ts after importing the
 * bundle at run time, so the `new Worker` happens in code that Next's bundler never sees (it would otherwise try to
 * bundle the worker script as a module of the app).
 */
export function spawnCrawlWorker(options: WorkerOptions): Worker {
  return new Worker(new URL(import.meta.url), options);
}

if (parentPort && workerData?.crawlWorker === true) {
  const port = parentPort;
  const data = workerData as CrawlWorkerData;
  const beat = new BigInt64Array(data.heartbeat);
  const tick = () => Atomics.store(beat, 0, BigInt(Date.now()));
  tick();
  const timer = setInterval(tick, data.heartbeatMs);
  timer.unref();

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

  crawlInto(data.settings, {
    signal: abort.signal,
    durable: data.durable,
    resume: data.resume,
    allowHosts: data.allowHosts,
    batchSize: data.batchSize,
    progressIntervalMs: data.progressIntervalMs,
    journal: data.journal,
    audit: data.audit,
    deadline: data.deadline,
    ...(data.revalidate ? { revalidate: (url: string) => call({ op: "revalidate", url }) } : {}),
    sink: {
      write: (_records, batch) => call<void>({ op: "write", batch }),
      ...(data.progress ? { progress: (p) => call<void>({ op: "progress", p }) } : {}),
    },
  }).then(
    (summary) => post({ type: "done", summary }),
    (error: unknown) => post({ type: "error", error: error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : { name: "Error", message: String(error) } }),
  );
}
