/**
 * Test helper, run as a child process by lib/runs/durability.test.ts so a test can SIGKILL a real worker mid-step:
 *
 *   node --import tsx tests/helpers/step-child.ts <crawl|export> <runId>
 *   node --import tsx tests/helpers/step-child.ts crawl-steps <runId> <stepMs> <firstStep>
 *
 * `crawl-steps` runs the crawl as bounded steps (lib/runs/execute.ts crawlStep firstStep, firstStep + 1, …, each at most
 * stepMs) as the job does, printing {"event":"step","step":k,"done":…} after each; lib/runs/crawl-steps.test.ts
 * SIGKILLs it between two steps (env STEP_CHILD_HOLD_AFTER=k: it waits after step k) and lets another process continue.
 *
 * Env: DATABASE_URL (a `pglite:<dir>` folder or a PostgreSQL URL), FILES_DIR, APP_URL, CRAWL_ALLOW_HOSTS.
 * Prints one JSON line per event on stdout: {"event":"start"} right before the step starts (the database is open),
 * then {"event":"done","result":…}; exits 0, or 1 with {"event":"error","message":…}.
 * Start it with `process.execPath --import tsx`, not with the `tsx` CLI: the CLI is a wrapper process, and a SIGKILL
 * sent to it leaves the real worker running (and two processes writing to one PGlite folder corrupt it).
 */
import { getDb, getPglite } from "@/lib/db/client";
import { unlockPgliteDir } from "@/lib/db/pglite-lock";
import { crawlRun, crawlStep, exportRun } from "@/lib/runs/execute";

const [step, runId] = process.argv.slice(2);
const say = (o: Record<string, unknown>) => process.stdout.write(JSON.stringify(o) + "\n");

try {
  if ((step !== "crawl" && step !== "export" && step !== "crawl-steps") || !runId) throw new Error("usage: step-child.ts <crawl|export|crawl-steps> <runId>");
  await getDb().$queryRaw`SELECT 1`;
  say({ event: "start", pid: process.pid });
  let result: unknown;
  if (step === "crawl-steps") {
    const stepMs = Number(process.argv[4]);
    for (let k = Number(process.argv[5]); ; k++) {
      const r = await crawlStep(runId, k, { stepMs });
      say({ event: "step", step: k, done: r.done });
      // Env STEP_CHILD_HOLD_AFTER=k: wait after step k, between two steps, for the test's SIGKILL.
      if (!r.done && k === Number(process.env.STEP_CHILD_HOLD_AFTER)) await new Promise(() => setInterval(() => {}, 1000));
      if (r.done) {
        result = r;
        break;
      }
    }
  } else result = step === "crawl" ? await crawlRun(runId) : await exportRun(runId);
  say({ event: "done", result });
  await getDb().$disconnect();
  const pglite = getPglite();
  if (pglite) {
    await pglite.close();
    unlockPgliteDir((process.env.DATABASE_URL ?? "").slice("pglite:".length));
  }
  process.exit(0);
} catch (err) {
  say({ event: "error", message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
  process.exit(1);
}
