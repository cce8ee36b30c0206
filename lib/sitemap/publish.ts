/**
 * Atomic publication of sitemap files by generations: a generation is written in full to a
 * temp dir, fsynced, then renamed into place in one step; the caller then switches its pointer (a DB row naming
 * the current generation id) and serves only from the generation the pointer names. Node only (fs), no Next imports.
 *
 * Folder layout:
 * ```
 * <rootDir>/
 *   <sitemapKey>/                  one folder per published sitemap (e.g. a sitemap id)
 *     <generationId>/              complete, fsynced, never modified again; served when the pointer names it
 *       sitemap.xml                (urlset, or sitemapindex when split)
 *       sitemap-1.xml …
 *     .tmp-<generationId>/         being written; never served (ids starting with "." are refused when reading);
 *                                  left behind only by a crash (kill -9), removed by a retry or `pruneGenerations`
 * ```
 * Crash safety: until `rename` the new generation exists only as `.tmp-*`, so a crash at any moment leaves the
 * previous generation and the pointer untouched; after `rename` the generation is complete (files and directories
 * fsynced first), and an unreferenced complete generation is simply pruned later.
 *
 * Names (`sitemapKey`, `generationId`, file names) are single safe path segments (see `names.ts`): `[A-Za-z0-9._-]`,
 * no leading ".", no "..". A generation id names one content snapshot (e.g. a run id): a retried publication with
 * the same id and identical bytes is a no-op success; different bytes under a published id are refused.
 * Concurrency: run publication and pruning for one `sitemapKey` under one lock (e.g. an Inngest concurrency key).
 */
import { createHash } from "node:crypto";
import { constants, createReadStream } from "node:fs";
import { mkdir, open, readdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { fsyncPath } from "@/lib/files/atomic-write";
import { EmptyGenerationError, GenerationExistsError } from "./errors";
import { assertSafeName, isSafeName } from "./names";

/** Prefix of work dirs inside `<rootDir>/<sitemapKey>/`. */
export const TMP_PREFIX = ".tmp-";

export type PublishGenerationOptions<T> = {
  /** Root of all published sitemaps (absolute path recommended). Created if missing. */
  rootDir: string;
  /** Folder of one sitemap under `rootDir`; safe name. */
  sitemapKey: string;
  /** New generation's id; safe name; must not be published already. */
  generationId: string;
  /** Writes every file of the generation into `tmpDir` (e.g. `writeSitemapFiles({ dir: tmpDir, … })`). */
  write: (tmpDir: string) => Promise<T>;
};

const noop = () => {};

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw err;
  }
}

/** fsyncs every regular file and directory under `dir` (dir included); returns file paths; refuses empty files. */
async function syncTree(dir: string, rel = ""): Promise<string[]> {
  const files: string[] = [];
  const entries = await readdir(path.join(dir, rel), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const relPath = rel === "" ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) {
      files.push(...(await syncTree(dir, relPath)));
    } else if (e.isFile()) {
      const fh = await open(path.join(dir, relPath), "r");
      try {
        if ((await fh.stat()).size === 0) throw new EmptyGenerationError(`Refusing to publish the empty file ${relPath}.`);
        await fh.sync();
      } finally {
        await fh.close();
      }
      files.push(relPath);
    }
  }
  await fsyncPath(path.join(dir, rel));
  return files;
}

/** "relPath size sha256" per file, sorted: equal strings mean byte-identical trees. */
async function treeDigest(dir: string, rel = ""): Promise<string> {
  const lines: string[] = [];
  const entries = await readdir(path.join(dir, rel), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const relPath = rel === "" ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) {
      lines.push(await treeDigest(dir, relPath));
    } else if (e.isFile()) {
      const hash = createHash("sha256");
      let size = 0;
      for await (const chunk of createReadStream(path.join(dir, relPath))) {
        hash.update(chunk as Buffer);
        size += (chunk as Buffer).length;
      }
      lines.push(`${relPath} ${size} ${hash.digest("hex")}`);
    }
  }
  return lines.join("\n");
}

/**
 * Runs `write(tmpDir)` in `<rootDir>/<sitemapKey>/.tmp-<generationId>` (a leftover of a crashed attempt with the
 * same id is removed first), fsyncs every file and directory, then renames the temp dir to
 * `<rootDir>/<sitemapKey>/<generationId>` and fsyncs the parent. Only then does it resolve, with what `write`
 * returned; the caller switches its pointer afterwards. If `write` throws, or the generation holds no file or an
 * empty file, the temp dir is removed, nothing is published, and the previous generations are untouched.
 *
 * Retries (at-least-once job steps): when `<generationId>` is already published, `write` still runs into the temp
 * dir (its result is needed); if the new files are byte-identical to the published ones (the writer is deterministic
 * for the same snapshot) the temp dir is dropped and the result returned, leaving the published dir untouched.
 * A published generation is never modified: different content throws `GenerationExistsError`.
 *
 * @returns what `write(tmpDir)` resolved to.
 * @throws InvalidNameError for an unsafe `sitemapKey` or `generationId` (nothing touched).
 * @throws GenerationExistsError when `<generationId>` is published with different content.
 * @throws EmptyGenerationError when `write` produced no file or a zero-byte file.
 * @throws whatever `write` throws.
 */
export async function publishGeneration<T>(opts: PublishGenerationOptions<T>): Promise<T> {
  const { rootDir, sitemapKey, generationId, write } = opts;
  assertSafeName("sitemap key", sitemapKey);
  assertSafeName("generation id", generationId);
  const keyDir = path.join(rootDir, sitemapKey);
  const finalDir = path.join(keyDir, generationId);
  const tmpDir = path.join(keyDir, TMP_PREFIX + generationId);
  await mkdir(keyDir, { recursive: true });
  await rm(tmpDir, { recursive: true, force: true });
  await mkdir(tmpDir);
  try {
    const result = await write(tmpDir);
    const files = await syncTree(tmpDir);
    if (files.length === 0) throw new EmptyGenerationError(`write() produced no files for generation ${generationId}.`);
    if (await exists(finalDir)) {
      if ((await treeDigest(finalDir)) !== (await treeDigest(tmpDir))) throw new GenerationExistsError(generationId);
      await rm(tmpDir, { recursive: true, force: true });
      return result;
    }
    try {
      await rename(tmpDir, finalDir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOTEMPTY" || code === "EEXIST") throw new GenerationExistsError(generationId);
      throw err;
    }
    await fsyncPath(keyDir);
    return result;
  } catch (err) {
    await rm(tmpDir, { recursive: true, force: true }).catch(noop);
    throw err;
  }
}

/**
 * Path of a published file, after checking every segment: `<rootDir>/<sitemapKey>/<generationId>/<name>`.
 * Use it to stream a file (`fs.createReadStream`); `readPublishedFile` reads it whole.
 * @throws InvalidNameError when `sitemapKey`, `generationId` or `name` is not a safe single segment (traversal such
 *   as `../x`, `a/b`, `..`, `.tmp-…`, `%2e%2e`, NUL, empty).
 */
export function publishedFilePath(rootDir: string, sitemapKey: string, generationId: string, name: string): string {
  assertSafeName("sitemap key", sitemapKey);
  assertSafeName("generation id", generationId);
  assertSafeName("file name", name);
  return path.join(rootDir, sitemapKey, generationId, name);
}

/**
 * Reads one published file whole (sitemap files are ≤ 50 MiB uncompressed). Symlinks are not followed.
 * @returns the bytes, or `null` when the generation or file does not exist (or is not a regular file).
 * @throws InvalidNameError for unsafe names, before touching the file system (see `publishedFilePath`).
 */
export async function readPublishedFile(
  rootDir: string,
  sitemapKey: string,
  generationId: string,
  name: string,
): Promise<Buffer | null> {
  const p = publishedFilePath(rootDir, sitemapKey, generationId, name);
  let fh;
  try {
    fh = await open(p, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR" || code === "ELOOP" || code === "EISDIR") return null;
    throw err;
  }
  try {
    if (!(await fh.stat()).isFile()) return null;
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}

/**
 * Removes every generation of `sitemapKey` not named in `keep`, and every `.tmp-*` work dir (stale by the locking
 * rule in the module doc). Entries with other names (not a safe name, not `.tmp-*`) are left alone.
 * Call it after switching the pointer, with `keep` = [current, maybe previous] ids.
 * @returns the removed entry names, sorted. A missing `<rootDir>/<sitemapKey>` gives `[]`.
 * @throws InvalidNameError for an unsafe `sitemapKey` or a `keep` entry that is not a safe name.
 */
export async function pruneGenerations(
  rootDir: string,
  sitemapKey: string,
  keep: readonly string[],
): Promise<{ removed: string[] }> {
  assertSafeName("sitemap key", sitemapKey);
  for (const id of keep) assertSafeName("generation id", id);
  const keyDir = path.join(rootDir, sitemapKey);
  let names: string[];
  try {
    names = await readdir(keyDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { removed: [] };
    throw err;
  }
  const keepSet = new Set(keep);
  const removed = names
    .filter((n) => !keepSet.has(n) && (n.startsWith(TMP_PREFIX) || isSafeName(n)))
    .sort();
  for (const n of removed) await rm(path.join(keyDir, n), { recursive: true, force: true });
  return { removed };
}
