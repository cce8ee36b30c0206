/**
 * Streaming part writer shared by the XML (`writer.ts`) and TXT/JSON (`formats.ts`) outputs. Internal to
 * `lib/sitemap`: import the public functions from those modules instead.
 *
 * Entries are normalised one by one (`encodeLoc`, `w3cDatetime`), rendered to strings, batched into chunks of
 * ≥ 256 KiB and written (or fed to one gzip stream per file). A part is closed when the next entry would exceed
 * `maxFileEntries` or the exact UTF-8 byte size `header + entries + footer` would exceed `maxFileSize`. Memory is one
 * chunk plus one record per part, whatever the number of URLs. With more than one part, a sitemapindex is written.
 */
import { createHash, type Hash } from "node:crypto";
import { once } from "node:events";
import { mkdir, open, rename, unlink, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { createGzip, type Gzip, type ZlibOptions } from "node:zlib";
import { MAX_BYTES_PER_FILE, MAX_URLS_PER_FILE, type ChangeFreq, type SitemapEntry } from "@/lib/core/types";
import {
  EmptySitemapError,
  InvalidEntryError,
  InvalidLocError,
  SitemapLimitError,
  SitemapOptionsError,
} from "./errors";
import { buildSitemapIndexXml } from "./index-xml";
import { isSafeName } from "./names";
import { encodeLoc, w3cDatetime, w3cDatetimeToMs } from "./xml";

/** What a written file holds. */
export type SitemapFileKind = "urlset" | "sitemapindex" | "txt" | "json";

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
};

/** How one output format renders a part. `render` must be deterministic. */
export type PartFormat = {
  kind: "urlset" | "txt" | "json";
  /** File extension with the dot, e.g. ".xml". */
  ext: string;
  header: string;
  footer: string;
  /** Whether changefreq/priority are rendered (and therefore validated). */
  usesExtras: boolean;
  /**
   * `render` only ever returns ASCII (true for every format here: locs are RFC 3986-encoded, the rest are W3C
   * datetimes, enum words and numbers), so string length = UTF-8 byte length. Checked on every batch written.
   */
  asciiOnly: boolean;
  render(e: NormalisedEntry, firstInPart: boolean): string;
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
};

/** A batch is handed to the file (or to gzip) once it holds this many bytes. */
const FLUSH_AT = 256 * 1024;
const CHANGEFREQS: ReadonlySet<string> = new Set(["always", "hourly", "daily", "weekly", "monthly", "yearly", "never"]);

/** Joins a base URL prefix and a file name with exactly one "/". */
export function joinUrl(baseUrl: string, name: string): string {
  return baseUrl.endsWith("/") ? baseUrl + name : `${baseUrl}/${name}`;
}

/**
 * Formats a priority (sitemaps.org: 0.0–1.0) as an xsd:decimal with 1–3 decimals ("0.5", "1.0", "0.85").
 * @throws InvalidEntryError when not a finite number in [0, 1].
 */
export function formatPriority(p: number): string {
  if (typeof p !== "number" || !Number.isFinite(p) || p < 0 || p > 1) {
    throw new InvalidEntryError("priority", `priority must be a number from 0.0 to 1.0, got ${String(p)}.`);
  }
  const s = String(Number(p.toFixed(3)));
  return s.includes(".") ? s : `${s}.0`;
}

async function writeAll(fh: FileHandle, buf: Buffer): Promise<void> {
  let off = 0;
  while (off < buf.length) {
    const { bytesWritten } = await fh.write(buf, off, buf.length - off);
    off += bytesWritten;
  }
}

const noop = () => {};

/** One output file: plain, or through one gzip stream. Hashes and counts the bytes that reach the disk. */
class FileSink {
  private readonly hash: Hash = createHash("sha256");
  private bytes = 0;
  private uncompressed = 0;
  private gz: Gzip | null = null;
  private pending: Promise<void> = Promise.resolve();
  private gzError: Error | null = null;

  private constructor(private readonly fh: FileHandle, gzipLevel: number | null) {
    if (gzipLevel !== null) {
      // Gzip output goes to the file in order through one promise chain; `write` awaits the chain after every
      // input chunk, so compressed bytes never pile up in memory.
      // A high-water mark of a few batches lets zlib compress one batch on the thread pool while the next is
      // rendered (with the default 16 KiB every 256 KiB write would wait for "drain"); memory stays bounded by it.
      // (zlib streams accept Transform options; @types/node's ZlibOptions just does not list them.)
      const options: ZlibOptions & { writableHighWaterMark: number } = {
        level: gzipLevel,
        chunkSize: 128 * 1024,
        writableHighWaterMark: 4 * FLUSH_AT,
      };
      const gz = createGzip(options);
      gz.on("data", (chunk: Buffer) => {
        this.hash.update(chunk);
        this.bytes += chunk.length;
        this.pending = this.pending.then(() => writeAll(this.fh, chunk));
        this.pending.catch(noop); // awaited later; this only stops an early unhandled-rejection report
      });
      // Without a listener an 'error' event would crash the process; it is rethrown by the next write/close.
      gz.on("error", (err: Error) => {
        this.gzError = err;
      });
      this.gz = gz;
    }
  }

  static async open(filePath: string, gzipLevel: number | null): Promise<FileSink> {
    return new FileSink(await open(filePath, "w"), gzipLevel);
  }

  async write(buf: Buffer): Promise<void> {
    this.uncompressed += buf.length;
    if (this.gz) {
      if (this.gzError) throw this.gzError;
      if (!this.gz.write(buf)) await once(this.gz, "drain");
      await this.pending;
      return;
    }
    this.hash.update(buf);
    this.bytes += buf.length;
    await writeAll(this.fh, buf);
  }

  async close(): Promise<{ bytes: number; uncompressedBytes: number; sha256: string }> {
    if (this.gz) {
      if (this.gzError) throw this.gzError;
      const ended = once(this.gz, "end");
      this.gz.end();
      await ended;
      await this.pending;
    }
    await this.fh.close();
    return { bytes: this.bytes, uncompressedBytes: this.uncompressed, sha256: this.hash.digest("hex") };
  }

  /** Best-effort release after a failure. */
  async destroy(): Promise<void> {
    this.gz?.destroy();
    await this.pending.catch(noop);
    await this.fh.close().catch(noop);
  }
}

/** Validates options shared by the public writers. @throws SitemapOptionsError */
export function checkCommonOptions(o: {
  dir: unknown;
  fileName: unknown;
  maxFileEntries: number;
  maxFileSize: number;
  gzipLevel: number;
}): void {
  if (typeof o.dir !== "string" || o.dir === "") throw new SitemapOptionsError("dir must be a non-empty path.");
  if (!isSafeName(o.fileName)) {
    throw new SitemapOptionsError(
      `fileName ${JSON.stringify(String(o.fileName))} must match [A-Za-z0-9._-], without a leading dot or "..".`,
    );
  }
  if (/\.(xml|txt|json)(\.gz)?$/i.test(o.fileName)) {
    throw new SitemapOptionsError(`fileName is a base name without extension, got ${JSON.stringify(o.fileName)}.`);
  }
  if (!Number.isInteger(o.maxFileEntries) || o.maxFileEntries < 1 || o.maxFileEntries > MAX_URLS_PER_FILE) {
    throw new SitemapOptionsError(`maxFileEntries must be an integer from 1 to ${MAX_URLS_PER_FILE}.`);
  }
  if (!Number.isInteger(o.maxFileSize) || o.maxFileSize < 1 || o.maxFileSize > MAX_BYTES_PER_FILE) {
    throw new SitemapOptionsError(`maxFileSize must be an integer from 1 to ${MAX_BYTES_PER_FILE} bytes.`);
  }
  if (!Number.isInteger(o.gzipLevel) || o.gzipLevel < 0 || o.gzipLevel > 9) {
    throw new SitemapOptionsError("gzipLevel must be an integer from 0 to 9.");
  }
}

/**
 * Checks that `baseUrl` is an absolute http(s) URL prefix without query or fragment, so that
 * `joinUrl(baseUrl, name)` is a valid `<loc>`. @throws SitemapOptionsError
 */
export function checkBaseUrl(baseUrl: unknown, sampleName: string): void {
  if (typeof baseUrl !== "string") throw new SitemapOptionsError("baseUrl must be an absolute http(s) URL.");
  try {
    const u = new URL(encodeLoc(joinUrl(baseUrl, sampleName)));
    if (u.search || u.hash) throw new Error("query or fragment");
  } catch {
    throw new SitemapOptionsError(
      `baseUrl ${JSON.stringify(baseUrl.slice(0, 200))} must be an absolute http(s) URL prefix without query or fragment.`,
    );
  }
}

type PartRecord = { file: WrittenFile; lastmod: string | null };

/** Streams entries into parts (+ index). Used through `writeParts`. */
class PartWriter {
  private readonly gzExt: string;
  private readonly headerBytes: number;
  private readonly footerBytes: number;
  private inputIndex = 0;
  private prevLoc: string | null = null;
  private sink: FileSink | null = null;
  private partNo = 0;
  private partUrls = 0;
  private partBytes = 0;
  private partLastmod: string | null = null;
  /** Current batch: rendered strings not yet written, and their total size in bytes. */
  private batch: string[] = [];
  private batchBytes = 0;
  private readonly current: NormalisedEntry = { loc: "", lastmod: null, changefreq: null, priority: null };
  private readonly parts: PartRecord[] = [];
  private readonly created = new Set<string>();
  urlCount = 0;
  skippedDuplicates = 0;
  skippedInvalid = 0;

  constructor(private readonly fmt: PartFormat, private readonly o: PartOptions) {
    this.gzExt = o.gzip ? ".gz" : "";
    this.headerBytes = Buffer.byteLength(fmt.header);
    this.footerBytes = Buffer.byteLength(fmt.footer);
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
  push(e: SitemapEntry): Promise<void> | undefined {
    const position = this.inputIndex++;
    let entry: NormalisedEntry;
    try {
      entry = this.normalise(e);
    } catch (err) {
      if (err instanceof InvalidLocError || err instanceof InvalidEntryError) {
        if (this.o.invalid === "skip") {
          this.skippedInvalid++;
          return undefined;
        }
        err.index = position;
      }
      throw err;
    }
    // Callers pass unique URLs; this only catches the cheap case of an exact repeat of the previous one.
    if (entry.loc === this.prevLoc) {
      this.skippedDuplicates++;
      return undefined;
    }
    this.prevLoc = entry.loc;

    if (this.sink === null || this.partUrls >= this.o.maxFileEntries) return this.startPartWith(entry);
    const s = this.fmt.render(entry, false);
    const len = this.byteLength(s);
    if (this.partBytes + len + this.footerBytes > this.o.maxFileSize) return this.startPartWith(entry);
    this.accept(s, len, entry.lastmod);
    return this.batchBytes >= FLUSH_AT ? this.flush() : undefined;
  }

  /**
   * Exact UTF-8 size of `s`. For ASCII-only formats that is `s.length` (a native call per URL would cost more than
   * the rest of the render); `flush` verifies the ASCII promise on every batch, so a miscount cannot go unnoticed.
   */
  private byteLength(s: string): number {
    return this.fmt.asciiOnly ? s.length : Buffer.byteLength(s);
  }

  /**
   * Normalises `e` into one reused object (no allocation per URL). Safe because the caller awaits each push before
   * the next one, so the previous entry is fully written when this one overwrites it.
   */
  private normalise(e: SitemapEntry): NormalisedEntry {
    const loc = encodeLoc(e.loc);
    const lastmod = e.lastmod === undefined || e.lastmod === null ? null : w3cDatetime(e.lastmod);
    let changefreq: ChangeFreq | null = null;
    let priority: string | null = null;
    if (this.fmt.usesExtras) {
      if (e.changefreq !== undefined && e.changefreq !== null) {
        if (!CHANGEFREQS.has(e.changefreq)) {
          throw new InvalidEntryError("changefreq", `changefreq ${JSON.stringify(String(e.changefreq))} is not valid.`);
        }
        changefreq = e.changefreq;
      }
      if (e.priority !== undefined && e.priority !== null) priority = formatPriority(e.priority);
    }
    const cur = this.current;
    cur.loc = loc;
    cur.lastmod = lastmod;
    cur.changefreq = changefreq;
    cur.priority = priority;
    return cur;
  }

  private accept(s: string, len: number, lastmod: string | null): void {
    this.batch.push(s);
    this.batchBytes += len;
    this.partBytes += len;
    this.partUrls++;
    this.urlCount++;
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
    if (this.sink !== null) await this.closePart();
    const s = this.fmt.render(entry, true);
    const len = this.byteLength(s);
    if (this.headerBytes + len + this.footerBytes > this.o.maxFileSize) {
      const need = this.headerBytes + len + this.footerBytes;
      throw new SitemapLimitError(
        `Entry ${this.inputIndex - 1} needs ${need} bytes in a file of its own; maxFileSize is ${this.o.maxFileSize}.`,
      );
    }
    await this.openPart();
    this.accept(s, len, entry.lastmod);
    if (this.batchBytes >= FLUSH_AT) await this.flush();
  }

  private async openPart(): Promise<void> {
    this.partNo++;
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
    const name = this.partNo === 1 ? this.singleName() : this.partName(this.partNo);
    const p = this.filePath(name);
    this.created.add(p);
    this.sink = await FileSink.open(p, this.o.gzip ? this.o.gzipLevel : null);
    this.batch.push(this.fmt.header);
    this.batchBytes += this.headerBytes;
    this.partBytes = this.headerBytes;
    this.partUrls = 0;
    this.partLastmod = null;
    this.parts.push({
      file: { name, kind: this.fmt.kind, bytes: 0, uncompressedBytes: 0, urlCount: 0, sha256: "" },
      lastmod: null,
    });
  }

  private async flush(): Promise<void> {
    if (this.batch.length === 0 || this.sink === null) return;
    const bytes = Buffer.from(this.batch.join(""), "utf8");
    if (bytes.length !== this.batchBytes) {
      throw new Error(`Internal error: a batch is ${bytes.length} bytes, ${this.batchBytes} were counted.`);
    }
    this.batch = [];
    this.batchBytes = 0;
    await this.sink.write(bytes);
  }

  private async closePart(): Promise<void> {
    const sink = this.sink;
    if (sink === null) return;
    this.batch.push(this.fmt.footer);
    this.batchBytes += this.footerBytes;
    await this.flush();
    this.sink = null;
    const stats = await sink.close();
    const rec = this.parts[this.parts.length - 1];
    Object.assign(rec.file, stats, { urlCount: this.partUrls });
    rec.lastmod = this.partLastmod;
  }

  async finish(): Promise<WriteResult> {
    if (this.sink === null) {
      if (!this.o.allowEmpty) throw new EmptySitemapError();
      await this.openPart();
    }
    await this.closePart();
    const files = this.parts.map((p) => p.file);
    if (this.parts.length === 1) {
      return this.result(files, files[0].name);
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
    return this.result(files, name);
  }

  private result(files: WrittenFile[], entryFile: string): WriteResult {
    return {
      files,
      entryFile,
      urlCount: this.urlCount,
      skippedDuplicates: this.skippedDuplicates,
      skippedInvalid: this.skippedInvalid,
    };
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
 * Streams `entries` through `fmt` into `o.dir` (created if missing). On any error every file written by this call
 * is removed before the error is rethrown. Options must already be validated by the caller.
 */
export async function writeParts(
  entries: SitemapEntrySource,
  fmt: PartFormat,
  o: PartOptions,
): Promise<WriteResult> {
  await mkdir(o.dir, { recursive: true });
  const w = new PartWriter(fmt, o);
  try {
    if (isAsyncIterable(entries)) {
      for await (const item of entries) {
        if (Array.isArray(item)) {
          for (const e of item as readonly SitemapEntry[]) {
            const p = w.push(e);
            if (p) await p;
          }
        } else {
          const p = w.push(item as SitemapEntry);
          if (p) await p;
        }
      }
    } else {
      for (const e of entries) {
        const p = w.push(e);
        if (p) await p;
      }
    }
    return await w.finish();
  } catch (err) {
    await w.abort();
    throw err;
  }
}
