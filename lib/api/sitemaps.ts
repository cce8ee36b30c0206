/**
 * Sitemap DTOs: a sitemap row plus its newest run, its newest successful run's end, the public URL of its published
 * entry file and the URL count of its published run (`publishedUrlsListed`, which stays while a newer run works).
 * One statement per page of sitemaps for those facts, whatever its size (lib/db/sitemap-facts.ts), plus one read of
 * the newest runs' DTOs when any of the page's sitemaps has a run; for the plain list of GET /api/v1/sitemaps (no
 * filters, a column sort) the page, its facts and its newest runs are one statement (lib/db/sitemap-page.ts). Staging credentials
 * appear only as which parts are set (`auth: { basicAuth: true, headers: ["x-token"], cookies: [] }`), never as values.
 *
 * Run facts of a sitemap (SitemapRunFacts), derived from its runs: `lastRunStatus` and `lastRunStartedAt` (the newest
 * run's status, and its start or its creation time while queued), `lastSucceededAt` (the newest successful run's end).
 * The DTO carries `lastRun` and `lastSucceededAt`; the list grammar filters and sorts on all three.
 *
 * SITEMAP_LIST_SPEC: the list grammar of GET /api/v1/sitemaps (`subScopes` filterable with `contains` = has a
 * sub-scope with that key). The run facts are filtered by resolveSitemapDeferred; sorts on them
 * (SITEMAP_LIST_SPEC_RUN_SORTS) are done in memory by listSitemapsPage. The shop API's words for them (exportStatus,
 * protocolId, lastExport*) live in lib/compat/shop-export-status.ts.
 */
import { runDtosByIds } from "@/lib/db/runs";
import type { CrawlRule } from "@/lib/core/types";
import { sitemapFacts, type SitemapFacts } from "@/lib/db/sitemap-facts";
import { sitemapPageWithFacts } from "@/lib/db/sitemap-page";
import { authSummary, querySitemaps, sitemapIdsWhere, type SitemapRow } from "@/lib/db/sitemaps";
import { publicFilesBaseUrl } from "@/lib/runs/public-url";
import { RUN_STATUSES, type TRunDto } from "@/lib/schemas/runs";
import { subScopesOf, type TSitemapDto } from "@/lib/schemas/sitemaps";
import type { SitemapList } from "@/lib/db/list-models";
import { matchDeferred, sortInMemory, type FilterValue, type ListQuery, type ListSpec } from "./list-query";

/**
 * The public URL of a published file: `APP_URL/s/{sitemapId}/` (lib/runs/public-url.ts) + the percent-encoded file
 * name.
 */
export const publicFileUrl = (sitemapId: string, name: string) => publicFilesBaseUrl(sitemapId) + encodeURIComponent(name);

/** Sitemap.rules is JSON written only through the API schema; anything else found there shows as no rules. */
function ruleList(value: unknown): CrawlRule[] {
  return Array.isArray(value) ? (value as CrawlRule[]) : [];
}

/** What the runs of a sitemap say about it, for the DTO and the list grammar (dates as Date, for filters and sorts). */
export type SitemapRunFacts = {
  lastRunStatus: TRunDto["status"] | null;
  /** The newest run's start, or its creation time while it is queued. */
  lastRunStartedAt: Date | null;
  /** The end of the newest successful run. */
  lastSucceededAt: Date | null;
};

const runFactsFrom = (f: SitemapFacts | undefined): SitemapRunFacts => ({
  lastRunStatus: (f?.latestRun?.status as SitemapRunFacts["lastRunStatus"] | undefined) ?? null,
  lastRunStartedAt: f?.latestRun ? (f.latestRun.startedAt ?? f.latestRun.createdAt) : null,
  lastSucceededAt: f?.lastSucceededAt ?? null,
});

/** Run facts of sitemaps `ids` (for the deferred filters and the in-memory sorts): one statement whatever the count. */
async function runFactsOf(ids: string[]): Promise<{ facts: Map<string, SitemapRunFacts> }> {
  const found = await sitemapFacts(ids.map((id) => ({ id, publishedRunId: null })));
  return { facts: new Map(ids.map((id) => [id, runFactsFrom(found.get(id))])) };
}

/** The filter values of one sitemap for `matchDeferred`: the native run facts (the shop API passes its own). */
export type DeferredValuesOf = (facts: SitemapRunFacts) => Record<string, FilterValue>;
const nativeDeferredValues: DeferredValuesOf = (f) => ({ ...f });

/** Facts and newest runs' DTOs read with the rows (listSitemapsPage's one statement). */
export type KnownSitemapFacts = { facts: Map<string, SitemapFacts>; runs: Map<string, TRunDto> };

/**
 * The DTOs of a page of sitemap rows, in the rows' order (shape: ZSitemapDto, lib/schemas/sitemaps.ts). `known`:
 * their facts and newest runs when the caller read them with the rows; otherwise one statement reads the facts here,
 * plus one read of the newest runs' DTOs when any has a run. Throws only what the database throws.
 */
export async function toSitemapDtos(rows: SitemapRow[], known?: KnownSitemapFacts): Promise<TSitemapDto[]> {
  const facts = known?.facts ?? (await sitemapFacts(rows));
  const runs = known?.runs ?? (await runDtosByIds([...facts.values()].flatMap((f) => (f.latestRun ? [f.latestRun.id] : []))));
  return rows.map((r) => {
    const fact = facts.get(r.id);
    const entry = fact?.entryFile ?? null;
    const lastRunId = fact?.latestRun?.id;
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
      publishGuard: r.publishGuard,
      publishedRunId: r.publishedRunId,
      publishedUrlsListed: r.publishedRunId ? (fact?.publishedUrlsListed ?? null) : null,
      lastRun: (lastRunId && runs.get(lastRunId)) || null,
      lastSucceededAt: fact?.lastSucceededAt?.toISOString() ?? null,
      sitemapUrl: entry ? publicFileUrl(r.id, entry) : null,
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
    };
  });
}

/** One sitemap row's DTO (toSitemapDtos for a page of one). */
export async function toSitemapDto(row: SitemapRow): Promise<TSitemapDto> {
  return (await toSitemapDtos([row]))[0];
}

/** GET /api/v1/sitemaps: filter and sort fields (sorts on the run facts: SITEMAP_LIST_SPEC_RUN_SORTS). */
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
    lastRunStatus: { type: "enum", values: RUN_STATUSES, deferred: true, nullable: true },
    lastRunStartedAt: { type: "date", deferred: true, nullable: true },
    lastSucceededAt: { type: "date", deferred: true, nullable: true },
    createdAt: { type: "date", column: "createdAt" },
    updatedAt: { type: "date", column: "updatedAt" },
  },
};

/**
 * SITEMAP_LIST_SPEC plus sorts on the run facts (lastRunStatus, lastRunStartedAt, lastSucceededAt), which only
 * listSitemapsPage can serve (it orders them in memory): GET /api/v1/sitemaps uses this one. A caller paging with
 * querySitemaps + q.orderBy must keep SITEMAP_LIST_SPEC (those sorts are then 400 unknown_field, never a wrong order).
 */
export const SITEMAP_LIST_SPEC_RUN_SORTS: ListSpec<SitemapList> = {
  fields: {
    ...SITEMAP_LIST_SPEC.fields,
    lastRunStatus: { ...SITEMAP_LIST_SPEC.fields.lastRunStatus, sort: true },
    lastRunStartedAt: { ...SITEMAP_LIST_SPEC.fields.lastRunStartedAt, sort: true },
    lastSucceededAt: { ...SITEMAP_LIST_SPEC.fields.lastSucceededAt, sort: true },
  },
};

/**
 * Resolves the deferred filters of a parsed sitemap list query to the ids of the user's sitemaps that pass them, or
 * undefined when there are none. `valuesOf` names each sitemap's filter values (default: the native run facts).
 */
export async function resolveSitemapDeferred(
  userId: string,
  q: ListQuery<SitemapList>,
  valuesOf: DeferredValuesOf = nativeDeferredValues,
): Promise<string[] | undefined> {
  if (!q.deferred.length) return undefined;
  const { facts } = await runFactsOf(await sitemapIdsWhere(userId));
  const values = new Map<string, Record<string, FilterValue>>();
  for (const [id, f] of facts) values.set(id, valuesOf(f));
  return matchDeferred(q.deferred, values);
}

/**
 * One page of GET /api/v1/sitemaps for a parsed query: column sorts page in the database (keyset); sorts on the run
 * facts order the account's matching sitemaps in memory (one id query plus the runs of those sitemaps), then load
 * only the page's rows. Without filters (the plain list and its cursors), the page and its rows' facts are one
 * statement with their newest runs (lib/db/sitemap-page.ts), returned in `known` for toSitemapDtos.
 */
export async function listSitemapsPage(
  userId: string,
  q: ListQuery<SitemapList>,
): Promise<{ rows: SitemapRow[]; nextCursor: string | null; known?: KnownSitemapFacts }> {
  if (q.keyset && !q.filters.length) {
    const found = await sitemapPageWithFacts({ userId, ...q.keyset, take: q.take });
    if (found) return { ...q.page(found.rows), known: { facts: found.facts, runs: found.runs } };
  }
  const ids = await resolveSitemapDeferred(userId, q);
  const where = q.where;
  if (!q.memorySort) return q.page(await querySitemaps({ userId, where, orderBy: q.orderBy, take: q.take, ids }));
  const field = q.memorySort.field as keyof SitemapRunFacts;
  const matching = await sitemapIdsWhere(userId, where, ids);
  const { facts } = await runFactsOf(matching);
  const ordered = sortInMemory(matching.map((id) => ({ id, value: facts.get(id)![field] as FilterValue })), q);
  const rows = await querySitemaps({ userId, where: {}, orderBy: q.orderBy, take: ordered.length, ids: ordered.map((o) => o.id) });
  const byId = new Map(rows.map((r) => [r.id, r]));
  const page = q.page(ordered.filter((o) => byId.has(o.id)).map((o) => ({ ...byId.get(o.id)!, [field]: o.value })));
  return { rows: page.rows as SitemapRow[], nextCursor: page.nextCursor };
}

export { subScopesOf };
