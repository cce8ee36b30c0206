/**
 * GET /api/v1/usage `history` (per-UTC-day API calls and credits debited, `?days=`) and `recentDebits` (newest credit
 * ledger entries with their run and sitemap), through the real route handler on both database backends.
 */
import { afterEach, describe, expect, it, vi } from "vitest";

vi.mock("next-auth", async (orig) => ({ ...(await orig<typeof import("next-auth")>()), getServerSession: vi.fn(async () => null) }));

import { POST as createSitemap } from "@/app/api/v1/sitemaps/route";
import { GET as usage } from "@/app/api/v1/usage/route";
import { readUsageHistory } from "@/lib/db/usage";
import { setUsageCounter } from "@/tests/helpers/usage";
import { debitRunCredits } from "@/lib/quota/credits";
import { ZUsageDto } from "@/lib/schemas/usage";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { ctx, expectError, mockSession, req, seedUser, sitemapBody } from "./helpers";

afterEach(() => mockSession(null));

const DAY = 86_400_000;
const utcDay = (t: number) => Math.floor(t / DAY) * DAY;
const isoDate = (t: number) => new Date(t).toISOString().slice(0, 10);
const getUsage = async (key: string, query = "") => {
  const res = await usage(req("GET", `/api/v1/usage${query}`, { key }), ctx());
  return { res, body: res.status === 200 ? ZUsageDto.strict().parse((await res.json()).data) : null };
};

for (const backend of testBackends()) {
  describe(`usage history on ${backend.name}`, () => {
    const t = useTestDb(backend);

    it("14 UTC days, oldest first and today last, with each day's counter (0 where none) and today's calls including this one", async () => {
      const u = await seedUser();
      const today = utcDay(Date.now());
      await setUsageCounter({ subject: `user:${u.id}`, window: "day", start: new Date(today - 3 * DAY), count: 42 });
      await setUsageCounter({ subject: `user:${u.id}`, window: "day", start: new Date(today - 13 * DAY), count: 7 });
      // Outside the window (14 days ago) and another account's counter: neither shows.
      await setUsageCounter({ subject: `user:${u.id}`, window: "day", start: new Date(today - 14 * DAY), count: 999 });
      await setUsageCounter({ subject: "user:someone-else", window: "day", start: new Date(today - 3 * DAY), count: 500 });
      // Minute windows are not days.
      await setUsageCounter({ subject: `user:${u.id}`, window: "minute", start: new Date(today - 3 * DAY), count: 5 });

      const { res, body } = await getUsage(u.key);
      expect(res.status).toBe(200);
      const h = body!.history;
      expect(h).toHaveLength(14);
      expect(h.map((d) => d.date)).toEqual(Array.from({ length: 14 }, (_, i) => isoDate(today - (13 - i) * DAY)));
      expect(h[13]).toEqual({ date: isoDate(today), calls: 1, creditsDebited: 0 });
      expect(h[13].calls).toBe(body!.callsToday);
      expect(h[10]).toEqual({ date: isoDate(today - 3 * DAY), calls: 42, creditsDebited: 0 });
      expect(h[0]).toEqual({ date: isoDate(today - 13 * DAY), calls: 7, creditsDebited: 0 });
      expect(h.reduce((n, d) => n + d.calls, 0)).toBe(1 + 42 + 7);
    });

    it("?days= picks the span (1..90); anything else is 422 invalid_value", async () => {
      const u = await seedUser();
      const today = utcDay(Date.now());
      await setUsageCounter({ subject: `user:${u.id}`, window: "day", start: new Date(today - 60 * DAY), count: 11 });
      let r = await getUsage(u.key, "?days=1");
      expect(r.body!.history).toEqual([{ date: isoDate(today), calls: 1, creditsDebited: 0 }]);
      r = await getUsage(u.key, "?days=90");
      expect(r.body!.history).toHaveLength(90);
      expect(r.body!.history[29]).toEqual({ date: isoDate(today - 60 * DAY), calls: 11, creditsDebited: 0 });
      for (const bad of ["0", "91", "abc", "2.5"]) {
        const { res } = await getUsage(u.key, `?days=${bad}`);
        await expectError(res, 422, "invalid_value", "days");
      }
    });

    it("credits debited per day and the newest debits with run number and sitemap name; deleted runs read as null", async () => {
      const u = await seedUser();
      mockSession(u.id);
      const sm = await createSitemap(req("POST", "/api/v1/sitemaps", { body: sitemapBody({ name: "Shop" }), headers: { origin: "http://localhost:3000" } }), ctx());
      expect(sm.status).toBe(201);
      const sitemapId = (await sm.json()).data.id as string;
      mockSession(null);
      const run = await t.db.run.create({ data: { sitemapId, trigger: "api", status: "succeeded" } });
      await debitRunCredits({ userId: u.id, runId: run.id, pagesFetched: 250 }); // 3 credits
      await debitRunCredits({ userId: u.id, runId: "gone-run", pagesFetched: 0 }); // 1 credit, its run does not exist
      // An older debit, 2 days ago, and a refund on the same day.
      const twoDaysAgo = new Date(utcDay(Date.now()) - 2 * DAY + 3_600_000);
      await t.db.creditEntry.create({ data: { userId: u.id, runId: null, delta: -10, reason: "run", createdAt: twoDaysAgo } });
      await t.db.creditEntry.create({ data: { userId: u.id, runId: null, delta: 4, reason: "refund", createdAt: twoDaysAgo } });

      const { body } = await getUsage(u.key);
      const h = body!.history;
      expect(h[13].creditsDebited).toBe(4);
      expect(h[11]).toMatchObject({ date: isoDate(twoDaysAgo.getTime()), creditsDebited: 6 });
      expect(h[12].creditsDebited).toBe(0);

      expect(body!.recentDebits).toHaveLength(4);
      const [newest, second] = body!.recentDebits;
      expect(newest).toMatchObject({ runId: "gone-run", runNumber: null, sitemapId: null, sitemapName: null, credits: -1, reason: "run" });
      expect(second).toMatchObject({ runId: run.id, runNumber: run.number, sitemapId, sitemapName: "Shop", credits: -3, reason: "run" });
      expect(new Date(second.at).getTime()).toBeLessThanOrEqual(new Date(newest.at).getTime());
      expect(body!.recentDebits.map((d) => d.credits).slice(2).sort()).toEqual([-10, 4]);
    });

    it("recentDebits holds at most 10 entries, newest first, and never another account's", async () => {
      const u = await seedUser();
      const other = await seedUser();
      await debitRunCredits({ userId: other.id, runId: "theirs", pagesFetched: 0 });
      const base = Date.now() - 3_600_000;
      for (let i = 0; i < 12; i++) {
        await t.db.creditEntry.create({ data: { userId: u.id, runId: `r${i}`, delta: -(i + 1), reason: "run", createdAt: new Date(base + i * 1000) } });
      }
      const { body } = await getUsage(u.key);
      expect(body!.recentDebits.map((d) => d.runId)).toEqual(["r11", "r10", "r9", "r8", "r7", "r6", "r5", "r4", "r3", "r2"]);
      expect(body!.recentDebits.some((d) => d.runId === "theirs")).toBe(false);
    });

    it("readUsageHistory places a counter by its UTC day at a fixed clock", async () => {
      const u = await seedUser();
      const now = Date.UTC(2030, 0, 15, 23, 59, 0);
      await setUsageCounter({ subject: `user:${u.id}`, window: "day", start: new Date(Date.UTC(2030, 0, 15)), count: 3 });
      await setUsageCounter({ subject: `user:${u.id}`, window: "day", start: new Date(Date.UTC(2030, 0, 13)), count: 9 });
      expect(await readUsageHistory({ userId: u.id, days: 3, now })).toEqual([
        { date: "2030-01-13", calls: 9, creditsDebited: 0 },
        { date: "2030-01-14", calls: 0, creditsDebited: 0 },
        { date: "2030-01-15", calls: 3, creditsDebited: 0 },
      ]);
    });
  });
}
