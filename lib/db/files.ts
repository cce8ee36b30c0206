/**
 * Published files of sitemaps (table SitemapFile) and the way to their bytes.
 *
 * The bytes live in the configured storage (lib/files/storage.ts: local disk under FILES_DIR, default
 * `./.data/files`, or an S3-compatible store with STORAGE_URL), as `<sitemapId>/<runId>/<name>`; a run's generation is
 * complete in storage before `Sitemap.publishedRunId` switches to it, so readers only ever see whole generations.
 * ETag (sha256), size and Last-Modified (the row's creation) come from the SitemapFile row, identical on both
 * backends and on every app instance.
 */
import { getFileStorage } from "@/lib/files/storage";
import { getDb, TX_OPTIONS } from "./client";

/** The local backend's folder (FILES_DIR, default `./.data/files`); see lib/files/storage-config.ts. */
export { filesRoot } from "@/lib/files/storage-config";

export type PublishedFileInfo = {
  name: string;
  kind: string;
  bytes: number;
  urlCount: number;
  sha256: string;
  runId: string;
  createdAt: string;
};

/** File names are produced by our writer; anything else (traversal, separators) is refused before touching disk. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/;
/**
 * Whether `name` is a file name our writer can produce (a letter or digit, then letters, digits, `.`, `_`, `-`; ≤ 201
 * characters; no `..`).
 */
export const isSafeFileName = (name: string) => SAFE_NAME.test(name) && !name.includes("..");

/**
 * Records the files of a finished run and switches the sitemap to them in one transaction.
 * Returns the id of the previously published run (its folder can be pruned).
 */
export async function publishRunFiles(opts: {
  sitemapId: string;
  runId: string;
  files: { name: string; kind: string; bytes: number; urlCount: number; sha256: string }[];
}): Promise<string | null> {
  return getDb().$transaction(async (tx) => {
    const before = await tx.sitemap.findUniqueOrThrow({ where: { id: opts.sitemapId }, select: { publishedRunId: true } });
    await tx.sitemapFile.deleteMany({ where: { runId: opts.runId } });
    await tx.sitemapFile.createMany({
      data: opts.files.map((f) => ({ ...f, runId: opts.runId, sitemapId: opts.sitemapId })),
    });
    await tx.sitemap.update({ where: { id: opts.sitemapId }, data: { publishedRunId: opts.runId } });
    return before.publishedRunId && before.publishedRunId !== opts.runId ? before.publishedRunId : null;
  }, TX_OPTIONS);
}

/** The files currently served for a sitemap (the published run's), or [] when nothing is published or not yours. */
export async function listPublishedFiles(opts: { sitemapId: string; userId: string }): Promise<PublishedFileInfo[]> {
  const sm = await getDb().sitemap.findFirst({
    where: { id: opts.sitemapId, userId: opts.userId },
    select: { publishedRunId: true },
  });
  if (!sm?.publishedRunId) return [];
  const rows = await getDb().sitemapFile.findMany({ where: { runId: sm.publishedRunId }, orderBy: { name: "asc" } });
  return rows.map((r) => ({
    name: r.name,
    kind: r.kind,
    bytes: r.bytes,
    urlCount: r.urlCount,
    sha256: r.sha256,
    runId: r.runId,
    createdAt: r.createdAt.toISOString(),
  }));
}

export type OpenedFile = {
  name: string;
  kind: string;
  bytes: number;
  sha256: string;
  createdAt: Date;
  /** Web stream of the file's bytes (as stored: gzip files stay gzip). */
  stream: ReadableStream<Uint8Array>;
};

/**
 * Opens a file of the sitemap's published run. With `userId`, the sitemap must belong to that user; without it
 * (the public route) any sitemap's published files are readable, as search engines must fetch them.
 * Returns null for unknown sitemap, file, unsafe name or missing bytes, and on the local backend when the stored file
 * is a symlink or resolves outside `<FILES_DIR>/<sitemapId>/<runId>/` (see lib/files/safe-open.ts; logged).
 * The stream is the storage's (a file stream, or the S3 GetObject body), never read whole here.
 */
export async function openPublishedFile(opts: { sitemapId: string; name: string; userId?: string }): Promise<OpenedFile | null> {
  if (!isSafeFileName(opts.name)) return null;
  const sm = await getDb().sitemap.findFirst({
    where: { id: opts.sitemapId, ...(opts.userId ? { userId: opts.userId } : {}) },
    select: { id: true, publishedRunId: true },
  });
  if (!sm?.publishedRunId) return null;
  const row = await getDb().sitemapFile.findUnique({ where: { runId_name: { runId: sm.publishedRunId, name: opts.name } } });
  if (!row) return null;
  // Local backend: never through a symlink, never outside FILES_DIR (lib/files/safe-open.ts); a refusal is a 404.
  const opened = await (await getFileStorage()).openGenerationFile(sm.id, sm.publishedRunId, row.name);
  if (!opened) return null;
  return {
    name: row.name,
    kind: row.kind,
    bytes: row.bytes,
    sha256: row.sha256,
    createdAt: row.createdAt,
    stream: opened.stream,
  };
}

/** Removes every generation of a sitemap from storage (after its rows are deleted). Missing ones are fine. */
export async function removeSitemapFiles(sitemapId: string): Promise<void> {
  if (!isSafeFileName(sitemapId)) return;
  await (await getFileStorage()).removeFolder([sitemapId]);
}

/** The files of a published run (name, kind, URL count, bytes), by name. */
export async function publishedFileSummaries(runId: string): Promise<{ name: string; kind: string; urlCount: number; bytes: number }[]> {
  return getDb().sitemapFile.findMany({ where: { runId }, orderBy: { name: "asc" }, select: { name: true, kind: true, urlCount: true, bytes: true } });
}
