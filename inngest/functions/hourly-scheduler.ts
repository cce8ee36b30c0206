/**
 * `hourly-scheduler`: cron "0 * * * *" (UTC) plus the manual event `schedule/hourly.requested {at?}`; runs one tick of
 * lib/schedule/hourly.ts for the hour slot of the tick (cron: the tick's time; manual: `at` or now).
 * Concurrency limit 1 (one tick at a time per deployment); the SchedulerSlot claim makes a slot run once even across
 * several deployments sharing a database. Retries: 2 — the tick claims its slot with the event id as owner, so a retry
 * of a tick that failed half-way takes its unfinished slot over, and no other tick can.
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
    retries: 2,
  },
  async ({ event, step }) => {
    const data = (event.data ?? {}) as { at?: string };
    const at = data.at ? new Date(data.at) : new Date(typeof event.ts === "number" ? event.ts : Date.now());
    const owner = event.id ?? `tick-${at.toISOString()}`;
    return step.run("tick", () => runHourlyTick(Number.isNaN(at.getTime()) ? new Date() : at, { owner }));
  },
);
