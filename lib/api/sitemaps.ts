/**
 * Sitemap DTOs: a sitemap row plus its newest run (lib/db/runs.ts latestRuns) and the public URL of its published
 * entry file. Two queries per page of sitemaps, whatever its size. Staging credentials appear only as which
 * parts are set (`auth: { basicAuth: true, headers: ["x-token"], cookies: [] }`), never as values.
 */
import { latestRuns } from "@/lib/db/runs";
import type { CrawlRule } from "@/lib/core/types";
import { authSummary, publishedEntryFiles, type SitemapRow } from "@/lib/db/sitemaps";
import { publicFilesBaseUrl } from "@/lib/runs/public-url";
import type { TSitemapDto } from "@/lib/schemas/sitemaps";

export const publicFileUrl = (sitemapId: string, name: string) => publicFilesBaseUrl(sitemapId) + encodeURIComponent(name);

/** Sitemap.rules is JSON written only through the API schema; anything else found there shows as no rules. */
function ruleList(value: unknown): CrawlRule[] {
  return Array.isArray(value) ? (value as CrawlRule[]) : [];
}

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
        rules: ruleList(r.rules),
        queryPolicy: r.queryPolicy as TSitemapDto["crawl"]["queryPolicy"],
        queryAllowlist: r.queryAllowlist,
        trailingSlash: r.trailingSlash as TSitemapDto["crawl"]["trailingSlash"],
        maxUrlLength: r.maxUrlLength,
        respectCrawlDelay: r.respectCrawlDelay,
        importRobotsSitemaps: r.importRobotsSitemaps,
        renderJs: r.renderJs as TSitemapDto["crawl"]["renderJs"],
      },
      extensions: {
        images: r.images,
        imageHosts: r.imageHosts,
        hreflang: r.hreflang,
        video: r.video,
        news: r.news,
        newsPublicationName: r.newsPublicationName,
        newsLanguage: r.newsLanguage,
      },
      auth: authSummary(r.authEncrypted),
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
