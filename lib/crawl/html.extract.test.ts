import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DEFAULT_CRAWL_SETTINGS } from "@/lib/core/types";
import {
  alternatesFromLinkHeader,
  bestSrcsetCandidate,
  extractPageData,
  looksLikeEmptyShell,
  MAX_IMAGES_PER_PAGE,
  parseLinkHeader,
  parsePage,
  type ExtensionSettings,
} from "./html";
import { isoDurationToSeconds } from "./structured-data";

const URL0 = "https://shop.example/p/1";
const parse = (html: string, o: { images?: boolean; hreflang?: boolean; structuredData?: boolean; shell?: boolean } = {}) =>
  parsePage(Buffer.from(html), { url: URL0, contentType: "text/html; charset=utf-8", botToken: "SitemapForgeBot", ...o });
const settings: ExtensionSettings = { ...DEFAULT_CRAWL_SETTINGS, video: true, news: true };
const data = (html: string, headers: Record<string, string | string[]> = {}, s: Partial<ExtensionSettings> = {}) =>
  extractPageData(parse(html, { images: true, hreflang: true, structuredData: true }), URL0, headers, { ...settings, ...s });
const sha = (s: string) => createHash("sha256").update(s).digest("hex");

describe("contentHash (main content)", () => {
  it("is sha256 of the text outside head/script/style/nav/header/footer/noscript/template, nodes joined by one space", () => {
    const page = parse(
      `<html><head><title>T</title><style>p{}</style></head><body><header>Site</header><nav>Menu</nav>
       <h1>Hello</h1><p>big   world</p><script>var x = "not text";</script><noscript>JS off</noscript>
       <template>tpl</template><footer>© 2026</footer></body></html>`,
    );
    expect(page.contentHash).toBe(sha("Hello big   world"));
    expect(page.textLength).toBe("Hello big   world".length);
  });

  it("ignores re-indentation and line wrapping, but not content or entity spelling changes", () => {
    const a = parse("<body><p>The quick brown fox</p><p>jumps</p></body>").contentHash;
    const b = parse("<body>\n  <p>The quick\n      brown fox</p>\n\n\t<p>\n jumps\n</p>\n</body>").contentHash;
    const c = parse("<body><p>The quick brown fox</p><p>jumped</p></body>").contentHash;
    const navOnly = parse("<body><nav>Other menu</nav><p>The quick brown fox</p><p>jumps</p><footer>2027</footer></body>").contentHash;
    expect(b).toBe(a);
    expect(navOnly).toBe(a);
    expect(c).not.toBe(a);
    expect(parse("<body><p>A &amp; B</p></body>").contentHash).toBe(sha("A &amp; B")); // source text, not decoded
  });
});

describe("images", () => {
  it("img src, lazy data-src, best srcset candidate, picture sources; resolved, deduplicated, data: URIs skipped", () => {
    const page = parse(
      `<body><img src="/a.jpg"><img src="data:image/gif;base64,R0lG" data-src="/lazy.jpg">
       <img srcset="/s-480.jpg 480w, /s-1200.jpg 1200w, /s-800.jpg 800w">
       <img srcset="/x1.jpg, /x2.jpg 2x">
       <picture><source srcset="/p.avif 1x, /p@2.avif 2x" type="image/avif"><img src="/p.jpg"></picture>
       <video><source src="/v.mp4"></video><img src="/a.jpg"><img></body>`,
      { images: true },
    );
    expect(page.images).toEqual([
      "https://shop.example/a.jpg",
      "https://shop.example/lazy.jpg",
      "https://shop.example/s-1200.jpg",
      "https://shop.example/x2.jpg",
      "https://shop.example/p@2.avif",
      "https://shop.example/p.jpg",
    ]);
    expect(parse(`<img src="/a.jpg">`).images).toEqual([]); // only collected when asked
  });

  it("keeps the page's origin and imageHosts (exact or *.suffix); at most 1,000", () => {
    const html = `<img src="/own.jpg"><img src="https://cdn.example.net/c.jpg"><img src="https://img.shop-cdn.com/d.jpg"><img src="https://evil.test/e.jpg"><img src="http://shop.example/f.jpg">`;
    expect(data(html)?.images).toEqual(["https://shop.example/own.jpg"]);
    expect(data(html, {}, { imageHosts: ["cdn.example.net", "*.shop-cdn.com"] })?.images).toEqual([
      "https://shop.example/own.jpg",
      "https://cdn.example.net/c.jpg",
      "https://img.shop-cdn.com/d.jpg",
    ]);
    const many = Array.from({ length: 1200 }, (_, i) => `<img src="/i${i}.jpg">`).join("");
    expect(data(many)?.images).toHaveLength(MAX_IMAGES_PER_PAGE);
    expect(data(html, {}, { images: false })).toBeNull();
  });

  it("bestSrcsetCandidate", () => {
    expect(bestSrcsetCandidate("a.jpg 1x, b.jpg 3x, c.jpg 2x")).toBe("b.jpg");
    expect(bestSrcsetCandidate("a.jpg")).toBe("a.jpg");
    expect(bestSrcsetCandidate("/img,1.jpg 100w, /img,2.jpg 200w")).toBe("/img,2.jpg");
    expect(bestSrcsetCandidate("")).toBeNull();
  });
});

describe("hreflang", () => {
  it("reads <link rel=alternate hreflang> and Link: headers, validates codes, deduplicates", () => {
    const html = `<head><link rel="alternate" hreflang="de" href="/de/p/1"><link rel="alternate" hreflang="x-default" href="https://shop.example/p/1">
      <link rel="alternate" hreflang="en-GB" href="https://shop.example.co.uk/p/1"><link rel="alternate" hreflang="not a code" href="/x">
      <link rel="alternate" type="application/rss+xml" href="/feed"><link rel="canonical" href="/p/1"></head>`;
    const header = ['<https://shop.example/fr/p/1>; rel="alternate"; hreflang="fr"', '</de/p/1>; rel=alternate; hreflang=de, </x>; rel="next"'];
    expect(data(html, { link: header })?.alternates).toEqual([
      { hreflang: "de", href: "https://shop.example/de/p/1" },
      { hreflang: "x-default", href: "https://shop.example/p/1" },
      { hreflang: "en-GB", href: "https://shop.example.co.uk/p/1" },
      { hreflang: "fr", href: "https://shop.example/fr/p/1" },
    ]);
    expect(data(html, { link: header }, { hreflang: false })).toBeNull();
  });

  it("parseLinkHeader: quoted commas and semicolons, first parameter wins", () => {
    expect(parseLinkHeader('<https://a/x,y>; title="a, b; c"; rel="alternate"; rel=next, <https://b/>; rel=alternate; hreflang=en')).toEqual([
      { target: "https://a/x,y", params: { title: "a, b; c", rel: "alternate" } },
      { target: "https://b/", params: { rel: "alternate", hreflang: "en" } },
    ]);
    expect(alternatesFromLinkHeader('<javascript:alert(1)>; rel=alternate; hreflang=de', URL0)).toEqual([]);
  });
});

describe("JSON-LD video and news", () => {
  const ld = (obj: unknown) => `<script type="application/ld+json">${JSON.stringify(obj)}</script>`;

  it("VideoObject with the required fields, anywhere in the graph; incomplete ones skipped", () => {
    const html =
      ld({
        "@context": "https://schema.org",
        "@graph": [
          { "@type": "WebPage", name: "x" },
          {
            "@type": "VideoObject",
            name: "How to <fix> it",
            description: "Steps",
            thumbnailUrl: ["/thumb.jpg", "/thumb2.jpg"],
            contentUrl: "https://media.example/v.mp4",
            embedUrl: "/embed/1",
            duration: "PT1M33S",
            uploadDate: "2026-11-20T08:00:00+01:00",
          },
          { "@type": "VideoObject", name: "no thumbnail", description: "d", contentUrl: "/v2.mp4" },
        ],
      }) + ld({ "@type": "Article", video: { "@type": "http://schema.org/VideoObject", name: "n", description: "d", thumbnail: { url: "/t.png" }, embedUrl: "/e" } });
    expect(data(html)?.video).toEqual([
      {
        thumbnailLoc: "https://shop.example/thumb.jpg",
        title: "How to <fix> it",
        description: "Steps",
        contentLoc: "https://media.example/v.mp4",
        playerLoc: "https://shop.example/embed/1",
        durationSec: 93,
        publicationDate: "2026-11-20T08:00:00+01:00",
      },
      { thumbnailLoc: "https://shop.example/t.png", title: "n", description: "d", contentLoc: null, playerLoc: "https://shop.example/e", durationSec: null, publicationDate: null },
    ]);
  });

  it("NewsArticle: headline + datePublished, publication from settings, else publisher/inLanguage/<html lang>", () => {
    const article = { "@type": "NewsArticle", headline: "Big news", datePublished: "2026-11-22T07:00:00Z", publisher: { "@type": "Organization", name: "The Daily" } };
    expect(data(`<html lang="de-AT">${ld(article)}`)?.news).toEqual({ publicationName: "The Daily", language: "de", publicationDate: "2026-11-22T07:00:00Z", title: "Big news" });
    expect(data(`<html lang="zh-TW">${ld(article)}`, {}, { newsPublicationName: "Site", newsLanguage: null })?.news).toMatchObject({
      publicationName: "Site",
      language: "zh-tw",
    });
    expect(data(ld({ ...article, "@type": "ReportageNewsArticle", inLanguage: "fr" }))?.news?.language).toBe("fr");
    expect(data(ld({ ...article, datePublished: "yesterday" }), {}, { newsLanguage: "en" })).toBeNull();
    expect(data(ld(article), {}, { newsLanguage: null })).toBeNull(); // no language anywhere
    expect(data(ld(article), {}, { news: false, newsLanguage: "en" })).toBeNull();
  });

  it("survives hostile JSON-LD: invalid JSON, comments wrapper, deep nesting", () => {
    const deep = '{"a":'.repeat(20_000) + '{"@type":"VideoObject"}' + "}".repeat(20_000);
    const html =
      `<script type="application/ld+json">{ not json</script>` +
      `<script type="application/ld+json"><!--{"@type":"NewsArticle","headline":"h","datePublished":"2026-01-01"}--></script>` +
      `<script type="application/ld+json">${deep}</script>`;
    expect(data(html, {}, { newsPublicationName: "P", newsLanguage: "en" })?.news?.title).toBe("h");
  });

  it("isoDurationToSeconds", () => {
    expect(isoDurationToSeconds("PT1H2M3S")).toBe(3723);
    expect(isoDurationToSeconds("P1DT1S")).toBe(86401);
    expect(isoDurationToSeconds("PT")).toBeNull();
    expect(isoDurationToSeconds("90")).toBeNull();
  });
});

describe("looksLikeEmptyShell (renderJs: auto)", () => {
  it("an SPA shell: scripts, almost no text, a mount point or no links", () => {
    const shell = parse(`<html><body><div id="root"></div><noscript>You need to enable JavaScript to run this app.</noscript><script src="/app.js"></script></body></html>`, { shell: true });
    expect(looksLikeEmptyShell(shell)).toBe(true);
    const noLinks = parse(`<body><main>Loading…</main><script>boot()</script></body>`, { shell: true });
    expect(looksLikeEmptyShell(noLinks)).toBe(true);
  });

  it("server-rendered pages are not shells", () => {
    const ssr = parse(`<body><div id="__next"><h1>Title</h1><p>${"Real content. ".repeat(30)}</p></div><script src="/app.js"></script></body>`, { shell: true });
    expect(looksLikeEmptyShell(ssr)).toBe(false);
    const noScripts = parse(`<body><div id="root"></div></body>`, { shell: true });
    expect(looksLikeEmptyShell(noScripts)).toBe(false);
    const links = parse(`<body><a href="/a">A</a><script src="/x.js"></script></body>`, { shell: true });
    expect(looksLikeEmptyShell(links)).toBe(false);
  });
});
