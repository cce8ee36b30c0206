/**
 * Sitemap DTOs: a sitemap row plus its newest run (lib/db/runs.ts latestRuns) and the public URL of its published
 * entry file. Two queries per page of sitemaps, whatever its size.
 */
import { latestRuns } from "@/lib/db/runs";
import { publishedEntryFiles, type SitemapRow } from "@/lib/db/sitemaps";
import { publicFilesBaseUrl } from "@/lib/runs/public-url";
import type { TSitemapDto } from "@/lib/schemas/sitemaps";

export const publicFileUrl = (sitemapId: string, name: string) => publicFilesBaseUrl(sitemapId) + encodeURIComponent(name);

export async function toSitemapDtos(rows: SitemapRow[]): Promise<TSitemapDto[]> {
  const [runs, entries] = await Promise.all([latestRuns(rows.map((r) => r.id)), publishedEntryFiles(rows)]);
  return rows.map((r) => {
    const entry = entries.get(r.id);
    return {
      id: r.id,
      name: r.name,
      startUrl: r.startUrl,
      fileName: r.fileName,
      active: r.active,
      maxFileEntries: r.maxFileEntries,
      maxFileSize: r.maxFileSize,
      gzip: r.gzip,
      crawl: {
        maxPages: r.maxPages,
        maxDepth: r.maxDepth,
        concurrency: r.concurrency,
        userAgent: r.userAgent,
        respectRobots: r.respectRobots,
      },
      publishedRunId: r.publishedRunId,
      lastRun: runs.get(r.id) ?? null,
      sitemapUrl: entry ? publicFileUrl(r.id, entry) : null,
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
    };
  });
}

export async function toSitemapDto(row: SitemapRow): Promise<TSitemapDto> {
  return (await toSitemapDtos([row]))[0];
}
