/**
 * The process's local runner (INNGEST_MODE=local): one LocalInngestRunner per process, kept on globalThis (Next.js
 * can load this module from several bundles, and HMR reloads it), driving the functions of app/api/inngest/route.ts.
 *
 * - `startLocalRunner(opts)` builds the runner around the route, signs with `localSigningKey()`, syncs, attaches
 *   `inngest.send()` to it, takes the scheduler lock for cron, and resumes unfinished runs; with `execute: false`
 *   (instrumentation.ts passes it for APP_ROLE=web) it only stores the job runs of sent events. It is idempotent:
 *   concurrent and repeated calls share one runner. A failed start is not cached, so the next call tries again.
 * - `getLocalRunner()` returns the started runner, or undefined.
 * - `stopLocalRunner()` stops it and forgets it (tests, scripts).
 *
 * Transport (`localTransport()`):
 * - `in-process` (default): the route's exported PUT/POST handlers, loaded by the caller's `route()` (instrumentation.ts
 *   passes `() => import("@/app/api/inngest/route")`: lib/ never imports app/), are called with `Request` objects.
 *   No network is used.
 * - `http` (default when NODE_ENV=development): the same signed requests are sent with fetch to this server's own
 *   route, `INNGEST_LOCAL_URL` or `http://127.0.0.1:$PORT/api/inngest`. Under `next dev`, instrumentation.ts
 *   imports its own copy of the route, which HMR never refreshes, so in-process calls would keep running the code the
 *   server started with. Over loopback HTTP the runner uses the current code. It re-syncs on every send and retries
 *   its first sync for up to 2 minutes until the server is listening. Responses have no timeout, so a long step is
 *   never cut off. Override with `INNGEST_LOCAL_TRANSPORT=in-process|http`.
 *
 * Errors: `startLocalRunner` rejects when INNGEST_MODE is not local, when the in-process transport gets no `route`,
 * and when the sync or the DB fails.
 */
import { Agent, fetch as undiciFetch } from "undici";
import { isLocalMode, localSigningKey } from "./client";
import { LocalInngestRunner, type LocalRunnerOptions } from "./local-runner";
import type { RouteHandler } from "./protocol";

export type LocalTransport = "in-process" | "http";

/** A `serve()` route module's handlers as Next exports them (`(req, ctx) => Response`). */
// Next's handlers take a NextRequest and a context this runner never builds: typed loosely on purpose.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyHandler = (req: any, ctx: any) => Promise<Response>;
export type ServeRoute = { PUT: AnyHandler; POST: AnyHandler };

type Holder = { runner?: LocalInngestRunner; starting?: Promise<LocalInngestRunner> };
const holder: Holder = ((globalThis as typeof globalThis & { __sitemapForgeLocalRunner?: Holder }).__sitemapForgeLocalRunner ??= {});

/** `INNGEST_LOCAL_TRANSPORT` if set, else `http` under NODE_ENV=development, else `in-process`. */
export function localTransport(env: NodeJS.ProcessEnv = process.env): LocalTransport {
  const v = env.INNGEST_LOCAL_TRANSPORT?.trim();
  if (v === "http" || v === "in-process") return v;
  return env.NODE_ENV === "development" ? "http" : "in-process";
}

/** Adapts a `serve()` handler from `inngest/next` (`(req: NextRequest, res) => Response`) to a plain Request handler. */
export const asRouteHandler =
  (h: AnyHandler): RouteHandler =>
  (req: Request) =>
    h(req, undefined);

/** A RouteHandler that sends the request over HTTP with no headers/body timeout (steps may run for minutes). */
function httpHandler(): RouteHandler {
  const dispatcher = new Agent({ headersTimeout: 0, bodyTimeout: 0 });
  return async (req) => {
    const res = await undiciFetch(req.url, { method: req.method, headers: [...req.headers], body: await req.text(), dispatcher });
    return res as unknown as Response;
  };
}

/**
 * Starts (once) and returns the process's local runner. `opts` apply to the first call only; `route` loads the serve
 * route's module (required for the in-process transport).
 */
export function startLocalRunner(
  opts: Partial<Omit<LocalRunnerOptions, "handler" | "signingKey">> & { transport?: LocalTransport; route?: () => Promise<ServeRoute> } = {},
): Promise<LocalInngestRunner> {
  if (holder.runner) return Promise.resolve(holder.runner);
  if (!isLocalMode) return Promise.reject(new Error("startLocalRunner() needs INNGEST_MODE=local"));
  holder.starting ??= (async () => {
    const { transport = localTransport(), route: loadRoute, ...rest } = opts;
    let runnerOpts: LocalRunnerOptions;
    if (transport === "http") {
      const h = httpHandler();
      runnerOpts = {
        handler: { PUT: h, POST: h },
        url: process.env.INNGEST_LOCAL_URL || `http://127.0.0.1:${process.env.PORT || 3000}/api/inngest`,
        syncRetryMs: 120_000,
        resyncOnSend: true,
        signingKey: localSigningKey(),
        ...rest,
      };
    } else {
      if (!loadRoute) throw new Error("startLocalRunner(): the in-process transport needs `route` (the serve route module's loader)");
      const route = await loadRoute();
      runnerOpts = { handler: { PUT: asRouteHandler(route.PUT), POST: asRouteHandler(route.POST) }, signingKey: localSigningKey(), ...rest };
    }
    const runner = new LocalInngestRunner(runnerOpts);
    if (process.env.INNGEST_DEV || process.env.INNGEST_EVENT_KEY) {
      runner.log.warn("INNGEST_DEV/INNGEST_EVENT_KEY are set but INNGEST_MODE is local: jobs run in this process, not on Inngest");
    }
    await runner.start();
    runner.log.info(`local runner started (${transport}, ${runner.url})`);
    holder.runner = runner;
    return runner;
  })().finally(() => {
    holder.starting = undefined;
  });
  return holder.starting;
}

/** The started runner of this process, if any. */
export function getLocalRunner(): LocalInngestRunner | undefined {
  return holder.runner;
}

/** Stops the process's runner (see LocalInngestRunner.stop) and forgets it, so a later start builds a new one. */
export async function stopLocalRunner(opts?: { drainMs?: number }): Promise<void> {
  const runner = holder.runner ?? (await holder.starting?.catch(() => undefined));
  holder.runner = undefined;
  await runner?.stop(opts);
}
