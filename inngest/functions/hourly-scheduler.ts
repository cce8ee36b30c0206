/**
 * `hourly-scheduler`: cron "0 * * * *" (UTC) plus the manual event `schedule/hourly.requested {at?}`; runs one tick of
 * lib/schedule/hourly.ts for the hour slot of the tick (cron: the tick's time; manual: `at` or now).
 * Concurrency limit 1 (one tick at a time per deployment); the SchedulerSlot claim makes a slot run once even across
 * several deployments sharing a database. No function retries: a failed tick leaves its slot claimed (and its error in
 * the job log); the next tick reports nothing missed for it, so check the job log when runsStarted looks short.
 */
import { inngest } from "@/lib/jobs/client";
import { scheduleTickRequested } from "@/lib/jobs/events";
import { runHourlyTick } from "@/lib/schedule/hourly";

export const hourlyScheduler = inngest.createFunction(
  {
    id: "hourly-scheduler",
    name: "Hourly scheduler",
    triggers: [{ cron: "0 * * * *" }, scheduleTickRequested],
    concurrency: { limit: 1 },
    retries: 0,
  },
  async ({ event, step }) => {
    const data = (event.data ?? {}) as { at?: string };
    const at = data.at ? new Date(data.at) : new Date(typeof event.ts === "number" ? event.ts : Date.now());
    return step.run("tick", () => runHourlyTick(Number.isNaN(at.getTime()) ? new Date() : at));
  },
);
