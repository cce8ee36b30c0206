import { describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { createUser } from "@/lib/db/users";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { sitemapsDueAt } from "@/lib/api/runs";
import { claimSchedulerSlot as claimSlot } from "@/lib/db/scheduler-slots";
import { runHourlyTick, scheduleOverview } from "./hourly";

const utc = (s: string) => new Date(`${s}Z`);

for (const backend of testBackends()) {
  describe(`scheduler ticks on ${backend.name}`, () => {
    const t = useTestDb(backend);
    let userId = "";

    const sitemap = async (over: Record<string, unknown>) =>
      getDb().sitemap.create({
        data: { userId, name: "s", startUrl: "https://example.com/", fileName: `f-${Math.random().toString(36).slice(2)}`, ...over },
      });

    it("exactly one of two concurrent ticks claims the slot and starts the planned run once", async () => {
      userId = (await createUser({ email: `s-${Date.now()}@example.com`, password: "correct horse battery" })).id;
      await t.db.schedulerSlot.deleteMany();
      const planned = await sitemap({ exportPlan: [9], timezone: "Europe/Berlin" });
      const other = await sitemap({ exportPlan: [10], timezone: "Europe/Berlin" });
      const inactive = await sitemap({ exportPlan: [9], timezone: "Europe/Berlin", active: false });
      const now = utc("2026-01-15T08:00:05");
      const [a, b] = await Promise.all([runHourlyTick(now), runHourlyTick(now)]);
      expect([a.claimed, b.claimed].sort()).toEqual([false, true]);
      const winner = a.claimed ? a : b;
      expect(winner.started.map((s) => s.sitemapId)).toEqual([planned.id]);
      const runs = await t.db.run.findMany({ where: { sitemapId: { in: [planned.id, other.id, inactive.id] } } });
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({ sitemapId: planned.id, trigger: "schedule", scheduledFor: utc("2026-01-15T08:00:00") });
      const slot = await t.db.schedulerSlot.findUniqueOrThrow({ where: { slot: utc("2026-01-15T08:00:00") } });
      expect(slot).toMatchObject({ missed: false, runsStarted: 1 });
      expect(slot.finishedAt).not.toBeNull();
      // A later tick in the same hour does nothing.
      expect((await runHourlyTick(utc("2026-01-15T08:40:00"))).claimed).toBe(false);
      expect(await claimSlot(utc("2026-01-15T08:00:00"), false)).toBe(false);
      expect(await claimSlot(utc("2026-01-15T08:00:00"), false, "someone")).toBe(false);
      await t.db.run.deleteMany({ where: { sitemapId: planned.id } });
      await t.db.sitemap.update({ where: { id: planned.id }, data: { activeRunId: null } });
    });

    it("a retry by the same owner takes over its own unfinished slot; another owner never does", async () => {
      const s = utc("2030-06-01T00:00:00");
      expect(await claimSlot(s, false, "evt-1")).toBe(true);
      expect(await claimSlot(s, false, "evt-2")).toBe(false);
      expect(await claimSlot(s, false, null)).toBe(false);
      expect(await claimSlot(s, false, "evt-1")).toBe(true); // the crashed tick's retry
      await t.db.schedulerSlot.update({ where: { slot: s }, data: { finishedAt: new Date() } });
      expect(await claimSlot(s, false, "evt-1")).toBe(false); // finished: never again
      await t.db.schedulerSlot.delete({ where: { slot: s } });
    });

    it("after downtime, missed slots are recorded and reported, with one catch-up run per sitemap", async () => {
      await t.db.sitemap.deleteMany({ where: { userId } });
      const twice = await sitemap({ exportPlan: [10, 11], timezone: "UTC" }); // planned in two missed slots
      const now13 = await sitemap({ exportPlan: [13], timezone: "UTC" }); // planned in the current slot only
      const blocked = await sitemap({ exportPlan: [12], timezone: "UTC" });
      const running = await t.db.run.create({ data: { sitemapId: blocked.id, trigger: "api", status: "running" } });
      await t.db.sitemap.update({ where: { id: blocked.id }, data: { activeRunId: running.id } });
      // Last handled slot: 09:00 on Jan 15 (after the previous test's 08:00). Next tick at 13:10 → 10, 11, 12 missed.
      expect((await runHourlyTick(utc("2026-01-15T09:00:00"))).claimed).toBe(true);
      await t.db.feed.create({ data: { userId, name: "News", foundUrl: "https://example.com/news" } });
      await t.db.feed.create({ data: { userId, name: "Off", foundUrl: "https://example.com/old", active: false } });
      const r = await runHourlyTick(utc("2026-01-15T13:10:00"));
      expect(r.claimed).toBe(true);
      expect(r.feedsRefreshed).toBe(1); // the active feed only (lib/feeds/schedule.ts requestDueFeedRefreshes)
      expect((await t.db.schedulerSlot.findUniqueOrThrow({ where: { slot: utc("2026-01-15T13:00:00") } })).feedsRefreshed).toBe(1);
      expect(r.missedSlots).toEqual(["2026-01-15T10:00:00.000Z", "2026-01-15T11:00:00.000Z", "2026-01-15T12:00:00.000Z"]);
      expect(r.started.map((s) => [s.sitemapId, s.catchUp]).sort()).toEqual([[now13.id, false], [twice.id, true]].sort());
      expect(r.skipped).toEqual([{ sitemapId: blocked.id, reason: expect.stringMatching(/already queued or running/) }]);
      const catchUp = await t.db.run.findFirstOrThrow({ where: { sitemapId: twice.id } });
      expect(catchUp.scheduledFor).toEqual(utc("2026-01-15T11:00:00")); // its latest missed slot
      expect(await t.db.run.count({ where: { sitemapId: twice.id } })).toBe(1);
      const missed = await t.db.schedulerSlot.findMany({ where: { missed: true }, orderBy: { slot: "asc" } });
      expect(missed.map((m) => m.slot.toISOString())).toEqual(r.missedSlots);
      expect((missed[0].detail as { planned: string[] }).planned).toEqual([twice.id]);

      const overview = await scheduleOverview(userId, utc("2026-01-15T13:20:00"));
      expect(overview.missedSlots.map((s) => s.slot)).toEqual([...r.missedSlots].reverse());
      expect(overview.recentSlots[0]).toMatchObject({ slot: "2026-01-15T13:00:00.000Z", missed: false, runsStarted: 2 });
      const up = Object.fromEntries(overview.upcoming.map((u) => [u.sitemapId, u.nextRunAt]));
      expect(up[twice.id]).toBe("2026-01-16T10:00:00.000Z");
      expect(up[now13.id]).toBe("2026-01-16T13:00:00.000Z");
      // Another account sees none of these sitemap ids.
      const stranger = (await createUser({ email: `x-${Date.now()}@example.com`, password: "correct horse battery" })).id;
      const theirs = await scheduleOverview(stranger, utc("2026-01-15T13:20:00"));
      expect(theirs.upcoming).toEqual([]);
      expect(JSON.stringify(theirs.missedSlots)).not.toContain(twice.id);
    });

    it("Asia/Kolkata [14]: the scheduler and POST …/generate/hour/{h} agree on the 08:00 UTC slot (14:00 local = 08:30 UTC)", async () => {
      await t.db.sitemap.deleteMany({ where: { userId } });
      const kolkata = await sitemap({ exportPlan: [14], timezone: "Asia/Kolkata" });
      const cron = await sitemap({ exportPlan: [], exportCron: "15 8 * * *", timezone: "UTC" }); // exportCron only
      const day = "2026-02-10";
      // The API's hour answer: due at hour 8, not at hour 9 (the old local-hour check said 9) nor 7.
      expect(await sitemapsDueAt(userId, utc(`${day}T08:00:00`))).toEqual([kolkata.id, cron.id]);
      expect(await sitemapsDueAt(userId, utc(`${day}T09:00:00`))).toEqual([]);
      expect(await sitemapsDueAt(userId, utc(`${day}T07:00:00`))).toEqual([]);
      // The scheduler's tick of the 08:00 slot starts exactly these runs; the 09:00 tick starts none of them.
      const tick8 = await runHourlyTick(utc(`${day}T08:02:00`));
      expect(tick8.started.map((s) => s.sitemapId).sort()).toEqual([kolkata.id, cron.id].sort());
      for (const id of [kolkata.id, cron.id]) {
        await t.db.run.deleteMany({ where: { sitemapId: id } });
        await t.db.sitemap.update({ where: { id }, data: { activeRunId: null } });
      }
      const tick9 = await runHourlyTick(utc(`${day}T09:02:00`));
      expect(tick9.started).toEqual([]);
    });
  });
}
