/**
 * The `generate-sitemap` function's loop of bounded crawl steps (inngest/functions/generate-sitemap.ts), on the path
 * of `npm start`: runs started through the API's route handler and driven by the in-process Inngest runner
 * (lib/jobs/local-runner.ts) through the real /api/inngest route, against a loopback site of 60 pages answered after
 * 40 ms each (≥ 2.4 s of crawling at one request at a time).
 *
 * 1. CRAWL_STEP_SECONDS=1: the run succeeds after several crawl steps (memoised `crawl-1` … `crawl-n`, then `export`),
 *    lists every page, and each memoised step result stays small (counts only).
 * 2. CRAWL_MAX_STEPS=3 (two crawl steps and the export): the run fails with crawl_step_limit_exceeded, its hint naming
 *    CRAWL_STEP_SECONDS, without retries; the frontier is dropped and the claim released.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next-auth", async (orig) => ({ ...(await orig<typeof import("next-auth")>()), getServerSession: vi.fn(async () => null) }));

import { POST as create } from "@/app/api/v1/sitemaps/route";
import { POST as generate } from "@/app/api/v1/sitemaps/[id]/generate/route";
import { page, startSite, type RouteHandler, type TestSite } from "@/tests/helpers/site";
import { waitForRun } from "@/lib/runs/wait";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { useLocalRunner } from "@/tests/helpers/local-runner";
import { ctx, req, seedUser, sitemapBody } from "@/tests/api/helpers";

const PAGES = 60;
const LATENCY_MS = 40;
let site: TestSite;

beforeAll(async () => {
  const slow =
    (body: string): RouteHandler =>
    (_req, res) =>
      void setTimeout(() => res.writeHead(200, { "content-type": "text/html" }).end(body), LATENCY_MS);
  site = await startSite({
    "/robots.txt": { body: "User-agent: *\nAllow: /\n", type: "text/plain" },
    // A binary tree (depth ≤ 5, within the default maxDepth): /p/i links to /p/2i+1, /p/2i+2 and back to the start.
    ...Object.fromEntries(
      Array.from({ length: PAGES }, (_, i): [string, RouteHandler] => [
        `/p/${i}`,
        slow(page([2 * i + 1, 2 * i + 2].filter((j) => j < PAGES).map((j) => `/p/${j}`).concat("/p/0"))),
      ]),
    ),
  });
  vi.stubEnv("CRAWL_ALLOW_HOSTS", site.hostPort);
  vi.stubEnv("FILES_DIR", fs.mkdtempSync(path.join(os.tmpdir(), "sf-steps-job-")));
  vi.stubEnv("APP_URL", "http://sitemaps.test");
  vi.stubEnv("CRAWL_STEP_SECONDS", "1");
  // Each step starts a crawl worker: at the default nice value a loaded machine starves those cold starts.
  vi.stubEnv("CRAWL_WORKER_NICE", "0");
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await site.close();
});

for (const backend of testBackends()) {
  describe(`generate-sitemap in bounded crawl steps on ${backend.name}`, () => {
    const t = useTestDb(backend);
    const runner = useLocalRunner(() => t.db, { backoffMs: () => 100 });

    /** The memoised step results of the job run of `runId` (the SDK keys them by hashed step id). */
    const memoised = async (runId: string) => {
      const jobs = await t.db.jobRun.findMany({ where: { fnId: { endsWith: "generate-sitemap" } } });
      const job = jobs.find((j) => (j.event as { data?: { runId?: string } }).data?.runId === runId)!;
      expect(job, "the run's job run").toBeTruthy();
      return { job, steps: Object.values(job.steps as Record<string, { type: string; data?: Record<string, unknown> }>) };
    };

    it("a run crawls in several memoised steps of at most CRAWL_STEP_SECONDS, then exports", { timeout: 240_000 }, async () => {
      const alice = await seedUser();
      const body = sitemapBody({ startUrl: `${site.origin}/p/0` });
      const sm = (await (await create(req("POST", "/api/v1/sitemaps", { key: alice.key, body: { ...body, crawl: { concurrency: 1 } } }), ctx())).json()).data as { id: string };
      const res = await generate(req("POST", `/api/v1/sitemaps/${sm.id}/generate`, { key: alice.key }), ctx({ id: sm.id }));
      expect(res.status).toBe(202);
      const runId = ((await res.json()).data as { id: string }).id;
      const run = await waitForRun(runId, 200_000);
      expect(run).toMatchObject({ status: "succeeded", progress: { urlsListed: PAGES } });

      await runner.current.idle({ timeoutMs: 30_000 }); // the job run is saved after its last step
      const { job, steps } = await memoised(runId);
      expect(job.status).toBe("completed");
      const crawlSteps = steps.filter((s) => s.type === "data" && s.data && "done" in s.data);
      expect(crawlSteps.length, JSON.stringify(steps)).toBeGreaterThanOrEqual(2);
      expect(crawlSteps.filter((s) => s.data!.done === true)).toHaveLength(1);
      expect(steps).toHaveLength(crawlSteps.length + 1); // + export
      // Small step results: the state the runner sends with each call grows by a few hundred bytes per step.
      for (const s of crawlSteps.filter((x) => x.data!.done === false)) expect(JSON.stringify(s).length).toBeLessThan(200);
      expect(JSON.stringify(job.steps).length).toBeLessThan(600 * steps.length);
    });

    it("a crawl unfinished at CRAWL_MAX_STEPS fails with crawl_step_limit_exceeded, without retries", { timeout: 90_000 }, async () => {
      vi.stubEnv("CRAWL_MAX_STEPS", "3");
      try {
        const bob = await seedUser();
        const body = sitemapBody({ startUrl: `${site.origin}/p/0` });
        const sm = (await (await create(req("POST", "/api/v1/sitemaps", { key: bob.key, body: { ...body, crawl: { concurrency: 1 } } }), ctx())).json()).data as { id: string };
        const res = await generate(req("POST", `/api/v1/sitemaps/${sm.id}/generate`, { key: bob.key }), ctx({ id: sm.id }));
        const runId = ((await res.json()).data as { id: string }).id;
        const run = await waitForRun(runId, 60_000);
        expect(run.status).toBe("failed");
        const row = await t.db.run.findUniqueOrThrow({ where: { id: runId } });
        expect(row.errorCode).toBe("crawl_step_limit_exceeded");
        expect(row.error).toMatch(/not finished after 2 steps of at most 1 s/);
        expect(row.errorHint).toMatch(/raise CRAWL_STEP_SECONDS/);
        expect(await t.db.crawlFrontier.count({ where: { runId } })).toBe(0);
        expect((await t.db.sitemap.findUniqueOrThrow({ where: { id: sm.id } })).activeRunId).toBeNull();
        await runner.current.idle({ timeoutMs: 30_000 });
        const { job } = await memoised(runId);
        expect(job.status).toBe("failed");
        expect(job.attempt).toBe(0); // final at once: no retry of the step
      } finally {
        vi.stubEnv("CRAWL_MAX_STEPS", "1000");
      }
    });
  });
}
