/**
 * crawlInWorker (lib/runs/crawl-thread.ts): the crawl runs in a worker thread and hands its journal batches,
 * progress and revalidation lookups to this thread; its budget ends a crawl that blocks the worker.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CrawlRecord } from "@/lib/core/types";
import { page, startSite, type TestSite } from "@/tests/helpers/site";
import fs from "node:fs";
import { CrawlBudgetError, crawlInWorker, threadCpuMs } from "./crawl-thread";
import { crawlInto, crawlSettings, type CrawlProgress } from "./pipeline";
import type { JournalBatch } from "./journal";
import { enterForeground, foregroundInFlight } from "./foreground";

/** `(a+)+$` backtracks exponentially on a run of a's that does not end the string (a few dozen are enough). */
const HOSTILE = `/${"a".repeat(48)}!`;
let site: TestSite;
let released: (() => void) | null = null;

beforeAll(async () => {
  const routes: Parameters<typeof startSite>[0] = {
    "/robots.txt": { body: "User-agent: *\nAllow: /\n", type: "text/plain" },
    "/": { body: page(["/p1", "/p2", "/p3", HOSTILE]) },
    "/hold": (_req, res) => {
      // Answers only when the test says so: the crawl is mid-visit until then.
      released = () => {
        released = null;
        if (!res.headersSent) res.writeHead(200, { "content-type": "text/html" }).end(page());
      };
    },
  };
  for (let i = 1; i <= 3; i++) routes[`/p${i}`] = { body: page([`/p${i}/x`, "/"]) };
  for (let i = 1; i <= 3; i++) routes[`/p${i}/x`] = { body: page() };
  routes[HOSTILE] = { body: page() };
  // Heavy pages for the budgets: /heavy/0 … /heavy/199, ~2 MB of text each, parsed in one synchronous pass.
  const filler = `<p>${"sitemap ".repeat(250_000)}</p>`;
  for (let i = 0; i < 200; i++) {
    routes[`/heavy/${i}`] = (_req, res) =>
      void res.writeHead(200, { "content-type": "text/html" }).end(page([`/heavy/${(i + 1) % 200}`, `/heavy/${(i + 2) % 200}`], "", filler));
  }
  site = await startSite(routes);
});
afterAll(async () => {
  released?.();
  await site.close();
});

/** A durable crawl through `crawl`, recording every batch and progress call its sink receives. */
async function collect(crawl: typeof crawlInto | typeof crawlInWorker, start = "/", over: Record<string, unknown> = {}) {
  const batches: JournalBatch[] = [];
  const progress: CrawlProgress[] = [];
  const summary = await crawl(crawlSettings({ startUrl: `${site.origin}${start}`, concurrency: 2 }), {
    allowHosts: [site.hostPort],
    durable: true,
    progressIntervalMs: 0,
    sink: {
      write: async (_r, b) => {
        batches.push(b);
      },
      progress: (p) => {
        progress.push(p);
      },
    },
    ...over,
  });
  const records = batches.flatMap((b) => b.records);
  return { summary, batches, records, progress };
}

const byUrl = (rs: CrawlRecord[]) => [...rs].sort((a, b) => a.url.localeCompare(b.url)).map((r) => [r.url, r.included, r.reason, r.depth]);

describe("crawlInWorker", () => {
  it("reports the same records, queued URLs and finished visits as the in-thread crawl", async () => {
    const inThread = await collect(crawlInto);
    const inWorker = await collect(crawlInWorker);
    expect(inWorker.records.length).toBe(8);
    expect(byUrl(inWorker.records)).toEqual(byUrl(inThread.records));
    expect(inWorker.summary.pagesFetched).toBe(inThread.summary.pagesFetched);
    const urls = (bs: JournalBatch[], k: "queued" | "completed") => bs.flatMap((b) => b[k].map((i) => i.url)).sort();
    expect(urls(inWorker.batches, "queued")).toEqual(urls(inThread.batches, "queued"));
    expect(urls(inWorker.batches, "completed")).toEqual(urls(inThread.batches, "completed"));
    // Page links cross the thread boundary as a Map (the snapshots of lib/db/page-state.ts need them).
    expect(inWorker.batches.some((b) => b.links.get(`${site.origin}/`)?.length === 4)).toBe(true);
    expect(inWorker.progress.at(-1)).toMatchObject({ pagesFetched: 8, urlsListed: 8, pagesQueued: 0 });
  });

  it("while an HTTP request is in flight, the worker defers each next fetch by CRAWL_FOREGROUND_YIELD_MS (default 50) and each journal write by CRAWL_FOREGROUND_WRITE_MS, and is never starved", async () => {
    // The request never ends during the crawl: every shift of the frontier and every batch write waits its full bound.
    process.env.CRAWL_FOREGROUND_WRITE_MS = "200";
    const leave = enterForeground();
    const t0 = performance.now();
    try {
      const held = await collect(crawlInWorker);
      expect(held.records.length).toBe(8);
      // 8 pages at concurrency 2: at least 4 deferred shifts in a row on one of the two slots, and one deferred write.
      expect(performance.now() - t0).toBeGreaterThanOrEqual(4 * 50 * 0.9 + 200);
    } finally {
      leave();
      delete process.env.CRAWL_FOREGROUND_WRITE_MS;
    }
    expect(foregroundInFlight()).toBe(0);
  });

  it("asks this thread for the validators of every page it fetches (revalidate)", async () => {
    const asked: string[] = [];
    const { records } = await collect(crawlInWorker, "/", {
      revalidate: async (url: string) => {
        asked.push(url);
        return null;
      },
    });
    expect(asked.sort()).toEqual(records.map((r) => r.url).sort());
  });

  it("a sink error fails the crawl with that error", async () => {
    const boom = new Error("database gone");
    await expect(
      crawlInWorker(crawlSettings({ startUrl: `${site.origin}/` }), {
        allowHosts: [site.hostPort],
        durable: true,
        sink: { write: async () => Promise.reject(boom) },
      }),
    ).rejects.toBe(boom);
  });

  it("an abort stops the crawl mid-visit with the signal's reason", async () => {
    const ac = new AbortController();
    const reason = new Error("cancelled by test");
    const crawling = crawlInWorker(crawlSettings({ startUrl: `${site.origin}/hold` }), {
      allowHosts: [site.hostPort],
      signal: ac.signal,
      sink: { write: async () => {} },
    });
    while (!site.requests.includes("/hold")) await new Promise((r) => setTimeout(r, 20));
    ac.abort(reason);
    await expect(crawling).rejects.toBe(reason);
    released?.();
  });

  it.runIf(process.platform === "linux")("the worker thread runs at nice CRAWL_WORKER_NICE (default 10), and SCHED_IDLE with CRAWL_WORKER_SCHED=idle; this thread keeps its priority", async () => {
    const field = (path: string, i: number) => {
      const stat = fs.readFileSync(path, "utf8");
      return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[i]);
    };
    const niceOf = (path: string) => field(path, 16);
    // Field 41 of /proc/…/stat: the scheduling policy (0 SCHED_NORMAL, 5 SCHED_IDLE).
    const policyOf = (path: string) => field(path, 38);
    const threads = () => fs.readdirSync("/proc/self/task").map((tid) => ({ tid, nice: niceOf(`/proc/self/task/${tid}/stat`) }));
    const mine = niceOf("/proc/thread-self/stat");
    process.env.CRAWL_WORKER_SCHED = "idle";
    const before = new Set(threads().map((t) => t.tid));
    const ac = new AbortController();
    site.requests.length = 0;
    const crawling = crawlInWorker(crawlSettings({ startUrl: `${site.origin}/hold` }), {
      allowHosts: [site.hostPort],
      signal: ac.signal,
      sink: { write: async () => {} },
    });
    while (!site.requests.includes("/hold")) await new Promise((r) => setTimeout(r, 20));
    const niced = threads().filter((t) => !before.has(t.tid) && t.nice === 10);
    expect(niced).toHaveLength(1);
    expect(niceOf("/proc/thread-self/stat")).toBe(mine);
    expect(policyOf(`/proc/self/task/${niced[0].tid}/stat`)).toBe(5);
    expect(policyOf("/proc/thread-self/stat")).toBe(0);
    delete process.env.CRAWL_WORKER_SCHED;
    // The watchdog reads that thread's own CPU time.
    expect(threadCpuMs(Number(niced[0].tid))).toBeGreaterThan(0);
    ac.abort(new Error("done"));
    await crawling.catch(() => {});
    released?.();
  });

  it("threadCpuMs: a thread's CPU time in ms, growing with work; null for an unknown thread", () => {
    if (process.platform !== "linux") return void expect(threadCpuMs(1)).toBeNull();
    const tid = Number(fs.readlinkSync("/proc/thread-self").split("/").pop());
    const a = threadCpuMs(tid)!;
    let x = 0;
    for (let i = 0; i < 5e7; i++) x += i % 7;
    expect(x).toBeGreaterThan(0);
    expect(threadCpuMs(tid)!).toBeGreaterThan(a);
    expect(threadCpuMs(0)).toBeNull();
    expect(threadCpuMs(2 ** 31 - 1)).toBeNull();
  });

  // The checks refuse a backtracking regex before a crawl (lib/core/regex-safety.ts), so the budgets are shown on
  // plain CPU work: pages of ~2 MB whose parse is one synchronous task of tens of ms.
  it("one synchronous task longer than the stall limit stops the crawl, and nothing is written after", async () => {
    const writes: number[] = [];
    const err = await crawlInWorker(crawlSettings({ startUrl: `${site.origin}/heavy/0` }), {
      allowHosts: [site.hostPort],
      durable: true,
      budget: { stallMs: 20 },
      sink: {
        write: async (r) => {
          writes.push(r.length);
        },
      },
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CrawlBudgetError);
    expect((err as CrawlBudgetError).code).toBe("crawl_cpu_budget_exceeded");
    expect((err as Error).message).toMatch(/^crawl_cpu_budget_exceeded: one step of the crawl kept the CPU busy for more than /);
    const count = writes.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(writes.length).toBe(count);
  });

  it("the time budget ends the crawl normally: visits under way finish, the URLs left are max_pages, stoppedBy time_budget", async () => {
    // A chain of slow pages (200 ms each, 8 s in all): far more than the 3 s budget allows. The budget counts from the
    // call, so it includes the worker's start-up (up to about a second while CI runs test files in parallel); a 1 s
    // budget left no time for a page then (CI on 3e1cf5e: 0 pages fetched).
    const slow = await startSite(
      Object.fromEntries(
        Array.from({ length: 40 }, (_, i) => [
          `/s/${i}`,
          (_req: unknown, res: import("node:http").ServerResponse) =>
            void setTimeout(() => res.writeHead(200, { "content-type": "text/html" }).end(page([`/s/${i + 1}`, `/s/${i + 2}`])), 200),
        ]),
      ),
    );
    try {
      const records: CrawlRecord[] = [];
      const summary = await crawlInWorker(crawlSettings({ startUrl: `${slow.origin}/s/0`, concurrency: 1 }), {
        allowHosts: [slow.hostPort],
        durable: true,
        budget: { wallMs: 3000 },
        sink: { write: async (r) => void records.push(...r) },
      });
      expect(summary.stoppedBy).toBe("time_budget");
      expect(summary.pagesFetched).toBeGreaterThan(0);
      expect(summary.pagesFetched).toBeLessThan(40);
      const cut = records.filter((r) => r.reason === "max_pages");
      expect(cut.length).toBeGreaterThan(0);
      expect(records.filter((r) => r.included).length).toBe(summary.pagesFetched);
    } finally {
      await slow.close();
    }
  });

  it("the CPU budget stops a crawl whose worker stays busy", async () => {
    // The stall limit out of reach: the busy time counted so far ends it, long before the 200 pages are crawled.
    const before = site.requests.filter((r) => r.startsWith("/heavy/")).length;
    const err = await crawlInWorker(crawlSettings({ startUrl: `${site.origin}/heavy/0` }), {
      allowHosts: [site.hostPort],
      budget: { stallMs: 60_000, cpuMs: 400 },
      sink: { write: async () => {} },
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CrawlBudgetError);
    expect((err as Error).message).toMatch(/^crawl_cpu_budget_exceeded: the crawl used more than its 0\.4 s of CPU time/);
    expect(site.requests.filter((r) => r.startsWith("/heavy/")).length - before).toBeLessThan(200);
  });
});
