import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import type { SitemapEntry } from "@/lib/core/types";
import { validateXml } from "@/tests/helpers/xmllint";
import { EmptySitemapError, InvalidLocError } from "./errors";
import { writeJsonUrls, writeTextSitemap } from "./formats";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "sf-formats-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let dirNo = 0;
const freshDir = () => path.join(root, `d${++dirNo}`);
const BASE = "https://files.example.com/s/1";

const entries: SitemapEntry[] = [
  { loc: "https://example.com/", lastmod: "2024-01-02T03:04:05+01:00" },
  { loc: "https://example.com/a?x=1&y='2'", lastmod: new Date(Date.UTC(2024, 1, 3)) },
  { loc: "https://example.com/ключ/😀", lastmod: "bogus" },
  { loc: "https://example.com/b%20c" },
  { loc: "https://example.com/d e" },
];
const encoded = [
  "https://example.com/",
  "https://example.com/a?x=1&y=%272%27",
  "https://example.com/%D0%BA%D0%BB%D1%8E%D1%87/%F0%9F%98%80",
  "https://example.com/b%20c",
  "https://example.com/d%20e",
];

describe("writeTextSitemap", () => {
  it("writes one encoded URL per line", async () => {
    const dir = freshDir();
    const res = await writeTextSitemap(entries, { dir, fileName: "urls", baseUrl: BASE });
    expect(res.entryFile).toBe("urls.txt");
    expect(res.files.map((f) => [f.name, f.kind, f.urlCount])).toEqual([["urls.txt", "txt", 5]]);
    const text = fs.readFileSync(path.join(dir, "urls.txt"), "utf8");
    expect(text).toBe(encoded.join("\n") + "\n");
    expect(res.files[0].bytes).toBe(Buffer.byteLength(text));
  });

  it("splits by count and by exact bytes, with a sitemapindex listing the text parts", async () => {
    const dir = freshDir();
    const res = await writeTextSitemap(entries, { dir, fileName: "urls", baseUrl: BASE, maxFileEntries: 2 });
    expect(res.files.map((f) => [f.name, f.kind, f.urlCount])).toEqual([
      ["urls-1.txt", "txt", 2],
      ["urls-2.txt", "txt", 2],
      ["urls-3.txt", "txt", 1],
      ["urls-index.xml", "sitemapindex", 3],
    ]);
    const index = path.join(dir, "urls-index.xml");
    await validateXml(index, "sitemapindex");
    expect(fs.readFileSync(index, "utf8")).toContain(`<loc>${BASE}/urls-2.txt</loc>`);
    expect(fs.readFileSync(path.join(dir, "urls-3.txt"), "utf8")).toBe(`${encoded[4]}\n`);

    // Lines of equal length L: a limit of exactly 2L holds two lines, 2L - 1 only one.
    const same = ["a", "b", "c"].map((c) => ({ loc: `https://example.com/${c}` }));
    const lineBytes = "https://example.com/a\n".length;
    const two = await writeTextSitemap(same, { dir: freshDir(), fileName: "t", baseUrl: BASE, maxFileSize: 2 * lineBytes });
    expect(two.files.map((f) => f.urlCount)).toEqual([2, 1, 2]);
    expect(two.files[0].bytes).toBe(2 * lineBytes);
    const one = await writeTextSitemap(same, { dir: freshDir(), fileName: "t", baseUrl: BASE, maxFileSize: 2 * lineBytes - 1 });
    expect(one.files.map((f) => f.urlCount)).toEqual([1, 1, 1, 3]);
  });

  it("gzip gives .txt.gz parts that gunzip to the plain text", async () => {
    const dir = freshDir();
    const res = await writeTextSitemap(entries, { dir, fileName: "urls", baseUrl: BASE, gzip: true });
    expect(res.entryFile).toBe("urls.txt.gz");
    expect(gunzipSync(fs.readFileSync(path.join(dir, "urls.txt.gz"))).toString("utf8")).toBe(encoded.join("\n") + "\n");
  });

  it("refuses empty input without writing", async () => {
    const dir = freshDir();
    await expect(writeTextSitemap([], { dir, fileName: "urls", baseUrl: BASE })).rejects.toBeInstanceOf(EmptySitemapError);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe("writeJsonUrls", () => {
  it("writes {urls:[{loc,lastmod?}]} with encoded locs and valid lastmods only", async () => {
    const dir = freshDir();
    const res = await writeJsonUrls(entries, { dir, fileName: "urls" });
    expect(res.files.map((f) => [f.name, f.kind, f.urlCount])).toEqual([["urls.json", "json", 5]]);
    const parsed = JSON.parse(fs.readFileSync(path.join(dir, "urls.json"), "utf8"));
    expect(parsed).toEqual({
      urls: [
        { loc: encoded[0], lastmod: "2024-01-02T03:04:05+01:00" },
        { loc: encoded[1], lastmod: "2024-02-03T00:00:00Z" },
        { loc: encoded[2] },
        { loc: encoded[3] },
        { loc: encoded[4] },
      ],
    });
  });

  it("streams many entries into one file, allows zero entries, and gzips", async () => {
    const dir = freshDir();
    const many = Array.from({ length: 60_001 }, (_, i) => ({ loc: `https://example.com/${i}` }));
    const res = await writeJsonUrls(many, { dir, fileName: "all", gzip: true });
    expect(res.files.map((f) => f.name)).toEqual(["all.json.gz"]);
    const parsed = JSON.parse(gunzipSync(fs.readFileSync(path.join(dir, "all.json.gz"))).toString("utf8"));
    expect(parsed.urls).toHaveLength(60_001);
    expect(parsed.urls[60_000]).toEqual({ loc: "https://example.com/60000" });

    const emptyDir = freshDir();
    await writeJsonUrls([], { dir: emptyDir, fileName: "none" });
    expect(JSON.parse(fs.readFileSync(path.join(emptyDir, "none.json"), "utf8"))).toEqual({ urls: [] });
  });

  it("throws InvalidLocError for a bad URL and removes the partial file", async () => {
    const dir = freshDir();
    const bad = [...entries, { loc: "not a url" }];
    await expect(writeJsonUrls(bad, { dir, fileName: "urls" })).rejects.toBeInstanceOf(InvalidLocError);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
