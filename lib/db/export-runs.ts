/**
 * Data side of export-only runs (lib/runs/export-only.ts): a run of kind "export" republishes the published run's
 * inventory plus the sitemap's pushed URLs without fetching the site.
 *
 *   markExportPending(sitemapId)       → flags that pushed URLs wait for an export (Sitemap.exportPending)
 *   takeExportPending(sitemapId, runId) → clears the flag just before run `runId`'s export reads the pushed URLs
 *   activeRunOf(sitemapId)             → the active run's id, kind and status, or null
 *   copyPublishedInventory(runId, from) → the RunUrl rows of run `from` copied into run `runId`, with its counts
 *
 * The flag protocol: a push sets the flag after its URLs are stored; every export (a crawl's or an export-only run's)
 * clears it before it reads them; releaseClaim (lib/db/runs.ts) passes the claim of an ending run to a new export run
 * when the flag is still set. So a URL pushed at any moment is read by some export, and never lost.
 * Errors: database errors propagate.
 */
import { getDb } from "./client";

/** Sets Sitemap.exportPending (pushed URLs wait for an export); a missing sitemap is no error. */
export async function markExportPending(sitemapId: string): Promise<void> {
  await getDb().sitemap.updateMany({ where: { id: sitemapId }, data: { exportPending: true } });
}

/**
 * Clears the flag for run `runId` only when that run holds the sitemap's claim: a held run published on request
 * (no claim) must not clear a flag that the active run's end still has to see.
 */
export async function takeExportPending(sitemapId: string, runId: string): Promise<void> {
  await getDb().sitemap.updateMany({ where: { id: sitemapId, activeRunId: runId, exportPending: true }, data: { exportPending: false } });
}

/**
 * The run holding the sitemap's claim (Sitemap.activeRunId) with its id, kind, status and start, or null when none
 * does.
 */
export async function activeRunOf(sitemapId: string): Promise<{ id: string; kind: string; status: string; startedAt: Date | null } | null> {
  const sm = await getDb().sitemap.findUnique({ where: { id: sitemapId }, select: { activeRunId: true } });
  if (!sm?.activeRunId) return null;
  return getDb().run.findUnique({ where: { id: sm.activeRunId }, select: { id: true, kind: true, status: true, startedAt: true } });
}

/**
 * Copies run `fromRunId`'s inventory (every RunUrl row, listed or left out, so the export run's inventory, diff base
 * and page-state pruning read as the published run's) into run `runId`, and its counts (urlsListed, urlsExcluded,
 * excludedByReason, warnings). pagesFetched stays 0: nothing was fetched. Idempotent (a retried step copies nothing
 * twice: ON CONFLICT on the (runId, url) unique index). One INSERT … SELECT inside the database; cost grows with the
 * inventory (rows written), not with memory here.
 */
export async function copyPublishedInventory(runId: string, fromRunId: string): Promise<void> {
  const db = getDb();
  await db.$executeRaw`
    INSERT INTO "RunUrl" ("runId", url, status, included, reason, lastmod, depth, target, "contentHash", data, "foundOn",
                          inlinks, "contentType", "lastmodSource", detail)
    SELECT ${runId}, url, status, included, reason, lastmod, depth, target, "contentHash", data, "foundOn",
           inlinks, "contentType", "lastmodSource", detail
    FROM "RunUrl" WHERE "runId" = ${fromRunId}
    ON CONFLICT ("runId", url) DO NOTHING`;
  const from = await db.run.findUnique({
    where: { id: fromRunId },
    select: { urlsListed: true, urlsExcluded: true, excludedByReason: true, warnings: true },
  });
  if (from) {
    await db.run.update({
      where: { id: runId },
      data: { urlsListed: from.urlsListed, urlsExcluded: from.urlsExcluded, excludedByReason: from.excludedByReason ?? {}, warnings: from.warnings },
    });
  }
}
