/**
 * LocalInngestRunner on a real, migrated DB (PGlite, and PostgreSQL with TEST_DATABASE_URL), driving test-only
 * functions through a real `serve()` handler from `inngest/next`. The client is in cloud mode with a signing key, as
 * the app's client is in local mode, so every request the runner makes must be signed correctly.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Inngest, NonRetriableError } from "inngest";
import { serve } from "inngest/next";
import { createDb } from "@/lib/db/client";
import { LocalSendMiddleware, setLocalEventSink } from "./local-send";
import { tryAcquireSchedulerLock } from "./cron-scheduler";
import { LocalInngestRunner, type LocalRunnerOptions } from "./local-runner";
import { jobRunIdFor as runIdFor } from "./protocol";
import { asRouteHandler } from "./start-local";
import { testBackends, useTestDb } from "@/tests/helpers/db";

const SIGNING_KEY = `signkey-test-${"ab".repeat(32)}`;
const silent = { info() {}, warn() {}, error() {}, debug() {} };

// ---- call bookkeeping shared by the test functions -------------------------------------------------------------
const counts = new Map<string, number>();
const hit = (k: string) => counts.set(k, (counts.get(k) ?? 0) + 1).get(k)!;
const count = (k: string) => counts.get(k) ?? 0;
const notes = new Map<string, unknown[]>();
const note = (k: string, v: unknown) => notes.set(k, [...(notes.get(k) ?? []), v]);
const noted = (k: string) => notes.get(k) ?? [];
const uid = () => Math.random().toString(36).slice(2, 10);

// ---- the test app ------------------------------------------------------------------------------------------------
const app = new Inngest({
  id: "runner-test",
  isDev: false,
  signingKey: SIGNING_KEY,
  eventKey: "local",
  middleware: [LocalSendMiddleware],
  logger: silent,
});

type K = { k: string };

const multiStep = app.createFunction({ id: "multi-step", triggers: [{ event: "test/multi" }] }, async ({ event, step }) => {
  const { k } = event.data as K;
  hit(`${k}:body`);
  const a = await step.run("a", () => (hit(`${k}:a`), 1));
  const b = await step.run("b", () => (hit(`${k}:b`), a + 1));
  const c = await step.run("c", () => (hit(`${k}:c`), { sum: a + b }));
  return { a, b, c };
});

const flaky = app.createFunction({ id: "flaky", retries: 3, triggers: [{ event: "test/flaky" }] }, async ({ event, step, attempt }) => {
  const { k, failTimes } = event.data as K & { failTimes: number };
  const v = await step.run("flaky-step", () => {
    note(`${k}:attempts`, attempt);
    if (hit(`${k}:flaky`) <= failTimes) throw new Error(`transient ${k}`);
    return "ok";
  });
  return { v, attempt };
});

const doomed = app.createFunction(
  {
    id: "doomed",
    retries: 1,
    triggers: [{ event: "test/doomed" }],
    onFailure: async ({ event, error }) => {
      const original = event.data.event.data as K;
      note(`${original.k}:onFailure`, { message: error.message, functionId: event.data.function_id, runId: event.data.run_id });
    },
  },
  async ({ event, step }) => {
    const { k, nonRetriable } = event.data as K & { nonRetriable?: boolean };
    await step.run("always-fails", () => {
      hit(`${k}:doomed`);
      throw nonRetriable ? new NonRetriableError(`fatal ${k}`) : new Error(`broken ${k}`);
    });
    return "unreachable";
  },
);

const parallel = app.createFunction({ id: "parallel", triggers: [{ event: "test/parallel" }] }, async ({ event, step }) => {
  const { k } = event.data as K;
  const parts = await Promise.all(["x", "y", "z"].map((p) => step.run(`part-${p}`, () => (hit(`${k}:${p}`), p.toUpperCase()))));
  const joined = await step.run("join", () => (hit(`${k}:join`), parts.join("")));
  return { parts, joined };
});

const sleepy = app.createFunction({ id: "sleepy", triggers: [{ event: "test/sleepy" }] }, async ({ event, step }) => {
  const { k } = event.data as K;
  await step.run("before", () => (hit(`${k}:before`), Date.now()));
  await step.sleep("nap", "1s");
  const after = await step.run("after", () => (hit(`${k}:after`), Date.now()));
  return { after };
});

const fanout = app.createFunction({ id: "fanout", triggers: [{ event: "test/fanout" }] }, async ({ event, step }) => {
  const { k, n } = event.data as K & { n: number };
  hit(`${k}:fanout-body`);
  const { ids } = await step.sendEvent(
    "fan",
    Array.from({ length: n }, (_, i) => ({ name: "test/child", data: { k, i } })),
  );
  return { sent: ids.length };
});

const child = app.createFunction({ id: "child", triggers: [{ event: "test/child" }] }, async ({ event, step }) => {
  const { k, i } = event.data as K & { i: number };
  await step.run("record", () => note(`${k}:children`, i));
  return i;
});

const serial = app.createFunction(
  { id: "serial", concurrency: { key: "event.data.key", limit: 1 }, triggers: [{ event: "test/serial" }] },
  async ({ event, step }) => {
    const { k, key, ms } = event.data as K & { key: string; ms: number };
    await step.run("work", async () => {
      const start = Date.now();
      await new Promise((r) => setTimeout(r, ms));
      note(`${k}:spans`, { key, start, end: Date.now() });
    });
  },
);

const nightly = app.createFunction({ id: "nightly", triggers: [{ cron: "0 3 1 1 *" }] }, async ({ event, step }) => {
  await step.run("tick", () => note("cron:ticks", (event.data as { cron: string }).cron));
  return event.name;
});

const handlers = serve({ client: app, functions: [multiStep, flaky, doomed, parallel, sleepy, fanout, child, serial, nightly], enableUnauthedSync: false });
const route = { PUT: asRouteHandler(handlers.PUT), POST: asRouteHandler(handlers.POST) };

// ---- a second app for the crash/takeover tests (own function ids, so the main runner ignores its runs) -----------
const crashApp = new Inngest({ id: "crash-test", isDev: false, signingKey: SIGNING_KEY, eventKey: "local", logger: silent });
let releaseHang: (v: string) => void = () => {};
const sleeper = crashApp.createFunction({ id: "sleeper", triggers: [{ event: "crash/sleeper" }] }, async ({ event, step }) => {
  const { k } = event.data as K;
  await step.run("before", () => hit(`${k}:before`));
  await step.sleep("nap", "1s");
  await step.run("after", () => hit(`${k}:after`));
  return "woke";
});
const hang = crashApp.createFunction({ id: "hang", triggers: [{ event: "crash/hang" }] }, async ({ event, step }) => {
  const { k } = event.data as K;
  return step.run("maybe-hang", async () => {
    if (hit(`${k}:hang`) === 1) return new Promise<string>((r) => (releaseHang = r)); // the "crashed" process
    return "second runner";
  });
});
const shared = crashApp.createFunction(
  { id: "shared-key", concurrency: { key: "event.data.key", limit: 1 }, triggers: [{ event: "crash/shared" }] },
  async ({ event, step }) => {
    const { k } = event.data as K;
    await step.run("work", async () => {
      const start = Date.now();
      await new Promise((r) => setTimeout(r, 150));
      note(`${k}:spans`, { start, end: Date.now() });
    });
  },
);
const everySecond = crashApp.createFunction({ id: "every-second", triggers: [{ cron: "* * * * * *" }] }, async ({ event, step }) => {
  await step.run("tick", () => note("every-second", event.id));
});
const crashHandlers = serve({ client: crashApp, functions: [sleeper, hang, shared, everySecond], enableUnauthedSync: false });
const crashRoute = { PUT: asRouteHandler(crashHandlers.PUT), POST: asRouteHandler(crashHandlers.POST) };

const fast: Partial<LocalRunnerOptions> = { pollIntervalMs: 100, leaseMs: 2000, backoffMs: () => 50, logger: silent };

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

for (const backend of testBackends()) {
  describe(`LocalInngestRunner on ${backend.name}`, () => {
    const t = useTestDb(backend);
    let runner: LocalInngestRunner;
    const fnId = (id: string) => `runner-test-${id}`;
    const runOf = (fn: string, eventId: string) => t.db.jobRun.findUniqueOrThrow({ where: { id: runIdFor(fnId(fn), eventId) } });

    beforeAll(async () => {
      runner = new LocalInngestRunner({ handler: route, signingKey: SIGNING_KEY, db: () => t.db, ...fast });
      await runner.start();
    });
    afterAll(async () => {
      await runner?.stop({ drainMs: 1000 });
    });

    it("syncs the served functions, including the onFailure function", () => {
      const ids = runner.functions.map((f) => f.id);
      expect(ids).toEqual(expect.arrayContaining([fnId("multi-step"), fnId("doomed"), fnId("doomed-failure"), fnId("nightly")]));
      const failure = runner.functions.find((f) => f.id === fnId("doomed-failure"))!;
      expect(failure.triggers).toEqual([{ event: "inngest/function.failed", expression: `event.data.function_id == '${fnId("doomed")}'` }]);
    });

    it("runs a multi-step function with memoised steps: each step body runs once", async () => {
      const k = uid();
      const { ids } = await app.send({ name: "test/multi", data: { k }, id: `multi-${k}` });
      expect(ids).toEqual([`multi-${k}`]);
      await runner.idle();
      const run = await runOf("multi-step", `multi-${k}`);
      expect(run.status).toBe("completed");
      expect(run.output).toEqual({ a: 1, b: 2, c: { sum: 3 } });
      expect([count(`${k}:a`), count(`${k}:b`), count(`${k}:c`)]).toEqual([1, 1, 1]);
      expect(count(`${k}:body`)).toBeGreaterThanOrEqual(3); // the function body is replayed, the steps are not
      expect(Object.keys(run.steps as object)).toHaveLength(3);
      expect(run.stack).toHaveLength(3);
      expect(run.leaseOwner).toBeNull();
    });

    it("ignores a second event with the same id (idempotent send)", async () => {
      const k = uid();
      await app.send({ name: "test/multi", data: { k }, id: `dup-${k}` });
      await app.send({ name: "test/multi", data: { k }, id: `dup-${k}` });
      await runner.idle();
      expect(count(`${k}:a`)).toBe(1);
      expect(await t.db.jobRun.count({ where: { id: runIdFor(fnId("multi-step"), `dup-${k}`) } })).toBe(1);
    });

    it("retries a step that fails twice, then succeeds (attempt 0, 1, 2; reset after success)", async () => {
      const k = uid();
      await app.send({ name: "test/flaky", data: { k, failTimes: 2 }, id: `flaky-${k}` });
      await runner.idle();
      const run = await runOf("flaky", `flaky-${k}`);
      expect(run.status).toBe("completed");
      expect(run.output).toEqual({ v: "ok", attempt: 0 });
      expect(count(`${k}:flaky`)).toBe(3);
      expect(noted(`${k}:attempts`)).toEqual([0, 1, 2]);
      expect(run.maxAttempts).toBe(4);
    });

    it("fails a run whose retries are exhausted and calls its onFailure handler", async () => {
      const k = uid();
      await app.send({ name: "test/doomed", data: { k }, id: `doomed-${k}` });
      await runner.idle();
      const run = await runOf("doomed", `doomed-${k}`);
      expect(run.status).toBe("failed");
      expect(count(`${k}:doomed`)).toBe(2); // retries: 1 → 2 attempts
      expect((run.error as { message: string }).message).toContain(`broken ${k}`);
      expect(noted(`${k}:onFailure`)).toEqual([{ message: expect.stringContaining(`broken ${k}`), functionId: fnId("doomed"), runId: run.id }]);
      const failureRun = await runOf("doomed-failure", `failed-${run.id}`);
      expect(failureRun.status).toBe("completed");
      expect((failureRun.event as { name: string }).name).toBe("inngest/function.failed");
    });

    it("does not retry a NonRetriableError", async () => {
      const k = uid();
      await app.send({ name: "test/doomed", data: { k, nonRetriable: true } });
      await runner.idle();
      expect(count(`${k}:doomed`)).toBe(1);
      expect(noted(`${k}:onFailure`)).toHaveLength(1);
    });

    it("runs parallel steps (StepPlanned) once each", async () => {
      const k = uid();
      await app.send({ name: "test/parallel", data: { k }, id: `par-${k}` });
      await runner.idle();
      const run = await runOf("parallel", `par-${k}`);
      expect(run.status).toBe("completed");
      expect(run.output).toEqual({ parts: ["X", "Y", "Z"], joined: "XYZ" });
      expect(["x", "y", "z", "join"].map((p) => count(`${k}:${p}`))).toEqual([1, 1, 1, 1]);
    });

    it("sleeps with a persisted wakeAt, then resumes", async () => {
      const k = uid();
      const sentAt = Date.now();
      await app.send({ name: "test/sleepy", data: { k }, id: `sleepy-${k}` });
      const sleeping = await waitFor("the run to sleep", async () => {
        const r = await t.db.jobRun.findUnique({ where: { id: runIdFor(fnId("sleepy"), `sleepy-${k}`) } });
        return r?.status === "sleeping" ? r : null;
      });
      expect(sleeping.wakeAt!.getTime()).toBeGreaterThanOrEqual(sentAt + 1000);
      expect(sleeping.wakeAt!.getTime()).toBeLessThan(Date.now() + 1500);
      expect(sleeping.leaseOwner).toBeNull(); // a sleeping run holds no lease (and no concurrency slot)
      expect(count(`${k}:before`)).toBe(1);
      expect(count(`${k}:after`)).toBe(0);
      await runner.idle();
      const run = await runOf("sleepy", `sleepy-${k}`);
      expect(run.status).toBe("completed");
      expect((run.output as { after: number }).after).toBeGreaterThanOrEqual(sleeping.wakeAt!.getTime());
      expect([count(`${k}:before`), count(`${k}:after`)]).toEqual([1, 1]);
    });

    it("fans out with step.sendEvent: each child run starts exactly once", async () => {
      const k = uid();
      await app.send({ name: "test/fanout", data: { k, n: 3 } });
      await runner.idle();
      expect(noted(`${k}:children`).sort()).toEqual([0, 1, 2]);
      const children = await t.db.jobRun.findMany({ where: { fnId: fnId("child"), event: { path: ["data", "k"], equals: k } } });
      expect(children).toHaveLength(3);
      expect(children.every((c) => c.status === "completed")).toBe(true);
      expect(count(`${k}:fanout-body`)).toBeGreaterThanOrEqual(2);
    });

    it("serialises runs with the same concurrency key (limit 1) but not runs with other keys", async () => {
      const k = uid();
      await app.send([
        { name: "test/serial", data: { k, key: "same", ms: 300 } },
        { name: "test/serial", data: { k, key: "same", ms: 300 } },
        { name: "test/serial", data: { k, key: "other", ms: 300 } },
      ]);
      await runner.idle();
      const spans = noted(`${k}:spans`) as { key: string; start: number; end: number }[];
      expect(spans).toHaveLength(3);
      const [s1, s2] = spans.filter((s) => s.key === "same").sort((a, b) => a.start - b.start);
      expect(s2.start).toBeGreaterThanOrEqual(s1.end); // never overlapping
      const other = spans.find((s) => s.key === "other")!;
      const overlaps = (a: typeof other, b: typeof other) => a.start < b.end && b.start < a.end;
      expect(overlaps(other, s1) || overlaps(other, s2)).toBe(true); // the other key ran alongside
      const keys = await t.db.jobRun.findMany({ where: { fnId: fnId("serial"), event: { path: ["data", "k"], equals: k } }, select: { concurrencyKey: true } });
      expect(keys.map((r) => r.concurrencyKey).sort()).toEqual([`fn:${fnId("serial")}:other`, `fn:${fnId("serial")}:same`, `fn:${fnId("serial")}:same`]);
    });

    it("runs a cron function on a manual trigger, and a scheduled tick only once", async () => {
      expect(runner.isScheduler).toBe(true);
      const before = noted("cron:ticks").length;
      const manual = await runner.triggerCron("nightly");
      expect(manual).toMatch(/^[0-9a-f]{32}$/);
      const at = new Date("2030-01-01T03:00:00.000Z");
      const first = await runner.triggerCron(fnId("nightly"), { at });
      const again = await runner.triggerCron("nightly", { at: new Date(at.getTime() + 200) }); // same tick, another process
      expect(first).not.toBeNull();
      expect(again).toBeNull();
      await runner.idle();
      expect(noted("cron:ticks").slice(before)).toEqual(["0 3 1 1 *", "0 3 1 1 *"]);
      const run = await t.db.jobRun.findUniqueOrThrow({ where: { id: first! } });
      expect(run.status).toBe("completed");
      expect(run.output).toBe("inngest/scheduled.timer");
      await expect(runner.triggerCron("multi-step")).rejects.toThrow(/no cron-triggered function/);
    });

    it("refuses to start when its signing key does not match the app's (401)", async () => {
      const bad = new LocalInngestRunner({ handler: route, signingKey: `signkey-test-${"cd".repeat(32)}`, db: () => t.db, ...fast, routeSends: false });
      await expect(bad.start()).rejects.toThrow(/401/);
      const unsigned = new LocalInngestRunner({ handler: route, db: () => t.db, ...fast, routeSends: false });
      await expect(unsigned.start()).rejects.toThrow(/401/);
    });

    it("resumes a run in a second runner after the first stops mid-sleep", async () => {
      const k = uid();
      const opts = { handler: crashRoute, signingKey: SIGNING_KEY, db: () => t.db, ...fast, routeSends: false, cron: false };
      const first = new LocalInngestRunner(opts);
      await first.start();
      await first.send([{ name: "crash/sleeper", data: { k }, id: `sleeper-${k}` }]);
      const id = runIdFor("crash-test-sleeper", `sleeper-${k}`);
      await waitFor("the run to sleep", async () => (await t.db.jobRun.findUnique({ where: { id } }))?.status === "sleeping");
      await first.stop();
      expect(count(`${k}:before`)).toBe(1);

      const second = new LocalInngestRunner(opts);
      await second.start();
      await second.idle();
      await second.stop();
      const run = await t.db.jobRun.findUniqueOrThrow({ where: { id } });
      expect(run.status).toBe("completed");
      expect(run.output).toBe("woke");
      expect([count(`${k}:before`), count(`${k}:after`)]).toEqual([1, 1]);
    });

    it("takes over a run whose owner died mid-step once the lease expires, and discards the late result", async () => {
      const k = uid();
      const opts = { handler: crashRoute, signingKey: SIGNING_KEY, db: () => t.db, ...fast, leaseMs: 600, routeSends: false, cron: false };
      const first = new LocalInngestRunner(opts);
      await first.start();
      await first.send([{ name: "crash/hang", data: { k }, id: `hang-${k}` }]);
      const id = runIdFor("crash-test-hang", `hang-${k}`);
      await waitFor("the step to start", async () => count(`${k}:hang`) === 1);
      const leased = await t.db.jobRun.findUniqueOrThrow({ where: { id } });
      expect(leased.status).toBe("running");
      expect(leased.leaseOwner).toBe(first.owner);
      await first.stop({ drainMs: 0 }); // abandons the hung run: no release, the lease just runs out

      const second = new LocalInngestRunner(opts);
      await second.start();
      await second.idle();
      const run = await t.db.jobRun.findUniqueOrThrow({ where: { id } });
      expect(run.status).toBe("completed");
      expect(run.output).toBe("second runner");
      expect(count(`${k}:hang`)).toBe(2); // at-least-once: the step ran again

      releaseHang("first runner, too late");
      await new Promise((r) => setTimeout(r, 200));
      expect((await t.db.jobRun.findUniqueOrThrow({ where: { id } })).output).toBe("second runner");
      await second.stop();
    });

    it("two runners on one database never run two runs of one concurrency key at once", async () => {
      const k = uid();
      const opts = { handler: crashRoute, signingKey: SIGNING_KEY, db: () => t.db, ...fast, pollIntervalMs: 30, routeSends: false, cron: false };
      const a = new LocalInngestRunner(opts);
      const b = new LocalInngestRunner(opts);
      await Promise.all([a.start(), b.start()]);
      try {
        await a.send(Array.from({ length: 4 }, () => ({ name: "crash/shared", data: { k, key: "one" } })));
        await Promise.all([a.idle(), b.idle()]);
      } finally {
        await Promise.all([a.stop(), b.stop()]);
      }
      const spans = (noted(`${k}:spans`) as { start: number; end: number }[]).sort((x, y) => x.start - y.start);
      expect(spans).toHaveLength(4);
      for (let i = 1; i < spans.length; i++) expect(spans[i].start).toBeGreaterThanOrEqual(spans[i - 1].end);
    });

    it("a runner with execute: false (APP_ROLE=web) stores the job runs of its sends but drives none; an executing runner does", async () => {
      const k = uid();
      const opts = { handler: crashRoute, signingKey: SIGNING_KEY, db: () => t.db, ...fast, routeSends: false };
      const web = new LocalInngestRunner({ ...opts, execute: false });
      await web.start();
      let worker: LocalInngestRunner | undefined;
      try {
        expect(web.isExecutor).toBe(false);
        expect(web.isScheduler).toBe(false); // no cron jobs either, although the app has a cron function
        await web.send([{ name: "crash/shared", data: { k, key: k } }]);
        await new Promise((r) => setTimeout(r, 600)); // six poll intervals of `fast`
        const row = await t.db.jobRun.findFirstOrThrow({ where: { fnId: "crash-test-shared-key", event: { path: ["data", "k"], equals: k } } });
        expect(row).toMatchObject({ status: "queued", attempt: 0, leaseOwner: null });
        expect(noted(`${k}:spans`)).toHaveLength(0);
        worker = new LocalInngestRunner({ ...opts, cron: false });
        await worker.start();
        await worker.idle();
        expect(noted(`${k}:spans`)).toHaveLength(1);
        expect((await t.db.jobRun.findUniqueOrThrow({ where: { id: row.id } })).status).toBe("completed");
      } finally {
        await web.stop();
        await worker?.stop();
      }
    });

    it("fires real cron ticks (croner, UTC) with one run per tick, and none after stop", async () => {
      const lock = `crash-test-scheduler-${uid()}`; // the main runner holds the default lock
      const cronRunner = new LocalInngestRunner({ handler: crashRoute, signingKey: SIGNING_KEY, db: () => t.db, ...fast, routeSends: false, schedulerLockName: lock });
      await cronRunner.start();
      expect(cronRunner.isScheduler).toBe(true);
      await waitFor("two ticks", async () => noted("every-second").length >= 2, 5000);
      await cronRunner.stop();
      await new Promise((r) => setTimeout(r, 1200));
      const ids = noted("every-second") as string[];
      expect(ids.every((id) => /^cron-crash-test-every-second-\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/.test(id))).toBe(true);
      expect(new Set(ids).size).toBe(ids.length);
      const runs = await t.db.jobRun.count({ where: { fnId: "crash-test-every-second" } });
      await new Promise((r) => setTimeout(r, 1200));
      expect(await t.db.jobRun.count({ where: { fnId: "crash-test-every-second" } })).toBe(runs); // stopped: no new ticks
      notes.delete("every-second");
      await t.db.jobRun.deleteMany({ where: { fnId: "crash-test-every-second" } });
    });

    if (backend.name === "postgres") {
      it("lets only one DB session hold an advisory lock", async () => {
        const name = `test-lock-${uid()}`;
        const a = createDb(t.url).db;
        const b = createDb(t.url).db;
        try {
          // Interactive transactions pin one pooled connection each, i.e. two DB sessions.
          await a.$transaction(async (txA) => {
            expect(await tryAcquireSchedulerLock(txA, name)).toBe(true);
            await b.$transaction(async (txB) => {
              expect(await tryAcquireSchedulerLock(txB, name)).toBe(false);
            });
            await txA.$executeRaw`SELECT pg_advisory_unlock_all()`;
          });
        } finally {
          await a.$disconnect();
          await b.$disconnect();
        }
      });
    }
  });
}

describe("event buffering before a runner is attached", () => {
  it("buffers app.send() and delivers the events when a sink attaches", async () => {
    await setLocalEventSink(undefined);
    const { ids } = await app.send({ name: "test/nowhere", data: { n: 1 } });
    expect(ids).toHaveLength(1);
    const got: unknown[] = [];
    await setLocalEventSink({ send: async (events) => (got.push(...events), { ids: events.map((e) => e.id) }) });
    expect(got).toEqual([{ name: "test/nowhere", data: { n: 1 }, id: ids[0], ts: expect.any(Number) }]);
    await setLocalEventSink(undefined);
  });
});
