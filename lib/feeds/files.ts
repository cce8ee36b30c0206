/**
 * Feed files on disk: `<FILES_DIR>/feeds/<feedId>/feed.xml`, one file per feed, replaced atomically.
 *
 * `writeFeedFile` writes a temporary file in the same folder, fsyncs it, renames it over `feed.xml` (atomic on POSIX)
 * and fsyncs the folder, so a reader sees the old file or the new one, never a half-written one. A crash leaves
 * only a `.tmp-*` file that is never served. `readFeedFile` → { bytes, modified, sha256 } or null.
 * Errors: file system errors as thrown (none for a missing file in read/remove).
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { filesRoot } from "@/lib/db/files";

export const FEED_FILE_NAME = "feed.xml";

const feedDir = (feedId: string) => path.join(filesRoot(), "feeds", path.basename(feedId));

export async function writeFeedFile(feedId: string, bytes: Buffer): Promise<{ sha256: string; bytes: number }> {
  const dir = feedDir(feedId);
  await mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.tmp-${randomBytes(6).toString("hex")}`);
  const fh = await open(tmp, "w");
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path.join(dir, FEED_FILE_NAME));
  const d = await open(dir, "r");
  try {
    await d.sync();
  } catch {
    /* some file systems cannot fsync a directory */
  } finally {
    await d.close();
  }
  return { sha256: createHash("sha256").update(bytes).digest("hex"), bytes: bytes.length };
}

export async function readFeedFile(feedId: string): Promise<{ bytes: Buffer; modified: Date; sha256: string } | null> {
  const file = path.join(feedDir(feedId), FEED_FILE_NAME);
  try {
    const [bytes, st] = await Promise.all([readFile(file), stat(file)]);
    return { bytes, modified: st.mtime, sha256: createHash("sha256").update(bytes).digest("hex") };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
}

export async function removeFeedFiles(feedId: string): Promise<void> {
  await rm(feedDir(feedId), { recursive: true, force: true });
}
