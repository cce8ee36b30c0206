/**
 * The local-disk backend of lib/files/storage.ts (the default): files under one root folder (FILES_DIR).
 *
 * Layout: `<root>/<sitemapId>/<runId>/<name>` (generations, written by lib/sitemap/publish.ts: a `.tmp-<runId>`
 * folder, fsynced, renamed into place) and `<root>/feeds/<feedId>/feed.xml` (replaced by lib/files/atomic-write.ts).
 * Reads go through lib/files/safe-open.ts: `O_NOFOLLOW`, realpath inside the root, same inode; a symlink in place of
 * a file or a folder below the root reads as null (logged). Streams are Node file streams turned into web streams.
 * Errors: file-system errors as thrown by node:fs; the errors of lib/sitemap/publish.ts.
 */
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { isSafeName } from "@/lib/sitemap/names";
import { publishGeneration, pruneGenerations } from "@/lib/sitemap/publish";
import { writeFileAtomic } from "./atomic-write";
import { openStoredFile } from "./safe-open";
import type { FileStorage, PublishOptions, StoredObject } from "./storage";

/**
 * The FileStorage on local disk under the root folder `location` (FILES_DIR): layout, safe reads and errors in the
 * module doc.
 */
export class LocalFileStorage implements FileStorage {
  readonly kind = "local" as const;
  constructor(readonly location: string) {}

  publishGeneration<T>(opts: PublishOptions<T>): Promise<T> {
    return publishGeneration({ rootDir: this.location, ...opts });
  }

  async openGenerationFile(sitemapKey: string, generationId: string, name: string): Promise<StoredObject | null> {
    const opened = await openStoredFile(this.location, [sitemapKey, generationId, name]);
    if (!opened) return null;
    return {
      stream: Readable.toWeb(opened.handle.createReadStream()) as ReadableStream<Uint8Array>,
      bytes: opened.bytes,
      modified: opened.modified,
    };
  }

  pruneGenerations(sitemapKey: string, keep: readonly string[]): Promise<{ removed: string[] }> {
    return pruneGenerations(this.location, sitemapKey, keep);
  }

  async removeFolder(segments: readonly string[]): Promise<void> {
    if (segments.length === 0 || !segments.every((s) => isSafeName(s))) return;
    // Runtime data below the root: not for next build's file tracing to follow.
    await rm(path.join(/* turbopackIgnore: true */ this.location, ...segments), { recursive: true, force: true });
  }

  async writeFile(segments: readonly string[], bytes: Buffer): Promise<void> {
    const file = this.pathOf(segments);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFileAtomic(file, bytes);
  }

  async readFile(segments: readonly string[]): Promise<{ bytes: Buffer; modified: Date } | null> {
    const opened = await openStoredFile(this.location, segments);
    if (!opened) return null;
    try {
      return { bytes: await opened.handle.readFile(), modified: opened.modified };
    } finally {
      await opened.handle.close();
    }
  }

  private pathOf(segments: readonly string[]): string {
    const bad = segments.find((s) => !isSafeName(s));
    if (segments.length === 0 || bad !== undefined) throw new Error(`Unsafe stored file path segment: ${JSON.stringify(bad ?? "")}`);
    return path.join(/* turbopackIgnore: true */ this.location, ...segments);
  }
}
