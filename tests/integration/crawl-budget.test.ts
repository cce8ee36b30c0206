/**
 * A crawl with a hostile rule does not slow other users, and ends by its budget (lib/runs/crawl-thread.ts).
 *
 * The rule `(a+)+$` (regex) is written to the database directly (the API rejects such patterns at input); the
 * loopback site's start page links to `/aaaa…a!`, on which the rule backtracks for hours. The run is started
 * through the API's route handler and driven by the in-process Inngest runner through the real /api/inngest route,
 * as in `npm start`. While the crawl worker is stuck in the regex, API calls on this thread answer in < 1 s; the
 * stall budget (CRAWL_STALL_MS, 5 s here) then ends the worker: the run fails, without retries, with
 * `crawl_cpu_budget_exceeded`, its frontier dropped, the claim released, and the files published by the previous
 * run untouched.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next-auth", async (orig) => ({ ...(await orig<typeof import("next-auth")>()), getServerSession: vi.fn(async () => null) }));

import { GET as getRun } from "@/app/api/v1/runs/[id]/route";
import { GET as listSitemaps, POST as create } from "@/app/api/v1/sitemaps/route";
import { POST as generate } from "@/app/api/v1/sitemaps/[id]/generate/route";
import { page, startSite, type TestSite } from "@/tests/helpers/site";
import { waitForRun } from "@/lib/runs/wait";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { useLocalRunner } from "@/tests/helpers/local-runner";
import { ctx, req, seedUser, sitemapBody } from "@/tests/api/helpers";

const HOSTILE = `/${"a".repeat(48)}!`;
let site: TestSite;
let filesDir = "";

beforeAll(async () => {
  site = await startSite({
    "/robots.txt": { body: "User-agent: *\nAllow: /\n", type: "text/plain" },
    "/": { body: page(["/about", "/blog", HOSTILE]) },
    "/about": { body: page(["/"]) },
    "/blog": { body: page(["/"]) },
    [HOSTILE]: { body: page() },
  });
  filesDir = fs.mkdtempSync(path.join(os.tmpdir(), "sf-budget-"));
  vi.stubEnv("CRAWL_ALLOW_HOSTS", site.hostPort);
  vi.stubEnv("FILES_DIR", filesDir);
  vi.stubEnv("APP_URL", "http://sitemaps.test");
  vi.stubEnv("CRAWL_STALL_MS", "5000");
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await site.close();
});

/** Every file under `dir`, relative path → bytes. */
function snapshotFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = fs.readFileSync(p).toString("base64");
    }
  };
  walk(dir);
  return out;
}

for (const backend of testBackends()) {
  describe(`a hostile crawl rule on ${backend.name}`, () => {
    const t = useTestDb(backend);
    useLocalRunner(() => t.db, { backoffMs: () => 100 });

    it("leaves the API responsive while its crawl is stuck, and the run ends failed by the budget", { timeout: 90_000 }, async () => {
      const alice = await seedUser();
      const sm = (await (await create(req("POST", "/api/v1/sitemaps", { key: alice.key, body: sitemapBody({ startUrl: `${site.origin}/` }) }), ctx())).json())
        .data as { id: string };
      const start = async () => {
        const res = await generate(req("POST", `/api/v1/sitemaps/${sm.id}/generate`, { key: alice.key }), ctx({ id: sm.id }));
        expect(res.status).toBe(202);
        return ((await res.json()).data as { id: string }).id;
      };

      // A first run publishes files.
      const first = await waitForRun(await start(), 60_000);
      expect(first.status).toBe("succeeded");
      const published = snapshotFiles(filesDir);
      expect(Object.keys(published).some((f) => f.endsWith(".xml"))).toBe(true);

      // The hostile rule, straight into the database.
      await t.db.sitemap.update({ where: { id: sm.id }, data: { rules: [{ action: "exclude", pattern: "(a+)+$", syntax: "regex" }] } });
      const homeFetches = () => site.requests.filter((r) => r === "/").length;
      const before = homeFetches();
      const runId = await start();
      // The start page is fetched: from now on the worker is screening its links, stuck in the rule.
      while (homeFetches() === before) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 200));

      const timings: number[] = [];
      let running = 0;
      const until = Date.now() + 3000;
      while (Date.now() < until) {
        const t0 = performance.now();
        const list = await listSitemaps(req("GET", "/api/v1/sitemaps", { key: alice.key }), ctx());
        const one = await getRun(req("GET", `/api/v1/runs/${runId}`, { key: alice.key }), ctx({ id: runId }));
        timings.push(performance.now() - t0);
        expect(list.status).toBe(200);
        expect(one.status).toBe(200);
        if (((await one.json()).data as { status: string }).status === "running") running++;
        await new Promise((r) => setTimeout(r, 100));
      }
      // Calls were made while the crawl was running, and each answered (two API calls) in well under a second.
      expect(running).toBeGreaterThanOrEqual(2);
      expect(Math.max(...timings)).toBeLessThan(1000);

      const ended = await waitForRun(runId, 60_000);
      expect(ended.status).toBe("failed");
      expect(ended.error).toMatch(/^crawl_cpu_budget_exceeded: one step of the crawl kept the CPU busy for more than 5 s/);
      // Final on the first failure: the step was not retried (a retry would fetch the start page again).
      await new Promise((r) => setTimeout(r, 500));
      expect(homeFetches()).toBe(before + 1);
      const smRow = await t.db.sitemap.findUniqueOrThrow({ where: { id: sm.id } });
      expect(smRow.publishedRunId).toBe(first.id);
      expect(smRow.activeRunId).toBeNull();
      expect(await t.db.crawlFrontier.count({ where: { runId } })).toBe(0);
      expect(snapshotFiles(filesDir)).toEqual(published);
    });
  });
}
