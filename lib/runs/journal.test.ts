/**
 * The crawl journal (lib/runs/journal.ts) without a database: batches hold whole visits, are written one at a time in
 * order, back-pressure holds the frontier, write failures surface, and the journaled frontier seeds and reports.
 */
import { describe, expect, it } from "vitest";
import type { CrawlRecord } from "@/lib/core/types";
import { createCrawlJournal, createJournaledFrontier, type JournalBatch } from "./journal";

const rec = (url: string): CrawlRecord => ({ url, status: 200, included: true, reason: null, lastmod: null, depth: 1 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("crawl journal", () => {
  it("cuts batches only between whole visits, even with many visits interleaving on microtasks", async () => {
    const batches: JournalBatch[] = [];
    const j = createCrawlJournal({
      write: async (b) => {
        batches.push(b);
        await sleep(Math.random() * 2);
      },
      minBatch: 1,
      intervalMs: 1,
    });
    // A visit as the crawler runs one: real I/O first, then record → links → pushes → complete, awaiting each hook
    // (microtasks only), with other visits' hook calls interleaved.
    const visit = async (i: number) => {
      // Spread over 200 ms so that even a loaded machine cuts several batches (the property needs more than one).
      await sleep(Math.random() * 200);
      j.record(rec(`u${i}`));
      await null;
      j.pageLinks(`u${i}`, [{ url: `c${i}a`, nofollow: false }]);
      for (const c of ["a", "b", "c"]) {
        await null;
        j.queued({ url: `c${i}${c}`, depth: 2 });
        await Promise.resolve();
      }
      await null;
      j.completed({ url: `u${i}`, depth: 1 });
    };
    await Promise.all(Array.from({ length: 300 }, (_, i) => visit(i)));
    await j.drain();
    expect(batches.length).toBeGreaterThan(2);
    const seen = new Set<string>();
    for (const b of batches) {
      const urls = b.records.map((r) => r.url);
      // Every visit in this batch is whole: its record, its links, its 3 pushes and its completion.
      for (const u of urls) {
        const i = u.slice(1);
        expect(b.links.has(u), u).toBe(true);
        expect(b.queued.filter((q) => q.url.startsWith(`c${i}`) && q.url.length === `c${i}`.length + 1)).toHaveLength(3);
        expect(b.completed.map((c) => c.url)).toContain(u);
        seen.add(u);
      }
      expect(b.completed).toHaveLength(urls.length);
      expect(b.receivedAt).toHaveLength(urls.length);
    }
    expect(seen.size).toBe(300);
  });

  it("writes one batch at a time, in order; flushed() waits for what was buffered before the call", async () => {
    const order: string[] = [];
    let inFlight = 0;
    const j = createCrawlJournal({
      write: async (b) => {
        inFlight++;
        expect(inFlight).toBe(1);
        await sleep(5);
        order.push(...b.records.map((r) => r.url));
        inFlight--;
      },
      minBatch: 2,
      intervalMs: 1_000,
    });
    for (let i = 0; i < 10; i++) j.record(rec(`r${i}`));
    await j.flushed();
    expect(order).toEqual(Array.from({ length: 10 }, (_, i) => `r${i}`));
    j.record(rec("last"));
    await j.flushed(); // below minBatch and long before intervalMs: flushed() forces the cut
    expect(order.at(-1)).toBe("last");
    await j.drain();
  });

  it("back-pressure: waitForRoom() holds while more than maxBuffered events wait, until a write frees room", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const j = createCrawlJournal({ write: () => gate, minBatch: 1, intervalMs: 1, maxBuffered: 5 });
    j.record(rec("a"));
    await sleep(5); // "a" is being written (blocked on the gate)
    for (let i = 0; i < 6; i++) j.queued({ url: `q${i}`, depth: 1 });
    const wait = j.waitForRoom();
    expect(wait).not.toBeNull();
    let done = false;
    void wait!.then(() => (done = true));
    await sleep(10);
    expect(done).toBe(false);
    release();
    await wait;
    expect(j.buffered()).toBe(0);
    expect(j.waitForRoom()).toBeNull();
    await j.drain();
  });

  it("a failed write surfaces on the next hook call, flushed() and drain()", async () => {
    const j = createCrawlJournal({ write: async () => Promise.reject(new Error("disk full")), minBatch: 1, intervalMs: 1 });
    j.record(rec("a"));
    await expect(j.flushed()).rejects.toThrow("disk full");
    expect(() => j.record(rec("b"))).toThrow("disk full");
    await expect(j.drain()).rejects.toThrow("disk full");
  });

  it("adapts the batch size to the crawl: about 1 % of the records so far, within [minBatch, maxBatch]", async () => {
    const sizes: number[] = [];
    const j = createCrawlJournal({ write: async (b) => void sizes.push(b.records.length), minBatch: 4, maxBatch: 50, intervalMs: 10_000 });
    for (let i = 0; i < 20_000; i++) {
      j.record(rec(`u${i}`));
      if (i % 10 === 0) await new Promise((r) => setImmediate(r));
    }
    await j.drain();
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(20_000);
    expect(Math.min(...sizes.slice(0, -1))).toBeGreaterThanOrEqual(4);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(60); // 50 + what arrives before the next macrotask
  });
});

describe("journaled frontier", () => {
  it("seeds recorded URLs as seen and the queue in order; journals new pushes and completions only", async () => {
    const batches: JournalBatch[] = [];
    const j = createCrawlJournal({ write: async (b) => void batches.push(b), minBatch: 1, intervalMs: 1 });
    const f = createJournaledFrontier(j, { recorded: ["http://x/a", "http://x/b"], queue: [{ url: "http://x/c", depth: 1 }, { url: "http://x/d", depth: 2 }] });
    expect(f.markSeen("http://x/a")).toBe(false);
    expect(f.markSeen("http://x/c")).toBe(false);
    expect(f.markSeen("http://x/e")).toBe(true);
    f.push({ url: "http://x/e", depth: 2 });
    expect(f.size!()).toBe(3);
    expect(await f.shift()).toEqual({ url: "http://x/c", depth: 1 });
    f.complete!({ url: "http://x/c", depth: 1 });
    expect(await f.shift()).toEqual({ url: "http://x/d", depth: 2 });
    expect(await f.shift()).toEqual({ url: "http://x/e", depth: 2 });
    expect(await f.shift()).toBeNull();
    await j.drain();
    expect(batches.flatMap((b) => b.queued)).toEqual([{ url: "http://x/e", depth: 2 }]);
    expect(batches.flatMap((b) => b.completed)).toEqual([{ url: "http://x/c", depth: 1 }]);
  });
});
