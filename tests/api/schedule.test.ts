/**
 * GET /api/v1/schedule and the `hourly-scheduler` Inngest function (manual event `schedule/hourly.requested`) driven
 * by the local runner, on PGlite and PostgreSQL.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next-auth", async (orig) => ({ ...(await orig<typeof import("next-auth")>()), getServerSession: vi.fn(async () => null) }));

import { GET as getSchedule, POST as postSchedule } from "@/app/api/v1/schedule/route";
import { getDb } from "@/lib/db/client";
import { inngest } from "@/lib/jobs/client";
import { scheduleTickRequested } from "@/lib/jobs/events";
import { ZScheduleDto } from "@/lib/api/openapi-submit";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { useLocalRunner } from "@/tests/helpers/local-runner";
import { ctx, expectError, expectRateLimitHeaders, mockSession, req, seedUser } from "./helpers";

afterEach(() => mockSession(null));
// Slots near today (the overview reports missed slots of the last 30 days), three days ahead so no real tick interferes.
const HOUR = 3_600_000;
const base = Math.floor(Date.now() / HOUR) * HOUR + 72 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();
const berlinHour = Number(new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Berlin", hour: "2-digit", hourCycle: "h23" }).format(new Date(base)));
// Blocked by the SSRF guard (not allow-listed), so the generate runs the scheduler starts send nothing anywhere.
const START_URL = "http://127.0.0.1:9/";

for (const backend of testBackends()) {
  describe(`schedule on ${backend.name}`, () => {
    const t = useTestDb(backend);
    const runner = useLocalRunner(() => t.db);
    let alice: Awaited<ReturnType<typeof seedUser>>;

    beforeAll(async () => {
      alice = await seedUser();
    });

    it("registers hourly-scheduler with the hourly cron, the manual event and concurrency 1", () => {
      const fn = runner.current.functions.find((f) => f.id === "sitemap-forge-hourly-scheduler")!;
      expect(fn.triggers).toEqual(expect.arrayContaining([{ cron: "0 * * * *" }, { event: "schedule/hourly.requested" }]));
      expect(fn.concurrency).toMatchObject({ limit: 1 });
    });

    it("two manual ticks for the same hour: one claims the slot, the planned run starts once", async () => {
      const db = getDb();
      const sm = await db.sitemap.create({
        data: { userId: alice.id, name: "Berlin", startUrl: START_URL, fileName: `b-${Date.now()}`, exportPlan: [berlinHour], timezone: "Europe/Berlin" },
      });
      const at = iso(base + 30_000);
      await inngest.send([
        scheduleTickRequested.create({ at }, { id: "tick-a" }),
        scheduleTickRequested.create({ at }, { id: "tick-b" }),
      ]);
      await runner.current.idle({ timeoutMs: 20_000 });
      const jobs = await db.jobRun.findMany({ where: { fnId: "sitemap-forge-hourly-scheduler" } });
      expect(jobs.map((j) => j.status)).toEqual(["completed", "completed"]);
      expect(jobs.map((j) => (j.output as { claimed: boolean }).claimed).sort()).toEqual([false, true]);
      const runs = await db.run.findMany({ where: { sitemapId: sm.id } });
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({ trigger: "schedule", scheduledFor: new Date(base) });
    });

    it("GET /api/v1/schedule: upcoming run per planned sitemap, recent and missed slots", async () => {
      const db = getDb();
      await db.sitemap.updateMany({ where: { userId: alice.id }, data: { activeRunId: null } });
      await db.sitemap.create({ data: { userId: alice.id, name: "Cron", startUrl: START_URL, fileName: `c-${Date.now()}`, exportCron: "15 */6 * * *" } });
      // The scheduler was down for two hours.
      await inngest.send(scheduleTickRequested.create({ at: iso(base + 3 * HOUR + 300_000) }, { id: "tick-c" }));
      await runner.current.idle({ timeoutMs: 20_000 });
      const res = await getSchedule(req("GET", "/api/v1/schedule", { key: alice.key }), ctx());
      expect(res.status).toBe(200);
      expectRateLimitHeaders(res);
      const body = ZScheduleDto.strict().parse((await res.json()).data);
      expect(body.upcoming.map((u) => u.name).sort()).toEqual(["Berlin", "Cron"]);
      for (const u of body.upcoming) expect(Date.parse(u.nextRunAt!)).toBeGreaterThan(Date.now() - 1000);
      expect(body.missedSlots.map((s) => s.slot)).toEqual([iso(base + 2 * HOUR), iso(base + HOUR)]);
      expect(body.recentSlots[0]).toMatchObject({ slot: iso(base + 3 * HOUR), missed: false });
    });

    it("errors: 401 without a key, 405 for other methods", async () => {
      await expectError(await getSchedule(req("GET", "/api/v1/schedule"), ctx()), 401, "unauthorized");
      await expectError(await postSchedule(req("POST", "/api/v1/schedule", { key: alice.key }), ctx()), 405, "method_not_allowed");
    });
  });
}
