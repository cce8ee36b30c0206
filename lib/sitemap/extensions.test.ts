import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { SitemapEntry, VideoInfo } from "@/lib/core/types";
import { validateXml } from "@/tests/helpers/xmllint";
import { cleanText, normaliseNewsLanguage } from "./extensions";
import { writeSitemapOutputs, type SitemapOutputsOptions } from "./outputs";
import { writeSitemapFiles } from "./writer";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "sf-ext-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let dirNo = 0;
const freshDir = () => path.join(root, `d${++dirNo}`);
const BASE = "https://files.example.com/s/abc/";
const U = (p: string) => `https://example.com${p}`;

const xpath = (file: string, expr: string) => execFileSync("xmllint", ["--xpath", expr, file], { encoding: "utf8" }).trim();
const count = (file: string, expr: string) => Number(xpath(file, `count(${expr})`));
const ln = (name: string) => `*[local-name()='${name}']`;

async function write(entries: SitemapEntry[], opts: Partial<SitemapOutputsOptions> = {}) {
  const dir = freshDir();
  const res = await writeSitemapOutputs(entries, { dir, fileName: "sitemap", baseUrl: BASE, ...opts });
  for (const f of res.files) {
    if (f.kind === "urlset" || f.kind === "sitemapindex") await validateXml(path.join(dir, f.name), f.kind);
  }
  return { dir, res, file: path.join(dir, res.entryFile), xml: () => fs.readFileSync(path.join(dir, res.entryFile), "utf8") };
}

describe("image extension", () => {
  it("writes image:loc only, encoded and escaped like loc, deduplicated, invalid ones dropped", async () => {
    const { file, xml, res } = await write([
      {
        loc: U("/p"),
        images: [
          U("/a.jpg"),
          "https://cdn.example.net/фото 1.png?w=1&h=2",
          U("/a.jpg"), // duplicate
          "/relative.png", // not absolute
          "data:image/png;base64,AAAA", // not http(s)
          `https://example.com/${"x".repeat(2100)}.png`, // too long
          "https://example.com/it's<b>.png",
        ],
      },
    ]);
    expect(count(file, `//${ln("image")}`)).toBe(3);
    expect([1, 2, 3].map((i) => xpath(file, `string((//${ln("image")}/${ln("loc")})[${i}])`))).toEqual([
      U("/a.jpg"),
      "https://cdn.example.net/%D1%84%D0%BE%D1%82%D0%BE%201.png?w=1&h=2",
      "https://example.com/it's%3Cb%3E.png",
    ]);
    const text = xml();
    expect(text).toContain("?w=1&amp;h=2</image:loc>");
    expect(text).toContain(`xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"`);
    // deprecated children are never written
    expect(text).not.toMatch(/image:(caption|title|geo_location|license)/);
    expect(res.extensions).toMatchObject({ images: 3, imagesDropped: 4 });
  });

  it("caps at 1,000 images per <url> and counts the rest", async () => {
    const images = Array.from({ length: 1_234 }, (_, i) => U(`/img/${i}.jpg`));
    const { file, res } = await write([{ loc: U("/gallery"), images }, { loc: U("/other"), images: [U("/one.jpg")] }]);
    expect(count(file, `/${ln("urlset")}/${ln("url")}[1]/${ln("image")}`)).toBe(1_000);
    expect(xpath(file, `string((//${ln("url")})[1]/${ln("image")}[1000]/${ln("loc")})`)).toBe(U("/img/999.jpg"));
    expect(count(file, `/${ln("urlset")}/${ln("url")}[2]/${ln("image")}`)).toBe(1);
    expect(res.extensions).toMatchObject({ images: 1_001, imagesDropped: 234 });
  });

  it("imageHosts keeps the page's host and the listed (or wildcard) hosts only", async () => {
    const { file } = await write(
      [
        {
          loc: U("/p"),
          images: [U("/own.jpg"), "https://cdn.example.net/a.jpg", "https://img.static.example.org/b.jpg", "https://evil.test/c.jpg"],
        },
      ],
      { imageHosts: ["CDN.example.net", "*.example.org"] },
    );
    expect(xpath(file, `//${ln("image")}/${ln("loc")}/text()`).split("\n")).toEqual([
      U("/own.jpg"),
      "https://cdn.example.net/a.jpg",
      "https://img.static.example.org/b.jpg",
    ]);
  });

  it("images: false ignores image data and declares no image namespace", async () => {
    const { xml } = await write([{ loc: U("/p"), images: [U("/a.jpg")] }], { images: false, hreflang: false });
    expect(xml()).not.toContain("image");
    expect(xml()).toBe(`<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n<url><loc>${U("/p")}</loc></url>\n</urlset>\n`);
  });
});

describe("hreflang in the urlset", () => {
  it("writes xhtml:link per alternate with the self-reference, valid codes only, and a report file", async () => {
    const { file, xml, res, dir } = await write([
      { loc: U("/de/"), alternates: [{ hreflang: "en", href: U("/en/") }, { hreflang: "de", href: U("/de/") }] },
      {
        loc: U("/en/"),
        alternates: [
          { hreflang: "de", href: U("/de/") },
          { hreflang: "en_GB", href: U("/gb/") }, // invalid
          { hreflang: "de", href: U("/de/") }, // duplicate
        ],
      },
    ]);
    const links = (i: number) =>
      xpath(file, `(//${ln("url")})[${i}]/${ln("link")}/@hreflang`)
        .split("\n")
        .map((s) => s.trim());
    expect(links(1)).toEqual(['hreflang="de"', 'hreflang="en"']);
    // /en/ forgot itself as "en": /de/ (earlier) named it "en", so the self-reference is added
    expect(links(2)).toEqual(['hreflang="de"', 'hreflang="en"']);
    expect(xml()).toContain(`<xhtml:link rel="alternate" hreflang="en" href="${U("/en/")}"/>`);
    expect(res.extensions.alternates).toBe(4);
    expect(res.hreflangReportFile).toBe("sitemap-hreflang-report.json");
    expect(res.files.map((f) => f.kind)).toEqual(["urlset", "hreflang_report"]);
    const report = JSON.parse(fs.readFileSync(path.join(dir, "sitemap-hreflang-report.json"), "utf8"));
    expect(report.counts).toMatchObject({ invalid_code: 1, missing_self: 1, missing_return_link: 0 });
    expect(report.problems.map((p: { url: string; kind: string }) => [p.url, p.kind])).toEqual([
      [U("/en/"), "invalid_code"],
      [U("/en/"), "missing_self"],
    ]);
    expect(res.hreflang?.problemCount).toBe(2);
  });

  it("writes no report when no page has alternates, and none when hreflang is off", async () => {
    const a = await write([{ loc: U("/") }]);
    expect(a.res.hreflangReportFile).toBeNull();
    expect(a.res.hreflang).toMatchObject({ pagesWithAlternates: 0, problemCount: 0 });
    const b = await write([{ loc: U("/"), alternates: [{ hreflang: "en", href: U("/") }] }], { hreflang: false });
    expect(b.res.hreflang).toBeNull();
    expect(b.xml()).not.toContain("xhtml");
  });
});

describe("video extension", () => {
  const good: VideoInfo = {
    thumbnailLoc: U("/thumbs/1.jpg"),
    title: "Grilling steaks for summer",
    description: "Alkis shows you how to get perfectly done steaks every time",
    contentLoc: U("/video/1.mp4"),
    playerLoc: U("/player?video=1&autoplay=0"),
    durationSec: 600,
    publicationDate: "2026-11-01T19:20:30+08:00",
  };

  it("writes complete videos (XSD-valid, required fields in order) and drops incomplete ones", async () => {
    const { file, xml, res } = await write(
      [
        {
          loc: U("/videos/1"),
          video: [
            good,
            { ...good, contentLoc: U("/video/1.mp4") }, // duplicate content URL
            { ...good, contentLoc: U("/video/2.mp4"), thumbnailLoc: "" }, // no thumbnail
            { ...good, contentLoc: U("/video/3.mp4"), title: "  \u0001 " }, // empty title after cleaning
            { ...good, contentLoc: U("/video/4.mp4"), description: "" },
            { ...good, contentLoc: null, playerLoc: null }, // neither content nor player
            { ...good, contentLoc: U("/videos/1"), playerLoc: U("/videos/1") }, // both equal the page's loc
            {
              thumbnailLoc: U("/thumbs/5.jpg"),
              title: "Only a player",
              description: "d",
              playerLoc: U("/player?video=5"),
              durationSec: 99_999, // out of range: omitted
              publicationDate: "not a date", // omitted
            },
          ],
        },
      ],
      { video: true },
    );
    expect(count(file, `//${ln("video")}`)).toBe(2);
    expect(res.extensions).toMatchObject({ videos: 2, videosDropped: 6 });
    const text = xml();
    expect(text).toContain(
      `<video:video><video:thumbnail_loc>${U("/thumbs/1.jpg")}</video:thumbnail_loc><video:title>Grilling steaks for summer</video:title>` +
        `<video:description>Alkis shows you how to get perfectly done steaks every time</video:description>` +
        `<video:content_loc>${U("/video/1.mp4")}</video:content_loc><video:player_loc>${U("/player?video=1&amp;autoplay=0")}</video:player_loc>` +
        `<video:duration>600</video:duration><video:publication_date>2026-11-01T19:20:30+08:00</video:publication_date></video:video>`,
    );
    expect(text).toContain(
      `<video:video><video:thumbnail_loc>${U("/thumbs/5.jpg")}</video:thumbnail_loc><video:title>Only a player</video:title><video:description>d</video:description><video:player_loc>${U("/player?video=5")}</video:player_loc></video:video>`,
    );
  });

  it("cuts title to 100 and description to 2,048 characters (code points) so the XSD accepts them", async () => {
    const { file } = await write(
      [{ loc: U("/v"), video: [{ ...good, title: "😀".repeat(150), description: `${"é".repeat(3000)} <b>&` }] }],
      { video: true },
    );
    const title = xpath(file, `string(//${ln("video")}/${ln("title")})`);
    expect([...title]).toHaveLength(100);
    expect(title.endsWith("😀…")).toBe(true);
    expect([...xpath(file, `string(//${ln("video")}/${ln("description")})`)]).toHaveLength(2048);
  });

  it("video: false (the default) ignores video data", async () => {
    const { xml } = await write([{ loc: U("/v"), video: [good] }]);
    expect(xml()).not.toContain("video");
  });
});

describe("news extension", () => {
  const now = new Date("2026-11-22T12:00:00Z");
  const article = (date: string, title = "Headline") => ({ publicationName: "The Example Times", language: "en", publicationDate: date, title });

  it("keeps articles of the last two days before `now`, prunes older ones (the <url> stays), XSD-valid", async () => {
    const { file, xml, res } = await write(
      [
        { loc: U("/news/fresh"), news: article("2026-11-22T09:00:00+01:00", "Fresh & <new>") },
        { loc: U("/news/edge"), news: article("2026-11-20T12:00:00Z") }, // exactly 48 h: kept
        { loc: U("/news/old"), news: article("2026-11-20T11:59:59Z") }, // 48 h + 1 s: pruned
        { loc: U("/news/ahead"), news: article("2026-11-23T11:00:00Z") }, // 23 h ahead: kept
        { loc: U("/news/far-future"), news: article("2026-11-24T12:00:00Z") }, // pruned
        { loc: U("/news/bad-date"), news: article("yesterday") }, // dropped
        { loc: U("/news/no-title"), news: article("2026-11-22T09:00:00Z", " ") }, // dropped
        { loc: U("/news/bad-lang"), news: { ...article("2026-11-22T09:00:00Z"), language: "english" } }, // dropped
      ],
      { news: { now } },
    );
    expect(count(file, `//${ln("url")}`)).toBe(8);
    const withNews = xpath(file, `//${ln("url")}[${ln("news")}]/${ln("loc")}/text()`).split("\n");
    expect(withNews).toEqual([U("/news/fresh"), U("/news/edge"), U("/news/ahead")]);
    expect(res.extensions).toMatchObject({ news: 3, newsPruned: 2, newsDropped: 3 });
    expect(xml()).toContain(
      "<news:news><news:publication><news:name>The Example Times</news:name><news:language>en</news:language></news:publication>" +
        "<news:publication_date>2026-11-22T09:00:00+01:00</news:publication_date><news:title>Fresh &amp; &lt;new&gt;</news:title></news:news>",
    );
  });

  it("depends only on the `now` passed in: the same input gives other output for another `now`, same for the same", async () => {
    const entries = [{ loc: U("/n"), news: article("2026-11-21T00:00:00Z") }];
    const a = await write(entries, { news: { now } });
    const b = await write(entries, { news: { now: "2026-11-22T12:00:00.000Z" } });
    const c = await write(entries, { news: { now: new Date("2026-11-24T00:00:00Z") } });
    expect(b.xml()).toBe(a.xml());
    expect(a.xml()).toContain("<news:news>");
    expect(c.xml()).not.toContain("<news:news>");
    expect(c.xml()).toContain('xmlns:news="'); // namespace declared because news is enabled
  });

  it("uses the sitemap's publication name and language over the page's; maps Chinese variants to zh-cn / zh-tw", async () => {
    const { xml } = await write(
      [{ loc: U("/n"), news: { ...article("2026-11-22T00:00:00Z"), publicationName: "Page's own name", language: "fr" } }],
      { news: { now, publicationName: "Official Name", language: "zh-Hant" } },
    );
    expect(xml()).toContain("<news:name>Official Name</news:name><news:language>zh-tw</news:language>");
    expect(normaliseNewsLanguage("zh-CN")).toBe("zh-cn");
    expect(normaliseNewsLanguage("zh_Hans")).toBe("zh-cn");
    expect(normaliseNewsLanguage("zh-HK")).toBe("zh-tw");
    expect(normaliseNewsLanguage("en-GB")).toBe("en");
    expect(normaliseNewsLanguage("FIL")).toBe("fil");
    expect(normaliseNewsLanguage("english")).toBeNull();
    await expect(write([{ loc: U("/n") }], { news: { now, language: "klingon!" } })).rejects.toThrow(/news.language/);
    await expect(write([{ loc: U("/n") }], { news: { now: "not a date" } })).rejects.toThrow(/news.now/);
  });

  it("puts at most 1,000 <news:news> in one urlset file, starting a new part for more", async () => {
    const entries: SitemapEntry[] = Array.from({ length: 2_100 }, (_, i) => ({
      loc: U(`/news/${String(i).padStart(5, "0")}`),
      ...(i % 2 === 0 ? { news: article("2026-11-22T10:00:00Z", `Article ${i}`) } : {}),
    }));
    const { res, dir } = await write(entries, { news: { now } });
    const parts = res.files.filter((f) => f.kind === "urlset");
    const newsPer = parts.map((f) => count(path.join(dir, f.name), `//${ln("news")}[1]/..`));
    expect(newsPer.every((n) => n <= 1_000)).toBe(true);
    expect(newsPer.reduce((a, b) => a + b, 0)).toBe(1_050);
    expect(parts.map((f) => f.urlCount).reduce((a, b) => a + b, 0)).toBe(2_100);
    expect(parts.length).toBe(2);
    expect(res.files.at(-1)?.kind).toBe("sitemapindex");
  });
});

describe("byte accounting with extensions", () => {
  it("counts non-ASCII extension text in UTF-8 bytes: the exact size fits one part, one byte less splits", async () => {
    const entries: SitemapEntry[] = ["a", "b"].map((c) => ({
      loc: U(`/${c}`),
      images: [U(`/${c}.jpg`)],
      video: [{ thumbnailLoc: U(`/${c}-t.jpg`), title: `Видео ${c} 😀`, description: "Описание — ü", contentLoc: U(`/${c}.mp4`) }],
      news: { publicationName: "Газета", language: "ru", publicationDate: "2026-11-22T00:00:00Z", title: "Новости ✓" },
    }));
    const opts = { video: true, news: { now: "2026-11-22T12:00:00Z" } };
    const one = await write(entries, opts);
    const size = fs.statSync(one.file).size;
    expect(one.res.files[0].uncompressedBytes).toBe(size);
    expect(size).toBeGreaterThan(one.xml().length); // multi-byte characters are in there
    const fits = await write(entries, { ...opts, maxFileSize: size });
    expect(fits.res.files.map((f) => f.kind)).toEqual(["urlset"]);
    const split = await write(entries, { ...opts, maxFileSize: size - 1 });
    expect(split.res.files.map((f) => f.kind)).toEqual(["urlset", "urlset", "sitemapindex"]);
    for (const f of split.res.files) {
      expect(fs.statSync(path.join(split.dir, f.name)).size).toBe(f.bytes);
      if (f.kind === "urlset") expect(f.bytes).toBeLessThanOrEqual(size - 1);
    }
  });
});

describe("cleanText", () => {
  it("strips invalid XML characters, collapses whitespace and cuts at a code point", () => {
    expect(cleanText(" a\u0000b\u0008\n\t c \uFFFE")).toBe("ab c");
    expect(cleanText("abcdef", 4)).toBe("abc…");
    expect(cleanText("😀😀😀😀😀", 3)).toBe("😀😀…");
    expect(cleanText(42)).toBe("");
  });
});

describe("writeSitemapFiles with extensions", () => {
  it("renders extensions only when enabled (plain sitemaps.org output by default)", async () => {
    const entries: SitemapEntry[] = [{ loc: U("/"), images: [U("/a.jpg")], alternates: [{ hreflang: "en", href: U("/") }] }];
    const plainDir = freshDir();
    await writeSitemapFiles(entries, { dir: plainDir, fileName: "s", baseUrl: BASE });
    expect(fs.readFileSync(path.join(plainDir, "s.xml"), "utf8")).not.toContain("image");
    const extDir = freshDir();
    await writeSitemapFiles(entries, { dir: extDir, fileName: "s", baseUrl: BASE, extensions: { images: true, hreflang: true } });
    const xml = fs.readFileSync(path.join(extDir, "s.xml"), "utf8");
    expect(xml).toContain("<image:image>");
    expect(xml).toContain("<xhtml:link");
    await validateXml(path.join(extDir, "s.xml"), "urlset");
  });
});
