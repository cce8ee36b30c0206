/**
 * The in-process Inngest runner (lib/jobs/local-runner.ts) driving the app's real functions through the real signed
 * route (app/api/inngest/route.ts), for API tests whose requests start jobs (runs, submissions, webhook deliveries,
 * scheduler ticks). Fast polling and back-off, no crons, silent.
 *
 *   const t = useTestDb(backend);
 *   const runner = useLocalRunner(() => t.db, { backoffMs: () => 100 });
 *   … await runner.current.idle();
 */
import { afterAll, beforeAll } from "vitest";
import * as inngestRoute from "@/app/api/inngest/route";
import type { Db } from "@/lib/db/client";
import { localSigningKey } from "@/lib/jobs/client";
import { LocalInngestRunner } from "@/lib/jobs/local-runner";
import { asRouteHandler } from "@/lib/jobs/start-local";

const silent = { info() {}, warn() {}, error() {}, debug() {} };

type RunnerOptions = ConstructorParameters<typeof LocalInngestRunner>[0];

/** Starts a runner before the enclosing describe block's tests and stops it (draining up to 2 s) after them. */
export function useLocalRunner(db: () => Db, overrides: Partial<RunnerOptions> = {}): { readonly current: LocalInngestRunner } {
  const state = {} as { runner: LocalInngestRunner };
  beforeAll(async () => {
    state.runner = new LocalInngestRunner({
      handler: { PUT: asRouteHandler(inngestRoute.PUT), POST: asRouteHandler(inngestRoute.POST) },
      signingKey: localSigningKey(),
      db,
      pollIntervalMs: 50,
      cron: false,
      logger: silent,
      ...overrides,
    });
    await state.runner.start();
  });
  afterAll(async () => {
    await state.runner?.stop({ drainMs: 2000 });
  });
  return { get current() { return state.runner; } };
}
