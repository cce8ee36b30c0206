/**
 * Non-XML outputs, streamed like the XML writer (same normalisation, batching, gzip, hashing and cleanup on error):
 *
 * - TXT sitemap (sitemaps.org "Text file"): one RFC 3986-encoded URL per line, UTF-8, "\n" line ends, same limits
 *   as XML (≤ 50,000 URLs and ≤ 52,428,800 bytes per file). One part: `<fileName>.txt`. Split:
 *   `<fileName>-1.txt`, … plus `<fileName>-index.xml`, a `<sitemapindex>` listing them (sitemaps.org allows an index
 *   to point at text sitemaps). With gzip every name gets `.gz`.
 * - JSON export: one file `<fileName>.json` = `{"urls":[{"loc":"…","lastmod":"…"},…]}` (lastmod omitted when absent
 *   or invalid), one entry per line. Not a sitemaps.org format, so it is never split; zero entries give `{"urls":[]}`.
 *
 * Caller contract as in `writer.ts`: unique URLs (only consecutive repeats are skipped), stable order, empty `dir`.
 */
import { SitemapOptionsError } from "./errors";
import {
  checkCommonOptions,
  writeParts,
  type NormalisedEntry,
  type PartFormat,
  type SitemapEntrySource,
  type WriteResult,
  type PartedOutputOptions,
  resolvePartedOptions,
} from "./parts";

/** TXT parts take the same options as the XML writer (sitemaps.org allows a text file under the same limits). */
export type WriteTextOptions = PartedOutputOptions;

/** JSON is one file (never split), so only the output and encoding options apply. */
export type WriteJsonOptions = Pick<PartedOutputOptions, "dir" | "fileName" | "gzip" | "gzipLevel" | "invalid">;

/** TXT part format: `loc\n` per entry, no header or footer. */
export const TEXT_FORMAT: PartFormat = {
  kind: "txt",
  ext: ".txt",
  header: "",
  footer: "",
  usesExtras: false,
  byteLength: (s: string) => s.length, // RFC 3986 locs are ASCII
  render: (e: NormalisedEntry) => `${e.loc}\n`,
};

/** JSON format: `{"urls":[` … `]}`; entries after the first are prefixed with ",\n". */
export const JSON_FORMAT: PartFormat = {
  kind: "json",
  ext: ".json",
  header: '{"urls":[\n',
  footer: "\n]}\n",
  usesExtras: false,
  byteLength: (s: string) => s.length, // locs are ASCII, lastmod values too
  render(e: NormalisedEntry, first: boolean): string {
    const loc = JSON.stringify(e.loc);
    const item = e.lastmod === null ? `{"loc":${loc}}` : `{"loc":${loc},"lastmod":"${e.lastmod}"}`;
    return first ? item : `,\n${item}`;
  },
};

/**
 * Writes a TXT sitemap (see module doc). Returns the same shape as `writeSitemapFiles`, with `kind: "txt"` parts and,
 * when split, a `sitemapindex` entry file.
 * @throws EmptySitemapError, InvalidLocError, SitemapLimitError, SitemapOptionsError as `writeSitemapFiles`.
 */
export async function writeTextSitemap(
  entries: SitemapEntrySource,
  opts: WriteTextOptions,
): Promise<WriteResult> {
  const o = { ...resolvePartedOptions(opts, ".txt"), indexFileName: `${opts.fileName}-index.xml`, allowEmpty: false };
  return writeParts(entries, TEXT_FORMAT, o);
}

/**
 * Writes the JSON export `<fileName>.json[.gz]` (see module doc): one file, any number of URLs, constant memory.
 * Zero entries are allowed (`{"urls":[]}`).
 * @throws InvalidLocError (unless `invalid: "skip"`), SitemapOptionsError.
 */
export async function writeJsonUrls(
  entries: SitemapEntrySource,
  opts: WriteJsonOptions,
): Promise<WriteResult> {
  const o = {
    dir: opts.dir,
    fileName: opts.fileName,
    baseUrl: undefined,
    maxFileEntries: Number.MAX_SAFE_INTEGER,
    maxFileSize: Number.MAX_SAFE_INTEGER,
    gzip: opts.gzip ?? false,
    gzipLevel: opts.gzipLevel ?? 6,
    lastmodForIndex: null,
    invalid: opts.invalid ?? "throw",
    indexFileName: null,
    allowEmpty: true,
  };
  checkCommonOptions({ ...o, maxFileEntries: 1, maxFileSize: 1 });
  if (o.invalid !== "throw" && o.invalid !== "skip") throw new SitemapOptionsError('invalid must be "throw" or "skip".');
  return writeParts(entries, JSON_FORMAT, o);
}
