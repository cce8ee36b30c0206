/**
 * Published files of sitemaps (table SitemapFile) and where their bytes live.
 *
 * Layout on disk (lib/sitemap/publish.ts writes it): `<FILES_DIR>/<sitemapId>/<runId>/<name>`; a run's folder is
 * complete before `Sitemap.publishedRunId` switches to it, so readers only ever see whole generations.
 * FILES_DIR defaults to `./.data/files`.
 */
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { openStoredFile } from "@/lib/files/safe-open";
import { getDb, TX_OPTIONS } from "./client";

/**
 * The folder published files live in: FILES_DIR (absolute, or relative to the working directory), default
 * `./.data/files`. Runtime data, not code: the `turbopackIgnore` comments here and below keep `next build`'s output
 * file tracing from following these paths (it would otherwise trace, and copy, the whole project).
 */
export function filesRoot(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(/* turbopackIgnore: true */ process.cwd(), env.FILES_DIR?.trim() || ".data/files");
}

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
 * Returns null for unknown sitemap, file, unsafe name or missing bytes, and when the stored file is a symlink or
 * resolves outside `<FILES_DIR>/<sitemapId>/<runId>/` (see lib/files/safe-open.ts; logged).
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
  // Never through a symlink, never outside FILES_DIR (lib/files/safe-open.ts); a refusal is logged and is a 404.
  const opened = await openStoredFile(filesRoot(), [sm.id, sm.publishedRunId, row.name]);
  if (!opened) return null;
  const nodeStream = opened.handle.createReadStream();
  return {
    name: row.name,
    kind: row.kind,
    bytes: row.bytes,
    sha256: row.sha256,
    createdAt: row.createdAt,
    stream: Readable.toWeb(nodeStream) as ReadableStream<Uint8Array>,
  };
}

/** Removes every generation folder of a sitemap (after its rows are deleted). Missing folders are fine. */
export async function removeSitemapFiles(sitemapId: string): Promise<void> {
  if (!isSafeFileName(sitemapId)) return;
  await fs.promises.rm(path.join(/* turbopackIgnore: true */ filesRoot(), sitemapId), { recursive: true, force: true });
}

/** The files of a published run (name, kind, URL count, bytes), by name. */
export async function publishedFileSummaries(runId: string): Promise<{ name: string; kind: string; urlCount: number; bytes: number }[]> {
  return getDb().sitemapFile.findMany({ where: { runId }, orderBy: { name: "asc" }, select: { name: true, kind: true, urlCount: true, bytes: true } });
}
