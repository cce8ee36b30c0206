import { describe, expect, it } from "vitest";
import { compileMask, extractItemMeta, extractLinks, MaskError } from "./extract";

const PAGE = "https://news.example.com/list?p=1";
const HTML = `<base href="/"><a href="news/1">One</a><a href="news/2#x"> Two
  </a><a href="https://other.example/news/3">Other</a><a href="javascript:alert(1)">js</a><a href="mailto:a@b">m</a>
  <a href="list?p=1">self</a><a href="news/1">dup</a><div class="x"><a href="/about">About</a></div>`;

describe("link masks", () => {
  it("glob on the absolute URL or the path", () => {
    expect(extractLinks(HTML, PAGE, compileMask("/news/*", "glob")).map((l) => l.url)).toEqual(["https://news.example.com/news/1", "https://news.example.com/news/2"]);
    expect(extractLinks(HTML, PAGE, compileMask("https://*/news/?", "glob")).map((l) => l.url)).toEqual([
      "https://news.example.com/news/1",
      "https://news.example.com/news/2",
      "https://other.example/news/3",
    ]);
    expect(extractLinks(HTML, PAGE, compileMask("/news/[1]", "glob"))).toEqual([]); // brackets are literal in globs
  });
  it("empty mask: every http(s) link on the page's host, deduplicated, the page itself and fragments removed", () => {
    expect(extractLinks(HTML, PAGE, compileMask("", "glob"))).toEqual([
      { url: "https://news.example.com/news/1", text: "One" },
      { url: "https://news.example.com/news/2", text: "Two" },
      { url: "https://news.example.com/about", text: "About" },
    ]);
  });
  it("regex and css", () => {
    expect(extractLinks(HTML, PAGE, compileMask("/news/\\d$", "regex")).map((l) => l.url)).toHaveLength(3);
    expect(extractLinks(HTML, PAGE, compileMask("div.x", "css")).map((l) => l.url)).toEqual(["https://news.example.com/about"]);
    expect(extractLinks(HTML, PAGE, compileMask("a[href^='https://other']", "css")).map((l) => l.url)).toEqual(["https://other.example/news/3"]);
  });
  it.each(["(", "(a+)+$", "(\\w*x?)*$", "([a-z]{1,3})+$", "(a|a)*$", "a.*b.*c"])("refuses the regex %s", (re) => {
    expect(() => compileMask(re, "regex")).toThrow(MaskError);
  });
  it("refuses a glob whose many * would backtrack polynomially, keeps ordinary globs", () => {
    expect(() => compileMask("*a*a*a*a*", "glob")).toThrow(/bounded time/);
    expect(() => compileMask("https://*/news/*", "glob")).not.toThrow();
  });
  it("accepts ordinary regexes (also a harmless backreference) and refuses bad selectors", () => {
    expect(() => compileMask("^https://e\\.com/(news|blog)/[a-z0-9-]+/?$", "regex")).not.toThrow();
    expect(() => compileMask("/(\\d)\\1/", "regex")).not.toThrow();
    expect(() => compileMask("\\.pdf$", "regex")).not.toThrow();
    expect(() => compileMask("a[", "css")).toThrow(MaskError);
    expect(() => compileMask("x".repeat(501), "regex")).toThrow(/longer than/);
  });
});

describe("extractItemMeta", () => {
  it("title: og:title → <title> → <h1>; date: JSON-LD → meta → <time>", () => {
    expect(extractItemMeta(`<meta property="og:title" content=" OG "><title>T</title>`)).toEqual({ title: "OG", description: null, date: null });
    expect(extractItemMeta(`<meta name="description" content="d"><meta property="og:description" content=" og  d ">`).description).toBe("og d");
    expect(extractItemMeta(`<h1>Head <b>line</b></h1>`).title).toBe("Head line");
    expect(extractItemMeta(`<script type="application/ld+json">[{"@type":"X"},{"datePublished":"2026-01-02T03:04:05Z"}]</script><time datetime="2020-01-01">`).date!.toISOString()).toBe("2026-01-02T03:04:05.000Z");
    expect(extractItemMeta(`<script type="application/ld+json">{broken</script><meta name="pubdate" content="2026-05-06">`).date!.toISOString()).toBe("2026-05-06T00:00:00.000Z");
    expect(extractItemMeta(`<time datetime="not a date">x</time>`).date).toBeNull();
  });
});
