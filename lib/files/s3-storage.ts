/**
 * The S3-compatible backend of lib/files/storage.ts (`STORAGE_URL=s3://bucket/prefix`, settings in
 * storage-config.ts), through @aws-sdk/client-s3. Works with AWS S3, Cloudflare R2, MinIO and s3rver (the tests').
 *
 * Keys: `<prefix><sitemapId>/<runId>/<name>` for a generation's files, `<prefix><sitemapId>/<runId>/.generation`
 * for its manifest, `<prefix>feeds/<feedId>/feed.xml` for feeds.
 *
 * Publishing a generation: `write` fills a local staging folder (`<os.tmpdir()>/sitemap-forge-s3-staging/
 * <sitemapId>.<runId>/`, emptied first and removed afterwards), every file is checked (no empty file, at least one
 * file) and hashed (sha256), then uploaded with PutObject from a file stream (Content-Length set, never read whole;
 * files are ≤ 50 MiB uncompressed, far below PutObject's 5 GiB), 4 at a time, each with its content type, its sha256
 * as metadata `sha256`, and no Content-Encoding (a `.xml.gz` stays a gzip file, served as it is stored). The manifest
 * (JSON `{"files":[{"name","bytes","sha256"}…]}`) is written last: it marks the generation complete. Until it
 * exists — and until the caller's database pointer names the generation — nothing of it is served; objects of a
 * killed attempt are overwritten by the retry (same keys) or removed by the next `pruneGenerations`, which deletes
 * every generation not kept, complete or not. A retry that finds the manifest compares it with the new files:
 * identical → no upload, success; different → GenerationExistsError (a complete generation is never modified).
 *
 * Reading: GetObject; the body is handed on as a web stream (the SDK's `transformToWebStream`), never buffered.
 * A missing object (NoSuchKey / 404) is null. Names are checked with lib/sitemap/names.ts before any request.
 * Checksums: the SDK's default CRC32 trailers on uploads (`aws-chunked` bodies) are not understood by every
 * S3-compatible store, so they are sent only when an operation requires one (`requestChecksumCalculation` and
 * `responseChecksumValidation` "WHEN_REQUIRED"); the sha256 of every file is stored in its metadata and the database.
 * Errors: the SDK's errors (S3ServiceException subclasses: credentials, missing bucket, network) as thrown; the errors
 * of lib/sitemap/errors.ts as the local backend throws them.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, readdir, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { contentTypeFor } from "@/lib/files/content-type";
import { EmptyGenerationError, GenerationExistsError } from "@/lib/sitemap/errors";
import { assertSafeName, isSafeName } from "@/lib/sitemap/names";
import type { S3StorageConfig } from "./storage-config";
import type { FileStorage, PublishOptions, StoredObject } from "./storage";

/** Name of the object that marks a generation complete (starts with ".", so it is never served). */
export const MANIFEST_NAME = ".generation";
const UPLOAD_CONCURRENCY = 4;
/** Connections to the store per app process (downloads streaming at once + uploads). */
const MAX_SOCKETS = 256;

type ManifestFile = { name: string; bytes: number; sha256: string };

const isMissing = (err: unknown) =>
  err instanceof S3ServiceException && (err.name === "NoSuchKey" || err.name === "NotFound" || err.$metadata?.httpStatusCode === 404);

async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Runs `task` over `items`, at most `limit` at once; the first failure rejects (the others still settle). */
async function eachLimited<I>(items: readonly I[], limit: number, task: (item: I) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await task(items[next++]);
  });
  await Promise.all(lanes);
}

/**
 * The FileStorage in an S3-compatible bucket (`location` = `s3://bucket/prefix`), with an S3Client of its own: at most
 * 256 sockets per agent (MAX_SOCKETS), 10 s connection timeout, checksums only when an operation requires one. Keys,
 * publishing and reading as the module doc says.
 */
export class S3FileStorage implements FileStorage {
  readonly kind = "s3" as const;
  readonly location: string;
  readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(config: S3StorageConfig) {
    this.bucket = config.bucket;
    this.prefix = config.prefix;
    this.location = `s3://${config.bucket}/${config.prefix}`;
    this.client = new S3Client({
      region: config.region,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      forcePathStyle: config.forcePathStyle,
      ...(config.credentials ? { credentials: config.credentials } : {}),
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      // A download holds its connection while the client reads (the body is streamed through): more sockets than the
      // SDK's default 50, so slow readers do not queue the others; a store that does not answer fails in 10 s.
      requestHandler: {
        connectionTimeout: 10_000,
        httpAgent: { keepAlive: true, maxSockets: MAX_SOCKETS },
        httpsAgent: { keepAlive: true, maxSockets: MAX_SOCKETS },
      },
    });
  }

  private key(segments: readonly string[]): string {
    return this.prefix + segments.join("/");
  }

  async publishGeneration<T>(opts: PublishOptions<T>): Promise<T> {
    const { sitemapKey, generationId, write } = opts;
    assertSafeName("sitemap key", sitemapKey);
    assertSafeName("generation id", generationId);
    const staging = path.join(os.tmpdir(), "sitemap-forge-s3-staging", `${sitemapKey}.${generationId}`);
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging, { recursive: true });
    try {
      const result = await write(staging);
      const files = await this.stagedFiles(staging, generationId);
      const existing = await this.readManifest(sitemapKey, generationId);
      if (existing !== null) {
        if (JSON.stringify(existing) !== JSON.stringify(files)) throw new GenerationExistsError(generationId);
        return result; // a retried publication of the same bytes: already complete
      }
      await eachLimited(files, UPLOAD_CONCURRENCY, async (f) => {
        await this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: this.key([sitemapKey, generationId, f.name]),
            Body: createReadStream(path.join(staging, f.name)),
            ContentLength: f.bytes,
            ContentType: contentTypeFor(f.name),
            Metadata: { sha256: f.sha256 },
          }),
        );
      });
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.key([sitemapKey, generationId, MANIFEST_NAME]),
          Body: JSON.stringify({ files }),
          ContentType: "application/json",
        }),
      );
      return result;
    } finally {
      await rm(staging, { recursive: true, force: true }).catch(() => {});
    }
  }

  /** The staged files, sorted by name, with sizes and sha256; refuses an empty generation, an empty file, a folder. */
  private async stagedFiles(staging: string, generationId: string): Promise<ManifestFile[]> {
    const entries = await readdir(staging, { withFileTypes: true });
    const names = entries.map((e) => e.name).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (names.length === 0) throw new EmptyGenerationError(`write() produced no files for generation ${generationId}.`);
    const files: ManifestFile[] = [];
    for (const name of names) {
      const st = await stat(path.join(staging, name));
      if (!st.isFile() || !isSafeName(name)) throw new Error(`Cannot publish ${name}: only plain files with safe names are stored.`);
      if (st.size === 0) throw new EmptyGenerationError(`Refusing to publish the empty file ${name}.`);
      files.push({ name, bytes: st.size, sha256: await sha256File(path.join(staging, name)) });
    }
    return files;
  }

  private async readManifest(sitemapKey: string, generationId: string): Promise<ManifestFile[] | null> {
    const got = await this.readObject(this.key([sitemapKey, generationId, MANIFEST_NAME]));
    if (!got) return null;
    return (JSON.parse(got.bytes.toString("utf8")) as { files: ManifestFile[] }).files;
  }

  async openGenerationFile(sitemapKey: string, generationId: string, name: string): Promise<StoredObject | null> {
    if (![sitemapKey, generationId, name].every((s) => isSafeName(s))) return null;
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key([sitemapKey, generationId, name]) }));
      if (!res.Body) return null;
      return {
        stream: res.Body.transformToWebStream() as ReadableStream<Uint8Array>,
        bytes: res.ContentLength ?? 0,
        modified: res.LastModified ?? new Date(0),
      };
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  /** Keys under `<prefix><segments…>/`, every page of ListObjectsV2. */
  private async *list(segments: readonly string[]): AsyncGenerator<string> {
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${this.key(segments)}/`, ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) if (o.Key) yield o.Key;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  private async deleteKeys(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const res = await this.client.send(
        new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true } }),
      );
      const failed = res.Errors?.filter((e) => e.Code !== "NoSuchKey") ?? [];
      if (failed.length) throw new Error(`Deleting ${failed.length} objects failed, first ${failed[0].Key}: ${failed[0].Code} ${failed[0].Message}`);
    }
  }

  async pruneGenerations(sitemapKey: string, keep: readonly string[]): Promise<{ removed: string[] }> {
    assertSafeName("sitemap key", sitemapKey);
    for (const id of keep) assertSafeName("generation id", id);
    const keepSet = new Set(keep);
    const base = this.key([sitemapKey]).length + 1;
    const doomed: string[] = [];
    const removed = new Set<string>();
    for await (const key of this.list([sitemapKey])) {
      const generation = key.slice(base).split("/")[0];
      if (keepSet.has(generation) || !isSafeName(generation)) continue;
      doomed.push(key);
      removed.add(generation);
    }
    await this.deleteKeys(doomed);
    return { removed: [...removed].sort() };
  }

  async removeFolder(segments: readonly string[]): Promise<void> {
    if (segments.length === 0 || !segments.every((s) => isSafeName(s))) return;
    const keys: string[] = [];
    for await (const key of this.list(segments)) keys.push(key);
    await this.deleteKeys(keys);
  }

  async writeFile(segments: readonly string[], bytes: Buffer): Promise<void> {
    const bad = segments.find((s) => !isSafeName(s));
    if (segments.length === 0 || bad !== undefined) throw new Error(`Unsafe stored file path segment: ${JSON.stringify(bad ?? "")}`);
    // One PutObject replaces the object whole: readers get the old bytes or the new ones.
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.key(segments),
        Body: bytes,
        ContentLength: bytes.length,
        ContentType: contentTypeFor(segments[segments.length - 1]),
      }),
    );
  }

  async readFile(segments: readonly string[]): Promise<{ bytes: Buffer; modified: Date } | null> {
    if (segments.length === 0 || !segments.every((s) => isSafeName(s))) return null;
    return this.readObject(this.key(segments));
  }

  /** One object read whole (feeds, manifests: small), or null when it does not exist. */
  private async readObject(key: string): Promise<{ bytes: Buffer; modified: Date } | null> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!res.Body) return null;
      return { bytes: Buffer.from(await res.Body.transformToByteArray()), modified: res.LastModified ?? new Date(0) };
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }
}
