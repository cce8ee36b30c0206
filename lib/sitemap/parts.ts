/**
 * Streaming part writer shared by every output (`writer.ts` XML, `formats.ts` TXT/JSON, `html.ts`, `outputs.ts`).
 * Internal to `lib/sitemap`: import the public functions from those modules instead.
 *
 * Two stages, so that one pass over the entries can feed several formats (`outputs.ts` tees one source into the XML,
 * TXT, JSON and HTML writers):
 * - `EntryNormaliser.next(entry)` normalises an entry once (`encodeLoc`, `w3cDatetime`, changefreq/priority checks,
 *   consecutive-duplicate skip, extension fragment via `ExtensionRenderer`) into one reused `NormalisedEntry`.
 * - `PartWriter.push(normalised)` renders it in its format, batches strings into chunks of ≥ 256 KiB and writes them
 *   (or feeds one gzip stream per file). A part is closed when the next entry would exceed `maxFileEntries`, the
 *   exact UTF-8 byte size `header + entries + footer` would exceed `maxFileSize`, or (urlset) the part already
 *   holds 1,000 `<news:news>` and the entry has one. With more than one part, a sitemapindex is written
 *   (or, for HTML pages, nothing: pages link to each other).
 * Memory is one chunk per writer plus one record per part, whatever the number of URLs.
 * Parts of it: normaliser.ts (stage one), file-sink.ts (one output file), part-options.ts (defaults, validation).
 */
import { mkdir, rename, unlink } from "node:fs/promises";
import path from "node:path";
import { MAX_BYTES_PER_FILE, MAX_URLS_PER_FILE, type ChangeFreq, type SitemapEntry } from "@/lib/core/types";
import { EmptySitemapError, SitemapLimitError } from "./errors";
import type { ExtensionRenderer } from "./extensions";
import { FileSink, FLUSH_AT, noop } from "./file-sink";
import { buildSitemapIndexXml } from "./index-xml";
import { EntryNormaliser } from "./normaliser";
import { joinUrl } from "./part-options";
import { w3cDatetimeToMs } from "./xml";

export { EntryNormaliser, formatPriority, type NormaliserOptions } from "./normaliser";
export { checkBaseUrl, checkCommonOptions, joinUrl, resolvePartedOptions } from "./part-options";
/**
 * What a written file holds: a `<urlset>` part, a `<sitemapindex>`, a TXT part, the JSON export, an HTML sitemap page,
 * or the hreflang problem report (JSON, see outputs.ts).
 */
export type SitemapFileKind = "urlset" | "sitemapindex" | "txt" | "json" | "html" | "hreflang_report";

/** One file as written. Sizes in bytes; `sha256` is the lowercase hex digest of the bytes on disk. */
export type WrittenFile = {
  /** File name inside `dir` (no directory part), e.g. `sitemap-2.xml.gz`. */
  name: string;
  kind: SitemapFileKind;
  /** Size on disk (compressed size for `.gz`). */
  bytes: number;
  /** Size before gzip; equals `bytes` without gzip. This is the size the 52,428,800-byte limit applies to. */
  uncompressedBytes: number;
  /** URLs in the file; for a sitemapindex, the number of `<sitemap>` entries it lists. */
  urlCount: number;
  /** SHA-256 of the bytes on disk, hex: usable as a strong ETag. */
  sha256: string;
};

/**
 * Input of the writers: entries in output order, sync or async. An async source may also yield arrays of entries
 * (e.g. one DB page at a time), which saves an await per URL on large sitemaps; arrays are written in order.
 */
export type SitemapEntrySource =
  | Iterable<SitemapEntry>
  | AsyncIterable<SitemapEntry>
  | AsyncIterable<SitemapEntry | readonly SitemapEntry[]>;

/** Result of a write: `files` lists the parts in order, then the index when there is one. */
/**
 * Options every parted output shares (XML urlset parts, TXT parts, and `writeSitemapOutputs`):
 * where to write, how to name and link the parts, and the sitemaps.org limits.
 */
export type PartedOutputOptions = {
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
  /** Write `.gz` files. Default false. */
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

export type WriteResult = {
  files: WrittenFile[];
  /** The file to publish or submit: the single part, or the index when the output was split. */
  entryFile: string;
  /** URLs written across all parts. */
  urlCount: number;
  /** Entries skipped because their encoded `loc` equalled the previous entry's. */
  skippedDuplicates: number;
  /** Entries skipped as invalid (only with `invalid: "skip"`). */
  skippedInvalid: number;
};

/** A normalised entry: `loc` RFC 3986-encoded but not XML-escaped; optional fields `null` when absent. */
export type NormalisedEntry = {
  loc: string;
  lastmod: string | null;
  changefreq: ChangeFreq | null;
  priority: string | null;
  /** Extension XML (images, videos, news, hreflang links) to put after `<priority>`, or null. */
  ext: string | null;
  /** UTF-8 byte length of `ext` minus its `length` (non-ASCII titles), so byte counts stay exact without a scan. */
  extExtraBytes: number;
  /** `ext` holds a `<news:news>` (capped at 1,000 per urlset file). */
  news: boolean;
  /** The entry's title as given (HTML sitemap link text), when the normaliser was asked for titles; else null. */
  title: string | null;
};

/** How one output format renders a part. `render` must be deterministic. */
export type PartFormat = {
  kind: "urlset" | "txt" | "json" | "html";
  /** File extension with the dot, e.g. ".xml". */
  ext: string;
  header: string;
  footer: string;
  /**
   * Per-part header/footer (HTML pages: page number, previous/next links). When given they replace `header`/`footer`;
   * `last` tells whether no part follows. Only for formats without a byte limit (the size check uses `footer`).
   */
  headerFor?: (partNo: number) => string;
  footerFor?: (partNo: number, last: boolean) => string;
  /** Whether changefreq/priority are rendered (and therefore validated). */
  usesExtras: boolean;
  /**
   * Exact UTF-8 byte length of `s`, a string `render` returned for `e`. ASCII-only formats return `s.length` (a native
   * call per URL would cost more than the rest of the render); every batch written is checked against the real size,
   * so a miscount cannot go unnoticed.
   */
  byteLength(s: string, e: NormalisedEntry): number;
  render(e: NormalisedEntry, firstInPart: boolean): string;
  /**
   * "split" (default): one part is `<f><ext>`, several are `<f>-1<ext>`, `<f>-2<ext>`, … plus a sitemapindex (at most
   * 50,000 parts). "pages": `<f><ext>`, `<f>-2<ext>`, `<f>-3<ext>`, … and no index (HTML pages link to each other).
   */
  naming?: "split" | "pages";
  /** At most this many entries with `news` per part (urlset: 1,000); a further one starts a new part. */
  maxNewsPerPart?: number;
};

export type PartOptions = {
  dir: string;
  fileName: string;
  /** Needed when the format can split (index `<loc>`s); may be omitted for single-file formats. */
  baseUrl?: string;
  maxFileEntries: number;
  maxFileSize: number;
  gzip: boolean;
  gzipLevel: number;
  /** undefined: per-part latest entry lastmod; null: omit; value: used for every `<sitemap>`. */
  lastmodForIndex: string | Date | null | undefined;
  invalid: "throw" | "skip";
  /** Name of the sitemapindex written when split, without ".gz" (null: the format never splits). */
  indexFileName: string | null;
  /** Write header + footer when there are no entries (JSON) instead of throwing EmptySitemapError. */
  allowEmpty: boolean;
  /** `<?xml-stylesheet?>` line (with its "\n") for the sitemapindex, or "" (see xsl.ts). */
  indexStylesheet?: string;
};

type PartRecord = { file: WrittenFile; lastmod: string | null };

/** What one writer produced: its files in order (parts, then the index if any) and the file to publish. */
export type PartResult = { files: WrittenFile[]; entryFile: string; urlCount: number };

/** Streams normalised entries into parts (+ index) of one format. */
export class PartWriter {
  private readonly gzExt: string;
  private readonly footerBytes: number;
  private readonly naming: "split" | "pages";
  private readonly maxNews: number;
  private sink: FileSink | null = null;
  private partNo = 0;
  private partUrls = 0;
  private partNews = 0;
  private partBytes = 0;
  private partLastmod: string | null = null;
  /** Current batch: rendered strings not yet written, and their total size in bytes. */
  private batch: string[] = [];
  private batchBytes = 0;
  private readonly parts: PartRecord[] = [];
  private readonly created = new Set<string>();
  /** Entries written, for error messages (`Entry N needs …`). */
  private pushed = 0;
  urlCount = 0;

  constructor(private readonly fmt: PartFormat, private readonly o: PartOptions) {
    this.gzExt = o.gzip ? ".gz" : "";
    this.footerBytes = Buffer.byteLength(fmt.footer);
    this.naming = fmt.naming ?? "split";
    this.maxNews = fmt.maxNewsPerPart ?? Infinity;
  }

  private singleName(): string {
    return `${this.o.fileName}${this.fmt.ext}${this.gzExt}`;
  }

  private partName(n: number): string {
    return `${this.o.fileName}-${n}${this.fmt.ext}${this.gzExt}`;
  }

  private filePath(name: string): string {
    return path.join(this.o.dir, name);
  }

  /** Adds one entry; returns a promise only when I/O is due (so sync input avoids a microtask per URL). */
  push(entry: NormalisedEntry): Promise<void> | undefined {
    this.pushed++;
    if (this.sink === null || this.partUrls >= this.o.maxFileEntries) return this.startPartWith(entry);
    if (entry.news && this.partNews >= this.maxNews) return this.startPartWith(entry);
    const s = this.fmt.render(entry, false);
    const len = this.fmt.byteLength(s, entry);
    if (this.partBytes + len + this.footerBytes > this.o.maxFileSize) return this.startPartWith(entry);
    this.accept(s, len, entry);
    return this.batchBytes >= FLUSH_AT ? this.flush() : undefined;
  }

  private accept(s: string, len: number, entry: NormalisedEntry): void {
    this.batch.push(s);
    this.batchBytes += len;
    this.partBytes += len;
    this.partUrls++;
    this.urlCount++;
    if (entry.news) this.partNews++;
    const lastmod = entry.lastmod;
    if (lastmod !== null && this.o.lastmodForIndex === undefined) this.trackLastmod(lastmod);
  }

  /** Keeps the latest lastmod of the part (for the index). Same-shape UTC strings compare as text; others by time. */
  private trackLastmod(lastmod: string): void {
    const cur = this.partLastmod;
    if (cur === null) {
      this.partLastmod = lastmod;
    } else if (lastmod !== cur) {
      const sameShape =
        lastmod.length === 20 && cur.length === 20 && lastmod.charCodeAt(19) === 90 && cur.charCodeAt(19) === 90;
      if (sameShape ? lastmod > cur : w3cDatetimeToMs(lastmod) > w3cDatetimeToMs(cur)) this.partLastmod = lastmod;
    }
  }

  private async startPartWith(entry: NormalisedEntry): Promise<void> {
    if (this.sink !== null) await this.closePart(false);
    const header = this.fmt.headerFor ? this.fmt.headerFor(this.partNo + 1) : this.fmt.header;
    const headerBytes = Buffer.byteLength(header);
    const s = this.fmt.render(entry, true);
    const len = this.fmt.byteLength(s, entry);
    if (headerBytes + len + this.footerBytes > this.o.maxFileSize) {
      const need = headerBytes + len + this.footerBytes;
      throw new SitemapLimitError(
        `Entry ${this.pushed - 1} (${entry.loc.slice(0, 200)}) needs ${need} bytes in a file of its own; maxFileSize is ${this.o.maxFileSize}.`,
      );
    }
    await this.openPart(header, headerBytes);
    this.accept(s, len, entry);
    if (this.batchBytes >= FLUSH_AT) await this.flush();
  }

  private async openPart(header: string, headerBytes: number): Promise<void> {
    this.partNo++;
    if (this.naming === "split") {
      if (this.partNo > MAX_URLS_PER_FILE) {
        throw new SitemapLimitError(`More than ${MAX_URLS_PER_FILE} parts: a sitemapindex cannot list them all.`);
      }
      if (this.partNo === 2) {
        // The first part was written under the single-file name; now that there will be an index, it becomes "-1".
        const first = this.parts[0].file;
        const to = this.partName(1);
        await rename(this.filePath(first.name), this.filePath(to));
        this.created.delete(this.filePath(first.name));
        this.created.add(this.filePath(to));
        first.name = to;
      }
    }
    const name = this.partNo === 1 ? this.singleName() : this.partName(this.partNo);
    const p = this.filePath(name);
    this.created.add(p);
    this.sink = await FileSink.open(p, this.o.gzip ? this.o.gzipLevel : null);
    this.batch.push(header);
    this.batchBytes += headerBytes;
    this.partBytes = headerBytes;
    this.partUrls = 0;
    this.partNews = 0;
    this.partLastmod = null;
    this.parts.push({
      file: { name, kind: this.fmt.kind, bytes: 0, uncompressedBytes: 0, urlCount: 0, sha256: "" },
      lastmod: null,
    });
  }

  private async flush(): Promise<void> {
    if (this.batch.length === 0 || this.sink === null) return;
    const str = this.batch.join("");
    // UTF-8 length first (native, ~10× cheaper than encoding): an all-ASCII batch — nearly every batch, since locs
    // are RFC 3986 — is then encoded as latin1, byte for byte the same as UTF-8 for ASCII and ~4× faster.
    const n = Buffer.byteLength(str, "utf8");
    if (n !== this.batchBytes) {
      throw new Error(`Internal error: a batch is ${n} bytes, ${this.batchBytes} were counted.`);
    }
    const bytes = Buffer.from(str, n === str.length ? "latin1" : "utf8");
    this.batch = [];
    this.batchBytes = 0;
    await this.sink.write(bytes);
  }

  private async closePart(last: boolean): Promise<void> {
    const sink = this.sink;
    if (sink === null) return;
    const footer = this.fmt.footerFor ? this.fmt.footerFor(this.partNo, last) : this.fmt.footer;
    this.batch.push(footer);
    this.batchBytes += this.fmt.footerFor ? Buffer.byteLength(footer) : this.footerBytes;
    await this.flush();
    this.sink = null;
    const stats = await sink.close();
    const rec = this.parts[this.parts.length - 1];
    Object.assign(rec.file, stats, { urlCount: this.partUrls });
    rec.lastmod = this.partLastmod;
  }

  /**
   * Closes the last part and writes the index when there is more than one part ("split" naming).
   * @throws EmptySitemapError when nothing was pushed and the options do not allow an empty file.
   */
  async finish(): Promise<PartResult> {
    if (this.sink === null) {
      if (!this.o.allowEmpty) throw new EmptySitemapError();
      const header = this.fmt.headerFor ? this.fmt.headerFor(1) : this.fmt.header;
      await this.openPart(header, Buffer.byteLength(header));
    }
    await this.closePart(true);
    const files = this.parts.map((p) => p.file);
    if (this.parts.length === 1 || this.naming === "pages") {
      return { files, entryFile: files[0].name, urlCount: this.urlCount };
    }
    if (this.o.indexFileName === null || this.o.baseUrl === undefined) {
      throw new SitemapLimitError("This format cannot be split, but it exceeded its limits.");
    }
    const baseUrl = this.o.baseUrl;
    const fixed = this.o.lastmodForIndex;
    const xml = buildSitemapIndexXml(
      this.parts.map((p) => ({
        loc: joinUrl(baseUrl, p.file.name),
        lastmod: fixed === undefined ? p.lastmod : fixed,
      })),
      { stylesheet: this.o.indexStylesheet ?? "" },
    );
    const bytes = Buffer.from(xml, "utf8");
    if (bytes.length > MAX_BYTES_PER_FILE) {
      throw new SitemapLimitError(`The sitemapindex would be ${bytes.length} bytes; the limit is ${MAX_BYTES_PER_FILE}.`);
    }
    const name = this.o.indexFileName + this.gzExt;
    const p = this.filePath(name);
    this.created.add(p);
    const sink = await FileSink.open(p, this.o.gzip ? this.o.gzipLevel : null);
    this.sink = sink;
    await sink.write(bytes);
    this.sink = null;
    const stats = await sink.close();
    files.push({ name, kind: "sitemapindex", ...stats, urlCount: this.parts.length });
    return { files, entryFile: name, urlCount: this.urlCount };
  }

  /** After a failure: close the open file and remove every file this writer created. */
  async abort(): Promise<void> {
    const sink = this.sink;
    this.sink = null;
    if (sink) await sink.destroy();
    await Promise.all([...this.created].map((p) => unlink(p).catch(noop)));
  }
}

const isAsyncIterable = (x: unknown): x is AsyncIterable<SitemapEntry | readonly SitemapEntry[]> =>
  x !== null && typeof x === "object" && typeof (x as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function";

/**
 * Reads `entries` once, in order, normalising each entry once and pushing it into every writer in turn (a tee: one
 * pass over a DB cursor feeds all formats). A writer's I/O is awaited before the next writer or entry, so memory
 * stays bounded by the writers' batches. Arrays yielded by an async source are written in order.
 */
export async function feedEntries(
  entries: SitemapEntrySource,
  normaliser: EntryNormaliser,
  writers: readonly PartWriter[],
): Promise<void> {
  const single = writers.length === 1 ? writers[0] : null;
  const pushRest = async (from: number, pending: Promise<void>, n: NormalisedEntry): Promise<void> => {
    await pending;
    for (let j = from; j < writers.length; j++) {
      const q = writers[j].push(n);
      if (q) await q;
    }
  };
  const push = (e: SitemapEntry): Promise<void> | undefined => {
    const n = normaliser.next(e);
    if (n === null) return undefined;
    if (single !== null) return single.push(n);
    for (let i = 0; i < writers.length; i++) {
      const p = writers[i].push(n);
      if (p) return pushRest(i + 1, p, n);
    }
    return undefined;
  };
  if (isAsyncIterable(entries)) {
    for await (const item of entries) {
      if (Array.isArray(item)) {
        for (const e of item as readonly SitemapEntry[]) {
          const p = push(e);
          if (p) await p;
        }
      } else {
        const p = push(item as SitemapEntry);
        if (p) await p;
      }
    }
  } else {
    for (const e of entries) {
      const p = push(e);
      if (p) await p;
    }
  }
}

/**
 * Streams `entries` through `fmt` into `o.dir` (created if missing). On any error every file written by this call
 * is removed before the error is rethrown. Options must already be validated by the caller.
 */
export async function writeParts(
  entries: SitemapEntrySource,
  fmt: PartFormat,
  o: PartOptions,
  ext: ExtensionRenderer | null = null,
): Promise<WriteResult> {
  await mkdir(o.dir, { recursive: true });
  const normaliser = new EntryNormaliser({ usesExtras: fmt.usesExtras, invalid: o.invalid, ext, titles: fmt.kind === "html" });
  const w = new PartWriter(fmt, o);
  try {
    await feedEntries(entries, normaliser, [w]);
    const r = await w.finish();
    return { ...r, skippedDuplicates: normaliser.skippedDuplicates, skippedInvalid: normaliser.skippedInvalid };
  } catch (err) {
    await w.abort();
    throw err;
  }
}
