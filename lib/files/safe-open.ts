/**
 * The one way a published file (sitemap generation file, feed file) is opened for serving: never through a symlink,
 * never outside the storage root.
 *
 * `openStoredFile(root, segments)` opens `<root>/<segments…>` read-only with `O_NOFOLLOW` (POSIX open(2): a symlink
 * as the final component fails with ELOOP), then checks that the opened file is a regular file and that its real
 * path (realpath(3), every symlink of the parents resolved) is exactly `realpath(root)/<segments…>` and names the
 * same inode as the opened handle. So a symlink in place of the file, a symlinked generation or sitemap folder, and
 * a file swapped between the open and the check are all refused. The root itself may be a symlink (an operator's
 * mounted volume): only what lies below it must be real.
 *
 * Returns `{ handle, bytes, modified }` (size in bytes, mtime) for the caller to stream and close, or `null` for a
 * missing file and for every refusal; a refusal (not a plain ENOENT) is logged once per request as
 * `[files] refused <path>: <reason>` on stderr, so an operator sees tampering while the client only sees 404.
 * Segments must be single safe names (`[A-Za-z0-9._-]`, no leading ".", no ".."; see lib/sitemap/names.ts) or the
 * file is refused before the file system is touched. Errors: file-system errors other than not-found/loop/
 * not-a-directory are thrown as they are.
 */
import { constants } from "node:fs";
import { open, realpath, stat, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { isSafeName } from "@/lib/sitemap/names";

export type StoredFile = {
  /** Open read-only handle; the caller closes it (or streams it with `autoClose`). */
  handle: FileHandle;
  /** Size, bytes. */
  bytes: number;
  /** Last modification time of the file. */
  modified: Date;
};

const MISSING = new Set(["ENOENT", "ENOTDIR"]);

function refuse(file: string, reason: string): null {
  console.warn(`[files] refused ${file}: ${reason}`);
  return null;
}

/**
 * Opens `<root>/<segments…>` for reading with the checks of the module doc: `{ handle, bytes, modified }`, or null
 * (missing or refused).
 */
export async function openStoredFile(root: string, segments: readonly string[]): Promise<StoredFile | null> {
  const file = path.join(root, ...segments);
  if (segments.length === 0 || !segments.every((s) => isSafeName(s))) return refuse(file, "unsafe path segment");
  let handle: FileHandle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "";
    if (MISSING.has(code)) return null;
    if (code === "ELOOP") return refuse(file, "the file is a symlink");
    throw err;
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) return refuseAndClose(handle, file, "not a regular file");
    let real: string;
    let realRoot: string;
    try {
      [real, realRoot] = await Promise.all([realpath(file), realpath(root)]);
    } catch (err) {
      if (MISSING.has((err as NodeJS.ErrnoException).code ?? "")) return refuseAndClose(handle, file, "the file vanished while opening");
      throw err;
    }
    const expected = path.join(realRoot, ...segments);
    if (real !== expected) return refuseAndClose(handle, file, `it resolves to ${real}, outside ${expected}`);
    // The path checked above must still be the file we opened (no swap between open and realpath).
    const now = await stat(real);
    if (now.ino !== st.ino || now.dev !== st.dev) return refuseAndClose(handle, file, "the file was replaced while opening");
    return { handle, bytes: st.size, modified: st.mtime };
  } catch (err) {
    await handle.close().catch(() => {});
    throw err;
  }
}

async function refuseAndClose(handle: FileHandle, file: string, reason: string): Promise<null> {
  await handle.close().catch(() => {});
  return refuse(file, reason);
}
