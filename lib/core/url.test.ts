import { describe, expect, it } from "vitest";
import { createUrlPolicy, normalizeUrl, originOf, sameOrigin } from "./url";

describe("normalizeUrl", () => {
  it.each([
    ["HTTP://Example.COM/Path?Q=1", "http://example.com/Path?Q=1"], // scheme+host lower-cased, path/query kept
    ["http://example.com:80/a", "http://example.com/a"], // default port removed
    ["https://example.com:443/a", "https://example.com/a"],
    ["http://example.com:8080/a", "http://example.com:8080/a"], // other ports kept
    ["http://example.com/a#frag", "http://example.com/a"], // fragment dropped
    ["http://example.com/a#", "http://example.com/a"], // bare '#' too
    ["http://example.com", "http://example.com/"], // empty path becomes '/'
    ["  http://example.com/a b  ", "http://example.com/a%20b"], // surrounding space trimmed, inner encoded
    ["http://example.com/b?y=2&x=1", "http://example.com/b?y=2&x=1"], // query order kept
    ["http://example.com/a/", "http://example.com/a/"], // trailing slash kept
    ["http://2130706433/", "http://127.0.0.1/"], // WHATWG canonicalises IPv4 forms (the SSRF guard relies on it)
    ["http://0x7f.1/", "http://127.0.0.1/"],
    ["http://bücher.example/", "http://xn--bcher-kva.example/"], // IDN → punycode
  ])("%s → %s", (input, expected) => {
    expect(normalizeUrl(input)).toBe(expected);
  });

  it("resolves relative references against a base (RFC 3986 §5)", () => {
    const base = "http://example.com/docs/guide/intro.html?x=1";
    expect(normalizeUrl("next.html", base)).toBe("http://example.com/docs/guide/next.html");
    expect(normalizeUrl("../api/", base)).toBe("http://example.com/docs/api/");
    expect(normalizeUrl("/root", base)).toBe("http://example.com/root");
    expect(normalizeUrl("?y=2", base)).toBe("http://example.com/docs/guide/intro.html?y=2");
    expect(normalizeUrl("#top", base)).toBe("http://example.com/docs/guide/intro.html?x=1");
    expect(normalizeUrl("//other.example/x", base)).toBe("http://other.example/x");
    expect(normalizeUrl("next.html", new URL(base))).toBe("http://example.com/docs/guide/next.html");
  });

  it.each([
    ["mailto:a@example.com"],
    ["javascript:void(0)"],
    ["ftp://example.com/file"],
    ["data:text/html,hi"],
    ["http://user:pass@example.com/"], // credentials refused
    ["http://user@example.com/"],
    ["not a url"],
    ["http://exa mple.com/"],
    ["/relative-without-base"],
  ])("returns null for %s", (input) => {
    expect(normalizeUrl(input)).toBeNull();
  });

  it("returns null (never throws) for a bad base", () => {
    expect(normalizeUrl("a", "not a base")).toBeNull();
  });
});

describe("sameOrigin / originOf", () => {
  it("compares scheme, host and port after normalisation", () => {
    expect(sameOrigin("http://Example.com:80/a", "http://example.com/b?c")).toBe(true);
    expect(sameOrigin("http://example.com/", "https://example.com/")).toBe(false);
    expect(sameOrigin("http://example.com/", "http://example.com:8080/")).toBe(false);
    expect(sameOrigin("http://example.com/", "http://www.example.com/")).toBe(false);
    expect(sameOrigin("http://example.com/", "mailto:x@example.com")).toBe(false);
    expect(sameOrigin("garbage", "garbage")).toBe(false);
  });

  it("gives an origin that prefixes every normalised URL on it", () => {
    const url = normalizeUrl("HTTP://Example.com:80/x/y?z#f")!;
    expect(originOf(url)).toBe("http://example.com");
    expect(url.startsWith(originOf(url) + "/")).toBe(true);
    expect(originOf("file:///etc/passwd")).toBeNull();
  });
});

describe("createUrlPolicy", () => {
  it("keep/keep returns the same string for URLs without query or path parameters", () => {
    const p = createUrlPolicy();
    const u = "https://example.com/a/b";
    expect(p(u)).toBe(u);
    expect(p("https://example.com/a?b=1&c=2")).toBe("https://example.com/a?b=1&c=2");
    expect(p("https://example.com/a?")).toBe("https://example.com/a?");
  });

  it("always strips session ids: query parameters (any case) and ;jsessionid path parameters", () => {
    const p = createUrlPolicy();
    expect(p("https://example.com/a?PHPSESSID=abc&page=2")).toBe("https://example.com/a?page=2");
    expect(p("https://example.com/a?page=2&sid=9f8e")).toBe("https://example.com/a?page=2");
    expect(p("https://example.com/a;jsessionid=0A1B2C?x=1")).toBe("https://example.com/a?x=1");
    expect(p("https://example.com/a;JSESSIONID=0A1B2C")).toBe("https://example.com/a");
    expect(p("https://example.com/a?ASPSESSIONIDQQGGQGPA=X&CFID=1&CFTOKEN=2")).toBe("https://example.com/a");
    expect(p("https://example.com/a?osCsid=1&zenid=2&sessionid=3&session_id=4&sessid=5")).toBe("https://example.com/a");
    // Not session ids: names that merely contain the letters.
    expect(p("https://example.com/a?side=1&consider=2")).toBe("https://example.com/a?side=1&consider=2");
  });

  it("always strips tracking parameters (utm_*, click ids), keeps the others in order", () => {
    const p = createUrlPolicy();
    expect(p("https://e.com/a?utm_source=nav")).toBe("https://e.com/a");
    expect(p("https://e.com/a?page=2&UTM_Medium=mail&gclid=x&fbclid=y&sort=asc")).toBe("https://e.com/a?page=2&sort=asc");
    expect(p("https://e.com/a?utm_sourcery=1&myutm_source=2")).toBe("https://e.com/a?utm_sourcery=1&myutm_source=2");
  });

  it("query policy strip drops the whole query; allowlist keeps only the listed names, in order", () => {
    expect(createUrlPolicy({ queryPolicy: "strip" })("https://e.com/a?x=1&page=2")).toBe("https://e.com/a");
    const allow = createUrlPolicy({ queryPolicy: "allowlist", queryAllowlist: ["page", "lang"] });
    expect(allow("https://e.com/a?utm_source=x&page=2&sort=asc&lang=de")).toBe("https://e.com/a?page=2&lang=de");
    expect(allow("https://e.com/a?utm_source=x")).toBe("https://e.com/a");
    expect(allow("https://e.com/a?Page=2")).toBe("https://e.com/a"); // names are case-sensitive
  });

  it("trailing slash: add to directory-like paths only; remove from any path but the root", () => {
    const add = createUrlPolicy({ trailingSlash: "add" });
    expect(add("https://e.com/docs")).toBe("https://e.com/docs/");
    expect(add("https://e.com/docs/")).toBe("https://e.com/docs/");
    expect(add("https://e.com/file.pdf")).toBe("https://e.com/file.pdf");
    expect(add("https://e.com/docs?x=1")).toBe("https://e.com/docs/?x=1");
    expect(add("https://e.com/")).toBe("https://e.com/");
    const remove = createUrlPolicy({ trailingSlash: "remove" });
    expect(remove("https://e.com/docs/")).toBe("https://e.com/docs");
    expect(remove("https://e.com/docs/?x=1")).toBe("https://e.com/docs?x=1");
    expect(remove("https://e.com/")).toBe("https://e.com/");
  });
});
