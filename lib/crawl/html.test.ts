import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { normalizeUrl } from "@/lib/core/url";
import {
  decodeHtml,
  detectCharset,
  isHtmlContentType,
  looksLikeHtml,
  makeResolver,
  parsePage,
  parseRobotsDirectives,
  parseXRobotsTag,
} from "./html";

const URL0 = "http://example.com/docs/page.html";
const parse = (html: string | Buffer, contentType: string | null = "text/html", url = URL0) =>
  parsePage(typeof html === "string" ? Buffer.from(html) : html, { url, contentType, botToken: "SitemapForgeBot" });
const urls = (html: string) => parse(html).links.map((l) => l.url);

describe("parsePage: links", () => {
  it("resolves, normalises and deduplicates <a href> in document order", () => {
    const html = `<a href="next.html">n</a><a href="/abs">a</a><a href="http://EXAMPLE.com:80/abs#x">dup</a>
      <a href="../up/">u</a><a href="?q=1">q</a><a href="https://other.example/x">o</a><a href="#top">self</a>`;
    expect(urls(html)).toEqual([
      "http://example.com/docs/next.html",
      "http://example.com/abs",
      "http://example.com/up/",
      "http://example.com/docs/page.html?q=1",
      "https://other.example/x",
      "http://example.com/docs/page.html",
    ]);
  });

  it("drops non-http links and anchors without href", () => {
    expect(urls(`<a href="mailto:x@y.z">m</a><a href="javascript:void(0)">j</a><a href="tel:+1">t</a><a name="n">x</a><a href="http://[bad">b</a>`)).toEqual([]);
  });

  it("notes rel=nofollow per link; one followable link to the same URL is enough", () => {
    const { links } = parse(`<a href="/a" rel="nofollow">a</a><a href="/b" rel="noopener NOFOLLOW ugc">b</a><a href="/b">b again</a><a href="/c" rel="nofollowing">c</a>`);
    expect(links).toEqual([
      { url: "http://example.com/a", nofollow: true },
      { url: "http://example.com/b", nofollow: false },
      { url: "http://example.com/c", nofollow: false },
    ]);
  });

  it("ignores links inside comments, scripts, styles, textarea and title", () => {
    const html = `<title><a href="/in-title">x</a></title>
      <!-- <a href="/in-comment">old</a> -->
      <script>document.write('<a href="/in-script">x</a>'); if (a<b) {}</script>
      <style>/* <a href="/in-style"> */ a{}</style>
      <textarea><a href="/in-textarea">x</a></textarea>
      <a href="/real">real</a>`;
    expect(urls(html)).toEqual(["http://example.com/real"]);
  });

  it("decodes character references in attributes (HTML spec rules), not in text", () => {
    const html = `<p>Fish &amp; chips &lt;a href="/fake"&gt; &copy; 2026</p>
      <a href="/a?x=1&amp;y=2">1</a><a href="/b&#47;c&#x2F;d">2</a><a href="/c?x=1&copy=2">legacy-not-decoded</a>
      <a href="/d?&quot;q&quot;">3</a><A HREF="/Upper">4</A>`;
    expect(urls(html)).toEqual([
      "http://example.com/a?x=1&y=2",
      "http://example.com/b/c/d",
      "http://example.com/c?x=1&copy=2",
      "http://example.com/d?%22q%22",
      "http://example.com/Upper",
    ]);
  });

  it("uses the first <base href> (resolved against the page) for every link, even links before it", () => {
    const html = `<a href="before.html">b</a><base href="/other/dir/"><base href="/ignored/"><a href="x.html">x</a><link rel="canonical" href="c.html">`;
    const p = parse(html);
    expect(p.baseUrl).toBe("http://example.com/other/dir/");
    expect(p.links.map((l) => l.url)).toEqual(["http://example.com/other/dir/before.html", "http://example.com/other/dir/x.html"]);
    expect(p.canonical).toBe("http://example.com/other/dir/c.html");
  });

  it("falls back to the page URL when <base href> is unusable", () => {
    expect(parse(`<base href="http://[broken"><a href="x">x</a>`).links[0].url).toBe("http://example.com/docs/x");
  });
});

describe("parsePage: meta robots and canonical", () => {
  it.each([
    [`<meta name="robots" content="noindex, follow">`, { noindex: true, nofollow: false }],
    [`<meta name="ROBOTS" content="NOFOLLOW">`, { noindex: false, nofollow: true }],
    [`<meta name="robots" content="none">`, { noindex: true, nofollow: true }],
    [`<meta name="sitemapforgebot" content="noindex">`, { noindex: true, nofollow: false }],
    [`<meta name="googlebot" content="noindex, nofollow">`, { noindex: false, nofollow: false }],
    [`<meta name="robots" content="index, follow, max-snippet:-1">`, { noindex: false, nofollow: false }],
    [`<meta name="robots" content="nofollow"><meta name="SitemapForgeBot" content="noindex">`, { noindex: true, nofollow: true }],
  ])("%s", (head, expected) => {
    expect(parse(`<html><head>${head}</head><body></body></html>`).robots).toEqual(expected);
  });

  it("reads rel=canonical (absolute or relative); several different canonicals are ignored", () => {
    expect(parse(`<link rel="canonical" href="https://example.com/c#f">`).canonical).toBe("https://example.com/c");
    expect(parse(`<link rel="Canonical" href="/c">`).canonical).toBe("http://example.com/c");
    expect(parse(`<link rel="alternate" href="/alt">`).canonical).toBeNull();
    expect(parse(`<link rel="canonical" href="/a"><link rel="canonical" href="/a">`).canonical).toBe("http://example.com/a");
    expect(parse(`<link rel="canonical" href="/a"><link rel="canonical" href="/b">`).canonical).toBeNull();
    expect(parse(`<link rel="canonical" href="mailto:x@y">`).canonical).toBeNull();
  });
});

describe("charset", () => {
  const cyrillic = "Привет, мир";
  const cp1251Page = (meta: string) =>
    Buffer.concat([Buffer.from(`<html><head>${meta}<title>t</title></head><body>`), iconv.encode(`<a href="/статья">${cyrillic}</a>`, "windows-1251"), Buffer.from("</body></html>")]);

  it("decodes a windows-1251 page declared by <meta charset>", () => {
    const body = cp1251Page(`<meta charset="windows-1251">`);
    expect(detectCharset(body, "text/html")).toBe("windows-1251");
    expect(decodeHtml(body, "text/html").text).toContain(cyrillic);
    expect(parse(body).links[0].url).toBe("http://example.com/%D1%81%D1%82%D0%B0%D1%82%D1%8C%D1%8F");
  });

  it("reads the http-equiv form", () => {
    const body = cp1251Page(`<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">`);
    expect(detectCharset(body, null)).toBe("windows-1251");
  });

  it("prefers the Content-Type charset over <meta>, and a BOM over both", () => {
    const body = cp1251Page(`<meta charset="utf-8">`);
    expect(detectCharset(body, "text/html; charset=windows-1251")).toBe("windows-1251");
    expect(detectCharset(body, 'text/html; charset="WINDOWS-1251"')).toBe("windows-1251");
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("<a href='/é'>x</a>")]);
    expect(detectCharset(bom, "text/html; charset=windows-1251")).toBe("utf-8");
    expect(decodeHtml(bom, null).text.startsWith("<a")).toBe(true);
  });

  it("defaults to UTF-8 and ignores unknown labels", () => {
    expect(detectCharset(Buffer.from("<p>x</p>"), "text/html")).toBe("utf-8");
    expect(detectCharset(Buffer.from(`<meta charset="x-no-such">`), "text/html; charset=bogus")).toBe("utf-8");
  });

  it("maps latin1/ascii labels to windows-1252 as browsers do (0x80 is €)", () => {
    const body = Buffer.from([0x3c, 0x70, 0x3e, 0x80]); // "<p>" + 0x80
    expect(detectCharset(body, "text/html; charset=iso-8859-1")).toBe("windows-1252");
    expect(decodeHtml(body, "text/html; charset=iso-8859-1").text).toBe("<p>€");
  });

  it("prescans like the HTML spec: a <meta charset> inside a comment does not count", () => {
    expect(detectCharset(Buffer.from(`<!-- <meta charset="windows-1251"> --><meta charset="koi8-r">`), null)).toBe("koi8-r");
    expect(detectCharset(Buffer.from(`<!-- <meta charset="windows-1251"> --><p>x</p>`), null)).toBe("utf-8");
    // A meta-declared x-user-defined means windows-1252 (HTML §13.2.3.2).
    expect(detectCharset(Buffer.from(`<meta charset="x-user-defined">`), null)).toBe("windows-1252");
  });
});

describe("content type helpers", () => {
  it("isHtmlContentType", () => {
    expect(isHtmlContentType("text/html")).toBe(true);
    expect(isHtmlContentType("Text/HTML; charset=UTF-8")).toBe(true);
    expect(isHtmlContentType("application/xhtml+xml")).toBe(true);
    expect(isHtmlContentType("application/pdf")).toBe(false);
    expect(isHtmlContentType("text/plain")).toBe(false);
    expect(isHtmlContentType(null)).toBe(false);
  });
  it("looksLikeHtml", () => {
    expect(looksLikeHtml(Buffer.from("\n  <!DOCTYPE html><html>"))).toBe(true);
    expect(looksLikeHtml(Buffer.from("<html lang=en>"))).toBe(true);
    expect(looksLikeHtml(Buffer.from("%PDF-1.4"))).toBe(false);
    expect(looksLikeHtml(Buffer.from("just text"))).toBe(false);
    expect(looksLikeHtml(Buffer.from(`<?xml version="1.0"?><rss version="2.0"></rss>`))).toBe(false);
  });
});

describe("robots directives", () => {
  it("parseRobotsDirectives", () => {
    expect(parseRobotsDirectives("noindex,nofollow")).toEqual({ noindex: true, nofollow: true });
    expect(parseRobotsDirectives(" NoIndex ")).toEqual({ noindex: true, nofollow: false });
    expect(parseRobotsDirectives("all")).toEqual({ noindex: false, nofollow: false });
  });

  it.each<[string | string[], { noindex: boolean; nofollow: boolean }]>([
    ["noindex", { noindex: true, nofollow: false }],
    ["NOINDEX, NOFOLLOW", { noindex: true, nofollow: true }],
    ["none", { noindex: true, nofollow: true }],
    ["googlebot: noindex", { noindex: false, nofollow: false }],
    ["SitemapForgeBot: noindex", { noindex: true, nofollow: false }],
    ["sitemapforgebot: none", { noindex: true, nofollow: true }],
    ["otherbot: noindex, nofollow", { noindex: false, nofollow: false }], // scope runs to the end of the value
    ["otherbot: noindex, sitemapforgebot: nofollow", { noindex: false, nofollow: true }],
    [["googlebot: noindex", "nofollow"], { noindex: false, nofollow: true }], // separate fields, separate scopes
    ["unavailable_after: Friday, 25-Jun-2010 15:00:00 PST", { noindex: false, nofollow: false }],
    ["max-snippet: 20, noindex", { noindex: true, nofollow: false }],
  ])("X-Robots-Tag %j", (value, expected) => {
    expect(parseXRobotsTag(value, "SitemapForgeBot")).toEqual(expected);
  });
  it("no header → nothing", () => {
    expect(parseXRobotsTag(undefined, "x")).toEqual({ noindex: false, nofollow: false });
  });
});

describe("makeResolver", () => {
  it("agrees with WHATWG URL resolution on generated references", () => {
    const bases = [
      "http://example.com/",
      "http://example.com/docs/guide/page.html",
      "https://example.com:8443/a/b/?q=1",
      "http://example.com/dir/",
      "http://example.com/%7Euser/x",
    ];
    const alphabet = ["a", "Z", "0", "-", ".", "_", "~", "/", "?", "=", "&", "+", ",", "#", "%", "%2e", "..", ":", " ", "\t", "\\", "é", "@", ";", "!", "//", "x.html", "../", "./"];
    let seed = 42;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    let checked = 0;
    for (const b of bases) {
      const base = new URL(b);
      const resolve = makeResolver(base);
      for (let i = 0; i < 3000; i++) {
        let href = "";
        const len = rnd(7);
        for (let j = 0; j < len; j++) href += alphabet[rnd(alphabet.length)];
        expect(resolve(href), `${b} + ${JSON.stringify(href)}`).toBe(normalizeUrl(href, base));
        checked++;
      }
    }
    expect(checked).toBe(15_000);
  });
});
