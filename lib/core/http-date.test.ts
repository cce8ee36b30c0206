import { describe, expect, it } from "vitest";
import { httpDateToIso, parseHttpDate, parseImfFixdate } from "./http-date";

describe("HTTP-date (RFC 9110 §5.6.7)", () => {
  it("reads IMF-fixdate and the two obsolete forms, all as GMT", () => {
    const ms = Date.UTC(1994, 10, 6, 8, 49, 37);
    expect(parseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT")).toBe(ms);
    expect(parseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT")).toBe(ms);
    expect(parseHttpDate("Sun Nov  6 08:49:37 1994")).toBe(ms);
    expect(httpDateToIso(" Sun, 06 Nov 1994 08:49:37 GMT ")).toBe("1994-11-06T08:49:37Z");
  });
  it("an impossible IMF-fixdate is null, not rolled over into the next month", () => {
    expect(parseImfFixdate("Sun, 30 Feb 2020 00:00:00 GMT")).toBeNull();
    expect(parseHttpDate("Sun, 30 Feb 2020 00:00:00 GMT")).toBeNull();
    expect(parseImfFixdate("Sat, 29 Feb 2020 23:59:59 GMT")).toEqual([2020, 2, 29, 23, 59, 59]);
    expect(parseImfFixdate("Sun, 06 Nov 1994 24:00:00 GMT")).toBeNull();
  });
  it("null for absent or unparsable values", () => {
    expect(parseHttpDate(null)).toBeNull();
    expect(parseHttpDate("")).toBeNull();
    expect(httpDateToIso("garbage")).toBeNull();
  });
});
