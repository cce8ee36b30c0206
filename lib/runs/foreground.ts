/**
 * Foreground first: the HTTP requests this process is serving right now, counted in a SharedArrayBuffer that the
 * crawl worker (lib/runs/crawl-worker.ts) reads, so background crawl work can step aside while a request waits.
 *
 * - {@link installForegroundCounter} (called once by instrumentation.ts) counts every request of the process's HTTP
 *   server from Node's `http.server.request.start` diagnostics channel until its response closes, or for at most
 *   {@link FOREGROUND_REQUEST_MS}, except the job route (/api/inngest: with the `http` transport a crawl step itself
 *   runs inside such a request). Why the cap: a request held open longer is waiting, not computing (a `?wait=` long
 *   poll, a synchronous AnQiCMS trigger, Sitemap.xml's generate, a slow download), often for the very crawl it would
 *   otherwise slow to a crawl of one fetch per deferral bound.
 * - {@link yieldToForeground} is what background work awaits before a CPU-heavy or database-heavy step (the crawl
 *   journal's batch write, handing out the next URL to fetch): it resolves at once when the server is quiet (no
 *   request in flight and none ended in the last {@link QUIET_MS}), else once it is, or after `maxMs` at the latest, so
 *   a crawl is slowed while the API is busy but never starved (a steady request stream still lets one step through
 *   every `maxMs`). Why "quiet" and not only "none in flight": a client with a keep-alive connection sends its next
 *   request within a millisecond of the last answer, so a step started in that gap would still run beside it.
 * The counter is a SharedArrayBuffer of 16 bytes: Int32 slot 0 = requests in flight; BigInt64 slot 1 = Date.now() when
 * the last request ended. The server thread keeps it on `globalThis` (Next loads instrumentation.ts and the
 * route bundles as separate module instances); the crawl worker receives the same buffer in its workerData and
 * installs it with {@link adoptForegroundCounter}. No Next imports: lib/runs may not depend on the framework.
 * Errors: none thrown (on a runtime without Atomics.waitAsync the wait falls back to a timer).
 */
import { subscribe } from "node:diagnostics_channel";
import type { IncomingMessage, ServerResponse } from "node:http";

const KEY = Symbol.for("sitemap-forge.foreground-counter");
type Holder = { [KEY]?: Int32Array };

/** ms without any request in flight after which the server counts as quiet (see the module doc). */
export const QUIET_MS = 10;

/** A new counter (16 bytes, module doc); tests make their own. */
export function newForegroundCounter(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(16));
}

/** This thread's counter: created on first use (server thread) or adopted from the parent (crawl worker). */
export function foregroundCounter(): Int32Array {
  const g = globalThis as Holder;
  return (g[KEY] ??= newForegroundCounter());
}

/** Date.now() when the last counted request ended (0 = none yet). */
function lastEnd(counter: Int32Array): number {
  return Number(Atomics.load(new BigInt64Array(counter.buffer), 1));
}

/** Makes `buffer` (the parent's counter, from workerData) this thread's counter. */
export function adoptForegroundCounter(buffer: SharedArrayBuffer): void {
  if (buffer.byteLength < 16) throw new RangeError("the foreground counter has 16 bytes");
  (globalThis as Holder)[KEY] = new Int32Array(buffer);
}

/** Requests in flight now (0 when nothing counts them, e.g. a CLI crawl). */
export function foregroundInFlight(counter: Int32Array = foregroundCounter()): number {
  return Atomics.load(counter, 0);
}

/** Marks one request as started; the returned function marks it finished (idempotent) and wakes waiters at 0. */
export function enterForeground(counter: Int32Array = foregroundCounter()): () => void {
  Atomics.add(counter, 0, 1);
  let done = false;
  return () => {
    if (done) return;
    done = true;
    Atomics.store(new BigInt64Array(counter.buffer), 1, BigInt(Date.now()));
    if (Atomics.sub(counter, 0, 1) <= 1) Atomics.notify(counter, 0);
  };
}

/**
 * ms after which a request still in flight stops counting as foreground work (module doc): well above an API call's
 * answer time under load (tens of ms), well below any long poll.
 */
export const FOREGROUND_REQUEST_MS = 250;

let requestCapMs = FOREGROUND_REQUEST_MS;

/** Paths whose requests are not foreground work (the job route: a crawl step may run inside one). */
const NOT_FOREGROUND = /^\/api\/inngest(?:[/?]|$)/;

let installed = false;

/**
 * Counts this process's HTTP requests in {@link foregroundCounter} (module doc). Idempotent: the subscription is made
 * once; `maxRequestMs` (default {@link FOREGROUND_REQUEST_MS}) applies to requests that start after the call (tests).
 */
export function installForegroundCounter(options: { maxRequestMs?: number } = {}): void {
  requestCapMs = options.maxRequestMs ?? FOREGROUND_REQUEST_MS;
  if (installed) return;
  installed = true;
  const counter = foregroundCounter();
  subscribe("http.server.request.start", (message) => {
    const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
    if (NOT_FOREGROUND.test(request.url ?? "")) return;
    const leave = enterForeground(counter);
    const cap = setTimeout(leave, requestCapMs);
    cap.unref();
    // "close" fires for a finished response and for an aborted connection alike.
    response.once("close", () => {
      clearTimeout(cap);
      leave();
    });
  });
}

/**
 * null when the server is quiet (no request in flight, none ended in the last `quietMs`) or `maxMs` ≤ 0: go on at
 * once, no promise. Else a promise that resolves once it is quiet, or after `maxMs`, whichever comes first. Never
 * rejects.
 */
export function yieldToForeground(maxMs: number, counter: Int32Array = foregroundCounter(), quietMs = QUIET_MS): Promise<void> | null {
  const quietFor = () => Date.now() - lastEnd(counter);
  if (maxMs <= 0 || (Atomics.load(counter, 0) <= 0 && quietFor() >= quietMs)) return null;
  return (async () => {
    const until = performance.now() + maxMs;
    for (;;) {
      const seen = Atomics.load(counter, 0);
      const left = until - performance.now();
      if (left <= 0) return;
      if (seen > 0) await waitChange(counter, seen, left);
      else {
        const rest = quietMs - quietFor();
        if (rest <= 0) return;
        await new Promise((r) => setTimeout(r, Math.min(rest, left)));
      }
    }
  })();
}

/** Waits until slot 0 of `counter` is no longer `seen` (a notify) or `ms` passed. */
function waitChange(counter: Int32Array, seen: number, ms: number): Promise<unknown> {
  const waitAsync = (Atomics as { waitAsync?: (a: Int32Array, i: number, v: number, t: number) => { async: boolean; value: unknown } }).waitAsync;
  if (waitAsync) {
    const r = waitAsync(counter, 0, seen, ms);
    return r.async ? (r.value as Promise<unknown>) : Promise.resolve();
  }
  return new Promise((resolve) => setTimeout(resolve, Math.min(ms, 5)));
}
