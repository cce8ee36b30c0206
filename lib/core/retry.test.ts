import { describe, expect, it } from "vitest";
import { backoffMs, parseRetryAfter } from "./retry";

describe("parseRetryAfter (RFC 9110 §10.2.3)", () => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 0);
  it("reads delay-seconds and HTTP-dates; a past date is 0", () => {
    expect(parseRetryAfter("7", now)).toBe(7000);
    expect(parseRetryAfter(" 120 ", now)).toBe(120_000);
    expect(parseRetryAfter("Thu, 01 Jan 2026 12:00:05 GMT", now)).toBe(5000);
    expect(parseRetryAfter("Thursday, 01-Jan-26 12:00:09 GMT", now)).toBe(9000); // RFC 850
    expect(parseRetryAfter("Thu Jan  1 12:00:03 2026", now)).toBe(3000); // asctime is GMT, whatever the machine's zone
    expect(parseRetryAfter("Thu, 01 Jan 2026 11:00:00 GMT", now)).toBe(0);
  });
  it("null for absent, negative, fractional or unparsable values", () => {
    expect(parseRetryAfter(undefined, now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter("-5", now)).toBeNull();
    expect(parseRetryAfter("1.5", now)).toBeNull();
    expect(parseRetryAfter("soon", now)).toBeNull();
  });
});

describe("backoffMs", () => {
  it("doubles per attempt from the base and stops at the cap", () => {
    const o = { baseMs: 1000, maxMs: 30_000 };
    expect([0, 1, 2, 3, 4, 5, 6].map((a) => backoffMs(a, o))).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    expect(backoffMs(-1, o)).toBe(1000);
  });
});
