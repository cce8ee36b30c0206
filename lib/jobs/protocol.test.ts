import { describe, expect, it } from "vitest";
import { MAX_RETRY_AFTER_MS, MIN_RETRY_AFTER_MS, canonicalJson, compileExpression, executionBody, jobRunIdFor, parseRetryAfter, signBody, sleepWakeAt } from "./protocol";

describe("protocol helpers (SDK names and the Inngest server's semantics)", () => {
  it("parseRetryAfter reads seconds (≤ 7 digits) or a date, clamped to [1 s, 24 h] as the Inngest server does", () => {
    expect(parseRetryAfter("2", 0)).toBe(2000);
    expect(parseRetryAfter(" 30 ", 0)).toBe(30_000);
    expect(parseRetryAfter("2030-01-01T00:00:10.000Z", Date.parse("2030-01-01T00:00:00Z"))).toBe(10_000);
    expect(parseRetryAfter("Tue, 01 Jan 2030 00:01:00 GMT", Date.parse("2030-01-01T00:00:00Z"))).toBe(60_000);
    expect(parseRetryAfter("2029-12-31T23:00:00Z", Date.parse("2030-01-01T00:00:00Z"))).toBe(MIN_RETRY_AFTER_MS); // past
    expect(parseRetryAfter("0", 0)).toBeUndefined(); // not a positive number of seconds, not a date
    expect(parseRetryAfter("9999999", 0)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter("soon", 0)).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });

  it("sleepWakeAt reads the SDK's time strings with durationToMs, ISO dates, and the empty string of a zero sleep", () => {
    expect(sleepWakeAt("1h30m", 0)).toBe(5_400_000);
    expect(sleepWakeAt("2w", 0)).toBe(1_209_600_000);
    expect(sleepWakeAt("", 1234)).toBe(1234);
    expect(() => sleepWakeAt("1 fortnight", 0)).toThrow(/invalid sleep duration "1 fortnight"/);
  });

  it("canonicalJson is RFC 8785 order (canonicalize) and keeps Dates as their JSON", () => {
    expect(canonicalJson({ z: new Date(0), a: [undefined, 1] })).toBe('{"a":[null,1],"z":"1970-01-01T00:00:00.000Z"}');
  });

  it("executionBody is the version-2 request without ctx.fn_id (no checkpointing)", () => {
    const event = { name: "e", data: {}, id: "1", ts: 0 };
    const body = executionBody({ id: "r", event, steps: {}, stack: ["a", "b"], attempt: 1, maxAttempts: 3 });
    expect(body).toMatchObject({ version: 2, events: [event], ctx: { run_id: "r", attempt: 1, max_attempts: 3, stack: { stack: ["a", "b"], current: 1 } } });
    expect(body.ctx).not.toHaveProperty("fn_id");
  });
});

describe("protocol helpers: signing, expressions, ids", () => {
  it("canonicalJson sorts keys recursively and drops undefined", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, undefined, "x"], c: null }, u: undefined })).toBe('{"a":{"c":null,"d":[1,null,"x"]},"b":1}');
  });

  it("signBody matches the SDK's HMAC scheme (key without prefix, body + t)", () => {
    const sig = signBody('{"a":1}', "signkey-prod-00ff", 1_700_000_000_123);
    expect(sig).toMatch(/^t=1700000000&s=[0-9a-f]{64}$/);
    expect(signBody('{"a":1}', "00ff", 1_700_000_000_999)).toBe(sig);
  });

  it("sleepWakeAt reads SDK time strings and ISO dates", () => {
    expect(sleepWakeAt("1s", 1000)).toBe(2000);
    expect(sleepWakeAt("1d2h3m4s", 0)).toBe(86_400_000 + 7_200_000 + 180_000 + 4000);
    expect(sleepWakeAt("2026-01-01T00:00:00.000Z", 0)).toBe(Date.parse("2026-01-01T00:00:00.000Z"));
    expect(() => sleepWakeAt("soon")).toThrow(/invalid sleep/);
  });

  it("parseRetryAfter takes seconds or a date", () => {
    expect(parseRetryAfter("30", 0)).toBe(30_000);
    expect(parseRetryAfter(new Date(5000).toUTCString(), 1000)).toBe(4000);
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it("compileExpression supports the onFailure trigger form and rejects the rest", () => {
    const f = compileExpression("event.data.function_id == 'app-fn'")!;
    const ev = (data: Record<string, unknown>) => ({ name: "x", id: "1", ts: 0, data });
    expect(f(ev({ function_id: "app-fn" }))).toBe(true);
    expect(f(ev({ function_id: "app-other" }))).toBe(false);
    const g = compileExpression('event.data.a == "x" && event.data.n != 2')!;
    expect(g(ev({ a: "x", n: 3 }))).toBe(true);
    expect(g(ev({ a: "x", n: 2 }))).toBe(false);
    expect(compileExpression("event.data.a > 1")).toBeNull();
    expect(compileExpression("size(event.data.list) == 2")).toBeNull();
  });

  it("jobRunIdFor is deterministic per (function, event id)", () => {
    expect(jobRunIdFor("a-f", "e1")).toBe(jobRunIdFor("a-f", "e1"));
    expect(jobRunIdFor("a-f", "e1")).not.toBe(jobRunIdFor("a-g", "e1"));
    expect(jobRunIdFor("a-f", "e1")).toMatch(/^[0-9a-f]{32}$/);
  });
});
