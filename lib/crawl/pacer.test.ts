import { describe, expect, it } from "vitest";
import { createPacer, parseRetryAfter, retryDelayMs } from "./pacer";

describe("Retry-After", () => {
  it("parses delay-seconds and HTTP-dates (RFC 9110 §10.2.3)", () => {
    const now = Date.parse("2026-11-22T12:00:00Z");
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter("Sun, 22 Nov 2026 12:00:05 GMT", now)).toBe(5_000);
    expect(parseRetryAfter("Sun, 22 Nov 2026 11:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeNull();
    expect(parseRetryAfter("-1", now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });

  it("back-off: Retry-After when given, else 1/2/4 s; always capped", () => {
    expect(retryDelayMs("2", 0)).toBe(2_000);
    expect(retryDelayMs("3600", 0)).toBe(30_000);
    expect(retryDelayMs(null, 0)).toBe(1_000);
    expect(retryDelayMs(null, 2)).toBe(4_000);
    expect(retryDelayMs(null, 10)).toBe(30_000);
    expect(retryDelayMs(null, 1, { baseMs: 10, maxMs: 15 })).toBe(15);
  });
});

/**
 * A clock for the pacer that only moves when `runAll` wakes the earliest sleeper: starts are exact, whatever the
 * machine's load.
 */
function fakeClock() {
  let clock = 0;
  const timers: { at: number; resolve: () => void }[] = [];
  return {
    now: () => clock,
    sleep: (ms: number) => new Promise<void>((resolve) => void timers.push({ at: clock + ms, resolve })),
    /** Lets every caller reach its sleep, then wakes sleepers in time order until none is left. */
    async runAll() {
      for (;;) {
        await new Promise((r) => setImmediate(r));
        if (timers.length === 0) return;
        timers.sort((a, b) => a.at - b.at);
        const t = timers.shift()!;
        clock = Math.max(clock, t.at);
        t.resolve();
      }
    },
  };
}

describe("createPacer", () => {
  it("no delay and no pause: acquire is synchronous (null)", () => {
    const p = createPacer();
    expect(p.acquire("http://a")).toBeNull();
    p.setDelay("http://a", 0);
    expect(p.acquire("http://a")).toBeNull();
  });

  it("spaces request starts by the delay, whatever the concurrency", async () => {
    const c = fakeClock();
    const p = createPacer(c);
    p.setDelay("http://a", 60);
    const starts: number[] = [];
    const callers = Array.from({ length: 4 }, async () => {
      const w = p.acquire("http://a");
      if (w) await w;
      starts.push(c.now());
    });
    await c.runAll();
    await Promise.all(callers);
    expect(starts.sort((a, b) => a - b)).toEqual([0, 60, 120, 180]);
    expect(p.acquire("http://b")).toBeNull(); // other origins are not slowed
  });

  it("keeps the spacing between real starts when a timer fires late (a loaded machine)", async () => {
    // Fake timers: a sleep wakes at call time + ms (+ `late` once); the driver runs them in wake order.
    let clock = 0;
    let late = 40; // the first timer overruns by 40 ms, the next ones are punctual
    const timers: { at: number; resolve: () => void }[] = [];
    const p = createPacer({
      now: () => clock,
      sleep: (ms) =>
        new Promise<void>((resolve) => {
          timers.push({ at: clock + ms + late, resolve });
          late = 0;
        }),
    });
    p.setDelay("http://a", 60);
    const starts: number[] = [];
    const callers = Array.from({ length: 3 }, async () => {
      const w = p.acquire("http://a"); // slots reserved at 0, 60, 120
      if (w) await w;
      starts.push(clock);
    });
    for (let k = 0; k < 10; k++) {
      await new Promise((r) => setImmediate(r));
      timers.sort((a, b) => a.at - b.at);
      const t = timers.shift();
      if (!t) continue;
      clock = Math.max(clock, t.at);
      t.resolve();
    }
    await Promise.all(callers);
    // Slot 60 really started at 100; slot 120 then waits until 160 instead of starting 20 ms after it.
    expect(starts).toEqual([0, 100, 160]);
  });

  it("a pause holds back every request to that origin until it ends", async () => {
    const c = fakeClock();
    const p = createPacer(c);
    p.pause("http://a", 80);
    const starts: number[] = [];
    const callers = [0, 1].map(async () => {
      const w = p.acquire("http://a");
      if (w) await w;
      starts.push(c.now());
    });
    await c.runAll();
    await Promise.all(callers);
    expect(starts).toEqual([80, 80]);
    expect(p.acquire("http://a")).toBeNull();
  });

  it("rejects with the signal's reason when aborted while waiting", async () => {
    const p = createPacer();
    p.pause("http://a", 10_000);
    const ac = new AbortController();
    const w = p.acquire("http://a", ac.signal)!;
    ac.abort(new Error("stop"));
    await expect(w).rejects.toThrow("stop");
  });
});
