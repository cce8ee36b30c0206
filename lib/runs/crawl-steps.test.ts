/**
 * A crawl run as bounded steps (lib/runs/execute.ts crawlStep; inngest/functions/generate-sitemap.ts loops over them)
 * against the shared synthetic site (../shared/bench/site/server.mjs: robots.txt Disallow, noindex, canonical
 * duplicates, nofollow, query variants, 301s, 404s, PDFs, Last-Modified), served with per-request latency so a crawl
 * takes seconds. On an in-memory PGlite and, with TEST_DATABASE_URL, on PostgreSQL.
 *
 * - ≥ 5 steps (each an eighth of the one-step crawl's time) give byte-identical files and the same run as one unbounded step of a twin sitemap:
 *   inventory (status, reason, listed, depth, inlinks, foundOn, lastmod, target per URL), counts, warnings, diff and
 *   audit findings. Concurrency 1, because with several requests at a time "found on" (the first page whose link was
 *   handled) depends on response order, between two one-step crawls too.
 * - A step that pauses at the step cap fails the run with crawl_step_limit_exceeded and its hint; the frontier and
 *   the step bookkeeping are dropped.
 * - A worker (child process, tests/helpers/step-child.ts) SIGKILLed between step 2 and step 3 is taken over by a
 *   second process from step 3; the files equal the one-step crawl's.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimRun, getRun } from "@/lib/db/runs";
import { RunFailedError } from "@/lib/core/run-outcome";
import { testBackends } from "@/tests/helpers/db";
import { sharedTestDatabase, type SharedTestDatabase } from "@/tests/helpers/shared-db";
import { startSyntheticSite, type SyntheticSite } from "@/tests/helpers/synthetic-site";
import { crawlRun, crawlStep, exportRun, failRun } from "./execute";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const CHILD = path.join(REPO, "tests", "helpers", "step-child.ts");
const PAGES = 100;
/** At one request at a time, ~115 requests of ≥ 40 ms each: ≥ 4.6 s of crawling. */
const LATENCY_MS = 40;
/**
 * Steps of an eighth of the one-step crawl's time (at least 300 ms), so the bounded crawl takes ≥ 5 steps on a fast
 * machine and on a loaded one alike (a step also has a fixed cost: the worker's start-up, the checkpoint's load).
 */
const stepMsFor = (oneStepMs: number) => Math.max(300, Math.round(oneStepMs / 8));
/** The test clock of the journal: first-seen hashes (lastmod) dated alike in both crawls. */
const NOW = Date.parse("2026-12-01T00:00:00Z");

let site: SyntheticSite | undefined;
let origin = "";
const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), "sf-steps-files-"));

beforeAll(async () => {
  site = await startSyntheticSite({ pages: PAGES, latencyMs: LATENCY_MS });
  origin = site.origin;
  process.env.CRAWL_ALLOW_HOSTS = new URL(origin).host;
  process.env.FILES_DIR = filesDir;
  process.env.APP_URL = "http://sitemaps.test";
  // Each step starts a crawl worker; at its default nice value (10) a loaded machine starves those cold starts, and
  // the steps then crawl a page or two each (seen at load 16 on 2 cores). The children inherit this.
  process.env.CRAWL_WORKER_NICE = "0";
}, 30_000);
afterAll(() => {
  site?.stop();
});

/** The published files of a sitemap: name → bytes. */
function publishedFiles(db: Awaited<ReturnType<SharedTestDatabase["open"]>>, sitemapId: string) {
  return (async () => {
    const sm = (await db.sitemap.findUnique({ where: { id: sitemapId } }))!;
    const files = await db.sitemapFile.findMany({ where: { runId: sm.publishedRunId! }, orderBy: { name: "asc" } });
    const dir = path.join(filesDir, sitemapId, sm.publishedRunId!);
    return new Map(files.map((f) => [f.name, fs.readFileSync(path.join(dir, f.name)).toString("utf8")]));
  })();
}

/** Everything a run's crawl decided, in URL order, without ids and times. */
async function runState(db: Awaited<ReturnType<SharedTestDatabase["open"]>>, runId: string) {
  const urls = await db.runUrl.findMany({
    where: { runId },
    orderBy: { url: "asc" },
    select: { url: true, status: true, included: true, reason: true, depth: true, inlinks: true, foundOn: true, lastmod: true, target: true, contentHash: true },
  });
  const run = (await db.run.findUnique({ where: { id: runId } }))!;
  const findings = await db.runAuditFinding.findMany({ where: { runId }, orderBy: [{ kind: "asc" }, { url: "asc" }], select: { url: true, kind: true, reason: true, detail: true } });
  const audit = await db.runAudit.findUnique({ where: { runId }, select: { source: true, found: true, files: true, sitemapUrls: true, truncated: true, counts: true } });
  const changes = await db.runChange.count({ where: { runId } });
  return {
    urls,
    counts: {
      status: run.status,
      pagesFetched: run.pagesFetched,
      urlsListed: run.urlsListed,
      urlsExcluded: run.urlsExcluded,
      excludedByReason: run.excludedByReason,
      warnings: run.warnings,
      urlsAdded: run.urlsAdded,
      urlsRemoved: run.urlsRemoved,
      urlsChanged: run.urlsChanged,
      changes,
    },
    findings,
    audit,
  };
}

for (const backend of testBackends()) {
  describe(`crawl in bounded steps on ${backend.name}`, () => {
    let tdb: SharedTestDatabase;
    beforeAll(async () => {
      tdb = await sharedTestDatabase(backend, "sf-steps-pg-");
    }, 120_000);
    afterAll(async () => {
      await tdb?.destroy();
    });

    /** The one-step twin of the first test (its run is the reference of the kill test too). */
    let reference = { sitemapId: "", runId: "", stepMs: 0 };
    const sitemapData = (userId: string, name: string) => ({
      userId,
      name,
      startUrl: `${origin}/`,
      fileName: "site",
      concurrency: 1,
      maxPages: 1000,
      images: true,
      // The pages' Last-Modified as lastmod: no clock in the files, so crawls in two processes compare byte for byte.
      lastmodSource: "server",
    });

    it("a crawl of ≥ 5 bounded steps gives the files and the run of a one-step crawl", async () => {
      const db = await tdb.open();
      try {
        // Two accounts: the twins share the file name, so their files can be compared byte for byte.
        const userA = await db.user.create({ data: { email: `steps-a-${backend.name}@example.com`, passwordHash: "x" } });
        const userB = await db.user.create({ data: { email: `steps-b-${backend.name}@example.com`, passwordHash: "x" } });
        const one = await db.sitemap.create({ data: sitemapData(userA.id, "One step") });
        const many = await db.sitemap.create({ data: sitemapData(userB.id, "Many steps") });
        // RunUrl.lastmod is the first-seen time of the page's content: one clock for both crawls.
        const journal = { now: () => NOW };

        const runOne = (await claimRun({ sitemapId: one.id, trigger: "api" }))!;
        const t0 = Date.now();
        const single = await crawlRun(runOne.id, { journal });
        const oneMs = Date.now() - t0;
        expect(single.done).toBe(true);
        await exportRun(runOne.id);
        const stepMs = stepMsFor(oneMs);
        reference = { sitemapId: one.id, runId: runOne.id, stepMs };

        const runMany = (await claimRun({ sitemapId: many.id, trigger: "api" }))!;
        const t1 = Date.now();
        const steps: { done: boolean; pagesFetched: number }[] = [];
        for (let k = 1; k <= 100; k++) {
          const r = await crawlStep(runMany.id, k, { journal, stepMs, maxSteps: 999 });
          steps.push({ done: r.done, pagesFetched: r.pagesFetched });
          // Progress on the Run row stays live between steps.
          if (!r.done) expect((await getRun(runMany.id))!.pagesFetched).toBe(r.pagesFetched);
          if (r.done) break;
        }
        console.log(
          `[crawl-steps:${backend.name}] one step ${oneMs} ms; ${steps.length} steps of ${stepMs} ms: ${Date.now() - t1} ms, pages fetched after each: ${steps.map((s) => s.pagesFetched).join(" ")}`,
        );
        expect(steps.length).toBeGreaterThanOrEqual(5);
        expect(steps.at(-1)!.done).toBe(true);
        // Every step but the last paused with work left and made progress.
        for (let i = 1; i < steps.length - 1; i++) expect(steps[i].pagesFetched).toBeGreaterThan(steps[i - 1].pagesFetched);
        await exportRun(runMany.id);

        const a = await runState(db, runOne.id);
        const b = await runState(db, runMany.id);
        expect(a.counts.status).toBe("succeeded");
        expect(a.counts.urlsListed).toBeGreaterThan(50);
        expect(a.urls.some((u) => u.inlinks > 1)).toBe(true);
        expect(b.urls).toEqual(a.urls);
        expect(b.counts).toEqual(a.counts);
        expect(b.audit).toEqual(a.audit);
        expect(b.findings).toEqual(a.findings);

        const fa = await publishedFiles(db, one.id);
        const fb = await publishedFiles(db, many.id);
        expect([...fb.keys()]).toEqual([...fa.keys()]);
        // The index (if any) names its parts under the sitemap's own URL: compare with the ids swapped.
        for (const [name, body] of fa) expect(fb.get(name)!.replaceAll(many.id, one.id), name).toBe(body);
        // Nothing of the steps is left behind.
        expect(await db.crawlFrontier.count({ where: { runId: runMany.id } })).toBe(0);
        expect(await db.crawlLinkStat.count({ where: { runId: runMany.id } })).toBe(0);
        expect(await db.crawlStepState.count({ where: { runId: runMany.id } })).toBe(0);
      } finally {
        await tdb.close();
      }
    }, 300_000);

    it("a crawl still unfinished at the last step allowed fails with crawl_step_limit_exceeded and its hint", async () => {
      const db = await tdb.open();
      try {
        const user = await db.user.create({ data: { email: `steps-cap-${backend.name}@example.com`, passwordHash: "x" } });
        const sm = await db.sitemap.create({ data: sitemapData(user.id, "Capped") });
        const run = (await claimRun({ sitemapId: sm.id, trigger: "api" }))!;
        expect((await crawlStep(run.id, 1, { stepMs: 300, maxSteps: 2 })).done).toBe(false);
        const err = await crawlStep(run.id, 2, { stepMs: 300, maxSteps: 2 }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(RunFailedError);
        await failRun(run.id, err);
        const row = (await db.run.findUnique({ where: { id: run.id } }))!;
        expect(row.status).toBe("failed");
        expect(row.errorCode).toBe("crawl_step_limit_exceeded");
        expect(row.error).toMatch(/not finished after 2 steps/);
        expect(row.errorHint).toMatch(/CRAWL_STEP_SECONDS/);
        expect(await db.crawlFrontier.count({ where: { runId: run.id } })).toBe(0);
        expect(await db.crawlStepState.count({ where: { runId: run.id } })).toBe(0);
      } finally {
        await tdb.close();
      }
    }, 60_000);

    it("a worker SIGKILLed between two steps is taken over by another process, which continues with the next step", async () => {
      expect(reference.runId, "the first test ran").not.toBe("");
      let db = await tdb.open();
      const user = await db.user.create({ data: { email: `steps-kill-${backend.name}@example.com`, passwordHash: "x" } });
      const killed = await db.sitemap.create({ data: sitemapData(user.id, "Killed") });
      const run = (await claimRun({ sitemapId: killed.id, trigger: "api" }))!;
      await tdb.close();

      const env = { ...process.env, DATABASE_URL: tdb.url, FILES_DIR: filesDir, CRAWL_ALLOW_HOSTS: new URL(origin).host, APP_URL: "http://sitemaps.test" };
      const runChild = (firstStep: number, holdAfter?: number) => {
        const proc = spawn(process.execPath, ["--import", "tsx", CHILD, "crawl-steps", run.id, String(reference.stepMs), String(firstStep)], {
          cwd: REPO,
          env: { ...env, ...(holdAfter ? { STEP_CHILD_HOLD_AFTER: String(holdAfter) } : {}) },
          stdio: ["ignore", "pipe", "pipe"],
        });
        const events: { event: string; step?: number; done?: boolean; message?: string }[] = [];
        let stderr = "";
        let buf = "";
        let onStep: (k: number) => void = () => {};
        proc.stdout!.on("data", (c: Buffer) => {
          buf += c.toString("utf8");
          for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            try {
              const ev = JSON.parse(line) as (typeof events)[number];
              events.push(ev);
              if (ev.event === "step") onStep(ev.step!);
            } catch {
              /* not ours */
            }
          }
        });
        proc.stderr!.on("data", (c: Buffer) => void (stderr = (stderr + c.toString("utf8")).slice(-4000)));
        const exited = new Promise<{ code: number | null; signal: string | null }>((r) => proc.once("exit", (code, signal) => r({ code, signal })));
        const stepDone = (k: number) =>
          new Promise<void>((resolve, reject) => {
            onStep = (n) => n === k && resolve();
            void exited.then(() => reject(new Error(`child exited before step ${k}: ${JSON.stringify(events)}\n${stderr}`)));
          });
        return { proc, events, exited, stepDone, stderr: () => stderr };
      };

      const first = runChild(1, 2);
      await first.stepDone(2);
      first.proc.kill("SIGKILL");
      expect((await first.exited).signal).toBe("SIGKILL");
      expect(first.events.filter((e) => e.event === "step").map((e) => e.done)).toEqual([false, false]);

      const second = runChild(3);
      const end = await second.exited;
      expect(end.code, `${JSON.stringify(second.events)}\n${second.stderr()}`).toBe(0);
      const stepsAfter = second.events.filter((e) => e.event === "step");
      expect(stepsAfter[0].step).toBe(3);
      expect(stepsAfter.at(-1)!.done).toBe(true);

      db = await tdb.open();
      try {
        await exportRun(run.id);
        const a = await runState(db, reference.runId);
        const b = await runState(db, run.id);
        expect(b.counts).toEqual(a.counts);
        // lastmod in RunUrl is the first-seen time of each page's content (the first test ran with a clock).
        expect(b.urls.map(({ lastmod: _l, ...u }) => u)).toEqual(a.urls.map(({ lastmod: _l, ...u }) => u));
        expect(b.findings).toEqual(a.findings);
        const fa = await publishedFiles(db, reference.sitemapId);
        const fb = await publishedFiles(db, killed.id);
        expect([...fb.keys()]).toEqual([...fa.keys()]);
        for (const [name, body] of fa) expect(fb.get(name)!.replaceAll(killed.id, reference.sitemapId), name).toBe(body);
      } finally {
        await tdb.close();
      }
    }, 300_000);
  });
}
