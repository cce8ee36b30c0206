/**
 * A crawl that would hog the CPU does not slow other users (lib/runs/crawl-thread.ts), on the path of `npm start`:
 * runs started through the API's route handler and driven by the in-process Inngest runner through the real
 * /api/inngest route.
 *
 * 1. A hostile stored rule: `(a+)+$` (regex) written to the database directly (the API refuses it at input). The
 *    run's pre-crawl check refuses it too: the run fails at once, without retries and without fetching a page, with
 *    the rule named; the published files stay.
 * 2. A crawl over its CPU budget (CRAWL_CPU_BUDGET_MS = 200 ms of the worker thread's CPU time, counted from its first
 *    heartbeat, against 450 pages of ~300 KB, which take about 0.6–0.8 s): while the worker crawls,
 *    API calls on this thread answer in < 1 s; the budget then ends the worker: the run fails, without retries, with
 *    `crawl_cpu_budget_exceeded`, its frontier dropped, the claim released, and the files of the previous run untouched.
 * The stall budget against a regex that backtracks inside the worker is tested in lib/runs/crawl-thread.test.ts.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next-auth", async (orig) => ({ ...(await orig<typeof import("next-auth")>()), getServerSession: vi.fn(async () => null) }));

import { GET as getRun } from "@/app/api/v1/runs/[id]/route";
import { GET as listSitemaps, POST as create } from "@/app/api/v1/sitemaps/route";
import { POST as generate } from "@/app/api/v1/sitemaps/[id]/generate/route";
import { page, startSite, type RouteHandler, type TestSite } from "@/tests/helpers/site";
import { waitForRun } from "@/lib/runs/wait";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { useLocalRunner } from "@/tests/helpers/local-runner";
import { ctx, req, seedUser, sitemapBody } from "@/tests/api/helpers";

const HOSTILE = `/${"a".repeat(48)}!`;
// Below the crawler's trap cap for URLs of one shape; each page carries ~300 KB of text, so parsing costs CPU.
const BIG_PAGES = 450;
const FILLER = `<p>${"sitemap ".repeat(40_000)}</p>`;
let site: TestSite;
let filesDir = "";

beforeAll(async () => {
  site = await startSite({
    "/robots.txt": { body: "User-agent: *\nAllow: /\n", type: "text/plain" },
    "/": { body: page(["/about", "/blog", HOSTILE]) },
    "/about": { body: page(["/"]) },
    "/blog": { body: page(["/"]) },
    [HOSTILE]: { body: page() },
    // A heavier section: /big/0 … /big/449, each linking the next ten (bodies made on request).
    ...Object.fromEntries(
      Array.from({ length: BIG_PAGES }, (_, i): [string, RouteHandler] => [
        `/big/${i}`,
        (_req, res) => void res.writeHead(200, { "content-type": "text/html" }).end(page(Array.from({ length: 10 }, (_, k) => `/big/${(i + k + 1) % BIG_PAGES}`), "", FILLER)),
      ]),
    ),
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

    it("a stored hostile rule never runs; a crawl over its CPU budget ends failed while the API stays responsive", { timeout: 90_000 }, async () => {
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

      // 1. The hostile rule, straight into the database: refused before any fetch.
      await t.db.sitemap.update({ where: { id: sm.id }, data: { rules: [{ action: "exclude", pattern: "(a+)+$", syntax: "regex" }] } });
      const homeFetches = () => site.requests.filter((r) => r === "/").length;
      const before = homeFetches();
      const refused = await waitForRun(await start(), 60_000);
      expect(refused.status).toBe("failed");
      expect(refused.error).toMatch(/^Rule 1 \(regex "\(a\+\)\+\$"\) cannot run: The regular expression can take exponential time/);
      expect(homeFetches()).toBe(before);
      expect(snapshotFiles(filesDir)).toEqual(published);

      // 2. A crawl over its CPU budget: the large section, 0.2 s of CPU allowed (start-up is not counted).
      await t.db.sitemap.update({ where: { id: sm.id }, data: { rules: [], startUrl: `${site.origin}/big/0` } });
      vi.stubEnv("CRAWL_CPU_BUDGET_MS", "200");
      // The site serves both backends' describe blocks: count from here.
      const bigBefore = site.requests.filter((r) => r.startsWith("/big/")).length;
      const startBefore = site.requests.filter((r) => r === "/big/0").length;
      const bigFetches = () => site.requests.filter((r) => r.startsWith("/big/")).length - bigBefore;
      const runId = await start();

      const timings: number[] = [];
      let running = 0;
      // At most 20 polls (40 calls): the key's per-minute limit stays far away.
      for (let poll = 0; poll < 20; poll++) {
        const t0 = performance.now();
        const list = await listSitemaps(req("GET", "/api/v1/sitemaps", { key: alice.key }), ctx());
        const one = await getRun(req("GET", `/api/v1/runs/${runId}`, { key: alice.key }), ctx({ id: runId }));
        timings.push(performance.now() - t0);
        expect(list.status).toBe(200);
        expect(one.status).toBe(200);
        const status = ((await one.json()).data as { status: string }).status;
        if (status === "running") running++;
        else if (status !== "queued") break;
        await new Promise((r) => setTimeout(r, 150));
      }
      // Calls were made while the crawl was running, and each answered (two API calls) in well under a second.
      expect(running).toBeGreaterThanOrEqual(1);
      expect(bigFetches()).toBeGreaterThan(0);
      expect(Math.max(...timings)).toBeLessThan(1000);

      const ended = await waitForRun(runId, 60_000);
      expect(ended, `pages fetched: ${bigFetches()}`).toMatchObject({ status: "failed" });
      expect(ended.error).toMatch(/^crawl_cpu_budget_exceeded: the crawl used more than its 0\.2 s of CPU time/);
      // The budget ended it before the section was crawled, and the step was not retried (no second crawl of /big/0).
      expect(bigFetches()).toBeLessThan(BIG_PAGES);
      expect(site.requests.filter((r) => r === "/big/0").length - startBefore).toBe(1);
      const smRow = await t.db.sitemap.findUniqueOrThrow({ where: { id: sm.id } });
      expect(smRow.publishedRunId).toBe(first.id);
      expect(smRow.activeRunId).toBeNull();
      expect(await t.db.crawlFrontier.count({ where: { runId } })).toBe(0);
      expect(snapshotFiles(filesDir)).toEqual(published);
      vi.stubEnv("CRAWL_CPU_BUDGET_MS", "600000");
    });
  });
}
