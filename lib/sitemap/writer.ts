/**
 * Streaming XML sitemap writer (sitemaps.org protocol 0.9): entries → `<urlset>` parts (+ a `<sitemapindex>`) in a
 * directory, with constant memory. Node only (fs, zlib, crypto); no Next imports.
 *
 * Files, for `fileName: "sitemap"`:
 * - one part:   `sitemap.xml` (a `<urlset>`)
 * - split:      `sitemap-1.xml`, `sitemap-2.xml`, … (`<urlset>`s) and `sitemap.xml` (the `<sitemapindex>`, whose
 *               `<loc>`s are `baseUrl + "/" + part name`)
 * - `gzip: true`: the same names with `.xml.gz` (every file, the index included, is the gzip of exactly the bytes the
 *               plain variant writes; the index lists the `.xml.gz` names). Limits apply to the uncompressed size.
 *
 * A part is closed when it holds `maxFileEntries` URLs or when the next `<url>` would push the exact UTF-8 byte size
 * of `header + <url>s + </urlset>` above `maxFileSize`, whichever comes first.
 *
 * Caller contract:
 * - Pass unique URLs (dedupe upstream, e.g. by normalised URL in the DB). Only an exact repeat of the previous
 *   entry's encoded `loc` is skipped (and counted in `skippedDuplicates`).
 * - Pass a stable order (e.g. ORDER BY url). The writer never sorts and reads no clock, so the same entries in the
 *   same order give byte-identical files (sitemaps.org/G8 idempotency).
 * - `dir` should be empty (e.g. the temp dir of `publishGeneration`); existing files with the same names are
 *   overwritten, others are left alone.
 */
import { MAX_BYTES_PER_FILE, MAX_URLS_PER_FILE } from "@/lib/core/types";
import { SitemapOptionsError } from "./errors";
import { SITEMAP_NS } from "./index-xml";
import {
  checkBaseUrl,
  checkCommonOptions,
  writeParts,
  type NormalisedEntry,
  type PartFormat,
  type SitemapEntrySource,
  type WriteResult,
} from "./parts";
import { w3cDatetime } from "./xml";

export type { SitemapEntrySource, SitemapFileKind, WriteResult, WrittenFile } from "./parts";
export { EmptySitemapError } from "./errors";

export type WriteSitemapOptions = {
  /** Output directory (created if missing). */
  dir: string;
  /** Base name without extension, `[A-Za-z0-9._-]`, e.g. "sitemap" → `sitemap.xml`, `sitemap-1.xml`, … */
  fileName: string;
  /** Absolute http(s) URL prefix where the files are served, e.g. `https://host/sitemaps/abc`; used for index `<loc>`s. */
  baseUrl: string;
  /** URLs per part, 1..50,000. Default 50,000. */
  maxFileEntries?: number;
  /** Uncompressed bytes per part, 1..52,428,800. Default 52,428,800. */
  maxFileSize?: number;
  /** Write `.xml.gz` files instead of `.xml`. Default false. */
  gzip?: boolean;
  /** zlib level 0–9 for gzip. Default 6 (zlib's default). Part of the output: keep it fixed for byte-identical files. */
  gzipLevel?: number;
  /**
   * `<lastmod>` of each `<sitemap>` in the index. Default (undefined): the latest `<lastmod>` among the part's entries
   * (omitted for a part without any). `null`: omit. A W3C Datetime string or Date: used for every part.
   */
  lastmodForIndex?: string | Date | null;
  /** What to do with an entry whose loc/changefreq/priority is invalid: throw (default) or skip and count it. */
  invalid?: "throw" | "skip";
};

const URLSET_HEADER = `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="${SITEMAP_NS}">\n`;
const URLSET_FOOTER = "</urlset>\n";

// An encoded loc holds only RFC 3986 characters (encodeLoc's contract), so "&" and "'" are the only ones XML
// escaping can change; checking for those two is much cheaper than escapeXml's full scan on a million URLs.
const escapeLoc = (loc: string): string =>
  loc.includes("&") || loc.includes("'") ? loc.replace(/&/g, "&amp;").replace(/'/g, "&apos;") : loc;

/** `<urlset>` part format: one `<url>` per line; `loc` XML-escaped (it may hold `&` and `'`). */
export const URLSET_FORMAT: PartFormat = {
  kind: "urlset",
  ext: ".xml",
  header: URLSET_HEADER,
  footer: URLSET_FOOTER,
  usesExtras: true,
  asciiOnly: true,
  render(e: NormalisedEntry): string {
    let s = `<url><loc>${escapeLoc(e.loc)}</loc>`;
    if (e.lastmod !== null) s += `<lastmod>${e.lastmod}</lastmod>`;
    if (e.changefreq !== null) s += `<changefreq>${e.changefreq}</changefreq>`;
    if (e.priority !== null) s += `<priority>${e.priority}</priority>`;
    return `${s}</url>\n`;
  },
};

/**
 * Writes `entries` as sitemap XML files into `opts.dir` (see the module doc for names, splitting and the caller
 * contract). Input may be sync or async (an async source may yield arrays of entries, e.g. one DB page at a time,
 * which avoids an await per URL); it is consumed once, in order, with bounded memory (≈ one 256 KiB batch).
 * Each entry: `loc` → `encodeLoc` (RFC 3986/3987, < 2,048 chars), `lastmod` → `w3cDatetime` (invalid → omitted),
 * `changefreq` from the sitemaps.org enum, `priority` 0.0–1.0.
 *
 * @returns `{ files, entryFile, urlCount, skippedDuplicates, skippedInvalid }`; `files` are the parts in order, then the
 *   index if any. Byte counts are per file (`bytes` on disk, `uncompressedBytes` before gzip), `sha256` is of the disk bytes.
 * @throws EmptySitemapError when no entry was written (an empty `<urlset>` is invalid); no file is left behind.
 * @throws InvalidLocError / InvalidEntryError (with `index` = 0-based input position) for an invalid entry, unless
 *   `invalid: "skip"`.
 * @throws SitemapLimitError when one entry alone exceeds `maxFileSize`, or more than 50,000 parts would be needed.
 * @throws SitemapOptionsError for options out of range, an unsafe `fileName` or a bad `baseUrl`.
 * On any error, the files written by this call are removed.
 */
export async function writeSitemapFiles(
  entries: SitemapEntrySource,
  opts: WriteSitemapOptions,
): Promise<WriteResult> {
  const o = {
    dir: opts.dir,
    fileName: opts.fileName,
    baseUrl: opts.baseUrl,
    maxFileEntries: opts.maxFileEntries ?? MAX_URLS_PER_FILE,
    maxFileSize: opts.maxFileSize ?? MAX_BYTES_PER_FILE,
    gzip: opts.gzip ?? false,
    gzipLevel: opts.gzipLevel ?? 6,
    lastmodForIndex: opts.lastmodForIndex,
    invalid: opts.invalid ?? "throw",
    indexFileName: `${opts.fileName}.xml`,
    allowEmpty: false,
  };
  checkCommonOptions(o);
  checkBaseUrl(o.baseUrl, `${o.fileName}-1.xml${o.gzip ? ".gz" : ""}`);
  if (o.lastmodForIndex !== undefined && o.lastmodForIndex !== null && w3cDatetime(o.lastmodForIndex) === null) {
    throw new SitemapOptionsError("lastmodForIndex must be a valid W3C Datetime or Date.");
  }
  if (o.invalid !== "throw" && o.invalid !== "skip") throw new SitemapOptionsError('invalid must be "throw" or "skip".');
  return writeParts(entries, URLSET_FORMAT, o);
}
