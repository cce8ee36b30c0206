/**
 * Feed files in the configured storage (lib/files/storage.ts): `feeds/<feedId>/feed.xml`, one file per feed, replaced
 * atomically — on local disk (`<FILES_DIR>/feeds/<feedId>/feed.xml`) with lib/files/atomic-write.ts (temporary file in
 * the same folder, fsync, rename, folder fsync; a crash leaves only a `.tmp-*` file that is never served), in an
 * object store by one PutObject (the object is replaced whole). A reader sees the old file or the new one, never a
 * half-written one. `readFeedFile` → { bytes, modified, sha256 } or null; on local disk it opens through
 * lib/files/safe-open.ts, so a symlink in place of the file or its folder is never followed (null, logged).
 * Errors: storage errors as thrown (none for a missing file in read/remove).
 */
import { createHash } from "node:crypto";
import path from "node:path";
import { getFileStorage } from "@/lib/files/storage";

export const FEED_FILE_NAME = "feed.xml";

const feedSegments = (feedId: string) => ["feeds", path.basename(feedId)];

/**
 * Publishes `bytes` as the feed's `feed.xml`, replacing the previous file atomically; returns its SHA-256 (hex) and
 * size in bytes.
 */
export async function writeFeedFile(feedId: string, bytes: Buffer): Promise<{ sha256: string; bytes: number }> {
  await (await getFileStorage()).writeFile([...feedSegments(feedId), FEED_FILE_NAME], bytes);
  return { sha256: createHash("sha256").update(bytes).digest("hex"), bytes: bytes.length };
}

/** Reads a feed's published file whole; null when there is none, or when it is a symlink or resolves outside the root. */
export async function readFeedFile(feedId: string): Promise<{ bytes: Buffer; modified: Date; sha256: string } | null> {
  const got = await (await getFileStorage()).readFile([...feedSegments(feedId), FEED_FILE_NAME]);
  if (!got) return null;
  return { bytes: got.bytes, modified: got.modified, sha256: createHash("sha256").update(got.bytes).digest("hex") };
}

/** Removes the feed's folder (`feeds/<feedId>/`) from the storage; a missing folder is no error. */
export async function removeFeedFiles(feedId: string): Promise<void> {
  await (await getFileStorage()).removeFolder(feedSegments(feedId));
}
