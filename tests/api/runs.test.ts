import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next-auth", async (orig) => ({ ...(await orig<typeof import("next-auth")>()), getServerSession: vi.fn(async () => null) }));

import { GET as getRun } from "@/app/api/v1/runs/[id]/route";
import { POST as create } from "@/app/api/v1/sitemaps/route";
import { GET as read } from "@/app/api/v1/sitemaps/[id]/route";
import { POST as generate } from "@/app/api/v1/sitemaps/[id]/generate/route";
import { GET as listRuns } from "@/app/api/v1/sitemaps/[id]/runs/route";
import { finishRun } from "@/lib/db/runs";
import { ZRunDto } from "@/lib/schemas/runs";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { ctx, expectError, expectRateLimitHeaders, mockSession, req, seedUser, sitemapBody } from "./helpers";

afterEach(() => mockSession(null));

for (const backend of testBackends()) {
  describe(`runs API on ${backend.name}`, () => {
    useTestDb(backend);
    let alice: Awaited<ReturnType<typeof seedUser>>;
    let bob: Awaited<ReturnType<typeof seedUser>>;
    beforeAll(async () => {
      alice = await seedUser();
      bob = await seedUser();
    });

    const newSitemap = async (over: Record<string, unknown> = {}, key = alice.key) =>
      (await (await create(req("POST", "/api/v1/sitemaps", { key, body: sitemapBody(over) }), ctx())).json()).data as { id: string };
    const gen = (id: string, key?: string, headers?: Record<string, string>) =>
      generate(req("POST", `/api/v1/sitemaps/${id}/generate`, { key, headers }), ctx({ id }));

    it("POST generate → 202 with the queued run and Location; GET /runs/{id} returns it; the sitemap shows it as lastRun", async () => {
      const sm = await newSitemap();
      const res = await gen(sm.id, alice.key);
      expect(res.status).toBe(202);
      expectRateLimitHeaders(res);
      const run = ZRunDto.strict().parse((await res.json()).data);
      expect(run).toMatchObject({ sitemapId: sm.id, status: "queued", trigger: "api", startedAt: null, finishedAt: null, error: null });
      expect(run.progress).toEqual({ pagesFetched: 0, pagesQueued: 0, urlsListed: 0, urlsExcluded: 0 });
      expect(res.headers.get("location")).toBe(`/api/v1/runs/${run.id}`);

      const got = await getRun(req("GET", `/api/v1/runs/${run.id}`, { key: alice.key }), ctx({ id: run.id }));
      expect(got.status).toBe(200);
      expectRateLimitHeaders(got);
      expect((await got.json()).data).toEqual(run);

      const dto = (await (await read(req("GET", `/api/v1/sitemaps/${sm.id}`, { key: alice.key }), ctx({ id: sm.id }))).json()).data;
      expect(dto.lastRun).toEqual(run);
    });

    it("409 conflict naming the active run (details.activeRunId) while one is queued or running; 202 again once it finished", async () => {
      const sm = await newSitemap();
      const first = (await (await gen(sm.id, alice.key)).json()).data;
      const res = await gen(sm.id, alice.key);
      expectRateLimitHeaders(res);
      const err = await expectError(res, 409, "conflict");
      expect((err as { details?: unknown }).details).toEqual({ activeRunId: first.id });
      await finishRun(first.id, { status: "failed", error: "boom" });
      expect((await gen(sm.id, alice.key)).status).toBe(202);
    });

    it("concurrent generate requests start exactly one run", async () => {
      const sm = await newSitemap();
      const statuses = (await Promise.all(Array.from({ length: 5 }, () => gen(sm.id, alice.key)))).map((r) => r.status);
      expect(statuses.sort()).toEqual([202, 409, 409, 409, 409]);
    });

    it("409 conflict when the sitemap is inactive, and no run is created", async () => {
      const sm = await newSitemap({ active: false });
      const err = await expectError(await gen(sm.id, alice.key), 409, "conflict");
      expect(err).not.toHaveProperty("details"); // nothing is running: the envelope has no details
      const runs = await (await listRuns(req("GET", `/api/v1/sitemaps/${sm.id}/runs`, { key: alice.key }), ctx({ id: sm.id }))).json();
      expect(runs).toEqual({ data: [], next_cursor: null });
    });

    it("another account's sitemap and run are 404 (generate, run, run list)", async () => {
      const sm = await newSitemap();
      const run = (await (await gen(sm.id, alice.key)).json()).data;
      await expectError(await gen(sm.id, bob.key), 404, "not_found");
      await expectError(await getRun(req("GET", `/api/v1/runs/${run.id}`, { key: bob.key }), ctx({ id: run.id })), 404, "not_found");
      await expectError(await listRuns(req("GET", `/api/v1/sitemaps/${sm.id}/runs`, { key: bob.key }), ctx({ id: sm.id })), 404, "not_found");
      await expectError(await getRun(req("GET", "/api/v1/runs/nope", { key: alice.key }), ctx({ id: "nope" })), 404, "not_found");
      await expectError(await gen("nope", alice.key), 404, "not_found");
    });

    it("GET /sitemaps/{id}/runs lists runs newest first with a cursor", async () => {
      const sm = await newSitemap();
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const run = (await (await gen(sm.id, alice.key)).json()).data;
        ids.push(run.id);
        await finishRun(run.id, { status: "cancelled" });
      }
      const path = `/api/v1/sitemaps/${sm.id}/runs`;
      const p1 = await (await listRuns(req("GET", `${path}?limit=2`, { key: alice.key }), ctx({ id: sm.id }))).json();
      expect(p1.data.map((r: { id: string }) => r.id)).toEqual([ids[2], ids[1]]);
      expect(p1.data[0].status).toBe("cancelled");
      const p2 = await (await listRuns(req("GET", `${path}?limit=2&cursor=${p1.next_cursor}`, { key: alice.key }), ctx({ id: sm.id }))).json();
      expect(p2).toMatchObject({ data: [{ id: ids[0] }], next_cursor: null });
      await expectError(await listRuns(req("GET", `${path}?limit=500`, { key: alice.key }), ctx({ id: sm.id })), 400, "invalid_value", "limit");
    });

    it("a run started from the dashboard session is recorded with trigger dashboard", async () => {
      const sm = await newSitemap();
      mockSession(alice.id);
      const res = await gen(sm.id, undefined, { origin: "http://localhost:3000" });
      expect(res.status).toBe(202);
      expect((await res.json()).data.trigger).toBe("dashboard");
    });
  });
}
