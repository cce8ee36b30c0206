import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { Parser } from "htmlparser2";
import { afterAll, describe, expect, it } from "vitest";
import type { SitemapEntry } from "@/lib/core/types";
import { validateXml } from "@/tests/helpers/xmllint";
import { EmptySitemapError, InvalidLocError, SitemapOptionsError } from "./errors";
import { writeSitemapOutputs, type SitemapOutputsOptions, type SitemapOutputsResult } from "./outputs";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "sf-outputs-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let dirNo = 0;
const freshDir = () => path.join(root, `d${++dirNo}`);
const BASE = "https://files.example.com/s/abc/";
const U = (p: string) => `https://example.com${p}`;
const NOW = new Date("2026-11-22T12:00:00Z");

const xpath = (file: string, expr: string) => execFileSync("xmllint", ["--xpath", expr, file], { encoding: "utf8" }).trim();
const ln = (name: string) => `*[local-name()='${name}']`;
/** Text values of `expr` as an XML parser reads them (entities decoded), one per match. */
function xmlValues(file: string, expr: string): string[] {
  const n = Number(xpath(file, `count(${expr})`));
  return Array.from({ length: n }, (_, i) => xpath(file, `string((${expr})[${i + 1}])`));
}

function read(dir: string, name: string): Buffer {
  const b = fs.readFileSync(path.join(dir, name));
  return name.endsWith(".gz") ? gunzipSync(b) : b;
}

/** Validates every XML file of a result (gzip ones too: xmllint reads gzip). */
async function validateAll(dir: string, res: SitemapOutputsResult) {
  for (const f of res.files) {
    if (f.kind === "urlset" || f.kind === "sitemapindex") await validateXml(path.join(dir, f.name), f.kind);
  }
}

function htmlLinks(html: string): { href: string; text: string }[] {
  const links: { href: string; text: string }[] = [];
  let cur: { href: string; text: string } | null = null;
  const tags: string[] = [];
  const p = new Parser(
    {
      onopentag(name, a) {
        tags.push(name);
        if (name === "a") cur = { href: a.href, text: "" };
      },
      ontext(t) {
        if (cur) cur.text += t;
      },
      onclosetag(name) {
        if (name === "a" && cur) {
          links.push(cur);
          cur = null;
        }
      },
    },
    { decodeEntities: true },
  );
  p.write(html);
  p.end();
  expect(tags).not.toContain("script");
  return links.filter((l) => /^https?:/.test(l.href));
}

/** A varied input: images, hreflang clusters, videos, news, titles; sorted by URL like the DB cursor. */
function richEntries(n = 60): SitemapEntry[] {
  const out: SitemapEntry[] = [];
  for (let i = 0; i < n; i++) {
    const id = String(i).padStart(3, "0");
    const lang = i % 2 === 0 ? "en" : "de";
    const other = i % 2 === 0 ? "de" : "en";
    const twin = String(i % 2 === 0 ? i + 1 : i - 1).padStart(3, "0");
    out.push({
      loc: U(`/${lang}/item-${i % 2 === 0 ? id : twin}`),
      lastmod: new Date(Date.UTC(2026, 10, 1 + (i % 20), 8, i % 60)),
      title: `Item ${id} — “quoted” & <b>`,
      images: i % 3 === 0 ? [U(`/img/${id}.jpg`), U(`/img/${id}-b.jpg`)] : undefined,
      alternates: [
        { hreflang: lang, href: U(`/${lang}/item-${i % 2 === 0 ? id : twin}`) },
        { hreflang: other, href: U(`/${other}/item-${i % 2 === 0 ? id : twin}`) },
      ],
      video:
        i % 7 === 0
          ? [{ thumbnailLoc: U(`/t/${id}.jpg`), title: `Video ${id}`, description: "A video.", contentLoc: U(`/v/${id}.mp4`), durationSec: 30 }]
          : undefined,
      news: i % 5 === 0 ? { publicationName: "Example News", language: lang, publicationDate: `2026-11-2${i % 3}T10:00:00Z`, title: `News ${id}` } : undefined,
    });
  }
  return out.sort((a, b) => (a.loc < b.loc ? -1 : a.loc > b.loc ? 1 : 0));
}

const ALL: Partial<SitemapOutputsOptions> = {
  extraFormats: ["txt", "json", "html"],
  video: true,
  news: { now: NOW },
  xslHref: "https://app.example.com/sitemap.xsl",
};

describe("writeSitemapOutputs", () => {
  it("reads the source once and writes every format with the same URLs in the same order", async () => {
    const entries = richEntries(60);
    let iterations = 0;
    async function* pages() {
      iterations++;
      for (let i = 0; i < entries.length; i += 7) yield entries.slice(i, i + 7); // DB pages of 7 rows
    }
    const dir = freshDir();
    const res = await writeSitemapOutputs(pages(), { dir, fileName: "sitemap", baseUrl: BASE, ...ALL, maxFileEntries: 25, htmlLinksPerPage: 20 });
    expect(iterations).toBe(1);
    await validateAll(dir, res);
    expect(res.files.map((f) => [f.name, f.kind, f.urlCount])).toEqual([
      ["sitemap-1.xml", "urlset", 25],
      ["sitemap-2.xml", "urlset", 25],
      ["sitemap-3.xml", "urlset", 10],
      ["sitemap.xml", "sitemapindex", 3],
      ["sitemap-1.txt", "txt", 25],
      ["sitemap-2.txt", "txt", 25],
      ["sitemap-3.txt", "txt", 10],
      ["sitemap-index.xml", "sitemapindex", 3],
      ["sitemap.json", "json", 60],
      ["sitemap.html", "html", 20],
      ["sitemap-2.html", "html", 20],
      ["sitemap-3.html", "html", 20],
      ["sitemap-hreflang-report.json", "hreflang_report", 60],
    ]);
    expect(res.entryFile).toBe("sitemap.xml");
    expect(res.formats.txt?.entryFile).toBe("sitemap-index.xml");
    expect(res.formats.json?.entryFile).toBe("sitemap.json");
    expect(res.formats.html?.entryFile).toBe("sitemap.html");
    expect(res.urlCount).toBe(60);
    expect(fs.readdirSync(dir).sort()).toEqual(res.files.map((f) => f.name).sort());

    const expected = entries.map((e) => e.loc);
    const xmlLocs = [1, 2, 3].flatMap((i) => xmlValues(path.join(dir, `sitemap-${i}.xml`), `/${ln("urlset")}/${ln("url")}/${ln("loc")}`));
    const txtLocs = [1, 2, 3].flatMap((i) => read(dir, `sitemap-${i}.txt`).toString("utf8").trimEnd().split("\n"));
    const jsonLocs = JSON.parse(read(dir, "sitemap.json").toString("utf8")).urls.map((u: { loc: string }) => u.loc);
    const htmlLocs = ["sitemap.html", "sitemap-2.html", "sitemap-3.html"].flatMap((n) => htmlLinks(read(dir, n).toString("utf8")).map((l) => l.href));
    expect(xmlLocs).toEqual(expected);
    expect(txtLocs).toEqual(expected);
    expect(jsonLocs).toEqual(expected);
    expect(htmlLocs).toEqual(expected);
    // every reciprocal pair is fine: no hreflang problem
    expect(res.hreflang?.problemCount).toBe(0);
    expect(res.extensions).toMatchObject({ images: 40, videos: 9, alternates: 120 });
    expect(res.extensions.news + res.extensions.newsPruned).toBe(12);
  });

  it("gzip applies to the XML sitemap only; the indexes name the real files, and every index <loc> exists", async () => {
    const dir = freshDir();
    const res = await writeSitemapOutputs(richEntries(30), { dir, fileName: "sm", baseUrl: BASE, ...ALL, gzip: true, maxFileEntries: 10 });
    await validateAll(dir, res);
    expect(res.files.map((f) => f.name)).toEqual([
      "sm-1.xml.gz",
      "sm-2.xml.gz",
      "sm-3.xml.gz",
      "sm.xml.gz",
      "sm-1.txt",
      "sm-2.txt",
      "sm-3.txt",
      "sm-index.xml",
      "sm.json",
      "sm.html",
      "sm-hreflang-report.json",
    ]);
    for (const index of ["sm.xml.gz", "sm-index.xml"]) {
      const file = path.join(root, `idx-${dirNo}-${index}.xml`);
      fs.writeFileSync(file, read(dir, index));
      const locs = xmlValues(file, `//${ln("sitemap")}/${ln("loc")}`);
      expect(locs.length).toBe(3);
      for (const loc of locs) {
        expect(loc.startsWith(BASE)).toBe(true);
        expect(fs.existsSync(path.join(dir, loc.slice(BASE.length)))).toBe(true);
      }
    }
    for (const f of res.files) {
      const raw = fs.readFileSync(path.join(dir, f.name));
      const isGzip = raw[0] === 0x1f && raw[1] === 0x8b;
      expect(isGzip).toBe(f.name.endsWith(".gz"));
      expect(f.uncompressedBytes).toBe(read(dir, f.name).length);
      expect(f.bytes).toBe(raw.length);
    }
  });

  it("adds the xml-stylesheet PI to every urlset and index (not to TXT/JSON/HTML), counted in maxFileSize", async () => {
    const entries = richEntries(12);
    const dir = freshDir();
    const res = await writeSitemapOutputs(entries, { dir, fileName: "s", baseUrl: BASE, ...ALL, maxFileEntries: 5, xslHref: "/sitemap.xsl?v=1&x=2" });
    await validateAll(dir, res);
    const pi = '<?xml-stylesheet type="text/xsl" href="/sitemap.xsl?v=1&amp;x=2"?>\n';
    for (const f of res.files) {
      const text = read(dir, f.name).toString("utf8");
      const xml = f.kind === "urlset" || f.kind === "sitemapindex";
      expect(text.startsWith(`<?xml version="1.0" encoding="UTF-8"?>\n${pi}`), f.name).toBe(xml);
      if (!xml) expect(text).not.toContain("xml-stylesheet");
    }

    // Byte accounting: the exact size of a one-part file with the PI fits; one byte less splits; without the PI the
    // same entries need fewer bytes.
    const few = entries.slice(0, 3);
    const opts = { fileName: "s", baseUrl: BASE, xslHref: "https://app.example.com/sitemap.xsl", images: false, hreflang: false };
    const one = await writeSitemapOutputs(few, { dir: freshDir(), ...opts });
    const size = one.files[0].uncompressedBytes;
    const fits = await writeSitemapOutputs(few, { dir: freshDir(), ...opts, maxFileSize: size });
    expect(fits.files.map((f) => f.kind)).toEqual(["urlset"]);
    const splits = await writeSitemapOutputs(few, { dir: freshDir(), ...opts, maxFileSize: size - 1 });
    expect(splits.files.filter((f) => f.kind === "urlset").length).toBe(2);
    const noPi = await writeSitemapOutputs(few, { dir: freshDir(), ...opts, xslHref: null });
    expect(size - noPi.files[0].uncompressedBytes).toBe(Buffer.byteLength('<?xml-stylesheet type="text/xsl" href="https://app.example.com/sitemap.xsl"?>\n'));
  });

  it("is byte-identical for the same input: every format, gzip included (mtime 0 in the gzip header), any source shape", async () => {
    const entries = richEntries(80);
    const run = async (source: Iterable<SitemapEntry> | AsyncIterable<SitemapEntry | readonly SitemapEntry[]>) => {
      const dir = freshDir();
      const res = await writeSitemapOutputs(source, { dir, fileName: "sitemap", baseUrl: BASE, ...ALL, gzip: true, maxFileEntries: 30, htmlLinksPerPage: 25 });
      return { dir, digest: res.files.map((f) => `${f.name} ${f.bytes} ${f.sha256}`) };
    };
    async function* paged() {
      for (let i = 0; i < entries.length; i += 13) yield entries.slice(i, i + 13);
    }
    async function* single() {
      for (const e of entries) yield e;
    }
    const a = await run(entries);
    const b = await run(entries.map((e) => ({ ...e })));
    const c = await run(paged());
    const d = await run(single());
    expect(a.digest.length).toBe(14); // 3 + 1 XML, 3 + 1 TXT, JSON, 4 HTML, report
    expect(b.digest).toEqual(a.digest);
    expect(c.digest).toEqual(a.digest);
    expect(d.digest).toEqual(a.digest);
    for (const name of fs.readdirSync(a.dir)) {
      expect(fs.readFileSync(path.join(b.dir, name)).equals(fs.readFileSync(path.join(a.dir, name)))).toBe(true);
      if (name.endsWith(".gz")) {
        // RFC 1952 header: magic, CM=8, FLG=0 (no name, no comment), MTIME=0, XFL=0 (level 6), OS=3 (Unix)
        expect([...fs.readFileSync(path.join(a.dir, name)).subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
      }
    }
  });

  it("hostile titles and URLs give XSD-valid XML, inert HTML, valid JSON and ASCII TXT", async () => {
    const hostile = [
      "https://example.com/a?x=1&y=<script>alert(1)</script>",
      "https://example.com/b/]]>/'\"",
      "https://example.com/c/\u0001\u001f\u007f",
      "https://example.com/d/статья/😀?q=значение",
      "https://пример.рф/путь",
    ];
    const entries: SitemapEntry[] = hostile.map((loc, i) => ({
      loc,
      title: `<script>alert(${i})</script> & ]]> \u0000\u0008 Кириллица 😀 "q" 'a'`,
      images: [`${loc}/img<${i}>.png`],
      video: [
        {
          thumbnailLoc: `https://example.com/t${i}.jpg?a=1&b=2`,
          title: `<![CDATA[ ]]> & <b>${i}</b> \u0001`,
          description: `desc ]]> <script>x</script> 😀 \uFFFE`,
          contentLoc: `https://example.com/v${i}.mp4`,
        },
      ],
      news: { publicationName: "Ex & <Co>", language: "ru", publicationDate: "2026-11-22T08:00:00Z", title: `]]> <i>breaking</i> & \u000b` },
      alternates: [{ hreflang: "ru", href: loc }],
    }));
    const dir = freshDir();
    const res = await writeSitemapOutputs(entries, { dir, fileName: "h", baseUrl: BASE, ...ALL });
    await validateAll(dir, res);
    const expectedLocs = [
      "https://example.com/a?x=1&y=%3Cscript%3Ealert(1)%3C/script%3E",
      "https://example.com/b/]]%3E/'%22",
      "https://example.com/c/%01%1F%7F",
      "https://example.com/d/%D1%81%D1%82%D0%B0%D1%82%D1%8C%D1%8F/%F0%9F%98%80?q=%D0%B7%D0%BD%D0%B0%D1%87%D0%B5%D0%BD%D0%B8%D0%B5",
      "https://xn--e1afmkfd.xn--p1ai/%D0%BF%D1%83%D1%82%D1%8C",
    ].map((u) => u.replace("]]", "%5D%5D"));
    const xmlFile = path.join(dir, "h.xml");
    expect(xmlValues(xmlFile, `/${ln("urlset")}/${ln("url")}/${ln("loc")}`)).toEqual(expectedLocs);
    expect(xmlValues(xmlFile, `//${ln("video")}/${ln("title")}`)[0]).toBe("<![CDATA[ ]]> & <b>0</b>");
    expect(xmlValues(xmlFile, `//${ln("news")}/${ln("title")}`)[0]).toBe("]]> <i>breaking</i> &");
    const xml = fs.readFileSync(xmlFile, "utf8");
    expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/);
    expect(xml).not.toContain("<script");
    expect(xml).not.toContain("<![CDATA[");

    const txt = fs.readFileSync(path.join(dir, "h.txt"), "utf8");
    expect(txt).toBe(`${expectedLocs.join("\n")}\n`);
    expect(txt).toMatch(/^[\x21-\x7e\n]+$/);

    const json = JSON.parse(fs.readFileSync(path.join(dir, "h.json"), "utf8"));
    expect(json.urls.map((u: { loc: string }) => u.loc)).toEqual(expectedLocs);

    const html = fs.readFileSync(path.join(dir, "h.html"), "utf8");
    const links = htmlLinks(html);
    expect(links.map((l) => l.href)).toEqual(expectedLocs);
    expect(links[0].text).toBe(`<script>alert(0)</script> & ]]> Кириллица 😀 "q" 'a'`);
    expect(html).not.toMatch(/<script/i);
  });

  it("removes every file of every format when it fails midway, and writes nothing for empty input", async () => {
    const dir = freshDir();
    const entries: SitemapEntry[] = [...richEntries(40), { loc: "not a url" }];
    const err = await writeSitemapOutputs(entries, { dir, fileName: "s", baseUrl: BASE, ...ALL, maxFileEntries: 10 }).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidLocError);
    expect(err.index).toBe(40);
    expect(fs.readdirSync(dir)).toEqual([]);

    const skipped = await writeSitemapOutputs(entries, { dir, fileName: "s", baseUrl: BASE, ...ALL, invalid: "skip" });
    expect(skipped).toMatchObject({ urlCount: 40, skippedInvalid: 1 });
    expect(skipped.formats.json?.files[0].urlCount).toBe(40);

    const emptyDir = freshDir();
    await expect(writeSitemapOutputs([], { dir: emptyDir, fileName: "s", baseUrl: BASE, ...ALL })).rejects.toBeInstanceOf(EmptySitemapError);
    await expect(
      writeSitemapOutputs([{ loc: "ftp://x.example/" }], { dir: emptyDir, fileName: "s", baseUrl: BASE, ...ALL, invalid: "skip" }),
    ).rejects.toBeInstanceOf(EmptySitemapError);
    expect(fs.readdirSync(emptyDir)).toEqual([]);
  });

  it("skips a repeated loc once for all formats", async () => {
    const dir = freshDir();
    const res = await writeSitemapOutputs(
      [{ loc: U("/a") }, { loc: U("/a") }, { loc: "https://EXAMPLE.com/a" }, { loc: U("/b") }],
      { dir, fileName: "s", baseUrl: BASE, extraFormats: ["txt", "json", "html"] },
    );
    expect(res.skippedDuplicates).toBe(2);
    expect(res.files.filter((f) => f.kind !== "hreflang_report").map((f) => f.urlCount)).toEqual([2, 2, 2, 2]);
  });

  it("refuses bad options before writing anything", async () => {
    const bad: Partial<SitemapOutputsOptions>[] = [
      { extraFormats: ["pdf"] },
      { extraFormats: "html" as unknown as string[] },
      { htmlLinksPerPage: 0 },
      { htmlLinksPerPage: 1.5 },
      { xslHref: "javascript:alert(1)" },
      { xslHref: "sitemap.xsl" },
      { xslHref: '/x"y.xsl' },
      { imageHosts: ["bad host/"] },
      { news: { now: "nope" } },
      { fileName: "sitemap.html" },
      { maxFileEntries: 0 },
    ];
    for (const b of bad) {
      const dir = freshDir();
      await expect(writeSitemapOutputs([{ loc: U("/") }], { dir, fileName: "s", baseUrl: BASE, ...b }), JSON.stringify(b)).rejects.toBeInstanceOf(
        SitemapOptionsError,
      );
      expect(fs.existsSync(dir)).toBe(false);
    }
  });
});
