/**
 * The export step's single entry point: one pass over the listed URLs writes every output of a sitemap.
 *
 * `writeSitemapOutputs(entries, opts)` reads `entries` once (a DB cursor is fine: sync or async, arrays allowed),
 * normalises each entry once and tees it into one streaming writer per format:
 *
 * | output | files (fileName "sitemap") | spec |
 * |---|---|---|
 * | XML sitemap (always) | `sitemap.xml`, or `sitemap-1.xml` … + index `sitemap.xml`; `.xml.gz` with `gzip` | sitemaps.org 0.9 + Google image/video/news/hreflang extensions |
 * | `"txt"` | `sitemap.txt`, or `sitemap-1.txt` … + index `sitemap-index.xml` | sitemaps.org "Text file" |
 * | `"json"` | `sitemap.json` = `{"urls":[{"loc","lastmod"?},…]}` | ours (formats.ts) |
 * | `"html"` | `sitemap.html`, `sitemap-2.html`, … | ours (html.ts), for people |
 * | hreflang report | `sitemap-hreflang-report.json`, when hreflang is on and some page has alternates | ours (below) |
 *
 * `gzip` applies to the XML sitemap only (urlset parts and their index, every name ending in `.xml.gz`, the index
 * naming the `.gz` parts). TXT, JSON, HTML and the report are never gzipped: HTML must open in a browser, and the
 * HTTP layer can compress the others. Limits (`maxFileEntries`, `maxFileSize`) apply to the XML and TXT parts.
 *
 * Extensions (extensions.ts) come from each entry's `images`, `alternates`, `video`, `news`; defaults mirror the
 * `Sitemap` row: images and hreflang on, video off, news off unless `news.now` is given. The XSL stylesheet
 * processing instruction (xsl.ts) goes into every urlset part and XML index when `xslHref` is set.
 *
 * Hreflang report file (kind "hreflang_report"), UTF-8 JSON, one problem per line, byte-identical for the same input:
 * `{"pagesWithAlternates":n,"alternatesWritten":n,"problemCount":n,"counts":{kind:n,…},"truncated":bool,
 *   "problems":[{"url":…,"kind":…,"details":…},…]}` (see hreflang.ts for the kinds; at most
 * `maxHreflangProblemsPerKind` per kind are listed, counts are complete).
 *
 * Determinism: no clock is read (news pruning uses the caller's `news.now`), nothing depends on the machine, and
 * gzip headers carry mtime 0 and no file name (Node's zlib default), so the same entries in the same order give
 * byte-identical files in every format.
 *
 * Errors: `EmptySitemapError` when no entry was written (nothing is left on disk); `InvalidLocError` /
 * `InvalidEntryError` for an invalid entry unless `invalid: "skip"`; `SitemapLimitError`; `SitemapOptionsError` for
 * bad options (checked before anything is written). On any error every file written by the call is removed.
 */
import { createHash } from "node:crypto";
import { mkdir, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { MAX_URLS_PER_FILE } from "@/lib/core/types";
import { SitemapOptionsError } from "./errors";
import { ExtensionRenderer, type ExtensionStats, type NewsOptions } from "./extensions";
import { JSON_FORMAT, TEXT_FORMAT } from "./formats";
import type { HreflangReport } from "./hreflang";
import { createHtmlFormat, HTML_LINKS_PER_PAGE } from "./html";
import {
  EntryNormaliser,
  feedEntries,
  PartWriter,
  type PartOptions,
  type SitemapEntrySource,
  type WrittenFile,
  type PartedOutputOptions,
  resolvePartedOptions,
} from "./parts";
import { createUrlsetFormat } from "./writer";
import { xmlStylesheetPi } from "./xsl";

/** Outputs besides the XML sitemap (the `Sitemap.extraFormats` values). */
export const EXTRA_FORMATS = ["html", "json", "txt"] as const;
export type ExtraFormat = (typeof EXTRA_FORMATS)[number];

/** `PartedOutputOptions` apply to the XML and TXT parts (gzip: the XML sitemap only). */
export type SitemapOutputsOptions = PartedOutputOptions & {
  /** Any of "html", "json", "txt" (duplicates ignored). Default none. */
  extraFormats?: readonly string[];
  /** Stylesheet URL for `<?xml-stylesheet?>` (absolute http(s) on the files' origin, or "/sitemap.xsl"); null = none. */
  xslHref?: string | null;
  /** `<image:image>` from `entry.images`. Default true. */
  images?: boolean;
  /** Extra image hosts allowed besides the page's own host (`*.example.com` allowed); null/undefined = no filter. */
  imageHosts?: readonly string[] | null;
  /** `<xhtml:link hreflang>` from `entry.alternates`, plus the hreflang report. Default true. */
  hreflang?: boolean;
  /** `<video:video>` from `entry.video`. Default false. */
  video?: boolean;
  /** `<news:news>` from `entry.news`, pruned to 2 days before `news.now` (pass the crawl's start time). Default off. */
  news?: NewsOptions | null;
  /** Links per HTML page, 1..50,000. Default 500. */
  htmlLinksPerPage?: number;
  /** Heading of the HTML pages. Default "Sitemap". */
  htmlTitle?: string;
  /** Problems listed per kind in the hreflang report. Default 1,000. */
  maxHreflangProblemsPerKind?: number;
};

/** Files of one output: in order (parts, then the index if any), and the one to link to. */
export type OutputFiles = { files: WrittenFile[]; entryFile: string };

export type SitemapOutputsResult = {
  /** Every file written, in this order: XML parts, XML index, TXT parts, TXT index, JSON, HTML pages, report. */
  files: WrittenFile[];
  /** The XML file to publish or submit: the single urlset, or the index. */
  entryFile: string;
  /** URLs written (in each format). */
  urlCount: number;
  skippedDuplicates: number;
  skippedInvalid: number;
  formats: { xml: OutputFiles; txt: OutputFiles | null; json: OutputFiles | null; html: OutputFiles | null };
  /** Extension items written and dropped (see extensions.ts). */
  extensions: ExtensionStats;
  /** hreflang check (null when hreflang is off); also written as `hreflangReportFile` when some page had alternates. */
  hreflang: HreflangReport | null;
  hreflangReportFile: string | null;
};

function parseExtraFormats(v: readonly string[] | undefined): Set<ExtraFormat> {
  const out = new Set<ExtraFormat>();
  if (v === undefined || v === null) return out;
  if (!Array.isArray(v)) throw new SitemapOptionsError(`extraFormats must be an array of ${EXTRA_FORMATS.join(", ")}.`);
  for (const f of v) {
    if (!(EXTRA_FORMATS as readonly string[]).includes(f)) {
      throw new SitemapOptionsError(`extraFormats: ${JSON.stringify(String(f).slice(0, 40))} is not one of ${EXTRA_FORMATS.join(", ")}.`);
    }
    out.add(f as ExtraFormat);
  }
  return out;
}

/** The report as UTF-8 JSON text, one problem per line. */
export function hreflangReportJson(r: HreflangReport): string {
  const head = JSON.stringify({
    pagesWithAlternates: r.pagesWithAlternates,
    alternatesWritten: r.alternatesWritten,
    problemCount: r.problemCount,
    counts: r.counts,
    truncated: r.truncated,
  });
  const lines = r.problems.map((p) => JSON.stringify({ url: p.url, kind: p.kind, details: p.details }));
  return `${head.slice(0, -1)},"problems":[${lines.length ? `\n${lines.join(",\n")}\n` : ""}]}\n`;
}

/**
 * Writes the XML sitemap and the requested extra outputs of `entries` into `opts.dir` in one pass (see the module doc
 * for names, formats and errors). Caller contract as `writeSitemapFiles`: unique URLs in a stable order (e.g. ORDER
 * BY url); only a repeat of the previous loc is skipped.
 *
 * @returns every file with its size (bytes on disk, uncompressed bytes), URL count and sha256; the XML entry file;
 *   per-format files; extension stats; the hreflang report.
 */
export async function writeSitemapOutputs(
  entries: SitemapEntrySource,
  opts: SitemapOutputsOptions,
): Promise<SitemapOutputsResult> {
  const { gzip: _gzip, ...common } = resolvePartedOptions(opts, ".xml");
  const formats = parseExtraFormats(opts.extraFormats);
  const linksPerPage = opts.htmlLinksPerPage ?? HTML_LINKS_PER_PAGE;
  if (!Number.isInteger(linksPerPage) || linksPerPage < 1 || linksPerPage > MAX_URLS_PER_FILE) {
    throw new SitemapOptionsError(`htmlLinksPerPage must be an integer from 1 to ${MAX_URLS_PER_FILE}.`);
  }
  const stylesheet = opts.xslHref ? xmlStylesheetPi(opts.xslHref) : "";
  const ext = new ExtensionRenderer({
    images: opts.images ?? true,
    imageHosts: opts.imageHosts ?? null,
    hreflang: opts.hreflang ?? true,
    video: opts.video ?? false,
    news: opts.news ?? null,
    hreflangReport: { maxProblemsPerKind: opts.maxHreflangProblemsPerKind },
  });

  const base: PartOptions = {
    ...common,
    gzip: false,
    indexFileName: null,
    allowEmpty: false,
    indexStylesheet: stylesheet,
  };
  const unlimited = { maxFileEntries: Number.MAX_SAFE_INTEGER, maxFileSize: Number.MAX_SAFE_INTEGER };
  const xmlW = new PartWriter(createUrlsetFormat(ext.namespaces(), stylesheet), {
    ...base,
    gzip: opts.gzip ?? false,
    indexFileName: `${common.fileName}.xml`,
  });
  const txtW = formats.has("txt") ? new PartWriter(TEXT_FORMAT, { ...base, indexFileName: `${common.fileName}-index.xml` }) : null;
  const jsonW = formats.has("json")
    ? new PartWriter(JSON_FORMAT, { ...base, ...unlimited, lastmodForIndex: null, allowEmpty: true })
    : null;
  const htmlW = formats.has("html")
    ? new PartWriter(createHtmlFormat({ fileName: common.fileName, title: opts.htmlTitle }), {
        ...base,
        ...unlimited,
        maxFileEntries: linksPerPage,
        lastmodForIndex: null,
      })
    : null;
  const writers = [xmlW, txtW, jsonW, htmlW].filter((w): w is PartWriter => w !== null);
  const normaliser = new EntryNormaliser({
    usesExtras: true,
    invalid: common.invalid,
    ext: ext.enabled ? ext : null,
    titles: htmlW !== null,
  });

  await mkdir(common.dir, { recursive: true });
  let reportPath: string | null = null;
  try {
    await feedEntries(entries, normaliser, writers);
    const xml = await xmlW.finish(); // first: an empty input throws here, before any other file is closed
    const txt = txtW ? await txtW.finish() : null;
    const json = jsonW ? await jsonW.finish() : null;
    const html = htmlW ? await htmlW.finish() : null;
    const files = [...xml.files, ...(txt?.files ?? []), ...(json?.files ?? []), ...(html?.files ?? [])];

    const hreflang = ext.hreflang ? ext.hreflang.report() : null;
    let hreflangReportFile: string | null = null;
    if (hreflang !== null && hreflang.pagesWithAlternates > 0) {
      hreflangReportFile = `${common.fileName}-hreflang-report.json`;
      const bytes = Buffer.from(hreflangReportJson(hreflang), "utf8");
      // A run's output folder (runtime data): not for next build's file tracing to follow.
      reportPath = path.join(/* turbopackIgnore: true */ common.dir, hreflangReportFile);
      await writeFile(reportPath, bytes);
      files.push({
        name: hreflangReportFile,
        kind: "hreflang_report",
        bytes: bytes.length,
        uncompressedBytes: bytes.length,
        urlCount: hreflang.pagesWithAlternates,
        sha256: createHash("sha256").update(bytes).digest("hex"),
      });
    }
    const pick = (r: { files: WrittenFile[]; entryFile: string } | null): OutputFiles | null =>
      r && { files: r.files, entryFile: r.entryFile };
    return {
      files,
      entryFile: xml.entryFile,
      urlCount: xml.urlCount,
      skippedDuplicates: normaliser.skippedDuplicates,
      skippedInvalid: normaliser.skippedInvalid,
      formats: { xml: { files: xml.files, entryFile: xml.entryFile }, txt: pick(txt), json: pick(json), html: pick(html) },
      extensions: { ...ext.stats },
      hreflang,
      hreflangReportFile,
    };
  } catch (err) {
    await Promise.all(writers.map((w) => w.abort()));
    if (reportPath !== null) await unlink(reportPath).catch(() => {});
    throw err;
  }
}
