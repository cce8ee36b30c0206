/**
 * Feed files on disk: `<FILES_DIR>/feeds/<feedId>/feed.xml`, one file per feed, replaced atomically.
 *
 * `writeFeedFile` replaces `feed.xml` with lib/files/atomic-write.ts (temporary file in the same folder, fsync, rename,
 * folder fsync), so a reader sees the old file or the new one, never a half-written one. A crash leaves
 * only a `.tmp-*` file that is never served. `readFeedFile` → { bytes, modified, sha256 } or null; it opens through
 * lib/files/safe-open.ts, so a symlink in place of the file or its folder is never followed (null, logged).
 * Errors: file system errors as thrown (none for a missing file in read/remove).
 */
import { createHash } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "@/lib/files/atomic-write";
import { filesRoot } from "@/lib/db/files";
import { openStoredFile } from "@/lib/files/safe-open";

export const FEED_FILE_NAME = "feed.xml";

const feedDir = (feedId: string) => path.join(filesRoot(), "feeds", path.basename(feedId));

export async function writeFeedFile(feedId: string, bytes: Buffer): Promise<{ sha256: string; bytes: number }> {
  const dir = feedDir(feedId);
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(path.join(dir, FEED_FILE_NAME), bytes);
  return { sha256: createHash("sha256").update(bytes).digest("hex"), bytes: bytes.length };
}

/** Reads a feed's published file whole; null when there is none, or when it is a symlink or resolves outside the root. */
export async function readFeedFile(feedId: string): Promise<{ bytes: Buffer; modified: Date; sha256: string } | null> {
  const opened = await openStoredFile(filesRoot(), ["feeds", path.basename(feedId), FEED_FILE_NAME]);
  if (!opened) return null;
  try {
    const bytes = await opened.handle.readFile();
    return { bytes, modified: opened.modified, sha256: createHash("sha256").update(bytes).digest("hex") };
  } finally {
    await opened.handle.close();
  }
}

export async function removeFeedFiles(feedId: string): Promise<void> {
  await rm(feedDir(feedId), { recursive: true, force: true });
}
