import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { MAX_BYTES_PER_FILE, type SitemapEntry } from "@/lib/core/types";
import { validateXml } from "@/tests/helpers/xmllint";
import {
  EmptySitemapError,
  InvalidEntryError,
  InvalidLocError,
  SitemapLimitError,
  SitemapOptionsError,
} from "./errors";
import { writeSitemapFiles, type WriteResult } from "./writer";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "sf-writer-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let dirNo = 0;
const freshDir = () => path.join(root, `d${++dirNo}`);

const BASE = "https://cdn.example.com/sitemaps/abc";

/** XPath through xmllint (a real XML parser); local-name() because the sitemap namespace is the default one. */
const xpath = (file: string, expr: string) => execFileSync("xmllint", ["--xpath", expr, file], { encoding: "utf8" }).trim();
const countUrls = (file: string) => Number(xpath(file, "count(/*[local-name()='urlset']/*[local-name()='url'])"));
const locAt = (file: string, i: number) => xpath(file, `string((//*[local-name()='loc'])[${i}])`);
const indexLocs = (file: string) => {
  const n = Number(xpath(file, "count(//*[local-name()='sitemap'])"));
  return Array.from({ length: n }, (_, i) => locAt(file, i + 1));
};

async function validateAll(dir: string, res: WriteResult) {
  for (const f of res.files) await validateXml(path.join(dir, f.name), f.kind === "sitemapindex" ? "sitemapindex" : "urlset");
}

function* numbered(n: number, make: (i: number) => SitemapEntry = (i) => ({ loc: `https://example.com/p/${i}` })) {
  for (let i = 0; i < n; i++) yield make(i);
}

describe("writeSitemapFiles", () => {
  it("writes one XSD-valid urlset with hostile URLs escaped once and IRIs percent-encoded", async () => {
    const dir = freshDir();
    const entries: SitemapEntry[] = [
      { loc: "https://example.com/search?a=1&b=2", lastmod: new Date(Date.UTC(2024, 4, 6, 7, 8, 9)) },
      { loc: "https://example.com/it's<script>alert(1)</script>", lastmod: "2024-05-06T07:08:09+08:00" },
      { loc: "https://example.com/x?q=]]>&c=\u0001\u001f&d", lastmod: "2024-05-06" },
      { loc: "https://example.com/статья/😀", lastmod: "not a date", changefreq: "weekly", priority: 0.8 },
      { loc: "https://example.com/already%20encoded and raw", priority: 1, changefreq: "never" },
    ];
    const res = await writeSitemapFiles(entries, { dir, fileName: "sitemap", baseUrl: BASE });
    const file = path.join(dir, "sitemap.xml");
    expect(res.entryFile).toBe("sitemap.xml");
    expect(res.urlCount).toBe(5);
    expect(res.files).toHaveLength(1);
    expect(fs.readdirSync(dir)).toEqual(["sitemap.xml"]);
    await validateXml(file, "urlset");

    // What an XML parser reads back is the RFC 3986 form of each URL.
    expect([1, 2, 3, 4, 5].map((i) => locAt(file, i))).toEqual([
      "https://example.com/search?a=1&b=2",
      "https://example.com/it's%3Cscript%3Ealert(1)%3C/script%3E",
      "https://example.com/x?q=%5D%5D%3E&c=%01%1F&d",
      "https://example.com/%D1%81%D1%82%D0%B0%D1%82%D1%8C%D1%8F/%F0%9F%98%80",
      "https://example.com/already%20encoded%20and%20raw",
    ]);
    const xml = fs.readFileSync(file, "utf8");
    expect(xml).toContain("<loc>https://example.com/search?a=1&amp;b=2</loc>");
    expect(xml).toContain("<loc>https://example.com/it&apos;s%3Cscript");
    expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
    expect(xml).not.toMatch(/[^\x09\x0a\x0d\x20-\x7e]/); // pure ASCII: nothing raw left
    expect(xml).not.toContain("%2520");
    expect(xml).not.toContain("&amp;amp;");
    expect(xpath(file, "string((//*[local-name()='lastmod'])[1])")).toBe("2024-05-06T07:08:09Z");
    expect(xpath(file, "string((//*[local-name()='lastmod'])[2])")).toBe("2024-05-06T07:08:09+08:00");
    expect(xpath(file, "string((//*[local-name()='lastmod'])[3])")).toBe("2024-05-06");
    expect(Number(xpath(file, "count(//*[local-name()='lastmod'])"))).toBe(3); // the invalid one is omitted
    expect(xml).toContain("<changefreq>weekly</changefreq><priority>0.8</priority>");
    expect(xml).toContain("<changefreq>never</changefreq><priority>1.0</priority>");

    const bytes = fs.readFileSync(file);
    expect(res.files[0]).toEqual({
      name: "sitemap.xml",
      kind: "urlset",
      bytes: bytes.length,
      uncompressedBytes: bytes.length,
      urlCount: 5,
      sha256: createHash("sha256").update(bytes).digest("hex"),
    });
  });

  it("splits 120,001 URLs into 50,000 / 50,000 / 20,001 plus an index naming the parts under baseUrl", async () => {
    const dir = freshDir();
    const day = (i: number) => `2024-01-${String(1 + (i % 28)).padStart(2, "0")}T00:00:00Z`;
    const res = await writeSitemapFiles(
      numbered(120_001, (i) => ({ loc: `https://example.com/item/${i}?a=${i}&b=1`, lastmod: day(i) })),
      { dir, fileName: "sitemap", baseUrl: BASE },
    );
    expect(res.files.map((f) => [f.name, f.kind, f.urlCount])).toEqual([
      ["sitemap-1.xml", "urlset", 50_000],
      ["sitemap-2.xml", "urlset", 50_000],
      ["sitemap-3.xml", "urlset", 20_001],
      ["sitemap.xml", "sitemapindex", 3],
    ]);
    expect(res.entryFile).toBe("sitemap.xml");
    expect(res.urlCount).toBe(120_001);
    expect(fs.readdirSync(dir).sort()).toEqual(["sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml", "sitemap.xml"]);
    await validateAll(dir, res);
    expect([1, 2, 3].map((p) => countUrls(path.join(dir, `sitemap-${p}.xml`)))).toEqual([50_000, 50_000, 20_001]);
    // Nothing lost or repeated at the seams.
    expect(locAt(path.join(dir, "sitemap-1.xml"), 50_000)).toBe("https://example.com/item/49999?a=49999&b=1");
    expect(locAt(path.join(dir, "sitemap-2.xml"), 1)).toBe("https://example.com/item/50000?a=50000&b=1");
    expect(locAt(path.join(dir, "sitemap-3.xml"), 20_001)).toBe("https://example.com/item/120000?a=120000&b=1");
    const index = path.join(dir, "sitemap.xml");
    expect(indexLocs(index)).toEqual([1, 2, 3].map((p) => `${BASE}/sitemap-${p}.xml`));
    // Default index lastmod: the latest entry lastmod of each part.
    expect(xpath(index, "string((//*[local-name()='lastmod'])[1])")).toBe("2024-01-28T00:00:00Z");
    for (const f of res.files) expect(fs.statSync(path.join(dir, f.name)).size).toBe(f.bytes);
  });

  it("splits by exact UTF-8 size of the encoded output: a limit that fits exactly N entries gives N per part", async () => {
    // Equal-length Cyrillic paths: 3 raw chars, 18 encoded. Sizes come from the writer's own output, not a formula.
    const entry = (i: number): SitemapEntry => ({ loc: `https://example.com/жжж/${String(i).padStart(4, "0")}` });
    const one = await writeSitemapFiles(numbered(1, entry), { dir: freshDir(), fileName: "s", baseUrl: BASE });
    const two = await writeSitemapFiles(numbered(2, entry), { dir: freshDir(), fileName: "s", baseUrl: BASE });
    const perEntry = two.files[0].bytes - one.files[0].bytes;
    const frame = one.files[0].bytes - perEntry; // header + footer
    expect(perEntry).toBe("<url><loc>https://example.com/%D0%B6%D0%B6%D0%B6/0000</loc></url>\n".length);

    const exact = frame + 7 * perEntry;
    const dir = freshDir();
    const res = await writeSitemapFiles(numbered(20, entry), { dir, fileName: "s", baseUrl: BASE, maxFileSize: exact });
    expect(res.files.map((f) => f.urlCount)).toEqual([7, 7, 6, 3]);
    expect(res.files[0].bytes).toBe(exact);
    expect(res.files[1].bytes).toBe(exact);
    for (const f of res.files) {
      expect(f.bytes).toBeLessThanOrEqual(exact);
      expect(fs.statSync(path.join(dir, f.name)).size).toBe(f.bytes);
    }
    await validateAll(dir, res);
    expect(countUrls(path.join(dir, "s-3.xml"))).toBe(6);

    const oneLess = await writeSitemapFiles(numbered(20, entry), {
      dir: freshDir(),
      fileName: "s",
      baseUrl: BASE,
      maxFileSize: exact - 1,
    });
    expect(oneLess.files.map((f) => f.urlCount)).toEqual([6, 6, 6, 2, 4]);
    expect(oneLess.files[0].bytes).toBe(exact - perEntry);
  });

  it("the entry count limit and the byte limit apply together, whichever comes first", async () => {
    const entry = (i: number): SitemapEntry => ({ loc: `https://example.com/${String(i).padStart(3, "0")}` });
    const one = await writeSitemapFiles(numbered(1, entry), { dir: freshDir(), fileName: "s", baseUrl: BASE });
    const two = await writeSitemapFiles(numbered(2, entry), { dir: freshDir(), fileName: "s", baseUrl: BASE });
    const perEntry = two.files[0].bytes - one.files[0].bytes;
    const frame = one.files[0].bytes - perEntry;
    const res = await writeSitemapFiles(numbered(10, entry), {
      dir: freshDir(),
      fileName: "s",
      baseUrl: BASE,
      maxFileEntries: 3,
      maxFileSize: frame + 5 * perEntry,
    });
    expect(res.files.filter((f) => f.kind === "urlset").map((f) => f.urlCount)).toEqual([3, 3, 3, 1]);
    const res2 = await writeSitemapFiles(numbered(10, entry), {
      dir: freshDir(),
      fileName: "s",
      baseUrl: BASE,
      maxFileEntries: 5,
      maxFileSize: frame + 3 * perEntry,
    });
    expect(res2.files.filter((f) => f.kind === "urlset").map((f) => f.urlCount)).toEqual([3, 3, 3, 1]);
  });

  it("splits 30,000 URLs of 1,900 chars (> 50 MB) by size under the default limits", async () => {
    const dir = freshDir();
    const entry = (i: number): SitemapEntry => {
      const head = `https://example.com/${String(i).padStart(6, "0")}/`;
      return { loc: head + "x".repeat(1900 - head.length) };
    };
    const res = await writeSitemapFiles(numbered(30_000, entry), { dir, fileName: "big", baseUrl: BASE });
    const parts = res.files.filter((f) => f.kind === "urlset");
    expect(parts.length).toBe(2);
    expect(parts[0].urlCount + parts[1].urlCount).toBe(30_000);
    for (const f of res.files) expect(fs.statSync(path.join(dir, f.name)).size).toBeLessThanOrEqual(MAX_BYTES_PER_FILE);
    // Part 1 is as full as it can be: one more <url> would not fit.
    const perEntry = `<url><loc>${entry(0).loc}</loc></url>\n`.length;
    expect(parts[0].bytes + perEntry).toBeGreaterThan(MAX_BYTES_PER_FILE);
    expect(parts[0].bytes).toBeLessThanOrEqual(MAX_BYTES_PER_FILE);
    await validateAll(dir, res);
    expect(countUrls(path.join(dir, "big-2.xml"))).toBe(parts[1].urlCount);
  }, 60_000);

  it("maxFileEntries = 1 gives one URL per part (and no index for a single URL)", async () => {
    const dir = freshDir();
    const res = await writeSitemapFiles(numbered(3), { dir, fileName: "one", baseUrl: `${BASE}/`, maxFileEntries: 1 });
    expect(res.files.map((f) => [f.name, f.urlCount])).toEqual([
      ["one-1.xml", 1],
      ["one-2.xml", 1],
      ["one-3.xml", 1],
      ["one.xml", 3],
    ]);
    await validateAll(dir, res);
    expect(indexLocs(path.join(dir, "one.xml"))).toEqual([1, 2, 3].map((p) => `${BASE}/one-${p}.xml`));

    const single = freshDir();
    const res1 = await writeSitemapFiles(numbered(1), { dir: single, fileName: "one", baseUrl: BASE, maxFileEntries: 1 });
    expect(res1.files.map((f) => [f.name, f.kind])).toEqual([["one.xml", "urlset"]]);
    expect(fs.readdirSync(single)).toEqual(["one.xml"]);
  });

  it("throws EmptySitemapError and writes no file for empty input (sync, async, all skipped)", async () => {
    const a = freshDir();
    await expect(writeSitemapFiles([], { dir: a, fileName: "s", baseUrl: BASE })).rejects.toBeInstanceOf(EmptySitemapError);
    expect(fs.readdirSync(a)).toEqual([]);
    const b = freshDir();
    const none = (async function* (): AsyncGenerator<SitemapEntry> {})();
    await expect(writeSitemapFiles(none, { dir: b, fileName: "s", baseUrl: BASE })).rejects.toMatchObject({
      code: "empty_sitemap",
    });
    expect(fs.readdirSync(b)).toEqual([]);
    const c = freshDir();
    const bad = [{ loc: "/relative" }, { loc: "ftp://example.com/" }];
    await expect(
      writeSitemapFiles(bad, { dir: c, fileName: "s", baseUrl: BASE, invalid: "skip" }),
    ).rejects.toBeInstanceOf(EmptySitemapError);
    expect(fs.readdirSync(c)).toEqual([]);
  });

  it("gzip: .xml.gz files gunzip to exactly the plain bytes, the index names .xml.gz parts, limits count uncompressed", async () => {
    const entry = (i: number): SitemapEntry => ({ loc: `https://example.com/g/${i}?x=<${i}>&y=Ж`, lastmod: "2024-03-04" });
    const plainDir = freshDir();
    const gzDir = freshDir();
    const opts = { fileName: "sitemap", baseUrl: BASE, maxFileEntries: 10 };
    const plain = await writeSitemapFiles(numbered(25, entry), { ...opts, dir: plainDir });
    const gz = await writeSitemapFiles(numbered(25, entry), { ...opts, dir: gzDir, gzip: true });
    expect(gz.files.map((f) => f.name)).toEqual(["sitemap-1.xml.gz", "sitemap-2.xml.gz", "sitemap-3.xml.gz", "sitemap.xml.gz"]);
    expect(gz.entryFile).toBe("sitemap.xml.gz");
    for (let p = 1; p <= 3; p++) {
      const disk = fs.readFileSync(path.join(gzDir, `sitemap-${p}.xml.gz`));
      expect(disk[0]).toBe(0x1f);
      expect(disk[1]).toBe(0x8b);
      expect(gunzipSync(disk).equals(fs.readFileSync(path.join(plainDir, `sitemap-${p}.xml`)))).toBe(true);
      const rec = gz.files[p - 1];
      expect(rec.bytes).toBe(disk.length);
      expect(rec.uncompressedBytes).toBe(plain.files[p - 1].bytes);
      expect(rec.sha256).toBe(createHash("sha256").update(disk).digest("hex"));
    }
    const index = gunzipSync(fs.readFileSync(path.join(gzDir, "sitemap.xml.gz"))).toString("utf8");
    expect(index).toContain(`<loc>${BASE}/sitemap-1.xml.gz</loc>`);
    expect(index).not.toMatch(/sitemap-\d\.xml</);
    const unzippedIndex = path.join(gzDir, "index-unzipped.xml");
    fs.writeFileSync(unzippedIndex, index);
    expect(indexLocs(unzippedIndex)).toEqual([1, 2, 3].map((p) => `${BASE}/sitemap-${p}.xml.gz`));
    await validateAll(gzDir, gz); // xmllint reads .gz directly

    // The byte limit applies to the uncompressed size: same split as plain.
    const limit = plain.files[0].bytes - 1;
    const gzLimited = await writeSitemapFiles(numbered(25, entry), { ...opts, dir: freshDir(), gzip: true, maxFileSize: limit });
    const plainLimited = await writeSitemapFiles(numbered(25, entry), { ...opts, dir: freshDir(), maxFileSize: limit });
    expect(gzLimited.files.map((f) => f.urlCount)).toEqual(plainLimited.files.map((f) => f.urlCount));
    expect(gzLimited.files.map((f) => f.uncompressedBytes)).toEqual(
      plainLimited.files.map((f, i) => (f.kind === "urlset" ? f.bytes : gzLimited.files[i].uncompressedBytes)),
    );
    for (const f of gzLimited.files) expect(f.uncompressedBytes).toBeLessThanOrEqual(limit);
  });

  it("is deterministic: the same input gives byte-identical files (sync, async or paged input; plain and gzip)", async () => {
    const entry = (i: number): SitemapEntry => ({
      loc: `https://example.com/d/${i}/ü`,
      lastmod: new Date(Date.UTC(2024, 0, 1) + i * 3_600_000),
    });
    async function* asyncEntries() {
      for (const e of numbered(30_000, entry)) yield e;
    }
    async function* asyncPages() {
      const all = [...numbered(30_000, entry)];
      for (let i = 0; i < all.length; i += 999) yield all.slice(i, i + 999); // DB-page style input
    }
    for (const gzip of [false, true]) {
      const a = freshDir();
      const b = freshDir();
      const opts = { fileName: "sitemap", baseUrl: BASE, maxFileEntries: 7_000, gzip };
      const ra = await writeSitemapFiles(numbered(30_000, entry), { ...opts, dir: a });
      const c = freshDir();
      const rb = await writeSitemapFiles(asyncEntries(), { ...opts, dir: b });
      const rc = await writeSitemapFiles(asyncPages(), { ...opts, dir: c });
      expect(rb).toEqual(ra);
      expect(rc).toEqual(ra);
      for (const other of [b, c]) {
        expect(fs.readdirSync(other).sort()).toEqual(fs.readdirSync(a).sort());
        for (const name of fs.readdirSync(a)) {
          expect(fs.readFileSync(path.join(other, name)).equals(fs.readFileSync(path.join(a, name))), name).toBe(true);
        }
      }
    }
  });

  it("skips an exact repeat of the previous loc (after encoding) and counts it", async () => {
    const dir = freshDir();
    const res = await writeSitemapFiles(
      [
        { loc: "https://example.com/a b" },
        { loc: "https://example.com/a%20b" },
        { loc: "https://example.com/b" },
        { loc: "https://example.com/b" },
      ],
      { dir, fileName: "s", baseUrl: BASE },
    );
    expect(res.urlCount).toBe(2);
    expect(res.skippedDuplicates).toBe(2);
    expect(countUrls(path.join(dir, "s.xml"))).toBe(2);
  });

  it("throws a typed error for an invalid entry, with its position, and removes files already written", async () => {
    const dir = freshDir();
    const entries = [...numbered(3), { loc: "javascript:alert(1)" }, { loc: "https://example.com/q/3" }];
    const err = await writeSitemapFiles(entries, { dir, fileName: "s", baseUrl: BASE, maxFileEntries: 1 }).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidLocError);
    expect(err).toMatchObject({ code: "invalid_loc", reason: "not_http", index: 3 });
    expect(fs.readdirSync(dir)).toEqual([]);

    const skipDir = freshDir();
    const res = await writeSitemapFiles(entries, { dir: skipDir, fileName: "s", baseUrl: BASE, invalid: "skip" });
    expect(res.urlCount).toBe(4);
    expect(res.skippedInvalid).toBe(1);
    expect(countUrls(path.join(skipDir, "s.xml"))).toBe(4);

    await expect(
      writeSitemapFiles([{ loc: "https://example.com/", priority: 1.5 }], { dir: freshDir(), fileName: "s", baseUrl: BASE }),
    ).rejects.toMatchObject({ code: "invalid_entry", field: "priority", index: 0 });
    await expect(
      writeSitemapFiles([{ loc: "https://example.com/", changefreq: "sometimes" as never }], {
        dir: freshDir(),
        fileName: "s",
        baseUrl: BASE,
      }),
    ).rejects.toBeInstanceOf(InvalidEntryError);
  });

  it("throws SitemapLimitError when one entry cannot fit in maxFileSize, leaving no file", async () => {
    const dir = freshDir();
    await expect(
      writeSitemapFiles([{ loc: "https://example.com/a" }, { loc: `https://example.com/${"b".repeat(500)}` }], {
        dir,
        fileName: "s",
        baseUrl: BASE,
        maxFileSize: 300,
      }),
    ).rejects.toBeInstanceOf(SitemapLimitError);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("refuses bad options before writing anything", async () => {
    const ok = { fileName: "s", baseUrl: BASE };
    const bad: Record<string, unknown>[] = [
      { maxFileEntries: 0 },
      { maxFileEntries: 50_001 },
      { maxFileEntries: 1.5 },
      { maxFileSize: 0 },
      { maxFileSize: MAX_BYTES_PER_FILE + 1 },
      { fileName: "../x" },
      { fileName: "a/b" },
      { fileName: ".hidden" },
      { fileName: "sitemap.xml" },
      { fileName: "" },
      { baseUrl: "/relative" },
      { baseUrl: "ftp://example.com/x" },
      { baseUrl: "https://example.com/x?y=1" },
      { lastmodForIndex: "yesterday" },
      { invalid: "ignore" },
    ];
    for (const patch of bad) {
      const dir = freshDir();
      await expect(
        writeSitemapFiles(numbered(2), { dir, ...ok, ...patch } as never),
        JSON.stringify(patch),
      ).rejects.toBeInstanceOf(SitemapOptionsError);
      expect(fs.existsSync(dir)).toBe(false);
    }
  });

  it("index lastmod: latest instant per part (offsets compared as times), fixed value, or omitted", async () => {
    const entries: SitemapEntry[] = [
      { loc: "https://example.com/1", lastmod: "2024-01-01T10:00:00+05:00" }, // 05:00Z
      { loc: "https://example.com/2", lastmod: "2024-01-01T06:00:00Z" }, // later, though "06" < "10" as text
      { loc: "https://example.com/3", lastmod: "2023-12-31" },
      { loc: "https://example.com/4" },
    ];
    const opts = { fileName: "s", baseUrl: BASE, maxFileEntries: 3 };
    const lastmods = (dir: string) => {
      const index = path.join(dir, "s.xml");
      const n = Number(xpath(index, "count(//*[local-name()='sitemap'])"));
      return Array.from({ length: n }, (_, i) =>
        xpath(index, `string(//*[local-name()='sitemap'][${i + 1}]/*[local-name()='lastmod'])`),
      );
    };
    const d1 = freshDir();
    await validateAll(d1, await writeSitemapFiles(entries, { ...opts, dir: d1 }));
    expect(lastmods(d1)).toEqual(["2024-01-01T06:00:00Z", ""]);
    const d2 = freshDir();
    await validateAll(d2, await writeSitemapFiles(entries, { ...opts, dir: d2, lastmodForIndex: new Date(Date.UTC(2025, 1, 3)) }));
    expect(lastmods(d2)).toEqual(["2025-02-03T00:00:00Z", "2025-02-03T00:00:00Z"]);
    const d3 = freshDir();
    await writeSitemapFiles(entries, { ...opts, dir: d3, lastmodForIndex: null });
    expect(fs.readFileSync(path.join(d3, "s.xml"), "utf8")).not.toContain("lastmod");
  });
});
