/**
 * The status of a sitemap, whole site and per sub-scope (GET /api/v1/sitemaps/{id}/status; the shop API's
 * "status per subshop"). See ZSitemapStatusDto (lib/schemas/sitemaps.ts) for the shape.
 *
 * Whole site: the newest run (any sub-scope selection) and its status, the URLs listed by the published run and the
 * pushed URLs, and the published files. Each sub-scope: the newest run requested for the whole site or for that key,
 * its status, the URLs under `origin + pathPrefix` in the published run and among pushed URLs, and the published
 * files (one set of files per sitemap, shared by every sub-scope).
 * Queries: one per sub-scope for its newest run plus two counts; a sitemap has at most 100 sub-scopes.
 */
import { publishedFileSummaries } from "@/lib/db/files";
import { lastSucceededAt, newestRun, toRunDto } from "@/lib/db/runs";
import type { SitemapRow } from "@/lib/db/sitemaps";
import { countUrlsByPrefix } from "@/lib/db/urls";
import { originOf } from "@/lib/core/url";
import { subScopesOf, type TSitemapStatusDto } from "@/lib/schemas/sitemaps";
import { publicFileUrl } from "./sitemaps";

/**
 * The status DTO of one sitemap (ZSitemapStatusDto): whole site and each sub-scope, as the module doc says; file
 * entries carry their public URL. Dates are ISO 8601 strings. Reads the database only.
 */
export async function sitemapStatus(sm: SitemapRow): Promise<TSitemapStatusDto> {
  const origin = originOf(sm.startUrl)!;
  const scopes = subScopesOf(sm.subScopes);
  const [newest, succeeded, files] = await Promise.all([
    newestRun(sm.id),
    lastSucceededAt([sm.id]),
    sm.publishedRunId ? publishedFileSummaries(sm.publishedRunId) : Promise.resolve([]),
  ]);
  const fileDtos = files.map((f) => ({ ...f, url: publicFileUrl(sm.id, f.name) }));
  const prefixes = [origin + "/", ...scopes.map((s) => origin + s.pathPrefix)];
  const counts = await countUrlsByPrefix(sm.publishedRunId, sm.id, prefixes);
  const lastRun = newest ? toRunDto(newest) : null;
  const subScopes = [];
  for (const s of scopes) {
    const run = await newestRun(sm.id, s.key);
    const dto = run ? toRunDto(run) : null;
    subScopes.push({
      key: s.key,
      name: s.name,
      pathPrefix: s.pathPrefix,
      status: dto?.status ?? null,
      lastRun: dto,
      urls: counts.get(origin + s.pathPrefix)!,
      files: fileDtos,
    });
  }
  return {
    sitemapId: sm.id,
    number: sm.number,
    publishedRunId: sm.publishedRunId,
    lastRunStartedAt: lastRun ? (lastRun.startedAt ?? lastRun.createdAt) : null,
    lastSucceededAt: succeeded.get(sm.id)?.toISOString() ?? null,
    status: lastRun?.status ?? null,
    lastRun,
    urls: counts.get(origin + "/")!,
    files: fileDtos,
    subScopes,
  };
}
