import { describe, expect, it } from "vitest";
import { escapeUndecodablePath, findTextProblem, queryProblem, rawUrlProblem, strictDecode, textProblem } from "./text";

describe("textProblem", () => {
  it("accepts ordinary single-line and multi-line text, including astral characters", () => {
    expect(textProblem("Café 😀 ユニコード", "line")).toBeNull();
    expect(textProblem("a\tb\r\nc", "text")).toBeNull();
  });
  it("refuses NUL, C0 controls and DEL in both kinds; TAB/LF/CR only in single-line text", () => {
    expect(textProblem("a\u0000b", "text")).toBe("contains NUL (U+0000)");
    expect(textProblem("a\u0001b", "text")).toBe("contains the control character U+0001");
    expect(textProblem("a\u001bb", "line")).toBe("contains the control character U+001B");
    expect(textProblem("a\u007fb", "text")).toBe("contains the control character U+007F");
    expect(textProblem("a\nb", "line")).toBe("contains a line break (U+000A)");
    expect(textProblem("a\rb", "line")).toBe("contains a line break (U+000D)");
    expect(textProblem("a\tb", "line")).toBe("contains the control character U+0009");
  });
  it("refuses lone surrogates but not surrogate pairs", () => {
    expect(textProblem("x\ud800", "text")).toMatch(/lone surrogate \(U\+D800\)/);
    expect(textProblem("\udc00x", "line")).toMatch(/lone surrogate \(U\+DC00\)/);
    expect(textProblem("\ud83d\ude00", "line")).toBeNull();
  });
});

describe("findTextProblem", () => {
  it("names the first bad string by its path, keys included", () => {
    expect(findTextProblem({ a: "ok", b: [{ c: "fine" }, { c: "x\u0000" }] })).toEqual({ path: ["b", 1, "c"], problem: "contains NUL (U+0000)" });
    expect(findTextProblem({ headers: { "X-\u0001": "v" } })).toEqual({ path: ["headers", "X-\u0001"], problem: "has a name that contains the control character U+0001" });
    expect(findTextProblem({ content: "line 1\nline 2", n: 3, ok: true, none: null })).toBeNull();
    expect(findTextProblem("\ud800")).toEqual({ path: [], problem: expect.stringContaining("lone surrogate") });
  });
});

describe("strictDecode and queryProblem", () => {
  it("fails on invalid percent-encoding and non-UTF-8 bytes instead of substituting U+FFFD", () => {
    expect(strictDecode("a%20b")).toBe("a b");
    expect(strictDecode("%ff")).toBeNull();
    expect(strictDecode("..%c0%af..")).toBeNull();
    expect(strictDecode("%e2%82")).toBeNull();
    expect(strictDecode("%zz")).toBeNull();
  });
  it("checks every query name and value, + as a space", () => {
    expect(queryProblem("")).toBeNull();
    expect(queryProblem("?size=20&filter%5Bname%5D=caf%C3%A9+bar&flag")).toBeNull();
    expect(queryProblem("?filter[name]=%00")).toEqual({ name: "filter[name]", problem: "contains NUL (U+0000)" });
    expect(queryProblem("?cursor=%ff")).toEqual({ name: "cursor", problem: "is not valid percent-encoded UTF-8" });
    expect(queryProblem("?sitemap=%EF%BF%BD")).toEqual({ name: "sitemap", problem: "is not valid percent-encoded UTF-8" });
    expect(queryProblem("?q=a%0Ab")).toEqual({ name: "q", problem: "contains a line break (U+000A)" });
    expect(queryProblem("?%ff=1")).toEqual({ name: "%ff", problem: "has a name that is not valid percent-encoded UTF-8" });
    expect(queryProblem("?a%01=1")).toEqual({ name: "a\\u0001", problem: "has a name that contains the control character U+0001" });
  });
});

describe("escapeUndecodablePath and rawUrlProblem", () => {
  it("replaces only the segments that do not decode, so the path still matches the same route", () => {
    expect(escapeUndecodablePath("/api/v1/sitemaps/abc")).toBeNull();
    expect(escapeUndecodablePath("/api/v1/sitemaps/%00")).toBeNull();
    expect(escapeUndecodablePath("/api/v1/sitemaps/%ff")).toBe("/api/v1/sitemaps/%EF%BF%BD");
    expect(escapeUndecodablePath("/api/v1/sitemaps/a%20b/files/..%c0%af..%c0%afetc%c0%afpasswd")).toBe("/api/v1/sitemaps/a%20b/files/%EF%BF%BD");
    expect(escapeUndecodablePath("/s/%e2%82/x.xml")).toBe("/s/%EF%BF%BD/x.xml");
  });
  it("tells what is wrong with a raw path and query, or null", () => {
    expect(rawUrlProblem("/api/v1/sitemaps?size=5")).toBeNull();
    expect(rawUrlProblem("/s/%ff/x.xml")).toEqual({ message: expect.stringContaining("path is not valid percent-encoded UTF-8") });
    expect(rawUrlProblem("/api/v1/sitemaps?cursor=%ff")).toEqual({ field: "cursor", message: 'The query parameter "cursor" is not valid percent-encoded UTF-8.' });
  });
});
