/**
 * One output file of the part writer (lib/sitemap/parts.ts): plain, or through one gzip stream; hashes (sha256) and
 * counts the bytes that reach the disk. Memory: at most a few batches of {@link FLUSH_AT} bytes in flight.
 * Errors: file system and zlib errors, rethrown by the next write or close.
 */
import { createHash, type Hash } from "node:crypto";
import { once } from "node:events";
import { open, type FileHandle } from "node:fs/promises";
import { createGzip, type Gzip, type ZlibOptions } from "node:zlib";

/** A batch is handed to the file (or to gzip) once it holds this many bytes. */
export const FLUSH_AT = 256 * 1024;

/** Does nothing; the part writer and this sink pass it to `.catch()` where a rejection is read later or not needed. */
export const noop = () => {};

async function writeAll(fh: FileHandle, buf: Buffer): Promise<void> {
  let off = 0;
  while (off < buf.length) {
    const { bytesWritten } = await fh.write(buf, off, buf.length - off);
    off += bytesWritten;
  }
}


/** One output file: plain, or through one gzip stream. Hashes and counts the bytes that reach the disk. */
export class FileSink {
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
