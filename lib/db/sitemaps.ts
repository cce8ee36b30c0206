/**
 * Sitemaps (table Sitemap), always scoped by owner: another account's sitemap is "not found" (null / false).
 * The API's nested `crawl` settings are flat columns here (maxPages, maxDepth, concurrency, userAgent, respectRobots).
 * Errors: insert/update throw AppError("duplicate_entry", field "fileName") when the account already uses the name.
 */
import { Prisma } from "@/generated/prisma/client";
import { AppError } from "@/lib/core/errors";
import type { TCreateSitemap, TUpdateSitemap } from "@/lib/schemas/sitemaps";
import { getDb } from "./client";
import { removeSitemapFiles } from "./files";
import { newestFirst, olderThan, pageOf, type KeysetAfter } from "./keyset";

const select = {
  id: true,
  name: true,
  startUrl: true,
  fileName: true,
  active: true,
  maxFileEntries: true,
  maxFileSize: true,
  gzip: true,
  maxPages: true,
  maxDepth: true,
  concurrency: true,
  userAgent: true,
  respectRobots: true,
  publishedRunId: true,
  createdAt: true,
  updatedAt: true,
} as const satisfies Prisma.SitemapSelect;
export type SitemapRow = Prisma.SitemapGetPayload<{ select: typeof select }>;

const toColumns = <T extends TUpdateSitemap>({ crawl, ...rest }: T) => ({ ...rest, ...crawl });

async function mapDuplicate<T>(op: Promise<T>): Promise<T> {
  try {
    return await op;
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
      throw new AppError("duplicate_entry", "You already have a sitemap with this fileName.", { field: "fileName" });
    }
    throw err;
  }
}

export async function insertSitemap(opts: { userId: string; data: TCreateSitemap }): Promise<SitemapRow> {
  return mapDuplicate(getDb().sitemap.create({ data: { ...toColumns(opts.data), userId: opts.userId }, select }));
}

export async function findSitemap(opts: { userId: string; sitemapId: string }): Promise<SitemapRow | null> {
  return getDb().sitemap.findFirst({ where: { id: opts.sitemapId, userId: opts.userId }, select });
}

/** The user's sitemaps, newest first. */
export async function listSitemaps(opts: { userId: string; limit: number; after?: KeysetAfter | null }) {
  const rows = await getDb().sitemap.findMany({
    where: { userId: opts.userId, ...olderThan(opts.after) },
    orderBy: newestFirst,
    take: opts.limit + 1,
    select,
  });
  return pageOf(rows, opts.limit);
}

export async function updateSitemap(opts: { userId: string; sitemapId: string; data: TUpdateSitemap }): Promise<SitemapRow | null> {
  const { count } = await mapDuplicate(
    getDb().sitemap.updateMany({ where: { id: opts.sitemapId, userId: opts.userId }, data: toColumns(opts.data) }),
  );
  return count === 1 ? findSitemap(opts) : null;
}

/**
 * Deletes the sitemap with its runs and file records (cascade) and then its published files on disk.
 * Refused while a run is queued or running (it would keep writing for a deleted sitemap).
 * Returns "deleted", "not_found" (not the user's) or "active_run".
 */
export async function deleteSitemap(opts: { userId: string; sitemapId: string }): Promise<"deleted" | "not_found" | "active_run"> {
  const { count } = await getDb().sitemap.deleteMany({ where: { id: opts.sitemapId, userId: opts.userId, activeRunId: null } });
  if (count === 1) {
    await removeSitemapFiles(opts.sitemapId);
    return "deleted";
  }
  const exists = await getDb().sitemap.findFirst({ where: { id: opts.sitemapId, userId: opts.userId }, select: { id: true } });
  return exists ? "active_run" : "not_found";
}

/**
 * The entry file of each sitemap's published run: its sitemap index, else its first urlset by name.
 * Sitemaps with nothing published are absent from the map.
 */
export async function publishedEntryFiles(rows: { id: string; publishedRunId: string | null }[]): Promise<Map<string, string>> {
  const runIds = rows.flatMap((r) => (r.publishedRunId ? [r.publishedRunId] : []));
  if (!runIds.length) return new Map();
  const files = await getDb().sitemapFile.findMany({
    where: { runId: { in: runIds }, kind: { in: ["sitemapindex", "urlset"] } },
    select: { sitemapId: true, name: true, kind: true },
    orderBy: { name: "asc" },
  });
  const entries = new Map<string, string>();
  for (const f of files) {
    if (f.kind === "sitemapindex" || !entries.has(f.sitemapId)) entries.set(f.sitemapId, f.name);
  }
  return entries;
}
