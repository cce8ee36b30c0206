/**
 * Contract test: a RetryAfterError thrown by a real Inngest function, served by the real `serve()` handler of
 * inngest/next, sets the delay of the local runner's next attempt. The SDK answers with the `retry-after` header
 * (headerKeys.RetryAfter: whole seconds, or an ISO date for a Date); the runner's own back-off here is 50 ms, so a
 * retry sooner than the requested delay means the header was ignored.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Inngest, RetryAfterError } from "inngest";
import { serve } from "inngest/next";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { LocalInngestRunner } from "./local-runner";
import { LocalSendMiddleware } from "./local-send";
import { jobRunIdFor } from "./protocol";
import { asRouteHandler } from "./start-local";

const SIGNING_KEY = `signkey-test-${"cd".repeat(32)}`;
const silent = { info() {}, warn() {}, error() {}, debug() {} };
const attempts = new Map<string, number[]>();
const mark = (k: string) => attempts.set(k, [...(attempts.get(k) ?? []), Date.now()]).get(k)!.length;

const app = new Inngest({ id: "retry-after-test", isDev: false, signingKey: SIGNING_KEY, eventKey: "local", middleware: [LocalSendMiddleware], logger: silent });

/** The step throws RetryAfterError("…", "2s") on its first attempt: the SDK answers 206 StepError + retry-after: 2. */
const stepLevel = app.createFunction({ id: "step-level", retries: 2, triggers: [{ event: "test/step-retry-after" }] }, async ({ event, step }) => {
  const k = (event.data as { k: string }).k;
  return step.run("limited", () => {
    if (mark(k) === 1) throw new RetryAfterError("rate limited", "2s");
    return "done";
  });
});

/** The function body (outside any step) throws RetryAfterError with a Date: a 500 + retry-after: <ISO date>. */
const fnLevel = app.createFunction({ id: "fn-level", retries: 2, triggers: [{ event: "test/fn-retry-after" }] }, async ({ event }) => {
  const { k, until } = event.data as { k: string; until: number };
  if (mark(k) === 1) throw new RetryAfterError("come back later", new Date(until));
  return "done";
});

const handlers = serve({ client: app, functions: [stepLevel, fnLevel], enableUnauthedSync: false });

for (const backend of testBackends()) {
  describe(`RetryAfterError through the local runner on ${backend.name}`, () => {
    const t = useTestDb(backend);
    let runner: LocalInngestRunner;
    beforeAll(async () => {
      runner = new LocalInngestRunner({
        handler: { PUT: asRouteHandler(handlers.PUT), POST: asRouteHandler(handlers.POST) },
        signingKey: SIGNING_KEY,
        db: () => t.db,
        pollIntervalMs: 50,
        backoffMs: () => 50,
        cron: false,
        logger: silent,
      });
      await runner.start();
    });
    afterAll(() => runner?.stop({ drainMs: 1000 }));

    it("waits the retry-after delay (seconds from a step, a date from the function) instead of the back-off", async () => {
      const k1 = `step-${backend.name}-${Date.now()}`;
      const k2 = `fn-${backend.name}-${Date.now()}`;
      const sentAt = Date.now();
      const until = sentAt + 2500;
      await app.send([
        { name: "test/step-retry-after", data: { k: k1 }, id: k1 },
        { name: "test/fn-retry-after", data: { k: k2, until }, id: k2 },
      ]);
      await runner.idle({ timeoutMs: 20_000 });

      const step = await t.db.jobRun.findUniqueOrThrow({ where: { id: jobRunIdFor("retry-after-test-step-level", k1) } });
      expect(step).toMatchObject({ status: "completed", output: "done" });
      const [s1, s2] = attempts.get(k1)!;
      expect(attempts.get(k1)).toHaveLength(2);
      expect(s2 - s1).toBeGreaterThanOrEqual(2000); // "2s" → retry-after: 2 → 2,000 ms, not the 50 ms back-off

      const fn = await t.db.jobRun.findUniqueOrThrow({ where: { id: jobRunIdFor("retry-after-test-fn-level", k2) } });
      expect(fn).toMatchObject({ status: "completed", output: "done" });
      expect(attempts.get(k2)).toHaveLength(2);
      expect(attempts.get(k2)![1]).toBeGreaterThanOrEqual(until - 1000); // the date, to the second the SDK sends
    });
  });
}
