/**
 * Runs ("protocols"): GET /api/v1/runs with the list grammar, POST /runs/{id}/cancel (queued, running with a real
 * loopback crawl, finished), POST /sitemaps/{id}/generate ?wait and ?subScope, POST /sitemaps/generate/hour/{hour}
 * and /sitemaps/generate/import, and waitForRun.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

vi.mock("next-auth", async (orig) => ({ ...(await orig<typeof import("next-auth")>()), getServerSession: vi.fn(async () => null) }));
const sent: { runId: string; sitemapId: string }[] = [];
const onSend = { fn: null as null | ((d: { runId: string }) => void) };
vi.mock("@/lib/jobs/events", () => ({
  sendGenerateRequested: vi.fn(async (d: { runId: string; sitemapId: string }) => {
    sent.push(d);
    onSend.fn?.(d);
    return { ids: [`generate-${d.runId}`] };
  }),
}));

import { GET as listRuns, POST as postRuns } from "@/app/api/v1/runs/route";
import { GET as getRun } from "@/app/api/v1/runs/[id]/route";
import { GET as getCancel, POST as cancel } from "@/app/api/v1/runs/[id]/cancel/route";
import { POST as create } from "@/app/api/v1/sitemaps/route";
import { POST as generate } from "@/app/api/v1/sitemaps/[id]/generate/route";
import { GET as hourGet, POST as byHour } from "@/app/api/v1/sitemaps/generate/hour/[hour]/route";
import { POST as afterImport } from "@/app/api/v1/sitemaps/generate/import/route";
import { localHour } from "@/lib/api/runs";
import { finishRun } from "@/lib/db/runs";
import { crawlRun, exportRun } from "@/lib/runs/execute";
import { waitForRun } from "@/lib/runs/wait";
import { ZRunDto } from "@/lib/schemas/runs";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { ctx, expectError, expectRateLimitHeaders, mockSession, req, seedUser, sitemapBody } from "./helpers";

/** An endless slow site: page n links to pages 5n+1..5n+5, each answered after 80 ms. */
let server: http.Server;
let origin = "";
beforeAll(async () => {
  server = http.createServer((rq, res) => {
    if (rq.url === "/robots.txt") return res.writeHead(404).end();
    const n = Number((rq.url ?? "/").replace(/^\/p\//, "").replace("/", "0")) || 0;
    const links = [1, 2, 3, 4, 5].map((i) => `<a href="/p/${n * 5 + i}">x</a>`).join("");
    setTimeout(() => res.writeHead(200, { "content-type": "text/html" }).end(`<html><body>${links}</body></html>`), 80);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.CRAWL_ALLOW_HOSTS = new URL(origin).host;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
afterEach(() => {
  mockSession(null);
  onSend.fn = null;
});

for (const backend of testBackends()) {
  describe(`runs core API on ${backend.name}`, () => {
    const t = useTestDb(backend);
    let alice: Awaited<ReturnType<typeof seedUser>>;
    let bob: Awaited<ReturnType<typeof seedUser>>;
    beforeAll(async () => {
      bob = await seedUser();
    });
    beforeEach(async () => {
      alice = await seedUser(); // a fresh key per test (per-minute limit)
    });

    const newSitemap = async (over: Record<string, unknown> = {}, key = alice.key) => {
      const res = await create(req("POST", "/api/v1/sitemaps", { key, body: sitemapBody(over) }), ctx());
      expect(res.status).toBe(201);
      return (await res.json()).data as { id: string };
    };
    const gen = (id: string, qs = "", key = alice.key) => generate(req("POST", `/api/v1/sitemaps/${id}/generate${qs}`, { key }), ctx({ id }));
    const runsOf = async (qs: string, key = alice.key) => {
      const res = await listRuns(req("GET", `/api/v1/runs?${qs}`, { key }), ctx());
      expect(res.status).toBe(200);
      return (await res.json()) as { data: { id: string; sitemapId: string; status: string; number: number }[]; next_cursor: string | null };
    };

    describe("GET /api/v1/runs", () => {
      it("lists every run of the caller's sitemaps only, newest first, with filters, sorts and pages", async () => {
        const a = await newSitemap();
        const b = await newSitemap();
        const other = await newSitemap({}, bob.key);
        const mk = (sitemapId: string, status: "succeeded" | "failed" | "queued", day: number, trigger: "api" | "schedule" = "api") =>
          t.db.run.create({ data: { sitemapId, status, trigger, createdAt: new Date(`2030-01-0${day}T00:00:00Z`), finishedAt: status === "queued" ? null : new Date(`2030-01-0${day}T01:00:00Z`) } });
        const r1 = await mk(a.id, "succeeded", 1);
        const r2 = await mk(a.id, "failed", 2, "schedule");
        const r3 = await mk(b.id, "succeeded", 3);
        const r4 = await mk(b.id, "queued", 4);
        await mk(other.id, "succeeded", 5);
        const all = await runsOf("");
        expect(all.data.map((r) => r.id)).toEqual([r4.id, r3.id, r2.id, r1.id]);
        for (const r of all.data) expect(ZRunDto.strict().parse(r)).toEqual(r);
        expect((await runsOf(`filter[sitemapId]=${a.id}`)).data.map((r) => r.id)).toEqual([r2.id, r1.id]);
        expect((await runsOf("filter[status]=succeeded&sort=createdAt:asc")).data.map((r) => r.id)).toEqual([r1.id, r3.id]);
        expect((await runsOf("filter[trigger]=schedule")).data.map((r) => r.id)).toEqual([r2.id]);
        expect((await runsOf("filter[status][in]=failed,queued&sort=number:asc")).data.map((r) => r.id)).toEqual([r2.id, r4.id]);
        expect((await runsOf("filter[finishedAt]=null")).data.map((r) => r.id)).toEqual([r4.id]);
        expect((await runsOf("filter[createdAt][gte]=2030-01-02&filter[createdAt][lt]=2030-01-04&sort=createdAt:asc")).data.map((r) => r.id)).toEqual([r2.id, r3.id]);
        // finishedAt:desc puts the queued run (no finishedAt) last; pages of 3 then 1
        const p1 = await runsOf("sort=finishedAt:desc&size=3");
        const p2 = await runsOf(`sort=finishedAt:desc&size=3&cursor=${p1.next_cursor}`);
        expect([...p1.data, ...p2.data].map((r) => r.id)).toEqual([r3.id, r2.id, r1.id, r4.id]);
        expect(p2.next_cursor).toBeNull();
      });

      const errors: [string, string, string][] = [
        ["sort=status", "syntax_error", "sort"],
        ["sort=pages:asc", "unknown_field", "pages"],
        ["filter[status][like]=x", "unknown_operation", "filter[status][like]"],
        ["filter[status]=paused", "invalid_value", "filter[status]"],
        ["size=0", "invalid_value", "size"],
      ];
      for (const [qs, code, field] of errors) {
        it(`GET /runs?${qs} → 400 ${code}`, async () => {
          const res = await listRuns(req("GET", `/api/v1/runs?${qs}`, { key: alice.key }), ctx());
          expectRateLimitHeaders(res);
          await expectError(res, 400, code, field);
        });
      }

      it("401 without a key; 405 on POST", async () => {
        await expectError(await listRuns(req("GET", "/api/v1/runs"), ctx()), 401, "unauthorized");
        await expectError(await postRuns(req("POST", "/api/v1/runs", { key: alice.key }), ctx()), 405, "method_not_allowed");
      });
    });

    describe("POST /api/v1/runs/{id}/cancel", () => {
      it("queued → 200 cancelled at once, claim released (generate works again)", async () => {
        const sm = await newSitemap();
        const run = (await (await gen(sm.id)).json()).data;
        const res = await cancel(req("POST", `/api/v1/runs/${run.id}/cancel`, { key: alice.key }), ctx({ id: run.id }));
        expect(res.status).toBe(200);
        expectRateLimitHeaders(res);
        const dto = ZRunDto.parse((await res.json()).data);
        expect(dto).toMatchObject({ id: run.id, status: "cancelled", cancelRequestedAt: expect.any(String), finishedAt: expect.any(String) });
        expect((await t.db.sitemap.findUniqueOrThrow({ where: { id: sm.id } })).activeRunId).toBeNull();
        expect((await gen(sm.id)).status).toBe(202);
        // the job that was already sent finds the run cancelled and does nothing
        expect((await crawlRun(run.id)).skipped).toBe(true);
      });

      it("finished → 409 conflict; another account's or unknown → 404; 405 on GET", async () => {
        const sm = await newSitemap();
        const run = (await (await gen(sm.id)).json()).data;
        await finishRun(run.id, { status: "succeeded", bytesWritten: 1, filesWritten: 1, urlsWritten: 1 });
        await expectError(await cancel(req("POST", `/api/v1/runs/${run.id}/cancel`, { key: alice.key }), ctx({ id: run.id })), 409, "conflict");
        await expectError(await cancel(req("POST", `/api/v1/runs/${run.id}/cancel`, { key: bob.key }), ctx({ id: run.id })), 404, "not_found");
        await expectError(await cancel(req("POST", `/api/v1/runs/nope/cancel`, { key: alice.key }), ctx({ id: "nope" })), 404, "not_found");
        await expectError(await getCancel(req("GET", `/api/v1/runs/${run.id}/cancel`, { key: alice.key }), ctx({ id: run.id })), 405, "method_not_allowed");
      });

      it("running → 202 cancel requested; the crawl stops at its next check and the run ends cancelled, nothing published", async () => {
        const sm = await newSitemap({ startUrl: `${origin}/`, crawl: { maxPages: 5000, concurrency: 2 } });
        const run = (await (await gen(sm.id)).json()).data;
        const crawling = crawlRun(run.id);
        for (let i = 0; i < 100; i++) {
          const r = await t.db.run.findUniqueOrThrow({ where: { id: run.id } });
          if (r.status === "running") break;
          await new Promise((res) => setTimeout(res, 20));
        }
        await new Promise((res) => setTimeout(res, 300));
        const res = await cancel(req("POST", `/api/v1/runs/${run.id}/cancel`, { key: alice.key }), ctx({ id: run.id }));
        expect(res.status).toBe(202);
        const requested = (await res.json()).data;
        expect(requested).toMatchObject({ status: "running", cancelRequestedAt: expect.any(String) });
        const result = await crawling;
        expect(result.skipped).toBe(true);
        const after = await t.db.run.findUniqueOrThrow({ where: { id: run.id } });
        expect(after.status).toBe("cancelled");
        expect(after.pagesFetched).toBeLessThan(200);
        const smRow = await t.db.sitemap.findUniqueOrThrow({ where: { id: sm.id } });
        expect(smRow.activeRunId).toBeNull();
        expect(smRow.publishedRunId).toBeNull();
        expect((await exportRun(run.id)).skipped).toBe(true);
        expect(await t.db.sitemapFile.count({ where: { runId: run.id } })).toBe(0);
        await expectError(await cancel(req("POST", `/api/v1/runs/${run.id}/cancel`, { key: alice.key }), ctx({ id: run.id })), 409, "conflict");
      }, 30_000);
    });

    describe("POST /api/v1/sitemaps/{id}/generate", () => {
      it("?wait=SECONDS answers 200 with the final run when it ends in time", async () => {
        const sm = await newSitemap();
        onSend.fn = ({ runId }) => {
          setTimeout(() => void finishRun(runId, { status: "succeeded", bytesWritten: 10, filesWritten: 1, urlsWritten: 1 }), 300);
        };
        const started = Date.now();
        const res = await gen(sm.id, "?wait=10");
        expect(res.status).toBe(200);
        const run = ZRunDto.parse((await res.json()).data);
        expect(run.status).toBe("succeeded");
        expect(Date.now() - started).toBeLessThan(5_000);
        expect(res.headers.get("location")).toBe(`/api/v1/runs/${run.id}`);
      });

      it("?wait=1 answers 202 with the run as it is when the time is up", async () => {
        const sm = await newSitemap();
        const started = Date.now();
        const res = await gen(sm.id, "?wait=1");
        expect(res.status).toBe(202);
        expect((await res.json()).data.status).toBe("queued");
        expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      });

      it("?subScope=key (repeatable) is recorded on the run in the sitemap's order; unknown key → 422, nothing started", async () => {
        const sm = await newSitemap({
          subScopes: [
            { key: "de", name: "DE", pathPrefix: "/de/" },
            { key: "en", name: "EN", pathPrefix: "/en/" },
            { key: "fr", name: "FR", pathPrefix: "/fr/" },
          ],
        });
        await expectError(await gen(sm.id, "?subScope=de&subScope=xx"), 422, "invalid_value", "subScope");
        expect(await t.db.run.count({ where: { sitemapId: sm.id } })).toBe(0);
        const res = await gen(sm.id, "?subScope=fr&subScope=de");
        expect(res.status).toBe(202);
        expect((await res.json()).data.subScopes).toEqual(["de", "fr"]);
      });

      it("422 on wait outside 0..120; 409 inactive or already running; 404 for others; 403 without credits", async () => {
        const sm = await newSitemap();
        await expectError(await gen(sm.id, "?wait=121"), 422, "invalid_value", "wait");
        await expectError(await gen(sm.id, "?wait=-1"), 422, "invalid_value", "wait");
        expect((await gen(sm.id)).status).toBe(202);
        await expectError(await gen(sm.id), 409, "conflict");
        const inactive = await newSitemap({ active: false });
        await expectError(await gen(inactive.id), 409, "conflict");
        await expectError(await gen(sm.id, "", bob.key), 404, "not_found");
        await t.db.user.update({ where: { id: alice.id }, data: { creditBalance: 0 } });
        const other = await newSitemap();
        await expectError(await gen(other.id), 403, "quota_exceeded");
      });
    });

    describe("POST /api/v1/sitemaps/generate/hour/{hour} and /generate/import", () => {
      const hourCall = (hour: string, key = alice.key) => byHour(req("POST", `/api/v1/sitemaps/generate/hour/${hour}`, { key }), ctx({ hour }));

      it("localHour reads the hour on the sitemap's clock", () => {
        const at = new Date("2030-07-01T10:00:00Z");
        expect(localHour(at, "UTC")).toBe(10);
        expect(localHour(at, "Europe/Berlin")).toBe(12);
        expect(localHour(new Date("2030-01-01T10:00:00Z"), "Europe/Berlin")).toBe(11);
        expect(localHour(at, "Asia/Kolkata")).toBe(15);
        expect(localHour(new Date("2030-07-01T23:00:00Z"), "Asia/Tokyo")).toBe(8);
      });

      it("starts the active sitemaps planned for that hour in their timezone; reports those already running; 202", async () => {
        const slot = new Date();
        slot.setUTCHours(7, 0, 0, 0);
        const tokyoHour = localHour(slot, "Asia/Tokyo");
        const utc = await newSitemap({ exportPlan: [7] });
        const tokyo = await newSitemap({ exportPlan: [tokyoHour], timezone: "Asia/Tokyo" });
        await newSitemap({ exportPlan: [7], timezone: "Asia/Tokyo" }); // 7 on Tokyo's clock is not 07:00 UTC
        await newSitemap({ exportPlan: [8] });
        await newSitemap({ exportPlan: [7], active: false });
        await newSitemap({ exportPlan: [7] }, bob.key);
        const busy = await newSitemap({ exportPlan: [7] });
        const busyRun = (await (await gen(busy.id)).json()).data;

        const res = await hourCall("7");
        expect(res.status).toBe(202);
        expectRateLimitHeaders(res);
        const data = (await res.json()).data;
        expect(data.hour).toBe(7);
        expect(data.scheduledFor).toBe(slot.toISOString());
        expect(data.started.map((r: { sitemapId: string }) => r.sitemapId).sort()).toEqual([utc.id, tokyo.id].sort());
        for (const r of data.started) expect(r).toMatchObject({ trigger: "schedule", status: "queued", scheduledFor: slot.toISOString() });
        expect(data.skipped).toEqual([{ sitemapId: busy.id, reason: "already_running", activeRunId: busyRun.id, message: expect.any(String) }]);
        // a second call: everything due is running now
        const again = (await (await hourCall("07")).json()).data;
        expect(again.started).toEqual([]);
        expect(again.skipped).toHaveLength(3);
      });

      it("404 not_found for hours outside 0..23 or not numbers; 405 on GET; 401 without a key", async () => {
        for (const h of ["24", "-1", "x", "7.5", "100"]) await expectError(await hourCall(h), 404, "not_found");
        await expectError(await hourGet(req("GET", "/api/v1/sitemaps/generate/hour/3", { key: alice.key }), ctx({ hour: "3" })), 405, "method_not_allowed");
        await expectError(await byHour(req("POST", "/api/v1/sitemaps/generate/hour/3"), ctx({ hour: "3" })), 401, "unauthorized");
      });

      it("generate/import starts the caller's active exportAfterImport sitemaps with trigger import", async () => {
        const yes = await newSitemap({ exportAfterImport: true });
        await newSitemap({ exportAfterImport: false });
        await newSitemap({ exportAfterImport: true, active: false });
        await newSitemap({ exportAfterImport: true }, bob.key);
        const res = await afterImport(req("POST", "/api/v1/sitemaps/generate/import", { key: alice.key }), ctx());
        expect(res.status).toBe(202);
        const data = (await res.json()).data;
        expect(data.started.map((r: { sitemapId: string; trigger: string }) => [r.sitemapId, r.trigger])).toEqual([[yes.id, "import"]]);
        expect(data.skipped).toEqual([]);
        const again = (await (await afterImport(req("POST", "/api/v1/sitemaps/generate/import", { key: alice.key }), ctx())).json()).data;
        expect(again.skipped.map((s: { reason: string }) => s.reason)).toEqual(["already_running"]);
        await expectError(await afterImport(req("POST", "/api/v1/sitemaps/generate/import"), ctx()), 401, "unauthorized");
      });
    });

    it("waitForRun: the final run as soon as it ends; 404 for an unknown run", async () => {
      const sm = await newSitemap();
      const run = (await (await gen(sm.id)).json()).data;
      setTimeout(() => void finishRun(run.id, { status: "failed", error: "boom" }), 200);
      const done = await waitForRun(run.id, 10_000, { pollMs: 50 });
      expect(done).toMatchObject({ id: run.id, status: "failed", error: "boom" });
      await expect(waitForRun("nope", 100)).rejects.toMatchObject({ code: "not_found" });
      const got = await getRun(req("GET", `/api/v1/runs/${run.id}`, { key: alice.key }), ctx({ id: run.id }));
      expect((await got.json()).data).toEqual(done);
    });
  });
}
