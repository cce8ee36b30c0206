/**
 * The shop API's export status, in one place: its `exportStatus` codes (0 idle: no run, or the newest was cancelled;
 * 1 finished; 2 error; 3 starting: queued; 4 running), `protocolId` (a run's `number`), `lastExportStarted` (the
 * newest run's start, or its creation time while queued) and `lastExportFinished` (the newest successful run's end).
 * They are the shop's words for what the native API calls `lastRun.status`, `lastRun.number`, `lastRunStartedAt` and
 * `lastSucceededAt` (lib/api/sitemaps.ts); nothing outside lib/compat shows them.
 */
import type { FilterValue, ListSpec } from "@/lib/api/list-query";
import { SITEMAP_LIST_SPEC, type SitemapRunFacts } from "@/lib/api/sitemaps";
import type { SitemapList } from "@/lib/db/list-models";
import type { TRunDto } from "@/lib/schemas/runs";

/** exportStatus codes of the shop API. */
export const EXPORT_STATUS = { idle: 0, finished: 1, error: 2, starting: 3, running: 4 } as const;

const CODE_OF_STATUS: Record<TRunDto["status"], number> = {
  cancelled: EXPORT_STATUS.idle,
  succeeded: EXPORT_STATUS.finished,
  failed: EXPORT_STATUS.error,
  // crawled but not published by the publish guard: the shop's vocabulary has no closer code
  held: EXPORT_STATUS.error,
  queued: EXPORT_STATUS.starting,
  running: EXPORT_STATUS.running,
};

/** The run statuses behind each exportStatus code (for filters on runs). */
export const RUN_STATUSES_OF_CODE: Record<number, TRunDto["status"][]> = Object.entries(CODE_OF_STATUS).reduce(
  (acc, [status, code]) => ({ ...acc, [code]: [...(acc[code] ?? []), status as TRunDto["status"]] }),
  {} as Record<number, TRunDto["status"][]>,
);

/** exportStatus of a sitemap whose newest run has `status` (null or undefined: never run → idle). */
export function exportStatusOf(status: TRunDto["status"] | null | undefined): number {
  return status ? CODE_OF_STATUS[status] : EXPORT_STATUS.idle;
}

/** The shop's four run fields of a sitemap, from the native `lastRun` and `lastSucceededAt`. */
export function shopExportFields(lastRun: TRunDto | null, lastSucceededAt: string | null) {
  return {
    exportStatus: exportStatusOf(lastRun?.status),
    protocolId: lastRun?.number ?? null,
    lastExportStarted: lastRun ? (lastRun.startedAt ?? lastRun.createdAt) : null,
    lastExportFinished: lastSucceededAt,
  };
}

/** shopExportFields without null: protocolId 0 and lastExport* "" before the first (successful) run. */
export function noNulls(f: ReturnType<typeof shopExportFields>) {
  return { ...f, protocolId: f.protocolId ?? 0, lastExportStarted: f.lastExportStarted ?? "", lastExportFinished: f.lastExportFinished ?? "" };
}

/**
 * The shop's filter values of one sitemap (for `matchDeferred`), from the native run facts of
 * lib/api/sitemaps.ts sitemapRunFacts.
 */
export function shopDeferredValues(f: SitemapRunFacts): Record<string, FilterValue> {
  return { exportStatus: exportStatusOf(f.lastRunStatus), lastExportStarted: f.lastRunStartedAt, lastExportFinished: f.lastSucceededAt };
}

/**
 * GET sitemaps of the shop API: the native sitemap fields plus exportStatus, lastExportStarted and
 * lastExportFinished as filters (resolved in memory by resolveSitemapDeferred with shopDeferredValues; no sorts).
 */
export const SHOP_SITEMAP_LIST_SPEC: ListSpec<SitemapList> = {
  fields: {
    ...SITEMAP_LIST_SPEC.fields,
    exportStatus: { type: "int", deferred: true, ops: ["eq", "ne", "in", "lt", "lte", "gt", "gte"] },
    lastExportStarted: { type: "date", deferred: true, nullable: true },
    lastExportFinished: { type: "date", deferred: true, nullable: true },
  },
};
