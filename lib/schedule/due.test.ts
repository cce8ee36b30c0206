import { describe, expect, it } from "vitest";
import { isDueInSlot, nextPlannedRun, slotOf, type PlanFields } from "./due";

const utc = (s: string) => new Date(`${s}Z`);
const plan = (exportPlan: number[], timezone = "UTC", exportCron: string | null = null): PlanFields => ({ exportPlan, exportCron, timezone });
/** The UTC hours (0..23) of `day` in which the plan is due. */
const dueHours = (p: PlanFields, day: string) =>
  Array.from({ length: 24 }, (_, h) => h).filter((h) => isDueInSlot(p, utc(`${day}T${String(h).padStart(2, "0")}:00:00`)));

describe("isDueInSlot: one rule for the scheduler and POST …/generate/hour/{h}", () => {
  it("slotOf floors to the UTC hour; any instant in the slot gives the same answer", () => {
    expect(slotOf(utc("2026-01-15T08:59:59.999")).toISOString()).toBe("2026-01-15T08:00:00.000Z");
    expect(isDueInSlot(plan([14], "Asia/Kolkata"), utc("2026-03-01T08:45:00"))).toBe(true);
  });

  it("9:00 Europe/Berlin is due at 08:00 UTC in winter (CET) and 07:00 UTC in summer (CEST)", () => {
    expect(dueHours(plan([9], "Europe/Berlin"), "2026-01-15")).toEqual([8]);
    expect(dueHours(plan([9], "Europe/Berlin"), "2026-07-15")).toEqual([7]);
  });

  it("half- and quarter-hour zones fall in the slot of the UTC hour they start in", () => {
    expect(dueHours(plan([14], "Asia/Kolkata"), "2026-03-01")).toEqual([8]); // +05:30 → 08:30 UTC
    expect(dueHours(plan([14], "Asia/Kathmandu"), "2026-03-01")).toEqual([8]); // +05:45 → 08:15 UTC
    expect(dueHours(plan([0], "Asia/Kathmandu"), "2026-03-01")).toEqual([18]); // 00:00 local → 18:15 UTC the day before
    expect(dueHours(plan([14], "America/St_Johns"), "2026-01-15")).toEqual([17]); // −03:30 → 17:30 UTC
    expect(dueHours(plan([14], "America/St_Johns"), "2026-07-15")).toEqual([16]); // −02:30 (NDT) → 16:30 UTC
  });

  it("Europe/Berlin spring change (29 Mar 2026, 02:00→03:00): the skipped 02:00 runs at 03:00 CEST, once", () => {
    expect(dueHours(plan([2], "Europe/Berlin"), "2026-03-29")).toEqual([1]); // 03:00 CEST = 01:00 UTC
    expect(nextPlannedRun(plan([2], "Europe/Berlin"), utc("2026-03-28T12:00:00"))?.toISOString()).toBe("2026-03-29T01:00:00.000Z");
    expect(dueHours(plan([3], "Europe/Berlin"), "2026-03-29")).toEqual([1]); // 03:00 CEST itself
    expect(dueHours(plan([2], "Europe/Berlin"), "2026-03-30")).toEqual([0]); // the next day: 02:00 CEST
  });

  it("Europe/Berlin autumn change (25 Oct 2026, 03:00→02:00): the repeated 02:00 runs once, at its first occurrence", () => {
    expect(dueHours(plan([2], "Europe/Berlin"), "2026-10-25")).toEqual([0]); // 02:00 CEST = 00:00 UTC, not 01:00 UTC
    expect(dueHours(plan([3], "Europe/Berlin"), "2026-10-25")).toEqual([2]); // 03:00 CET
  });

  it("America/New_York across both changes (8 Mar and 1 Nov 2026)", () => {
    expect(dueHours(plan([2], "America/New_York"), "2026-03-08")).toEqual([7]); // skipped 02:00 → 03:00 EDT = 07:00 UTC
    expect(dueHours(plan([1], "America/New_York"), "2026-11-01")).toEqual([5]); // repeated 01:00: first (EDT) only
    expect(dueHours(plan([6], "America/New_York"), "2026-11-02")).toEqual([11]); // EST afterwards
  });

  it("exportCron counts too (minute 30 is inside the slot), in the sitemap's zone, with the plan hours", () => {
    const weekdays = plan([], "America/New_York", "30 6 * * 1-5"); // 06:30 New York = 11:30 UTC in winter
    expect(dueHours(weekdays, "2026-01-14")).toEqual([11]); // a Wednesday
    expect(dueHours(weekdays, "2026-01-17")).toEqual([]); // Saturday
    expect(nextPlannedRun(weekdays, utc("2026-01-14T12:00:00"))?.toISOString()).toBe("2026-01-15T11:30:00.000Z");
    expect(dueHours(plan([0, 12], "UTC", "45 20 * * *"), "2026-05-05")).toEqual([0, 12, 20]);
    expect(dueHours(plan([], "Asia/Kolkata", "0 14 * * *"), "2026-03-01")).toEqual([8]);
  });

  it("no plan, an invalid cron or an unknown zone plans nothing", () => {
    expect(nextPlannedRun(plan([]), utc("2026-01-01T00:00:00"))).toBeNull();
    expect(dueHours(plan([], "UTC", "not a cron"), "2026-01-01")).toEqual([]);
    expect(dueHours(plan([3], "Mars/Olympus"), "2026-01-01")).toEqual([]);
  });
});
