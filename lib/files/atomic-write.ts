/**
 * Crash-safe file replacement on POSIX: write a temporary file in the same folder, fsync it, rename it over the
 * target (rename(2) is atomic within one file system), fsync the folder so the rename itself is durable. A reader
 * sees the old file or the new one, never a half-written one; a crash leaves at most a `.tmp-*` file.
 * Errors: file system errors as thrown by node:fs (the temporary file is removed when the write fails).
 */
import { randomBytes } from "node:crypto";
import { open, rename, rm } from "node:fs/promises";
import path from "node:path";

/** fsyncs a file or folder by path. Throws what open/fsync throw. */
export async function fsyncPath(p: string): Promise<void> {
  const fh = await open(p, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** fsyncs a folder where the file system allows it (some cannot fsync a directory: those errors are ignored). */
export async function fsyncDirBestEffort(dir: string): Promise<void> {
  const d = await open(dir, "r");
  try {
    await d.sync();
  } catch {
    /* some file systems cannot fsync a directory */
  } finally {
    await d.close();
  }
}

/** Replaces `filePath` with `bytes` atomically and durably (see module doc). Its folder must exist. */
export async function writeFileAtomic(filePath: string, bytes: Uint8Array): Promise<void> {
  const dir = path.dirname(filePath);
  const tmp = path.join(dir, `.tmp-${randomBytes(6).toString("hex")}`);
  try {
    const fh = await open(tmp, "w");
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, filePath);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => {});
    throw err;
  }
  await fsyncDirBestEffort(dir);
}
