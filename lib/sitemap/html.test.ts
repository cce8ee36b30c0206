import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Parser } from "htmlparser2";
import { afterAll, describe, expect, it } from "vitest";
import type { SitemapEntry } from "@/lib/core/types";
import { escapeHtml, htmlPageName } from "./html";
import { writeSitemapOutputs, type SitemapOutputsOptions } from "./outputs";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "sf-html-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let dirNo = 0;
const freshDir = () => path.join(root, `d${++dirNo}`);
const U = (p: string) => `https://example.com${p}`;

async function writeHtml(entries: SitemapEntry[] | Iterable<SitemapEntry>, opts: Partial<SitemapOutputsOptions> = {}) {
  const dir = freshDir();
  const res = await writeSitemapOutputs(entries, { dir, fileName: "sitemap", baseUrl: "https://files.example.com/s/1/", extraFormats: ["html"], ...opts });
  const pages = res.formats.html!.files.map((f) => ({ ...f, text: fs.readFileSync(path.join(dir, f.name), "utf8") }));
  return { dir, res, pages };
}

type Parsed = { tags: string[]; attrs: [string, string, string][]; links: { href: string; text: string }[]; headings: string[]; text: string };

/** Parses HTML like a browser tokenizer would (htmlparser2), collecting tags, attributes, link texts, h2 texts. */
function parse(html: string): Parsed {
  const out: Parsed = { tags: [], attrs: [], links: [], headings: [], text: "" };
  let inA: { href: string; text: string } | null = null;
  let inH2: string | null = null;
  const p = new Parser(
    {
      onopentag(name, attribs) {
        out.tags.push(name);
        for (const [k, v] of Object.entries(attribs)) out.attrs.push([name, k, v]);
        if (name === "a") inA = { href: attribs.href, text: "" };
        if (name === "h2") inH2 = "";
      },
      ontext(t) {
        out.text += t;
        if (inA) inA.text += t;
        if (inH2 !== null) inH2 += t;
      },
      onclosetag(name) {
        if (name === "a" && inA) {
          out.links.push(inA);
          inA = null;
        }
        if (name === "h2" && inH2 !== null) {
          out.headings.push(inH2);
          inH2 = null;
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true },
  );
  p.write(html);
  p.end();
  return out;
}

describe("HTML sitemap", () => {
  it("paginates N links per page: sitemap.html, sitemap-2.html, … with previous/next links", async () => {
    const entries = Array.from({ length: 1_234 }, (_, i) => ({ loc: U(`/p/${String(i).padStart(4, "0")}`) }));
    const { pages, res } = await writeHtml(entries, { htmlLinksPerPage: 500 });
    expect(pages.map((p) => [p.name, p.kind, p.urlCount])).toEqual([
      ["sitemap.html", "html", 500],
      ["sitemap-2.html", "html", 500],
      ["sitemap-3.html", "html", 234],
    ]);
    expect(res.formats.html!.entryFile).toBe("sitemap.html");
    const nav = pages.map((p) => parse(p.text).links.filter((l) => !l.href.startsWith("https:")));
    expect(nav[0]).toEqual([{ href: "sitemap-2.html", text: "Next page →" }]);
    expect(nav[1]).toEqual([
      { href: "sitemap.html", text: "← Previous page" },
      { href: "sitemap-3.html", text: "Next page →" },
    ]);
    expect(nav[2]).toEqual([{ href: "sitemap-2.html", text: "← Previous page" }]);
    const all = pages.flatMap((p) => parse(p.text).links.filter((l) => l.href.startsWith("https:")).map((l) => l.href));
    expect(all).toEqual(entries.map((e) => e.loc));
    for (const p of pages) expect(p.bytes).toBe(Buffer.byteLength(p.text));
    expect(htmlPageName("x", 1)).toBe("x.html");
    expect(htmlPageName("x", 7)).toBe("x-7.html");
  });

  it("groups links by top-level directory, marks a section continued across a page break", async () => {
    const { pages } = await writeHtml(
      [
        { loc: U("/") },
        { loc: U("/about") },
        { loc: U("/blog/"), title: "Blog" },
        { loc: U("/blog/a") },
        { loc: U("/blog/b?page=2") },
        { loc: U("/docs/x/y") },
        { loc: U("/статья/раз") },
        { loc: "https://other.example.org/elsewhere" },
      ],
      { htmlLinksPerPage: 4 },
    );
    const p1 = parse(pages[0].text);
    const p2 = parse(pages[1].text);
    expect(p1.headings).toEqual(["/", "/blog/"]);
    expect(p1.links.slice(0, 4).map((l) => l.text)).toEqual(["/", "/about", "Blog", "/blog/a"]);
    expect(p2.headings).toEqual(["/blog/ (continued)", "/docs/", "/статья/", "https://other.example.org/"]);
    expect(p2.links.slice(0, 4).map((l) => l.text)).toEqual([
      "/blog/b?page=2",
      "/docs/x/y",
      "/статья/раз",
      "https://other.example.org/elsewhere",
    ]);
    expect(p2.links[2].href).toBe("https://example.com/%D1%81%D1%82%D0%B0%D1%82%D1%8C%D1%8F/%D1%80%D0%B0%D0%B7");
  });

  it("renders hostile titles and URLs inert: escaped text, no script, no event handler, CSP without script", async () => {
    const hostile: SitemapEntry[] = [
      { loc: U("/x?q=<script>alert(1)</script>"), title: `<script>alert("t")</script> & ]]> "quoted" 'single'` },
      { loc: U("/y?a=1&b=2"), title: `<img src=x onerror=alert(1)>` },
      { loc: U("/z/%3Cscript%3Ealert(2)%3C%2Fscript%3E"), title: "\u202Egnp.exe\u202C title\u0000 with\u0007 controls \uD83D\uDE00 😀" },
      { loc: U("/w/\"onmouseover=\"alert(3)") },
      { loc: U("/v/]]>&<>'\"") },
      { loc: U("/u"), title: "x".repeat(500) },
      { loc: U("/t/%E2%80%AEevil%E2%80%AC"), title: "   " },
    ];
    const { pages } = await writeHtml(hostile);
    const html = pages[0].text;
    const parsed = parse(html);
    expect(parsed.tags.filter((t) => !["html", "head", "meta", "title", "style", "body", "header", "h1", "main", "section", "h2", "ul", "li", "a", "nav", "span", "small"].includes(t))).toEqual([]);
    expect(parsed.tags).not.toContain("script");
    expect(parsed.attrs.filter(([, k]) => k.startsWith("on"))).toEqual([]);
    for (const [tag, k, v] of parsed.attrs) if (tag === "a" && k === "href") expect(v).toMatch(/^(https:\/\/example\.com\/|sitemap)/);
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`);
    const texts = parsed.links.map((l) => l.text);
    expect(texts[0]).toBe(`<script>alert("t")</script> & ]]> "quoted" 'single'`); // shown as text, literally
    expect(texts[1]).toBe("<img src=x onerror=alert(1)>");
    expect(texts[2]).toBe("gnp.exe title with controls 😀 😀"); // bidi override and controls removed
    expect(texts[3]).toBe('/w/"onmouseover="alert(3)');
    expect(texts[4]).toBe("/v/]]>&<>'\"");
    expect([...texts[5]]).toHaveLength(200);
    expect(texts[6]).toBe("/t/evil"); // empty title → decoded path, bidi controls removed
    expect(html).toContain("&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt; &amp; ]]&gt; &quot;quoted&quot; &#39;single&#39;");
    expect(html).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u202A-\u202E]/);
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  });

  it("uses htmlTitle (escaped) as heading and <title>", async () => {
    const { pages } = await writeHtml([{ loc: U("/") }], { htmlTitle: "Ünïcode & <Co>" });
    expect(pages[0].text).toContain("<title>Ünïcode &amp; &lt;Co&gt;</title>");
    expect(pages[0].text).toContain("<h1>Ünïcode &amp; &lt;Co&gt;</h1>");
  });

  it("streams: pages are written and closed while the source is still being read (200,000 links, 400 pages)", async () => {
    const N = 200_000;
    const dir = freshDir();
    let sawClosedPageMidway = false;
    function* gen() {
      for (let i = 0; i < N; i++) {
        if (i === 100_000) {
          // Page 100 (links 49,500–49,999) was closed when page 101 began; it is complete on disk already.
          const p = path.join(dir, "sitemap-100.html");
          sawClosedPageMidway = fs.existsSync(p) && fs.readFileSync(p, "utf8").endsWith("</html>\n");
        }
        yield { loc: U(`/sec${i % 3}/item-${i}`), title: `Item ${i} ✓` };
      }
    }
    const res = await writeSitemapOutputs(gen(), {
      dir,
      fileName: "sitemap",
      baseUrl: "https://files.example.com/s/1/",
      extraFormats: ["html"],
      htmlLinksPerPage: 500,
    });
    expect(sawClosedPageMidway).toBe(true);
    expect(res.formats.html!.files).toHaveLength(400);
    expect(res.formats.html!.files.reduce((n, f) => n + f.urlCount, 0)).toBe(N);
    const last = fs.readFileSync(path.join(dir, "sitemap-400.html"), "utf8");
    expect(parse(last).links.at(-2)?.text).toBe(`Item ${N - 1} ✓`);
  });
});
