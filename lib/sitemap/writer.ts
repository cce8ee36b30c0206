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
 * of `header + <url>s + </urlset>` above `maxFileSize`, whichever comes first (or, with news on, before a 1,001st
 * `<news:news>`). The header includes the `<?xml-stylesheet?>` line when `xslHref` is set, so limits count it.
 *
 * Extensions (`extensions`, off by default here): Google image / video / news and hreflang `xhtml:link`, rendered
 * from the entries' `images`, `video`, `news`, `alternates` after `<priority>`; each enabled extension's namespace is
 * declared on every `<urlset>` (sitemap.xsd's `xsd:any` needs them, unused ones are harmless). See extensions.ts.
 * For the export step use `writeSitemapOutputs` (outputs.ts): same XML plus TXT/JSON/HTML and the hreflang report
 * from one pass.
 *
 * Caller contract:
 * - Pass unique URLs (dedupe upstream, e.g. by normalised URL in the DB). Only an exact repeat of the previous
 *   entry's encoded `loc` is skipped (and counted in `skippedDuplicates`).
 * - Pass a stable order (e.g. ORDER BY url). The writer never sorts and reads no clock, so the same entries in the
 *   same order give byte-identical files (idempotent exports).
 * - `dir` should be empty (e.g. the temp dir of `publishGeneration`); existing files with the same names are
 *   overwritten, others are left alone.
 */
import { ExtensionRenderer, MAX_NEWS_PER_FILE, type ExtensionOptions } from "./extensions";
import { SITEMAP_NS } from "./index-xml";
import {
  writeParts,
  type NormalisedEntry,
  type PartFormat,
  type SitemapEntrySource,
  type WriteResult,
  type PartedOutputOptions,
  resolvePartedOptions,
} from "./parts";
import { escapeEncodedLoc } from "./xml";
import { xmlStylesheetPi } from "./xsl";

export type { SitemapEntrySource, SitemapFileKind, WriteResult, WrittenFile } from "./parts";
export { EmptySitemapError } from "./errors";

export type WriteSitemapOptions = PartedOutputOptions & {
  /**
   * Google extensions to render from the entries' `images` / `alternates` / `video` / `news` (see extensions.ts).
   * Default: none, so this writer's output is plain sitemaps.org XML unless asked. `writeSitemapOutputs` enables
   * images and hreflang by default and also writes the hreflang report.
   */
  extensions?: ExtensionOptions;
  /** Adds `<?xml-stylesheet type="text/xsl" href="…"?>` to every urlset and the index (see xsl.ts). Default none. */
  xslHref?: string | null;
};

const URLSET_FOOTER = "</urlset>\n";

// An encoded loc holds only RFC 3986 characters (encodeLoc's contract): escapeEncodedLoc is enough.
const escapeLoc = escapeEncodedLoc;

/**
 * `<urlset>` part format: one `<url>` per line; `loc` XML-escaped (it may hold `&` and `'`); the entry's extension
 * fragment (extensions.ts) after `<priority>`.
 * @param namespaces ` xmlns:prefix="…"` attributes of the enabled extensions (`ExtensionRenderer.namespaces()`).
 * @param stylesheet `<?xml-stylesheet?>` line from `xmlStylesheetPi`, or "".
 */
export function createUrlsetFormat(namespaces = "", stylesheet = ""): PartFormat {
  return {
    kind: "urlset",
    ext: ".xml",
    header: `<?xml version="1.0" encoding="UTF-8"?>\n${stylesheet}<urlset xmlns="${SITEMAP_NS}"${namespaces}>\n`,
    footer: URLSET_FOOTER,
    usesExtras: true,
    maxNewsPerPart: MAX_NEWS_PER_FILE,
    // Everything but extension text is ASCII (RFC 3986 locs, datetimes, enum words, numbers); the normaliser
    // measures the extension fragment's extra UTF-8 bytes once.
    byteLength: (s: string, e: NormalisedEntry) => s.length + e.extExtraBytes,
    render(e: NormalisedEntry): string {
      let s = `<url><loc>${escapeLoc(e.loc)}</loc>`;
      if (e.lastmod !== null) s += `<lastmod>${e.lastmod}</lastmod>`;
      if (e.changefreq !== null) s += `<changefreq>${e.changefreq}</changefreq>`;
      if (e.priority !== null) s += `<priority>${e.priority}</priority>`;
      if (e.ext !== null) s += e.ext;
      return `${s}</url>\n`;
    },
  };
}

/** The plain `<urlset>` format (no extension namespace, no stylesheet). */
export const URLSET_FORMAT: PartFormat = createUrlsetFormat();

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
  const o = { ...resolvePartedOptions(opts, ".xml"), indexFileName: `${opts.fileName}.xml`, allowEmpty: false };
  const stylesheet = opts.xslHref ? xmlStylesheetPi(opts.xslHref) : "";
  const ext = opts.extensions ? new ExtensionRenderer(opts.extensions) : null;
  const fmt = ext?.enabled || stylesheet ? createUrlsetFormat(ext?.namespaces() ?? "", stylesheet) : URLSET_FORMAT;
  return writeParts(entries, fmt, { ...o, indexStylesheet: stylesheet }, ext?.enabled ? ext : null);
}
