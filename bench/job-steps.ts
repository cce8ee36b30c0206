/**
 * What a job run of many memoised steps costs the in-process Inngest runner (lib/jobs/local-runner.ts, executor.ts),
 * for the crawl as bounded steps (inngest/functions/generate-sitemap.ts: `crawl-1` … `crawl-n`, each returning a small
 * JSON object): the SDK replays the function on every call with every memoised result, and the runner saves the job
 * run's whole step state after each step, so the cost per step grows with the steps before it.
 *
 *   node --import tsx bench/job-steps.ts   (npm run bench:job-steps; env STEPS=10,100,999, BENCH_DATABASE_URL for PostgreSQL too)
 *
 * Per backend (an in-memory PGlite; a throw-away database on BENCH_DATABASE_URL when set) and per N of STEPS: a test
 * function runs N steps `crawl-k` whose bodies do nothing but return the shape of a paused crawl step's result
 * (`{skipped, done, pagesFetched, urlsListed, urlsExcluded}`, ~90 bytes), driven by a LocalInngestRunner through a real
 * signed `serve()` handler. Prints one line per run: wall time, ms per step (mean, and of the last 10 % of steps), the
 * stored step state's size (JobRun.steps, bytes). The crawl work of a real step comes on top (seconds per step).
 * Errors: exits 1.
 */
import { randomBytes } from "node:crypto";
import os from "node:os";
import { Inngest } from "inngest";
import { serve } from "inngest/next";
import pg from "pg";

const STEPS = (process.env.STEPS ?? "10,100,999").split(",").map(Number);
const SIGNING_KEY = `signkey-bench-${"cd".repeat(32)}`;
const silent = { info() {}, warn() {}, error() {}, debug() {} };

const { createDb } = await import("@/lib/db/client");
const { deployMigrations } = await import("@/lib/db/migrate");
const { LocalSendMiddleware } = await import("@/lib/jobs/local-send");
const { LocalInngestRunner } = await import("@/lib/jobs/local-runner");
const { asRouteHandler } = await import("@/lib/jobs/start-local");
const { jobRunIdFor } = await import("@/lib/jobs/protocol");

const app = new Inngest({ id: "bench-steps", isDev: false, signingKey: SIGNING_KEY, eventKey: "local", middleware: [LocalSendMiddleware], logger: silent });
/** When each step body ran (ms since the epoch), by step number. */
let stamps: number[] = [];
const loop = app.createFunction({ id: "loop", triggers: [{ event: "bench/loop" }] }, async ({ event, step }) => {
  const n = (event.data as { n: number }).n;
  for (let k = 1; k <= n; k++) {
    await step.run(`crawl-${k}`, () => {
      stamps[k] = Date.now();
      return { skipped: false, done: k === n, pagesFetched: 1234 * k, urlsListed: 1200 * k, urlsExcluded: 34 * k };
    });
  }
  return { n };
});
const handlers = serve({ client: app, functions: [loop], enableUnauthedSync: false });
const route = { PUT: asRouteHandler(handlers.PUT), POST: asRouteHandler(handlers.POST) };

async function backends(): Promise<{ name: string; url: string; drop?: () => Promise<void> }[]> {
  const list: { name: string; url: string; drop?: () => Promise<void> }[] = [{ name: "pglite", url: "pglite:memory" }];
  const base = process.env.BENCH_DATABASE_URL;
  if (base) {
    const name = `sf_bench_steps_${randomBytes(4).toString("hex")}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const u = new URL(base);
    u.pathname = `/${name}`;
    list.push({
      name: "postgres",
      url: u.toString(),
      drop: async () => {
        const c = new pg.Client({ connectionString: base });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      },
    });
  }
  return list;
}

try {
  for (const b of await backends()) {
    const { db, pglite } = createDb(b.url);
    if (pglite) await deployMigrations({ pglite });
    else await deployMigrations({ url: b.url });
    const runner = new LocalInngestRunner({ handler: route, signingKey: SIGNING_KEY, db: () => db, pollIntervalMs: 20, cron: false, logger: silent });
    await runner.start();
    for (const n of STEPS) {
      stamps = [];
      const load = os.loadavg()[0].toFixed(2);
      const eventId = `loop-${n}-${randomBytes(3).toString("hex")}`;
      const t0 = Date.now();
      await runner.send([{ name: "bench/loop", id: eventId, data: { n } }]);
      await runner.idle({ timeoutMs: 1_800_000 });
      const wall = Date.now() - t0;
      const job = await db.jobRun.findUniqueOrThrow({ where: { id: jobRunIdFor("bench-steps-loop", eventId) } });
      if (job.status !== "completed") throw new Error(`job run ${job.id}: ${job.status} ${JSON.stringify(job.error)}`);
      const tail = Math.max(1, Math.floor(n / 10));
      const lastMs = (stamps[n] - stamps[n - tail]) / tail;
      console.log(
        `${b.name}\tsteps ${n}\twall ${wall} ms\t${(wall / n).toFixed(1)} ms/step\tlast 10 %: ${lastMs.toFixed(1)} ms/step\tJobRun.steps ${JSON.stringify(job.steps).length} bytes\tload ${load} → ${os.loadavg()[0].toFixed(2)}`,
      );
    }
    await runner.stop({ drainMs: 1000 });
    await db.$disconnect();
    await pglite?.close();
    await b.drop?.();
  }
  process.exit(0);
} catch (err) {
  console.error("[bench:job-steps]", err);
  process.exit(1);
}
