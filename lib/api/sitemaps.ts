/**
 * Sitemap DTOs: a sitemap row plus its newest run (lib/db/runs.ts latestRuns), its newest successful run's end and the
 * public URL of its published entry file. Three queries per page of sitemaps, whatever its size. Staging credentials
 * appear only as which parts are set (`auth: { basicAuth: true, headers: ["x-token"], cookies: [] }`), never as values.
 *
 * Shop-API derived fields: exportStatus (0 idle: no run or the newest was cancelled; 1 finished; 2 error; 3 starting:
 * queued; 4 running), protocolId (= newest run's `number`), lastExportStarted (newest run's startedAt, or its
 * createdAt while queued), lastExportFinished (newest successful run's finishedAt).
 *
 * SITEMAP_LIST_SPEC: the list grammar of GET /api/v1/sitemaps (the shop API's filter/sort fields; subshopIds is
 * `subScopes` here, filterable with `contains` = has a sub-scope with that key). The derived fields are filtered by
 * resolveSitemapDeferred; sorts on them (SITEMAP_LIST_SPEC_DERIVED_SORTS) are done in memory by listSitemapsPage.
 */
import { lastSucceededAt, latestRuns } from "@/lib/db/runs";
import type { CrawlRule } from "@/lib/core/types";
import { authSummary, publishedEntryFiles, querySitemaps, sitemapIdsWhere, type SitemapRow } from "@/lib/db/sitemaps";
import { publicFilesBaseUrl } from "@/lib/runs/public-url";
import type { TRunDto } from "@/lib/schemas/runs";
import { EXPORT_STATUS, subScopesOf, type TSitemapDto } from "@/lib/schemas/sitemaps";
import type { SitemapList } from "@/lib/db/list-models";
import { matchDeferred, sortInMemory, type FilterValue, type ListQuery, type ListSpec } from "./list-query";

export const publicFileUrl = (sitemapId: string, name: string) => publicFilesBaseUrl(sitemapId) + encodeURIComponent(name);

/** Sitemap.rules is JSON written only through the API schema; anything else found there shows as no rules. */
function ruleList(value: unknown): CrawlRule[] {
  return Array.isArray(value) ? (value as CrawlRule[]) : [];
}

/** The shop API's exportStatus code for a sitemap whose newest run is `run` (null: never run). */
export function exportStatusOf(run: Pick<TRunDto, "status"> | null | undefined): number {
  switch (run?.status) {
    case "queued":
      return EXPORT_STATUS.starting;
    case "running":
      return EXPORT_STATUS.running;
    case "succeeded":
      return EXPORT_STATUS.finished;
    case "failed":
      return EXPORT_STATUS.error;
    default:
      return EXPORT_STATUS.idle;
  }
}

type Derived = { exportStatus: number; protocolId: number | null; lastExportStarted: Date | null; lastExportFinished: Date | null };

async function derivedOf(ids: string[]): Promise<{ runs: Map<string, TRunDto>; derived: Map<string, Derived> }> {
  const [runs, succeeded] = await Promise.all([latestRuns(ids), lastSucceededAt(ids)]);
  const derived = new Map<string, Derived>();
  for (const id of ids) {
    const run = runs.get(id);
    derived.set(id, {
      exportStatus: exportStatusOf(run),
      protocolId: run?.number ?? null,
      lastExportStarted: run ? new Date(run.startedAt ?? run.createdAt) : null,
      lastExportFinished: succeeded.get(id) ?? null,
    });
  }
  return { runs, derived };
}

export async function toSitemapDtos(rows: SitemapRow[]): Promise<TSitemapDto[]> {
  const ids = rows.map((r) => r.id);
  const [{ runs, derived }, entries] = await Promise.all([derivedOf(ids), publishedEntryFiles(rows)]);
  return rows.map((r) => {
    const entry = entries.get(r.id);
    const d = derived.get(r.id)!;
    return {
      id: r.id,
      number: r.number,
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
        excludeNoindex: r.excludeNoindex,
        followNofollow: r.followNofollow,
        respectCanonical: r.respectCanonical,
        collapseDuplicates: r.collapseDuplicates,
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
      output: {
        priorityMode: r.priorityMode as TSitemapDto["output"]["priorityMode"],
        defaultPriority: r.defaultPriority,
        defaultChangefreq: r.defaultChangefreq as TSitemapDto["output"]["defaultChangefreq"],
        lastmod: r.lastmod,
        lastmodSource: r.lastmodSource as TSitemapDto["output"]["lastmodSource"],
        extraFormats: r.extraFormats as TSitemapDto["output"]["extraFormats"],
        xslStylesheet: r.xslStylesheet,
      },
      subScopes: subScopesOf(r.subScopes),
      templateId: r.templateId,
      options: { exportCharset: r.exportCharset as TSitemapDto["options"]["exportCharset"] },
      writeIntoRobots: r.writeIntoRobots,
      exportAfterImport: r.exportAfterImport,
      exportPlan: r.exportPlan,
      exportCron: r.exportCron,
      timezone: r.timezone,
      exportStatus: d.exportStatus,
      protocolId: d.protocolId,
      lastExportStarted: d.lastExportStarted?.toISOString() ?? null,
      lastExportFinished: d.lastExportFinished?.toISOString() ?? null,
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

/** GET /api/v1/sitemaps: filter and sort fields (the shop API's, plus startUrl, number, writeIntoRobots, timezone). */
export const SITEMAP_LIST_SPEC: ListSpec<SitemapList> = {
  fields: {
    id: { type: "string", column: "id", ops: ["eq", "ne", "in"] },
    number: { type: "int", column: "number" },
    active: { type: "boolean", column: "active" },
    name: { type: "string", column: "name" },
    fileName: { type: "string", column: "fileName" },
    startUrl: { type: "string", column: "startUrl" },
    templateId: { type: "string", column: "templateId", nullable: true, ops: ["eq", "ne", "in"] },
    subScopes: {
      type: "string",
      ops: ["contains"],
      sort: false,
      where: (_op, value) => ({ subScopes: { array_contains: [{ key: value }] } }),
    },
    maxFileSize: { type: "int", column: "maxFileSize" },
    maxFileEntries: { type: "int", column: "maxFileEntries" },
    exportAfterImport: { type: "boolean", column: "exportAfterImport" },
    writeIntoRobots: { type: "boolean", column: "writeIntoRobots" },
    exportPlan: { type: "intArray", column: "exportPlan", sort: false },
    timezone: { type: "string", column: "timezone" },
    exportStatus: { type: "int", deferred: true, ops: ["eq", "ne", "in", "lt", "lte", "gt", "gte"] },
    lastExportStarted: { type: "date", deferred: true, nullable: true },
    lastExportFinished: { type: "date", deferred: true, nullable: true },
    createdAt: { type: "date", column: "createdAt" },
    updatedAt: { type: "date", column: "updatedAt" },
  },
};

/**
 * SITEMAP_LIST_SPEC plus sorts on the derived exportStatus / lastExportStarted / lastExportFinished, which only
 * listSitemapsPage can serve (it orders them in memory): GET /api/v1/sitemaps uses this one. A caller paging with
 * querySitemaps + q.orderBy must keep SITEMAP_LIST_SPEC (those sorts are then 400 unknown_field, never a wrong order).
 */
export const SITEMAP_LIST_SPEC_DERIVED_SORTS: ListSpec<SitemapList> = {
  fields: {
    ...SITEMAP_LIST_SPEC.fields,
    exportStatus: { ...SITEMAP_LIST_SPEC.fields.exportStatus, sort: true },
    lastExportStarted: { ...SITEMAP_LIST_SPEC.fields.lastExportStarted, sort: true },
    lastExportFinished: { ...SITEMAP_LIST_SPEC.fields.lastExportFinished, sort: true },
  },
};

/**
 * Resolves the deferred filters (exportStatus, lastExportStarted, lastExportFinished) of a parsed sitemap list query
 * to the ids of the user's sitemaps that pass them, or undefined when there are none to resolve.
 */
export async function resolveSitemapDeferred(userId: string, q: ListQuery<SitemapList>): Promise<string[] | undefined> {
  if (!q.deferred.length) return undefined;
  const { derived } = await derivedOf(await sitemapIdsWhere(userId));
  const values = new Map<string, Record<string, FilterValue>>();
  for (const [id, d] of derived) values.set(id, { ...d });
  return matchDeferred(q.deferred, values);
}

/**
 * One page of GET /api/v1/sitemaps for a parsed query: column sorts page in the database (keyset); sorts on the
 * derived exportStatus / lastExportStarted / lastExportFinished order the account's matching sitemaps in memory
 * (one id query plus the runs of those sitemaps), then load only the page's rows.
 */
export async function listSitemapsPage(userId: string, q: ListQuery<SitemapList>): Promise<{ rows: SitemapRow[]; nextCursor: string | null }> {
  const ids = await resolveSitemapDeferred(userId, q);
  const where = q.where;
  if (!q.memorySort) return q.page(await querySitemaps({ userId, where, orderBy: q.orderBy, take: q.take, ids }));
  const field = q.memorySort.field as keyof Derived;
  const matching = await sitemapIdsWhere(userId, where, ids);
  const { derived } = await derivedOf(matching);
  const ordered = sortInMemory(matching.map((id) => ({ id, value: derived.get(id)![field] as FilterValue })), q);
  const rows = await querySitemaps({ userId, where: {}, orderBy: q.orderBy, take: ordered.length, ids: ordered.map((o) => o.id) });
  const byId = new Map(rows.map((r) => [r.id, r]));
  const page = q.page(ordered.filter((o) => byId.has(o.id)).map((o) => ({ ...byId.get(o.id)!, [field]: o.value })));
  return { rows: page.rows as SitemapRow[], nextCursor: page.nextCursor };
}

export { subScopesOf };
