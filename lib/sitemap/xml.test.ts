import { describe, expect, it } from "vitest";
import { InvalidLocError } from "./errors";
import { encodeLoc, encodeLocParsed, escapeXml, MAX_LOC_LENGTH, stripInvalidXmlChars, w3cDatetime } from "./xml";

const locError = (url: string) => {
  try {
    encodeLoc(url);
  } catch (err) {
    return err;
  }
  return null;
};

describe("escapeXml", () => {
  it("escapes the five special characters exactly once", () => {
    expect(escapeXml(`a&b<c>d"e'f`)).toBe("a&amp;b&lt;c&gt;d&quot;e&apos;f");
    expect(escapeXml("&amp; &lt;")).toBe("&amp;amp; &amp;lt;");
    expect(escapeXml("]]>")).toBe("]]&gt;");
    expect(escapeXml("<script>alert(1)</script>")).toBe("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(escapeXml("plain text")).toBe("plain text");
  });

  it("strips characters XML 1.0 forbids and keeps tab, newlines and surrogate pairs", () => {
    const forbidden = "\u0000\u0001\u0008\u000B\u000C\u000E\u001F\uFFFE\uFFFF";
    expect(escapeXml(`a${forbidden}b`)).toBe("ab");
    expect(escapeXml("a\tb\nc\rd")).toBe("a\tb\nc\rd");
    expect(escapeXml("x\uD800y\uDC00z")).toBe("xyz"); // lone high and lone low surrogate
    expect(escapeXml("\uDC00\uD800")).toBe(""); // reversed pair is two lone surrogates
    expect(escapeXml("😀 Ж")).toBe("😀 Ж");
    expect(escapeXml("&\u0001<")).toBe("&amp;&lt;");
    expect(stripInvalidXmlChars("t\u0002i&tle")).toBe("ti&tle");
  });
});

describe("encodeLoc", () => {
  it("percent-encodes IRIs (RFC 3987 → 3986): Cyrillic and emoji paths, IDN hosts", () => {
    expect(encodeLoc("https://example.com/путь?q=значение")).toBe(
      "https://example.com/%D0%BF%D1%83%D1%82%D1%8C?q=%D0%B7%D0%BD%D0%B0%D1%87%D0%B5%D0%BD%D0%B8%D0%B5",
    );
    expect(encodeLoc("https://example.com/😀")).toBe("https://example.com/%F0%9F%98%80");
    expect(encodeLoc("https://пример.рф/")).toBe("https://xn--e1afmkfd.xn--p1ai/");
  });

  it("never double-encodes existing %XX, and encodes a stray %", () => {
    expect(encodeLoc("https://example.com/a%20b")).toBe("https://example.com/a%20b");
    expect(encodeLoc("https://example.com/a b")).toBe("https://example.com/a%20b");
    expect(encodeLoc("https://example.com/%D0%BF")).toBe("https://example.com/%D0%BF");
    expect(encodeLoc("https://example.com/100%")).toBe("https://example.com/100%25");
    expect(encodeLoc("https://example.com/%zz")).toBe("https://example.com/%25zz");
  });

  it("encodes characters WHATWG leaves raw but RFC 3986 forbids, outside the host only", () => {
    expect(encodeLoc("https://example.com/a|b^c`d{e}[f]")).toBe("https://example.com/a%7Cb%5Ec%60d%7Be%7D%5Bf%5D");
    expect(encodeLoc('https://example.com/?q=<x>"y"')).toBe("https://example.com/?q=%3Cx%3E%22y%22");
    expect(encodeLoc("http://[::1]:8080/a")).toBe("http://[::1]:8080/a");
    expect(encodeLoc("https://example.com/p#a#b")).toBe("https://example.com/p#a%23b");
  });

  it("keeps & and ' (legal in URIs; XML escaping is a separate step) and is idempotent", () => {
    const hostile = "https://example.com/it's?a=1&b=<2>&c=]]>&d=\u0001&e=Ж😀 x%20y";
    const once = encodeLoc(hostile);
    expect(once).toBe("https://example.com/it's?a=1&b=%3C2%3E&c=%5D%5D%3E&d=%01&e=%D0%96%F0%9F%98%80%20x%20y");
    expect(encodeLoc(once)).toBe(once);
    expect(once).toMatch(/^[\x21-\x7e]+$/);
  });

  it("rejects non-absolute, non-http(s), too long and too short URLs with a typed error", () => {
    const cases: [string, string][] = [
      ["/relative/path", "not_absolute"],
      ["example.com/page", "not_absolute"],
      ["", "not_absolute"],
      [undefined as unknown as string, "not_absolute"],
      [42 as unknown as string, "not_absolute"],
      ["ftp://example.com/file", "not_http"],
      ["javascript:alert(1)", "not_http"],
      ["mailto:a@example.com", "not_http"],
      ["http://a.b/", "too_short"],
      [`https://example.com/${"a".repeat(5000)}`, "too_long"],
    ];
    for (const [url, reason] of cases) {
      const err = locError(url);
      expect(err, url).toBeInstanceOf(InvalidLocError);
      expect((err as InvalidLocError).reason, url).toBe(reason);
      expect((err as InvalidLocError).code).toBe("invalid_loc");
    }
  });

  it("accepts up to 2,047 encoded chars and rejects 2,048 (sitemaps.org: less than 2,048)", () => {
    const base = "https://example.com/";
    expect(encodeLoc(base + "a".repeat(MAX_LOC_LENGTH - base.length))).toHaveLength(2047);
    expect((locError(base + "a".repeat(MAX_LOC_LENGTH - base.length + 1)) as InvalidLocError).reason).toBe("too_long");
    // The limit counts the encoded form: 400 Cyrillic letters are 400 chars raw but 2,400 encoded.
    expect((locError(base + "ж".repeat(400)) as InvalidLocError).reason).toBe("too_long");
  });
});

describe("encodeLoc fast path", () => {
  const outcome = (f: (u: string) => string, u: string) => {
    try {
      return { ok: f(u) };
    } catch (err) {
      return { err: (err as InvalidLocError).reason };
    }
  };

  it("agrees with the full WHATWG parse on tricky and random URLs", () => {
    const schemes = ["http://", "https://", "HTTP://", "ftp://", "https:", ""];
    const hosts = [
      "example.com", "a.b.c", "EXAMPLE.com", "xn--e1afmkfd.xn--p1ai", "a.xn--p1ai", "пример.рф", "127.0.0.1", "0x7f.1",
      "a.123", "a.0x", "a.0xfg", "123.a", "a..b", "a.com.", "-a.com", "a-.com", "ab--c.de", "localhost", "u:p@host.com",
      "[::1]", "a_b.com", "ex%41mple.com", "", "xn--a.com", "xn--zz.xn--p1ai", "a.xn--", "Xn--p1ai.com",
    ];
    const ports = ["", "", "", ":80", ":443", ":8080", ":0", ":065535", ":99999", ":"];
    const segments = [
      "", "a", "abc", ".", "..", "%2e", "%2E%2e", ".%2e", "a.", "..a", "%20", "%41", "%zz", "%", "%4", "ж", "😀", "a b", "|",
      "'", '"', "<", ">", "{", "}", "^", "`", "[", "]", "\\", "~", "!$&()*+,;=:@", "\t", "\u0001", "?", "#",
    ];
    const queries = ["", "", "?", "?a=1&b=2", "?q='x'", "?q=%2e", "?q=ж", "?q=a b", "?q=a?b", "?q=<>", "?q=%", "?q=/x/../y"];
    const fragments = ["", "", "", "#", "#x", "#a#b", "#ж"];
    let seed = 42; // mulberry32: deterministic, and unlike a bare LCG its low bits are usable
    const rnd = (n: number) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) % n;
    };
    const pick = <T,>(a: T[]) => a[rnd(a.length)];
    const samples = [
      "https://www.example.com/cat1/item-1?color=red&size=2",
      "https://example.com/",
      "https://example.com/a/./b",
      "https://example.com/a/../b",
      "https://example.com/a/%2e%2e/b",
      "https://example.com/?",
      "http://example.com:80/x",
      "https://example.com:443/x",
      "https://example.com",
      "https://example.com?x",
    ];
    // Every single deviation from a clean URL, in each position, then random mixes.
    for (const sc of schemes) samples.push(`${sc}example.com/a`);
    for (const h of hosts) samples.push(`https://${h}/a`, `http://${h}/a/b?c=d`);
    for (const p of ports) samples.push(`https://example.com${p}/a`, `http://example.com${p}/a`);
    for (const seg of segments) {
      samples.push(`https://example.com/${seg}`, `https://example.com/a/${seg}/b?q=1`, `https://example.com/a${seg}b`);
      samples.push(`https://example.com/a?q=${seg}`, `https://example.com/a?${seg}`, `https://example.com/a#${seg}`);
    }
    for (const q of queries) samples.push(`https://example.com/a${q}`);
    for (const f of fragments) samples.push(`https://example.com/a${f}`);
    for (let i = 0; i < 20_000; i++) {
      const path = Array.from({ length: 1 + rnd(4) }, () => pick(segments)).join("/");
      samples.push(pick(schemes) + pick(hosts) + pick(ports) + "/" + path + pick(queries) + pick(fragments));
    }
    let fast = 0;
    for (const u of samples) {
      const a = outcome(encodeLoc, u);
      expect(a, u).toEqual(outcome(encodeLocParsed, u));
      if (a.ok === u) fast++;
    }
    expect(fast).toBeGreaterThan(100); // the corpus does exercise the unchanged (fast-path) case
  });
});

describe("w3cDatetime", () => {
  it("formats Dates as UTC with seconds and Z", () => {
    expect(w3cDatetime(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)))).toBe("2024-01-02T03:04:05Z");
    expect(w3cDatetime(new Date(NaN))).toBeNull();
  });

  it("keeps date-only and timezone-qualified values, normalising to seconds and ±hh:mm", () => {
    expect(w3cDatetime("2024-01-02")).toBe("2024-01-02");
    expect(w3cDatetime("2024-01-02T03:04:05Z")).toBe("2024-01-02T03:04:05Z");
    expect(w3cDatetime("2024-01-02T03:04:05+08:00")).toBe("2024-01-02T03:04:05+08:00");
    expect(w3cDatetime("2024-01-02T03:04-05:30")).toBe("2024-01-02T03:04:00-05:30");
    expect(w3cDatetime("2024-01-02T03:04:05.123+0200")).toBe("2024-01-02T03:04:05+02:00");
    expect(w3cDatetime("2024-01-02T03:04:05+02")).toBe("2024-01-02T03:04:05+02:00");
    expect(w3cDatetime(" 2024-01-02t03:04:05z ")).toBe("2024-01-02T03:04:05Z");
    expect(w3cDatetime("2024-01-02T03:04:05.123Z")).toBe("2024-01-02T03:04:05Z"); // Date#toISOString form
    expect(w3cDatetime("2024-01-02T03:04:05.999999-14:00")).toBe("2024-01-02T03:04:05-14:00");
    expect(w3cDatetime("2024-01-02T03:04:05.Z")).toBeNull();
    expect(w3cDatetime("2024-01-02T03:04:05+14:01")).toBeNull();
    expect(w3cDatetime("2024-1-02T03:04:05Z")).toBeNull();
  });

  it("always writes a timezone when there is a time: a zone-less time is taken as UTC", () => {
    expect(w3cDatetime("2024-01-02T03:04:05")).toBe("2024-01-02T03:04:05Z");
    expect(w3cDatetime("2024-01-02 03:04")).toBe("2024-01-02T03:04:00Z");
  });

  it("converts an HTTP Last-Modified date (IMF-fixdate) to UTC", () => {
    expect(w3cDatetime("Tue, 03 Nov 2026 10:00:00 GMT")).toBe("2026-11-03T10:00:00Z");
  });

  it("returns null for invalid or XSD-incompatible values", () => {
    for (const bad of [
      "",
      "garbage",
      "10/05/2024",
      "2024-02-30",
      "2023-02-29",
      "2024-13-01",
      "2024-01-02T24:00:00Z",
      "2024-01-02T03:60:00Z",
      "2024-01-02T03:04:60Z",
      "2024-01-02T03:04:05+15:00",
      "0000-01-01",
      "0000-01-01T00:00:00Z",
      "2023-02-29T00:00:00Z",
      "2024-04-31T00:00:00.000Z",
      "2024-01-32T00:00:00Z",
      "2024",
      "2024-05",
    ]) {
      expect(w3cDatetime(bad), bad).toBeNull();
    }
    expect(w3cDatetime("2024-02-29")).toBe("2024-02-29");
    expect(w3cDatetime("2024-02-29T23:59:59.5Z")).toBe("2024-02-29T23:59:59Z");
    expect(w3cDatetime("2024-12-31T00:00:00-00:00")).toBe("2024-12-31T00:00:00-00:00");
    expect(w3cDatetime(null)).toBeNull();
  });
});
