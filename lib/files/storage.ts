/**
 * The one storage interface of published files (sitemap generations, feed files), with two backends chosen by
 * configuration alone (lib/files/storage-config.ts): local disk under FILES_DIR (`local-storage.ts`, the default) or
 * an S3-compatible object store (`s3-storage.ts`, `STORAGE_URL=s3://…`). Every writer and reader of published files
 * goes through `getFileStorage()`.
 *
 * Guarantees of both backends:
 * - `publishGeneration` makes a generation readable only when every file of it is stored; the caller switches its
 *   database pointer (Sitemap.publishedRunId) after it resolves, so readers — who only open the generation the
 *   pointer names — see the previous generation until then, and a failed or killed publication never becomes
 *   visible. A retried publication of the same id with byte-identical files is a no-op success; different bytes
 *   under an already complete id throw GenerationExistsError.
 * - `openGenerationFile` streams a file (never buffered whole), or returns null when it is missing or refused.
 * - `pruneGenerations` removes every generation of a sitemap not in `keep`, including leftovers of killed attempts.
 *
 * Names are single safe segments (lib/sitemap/names.ts); an unsafe one throws InvalidNameError on write and reads as
 * null. The backend is built once per configuration (the S3 client is reused across requests).
 */
import type { StorageConfig } from "./storage-config";
import { storageConfig } from "./storage-config";

/** A stored file opened for reading. */
export type StoredObject = {
  /** The file's bytes as stored (gzip files stay gzip). The caller consumes or cancels it. */
  stream: ReadableStream<Uint8Array>;
  /** Size, bytes. */
  bytes: number;
  /** Last modification time (local: mtime; S3: the object's Last-Modified). */
  modified: Date;
};

export type PublishOptions<T> = {
  /** Folder (local) or key segment (S3) of one sitemap; safe name. */
  sitemapKey: string;
  /** The generation's id (a run id); safe name. */
  generationId: string;
  /** Writes every file of the generation into `tmpDir`, a fresh local folder; its result is returned. */
  write: (tmpDir: string) => Promise<T>;
};

export interface FileStorage {
  readonly kind: "local" | "s3";
  /** Where the files are, for logs: a folder, or `s3://bucket/prefix`. */
  readonly location: string;
  /** See the module doc. @throws GenerationExistsError, EmptyGenerationError, InvalidNameError, what `write` throws. */
  publishGeneration<T>(opts: PublishOptions<T>): Promise<T>;
  /** One file of a generation, or null (missing, unsafe name, or a refused symlink on the local backend). */
  openGenerationFile(sitemapKey: string, generationId: string, name: string): Promise<StoredObject | null>;
  /** Removes every generation of `sitemapKey` not in `keep` (and unfinished ones); returns the removed ids, sorted. */
  pruneGenerations(sitemapKey: string, keep: readonly string[]): Promise<{ removed: string[] }>;
  /** Removes everything stored under the folder `segments` (a sitemap's generations, a feed's file). */
  removeFolder(segments: readonly string[]): Promise<void>;
  /** Replaces one small file (a feed) atomically: readers see the old bytes or the new ones. */
  writeFile(segments: readonly string[], bytes: Buffer): Promise<void>;
  /** Reads one small file whole, or null when missing or refused. */
  readFile(segments: readonly string[]): Promise<{ bytes: Buffer; modified: Date } | null>;
}

let cached: { key: string; storage: Promise<FileStorage> } | null = null;

/** Builds the backend for a configuration (the S3 module, and with it the SDK, is loaded only when configured). */
export async function createFileStorage(config: StorageConfig): Promise<FileStorage> {
  if (config.kind === "local") {
    const { LocalFileStorage } = await import("./local-storage");
    return new LocalFileStorage(config.root);
  }
  const { S3FileStorage } = await import("./s3-storage");
  return new S3FileStorage(config);
}

/**
 * The backend configured by the environment (read on every call, so tests can switch it), reused while the
 * configuration stays the same. @throws StorageConfigError for a bad setting (the start-up check reports it first).
 */
export function getFileStorage(env: Record<string, string | undefined> = process.env): Promise<FileStorage> {
  const config = storageConfig(env);
  const key = JSON.stringify(config);
  if (cached?.key !== key) cached = { key, storage: createFileStorage(config) };
  return cached.storage;
}
