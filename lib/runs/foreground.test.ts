/**
 * Foreground first (lib/runs/foreground.ts): the request counter, the bounded deferral that background work awaits,
 * and its use by the crawl journal (lib/runs/journal.ts yieldTo: batch writes and the journaled frontier's shift).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import type { CrawlRecord } from "@/lib/core/types";
import { QUIET_MS, enterForeground, foregroundInFlight, newForegroundCounter, installForegroundCounter, yieldToForeground } from "./foreground";
import { createCrawlJournal, createJournaledFrontier } from "./journal";

const fresh = () => newForegroundCounter();
const rec = (url: string): CrawlRecord => ({ url, status: 200, included: true, reason: null, lastmod: null, depth: 0 });

describe("yieldToForeground", () => {
  it("goes on at once (null, no promise) when no request is in flight or the bound is 0", () => {
    const c = fresh();
    expect(yieldToForeground(50, c)).toBeNull();
    const leave = enterForeground(c);
    expect(yieldToForeground(0, c)).toBeNull();
    leave();
  });

  it("defers while a request is in flight, and resumes after the bound when it never ends", async () => {
    const c = fresh();
    const leave = enterForeground(c);
    const t0 = performance.now();
    const p = yieldToForeground(80, c);
    expect(p).not.toBeNull();
    await p;
    expect(performance.now() - t0).toBeGreaterThanOrEqual(75);
    // Still in flight: the deferral is bounded, it does not wait for the request.
    expect(foregroundInFlight(c)).toBe(1);
    leave();
  });

  it("resumes as soon as the last request in flight ends (before the bound)", async () => {
    const c = fresh();
    const a = enterForeground(c);
    const b = enterForeground(c);
    let resumed = false;
    const p = yieldToForeground(10_000, c)!.then(() => (resumed = true));
    a();
    await new Promise((r) => setTimeout(r, 30));
    expect(resumed).toBe(false); // one request still in flight
    const t0 = performance.now();
    b();
    b(); // idempotent: a second call does not count twice
    await p;
    expect(foregroundInFlight(c)).toBe(0);
    expect(performance.now() - t0).toBeLessThan(1_000);
  });
});

describe("yieldToForeground: quiet window", () => {
  it(`waits until no request has ended for QUIET_MS (${QUIET_MS} ms): a keep-alive client's next request comes right after`, async () => {
    const c = fresh();
    enterForeground(c)();
    const t0 = performance.now();
    const p = yieldToForeground(1_000, c);
    expect(p).not.toBeNull();
    await p;
    const waited = performance.now() - t0;
    expect(waited).toBeGreaterThanOrEqual(QUIET_MS - 2);
    expect(waited).toBeLessThan(500);
    expect(yieldToForeground(1_000, c)).toBeNull();
  });
});

describe("installForegroundCounter", () => {
  it("counts this process's HTTP requests from their start to their response's end, except the job route", async () => {
    installForegroundCounter({ maxRequestMs: 60_000 });
    const seen: Record<string, number> = {};
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const server = http.createServer((req, res) => {
      seen[req.url!] = foregroundInFlight();
      if (req.url === "/hold") void held.then(() => res.end("ok"));
      else res.end("ok");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const before = foregroundInFlight();
      const holding = fetch(`${base}/hold`).then((r) => r.text());
      while (seen["/hold"] === undefined) await new Promise((r) => setTimeout(r, 5));
      expect(seen["/hold"]).toBe(before + 1);
      await (await fetch(`${base}/api/inngest?fnId=x`)).text();
      expect(seen["/api/inngest?fnId=x"]).toBe(before + 1); // not counted itself
      await (await fetch(`${base}/api/v1/sitemaps`)).text();
      expect(seen["/api/v1/sitemaps"]).toBe(before + 2);
      release();
      await holding;
      for (let i = 0; i < 100 && foregroundInFlight() !== before; i++) await new Promise((r) => setTimeout(r, 5));
      expect(foregroundInFlight()).toBe(before);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

describe("installForegroundCounter: a request held open stops counting after maxRequestMs", () => {
  it("a long poll counts for maxRequestMs, then no longer defers background work though it is still open", async () => {
    installForegroundCounter({ maxRequestMs: 150 });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let started = false;
    const server = http.createServer((req, res) => {
      started = true;
      void held.then(() => res.end("ok"));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const before = foregroundInFlight();
      const holding = fetch(`${base}/api/v1/runs/x?wait=120`).then((r) => r.text());
      while (!started) await new Promise((r) => setTimeout(r, 5));
      expect(foregroundInFlight()).toBe(before + 1);
      expect(yieldToForeground(20)).not.toBeNull(); // counted: background work steps aside
      for (let i = 0; i < 200 && foregroundInFlight() !== before; i++) await new Promise((r) => setTimeout(r, 5));
      expect(foregroundInFlight()).toBe(before); // past 150 ms: no longer counted, though still open
      await new Promise((r) => setTimeout(r, QUIET_MS + 5));
      expect(yieldToForeground(20)).toBeNull();
      release();
      await holding;
      await new Promise((r) => setTimeout(r, 20));
      expect(foregroundInFlight()).toBe(before); // its end does not count it off a second time
    } finally {
      installForegroundCounter();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

describe("the crawl journal's foreground gate", () => {
  it("defers a batch write and the frontier's next URL while a request is in flight, at most the bound each", async () => {
    const c = fresh();
    const writes: number[] = [];
    const journal = createCrawlJournal({
      write: async () => void writes.push(performance.now()),
      intervalMs: 1,
      yieldTo: () => yieldToForeground(60, c),
    });
    const frontier = createJournaledFrontier(journal);
    frontier.push({ url: "https://example.com/a", depth: 0 });
    frontier.push({ url: "https://example.com/b", depth: 0 });

    // Nothing in flight: the next URL comes at once (synchronously, no promise).
    expect(frontier.shift()).toMatchObject({ url: "https://example.com/a" });
    await journal.flushed(); // the two pushes' batch
    writes.length = 0;

    const leave = enterForeground(c);
    const t0 = performance.now();
    const next = frontier.shift();
    expect(next).toBeInstanceOf(Promise);
    expect(await next).toMatchObject({ url: "https://example.com/b" });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(55);

    // A batch cut while the request is still in flight is written only after the bound…
    const t1 = performance.now();
    journal.record(rec("https://example.com/a"));
    await journal.flushed();
    expect(writes).toHaveLength(1);
    expect(writes[0] - t1).toBeGreaterThanOrEqual(55);

    // …and one cut while it is in flight is written as soon as the request ends.
    journal.record(rec("https://example.com/b"));
    const flushed = journal.flushed();
    await new Promise((r) => setTimeout(r, 15));
    expect(writes).toHaveLength(1);
    leave();
    const t2 = performance.now();
    await flushed;
    expect(writes).toHaveLength(2);
    expect(performance.now() - t2).toBeLessThan(40);
    await journal.drain();
  });
});
