/**
 * Runs and their URL inventory (tables Run, RunUrl). A run is one crawl + export of a sitemap.
 *
 * Concurrency: `claimRun` starts a run only through a conditional update of `Sitemap.activeRunId`, so two
 * simultaneous generate requests can never start two runs for one sitemap (the loser gets `null`).
 * Units: counts are URLs/pages; bytesWritten is bytes of published files on disk.
 */
import type { Run as RunRow, RunTrigger } from "@/generated/prisma/client";
import type { CrawlRecord } from "@/lib/core/types";
import type { TRunDto } from "@/lib/schemas/runs";
import { randomUUID } from "node:crypto";
import { getDb, TX_OPTIONS } from "./client";

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toRunDto(r: RunRow): TRunDto {
  return {
    id: r.id,
    sitemapId: r.sitemapId,
    status: r.status,
    trigger: r.trigger,
    createdAt: r.createdAt.toISOString(),
    startedAt: iso(r.startedAt),
    finishedAt: iso(r.finishedAt),
    progress: { pagesFetched: r.pagesFetched, pagesQueued: r.pagesQueued, urlsListed: r.urlsListed, urlsExcluded: r.urlsExcluded },
    excludedByReason: (r.excludedByReason ?? {}) as Record<string, number>,
    bytesWritten: Number(r.bytesWritten),
    filesWritten: r.filesWritten,
    error: r.error,
  };
}

/**
 * Creates a queued run and marks it as the sitemap's active run, atomically.
 * Returns null when the sitemap is inactive or already has an active run (the caller answers 409).
 */
export async function claimRun(opts: { sitemapId: string; trigger: RunTrigger }): Promise<RunRow | null> {
  const db = getDb();
  const id = randomUUID();
  // Claim the sitemap row first: the UPDATE takes its row lock, so concurrent claimers queue behind it and then see
  // activeRunId already set. Inserting the run first would take a FOR KEY SHARE lock (the foreign key) that
  // conflicts with updating the unique activeRunId column — a deadlock on PostgreSQL.
  return db.$transaction(
    async (tx) => {
      const claimed = await tx.sitemap.updateMany({
        where: { id: opts.sitemapId, active: true, activeRunId: null },
        data: { activeRunId: id },
      });
      if (claimed.count !== 1) return null;
      return tx.run.create({ data: { id, sitemapId: opts.sitemapId, trigger: opts.trigger } });
    },
    TX_OPTIONS,
  );
}

export async function getRun(runId: string): Promise<RunRow | null> {
  return getDb().run.findUnique({ where: { id: runId } });
}

/** The run if it belongs to one of `userId`'s sitemaps, else null (another account's run is "not found"). */
export async function getRunForUser(opts: { runId: string; userId: string }): Promise<TRunDto | null> {
  const run = await getDb().run.findFirst({ where: { id: opts.runId, sitemap: { userId: opts.userId } } });
  return run ? toRunDto(run) : null;
}

/** Runs of a sitemap, newest first; cursor = id of the last run of the previous page. */
export async function listRunsForSitemap(opts: {
  sitemapId: string;
  userId: string;
  limit: number;
  cursor?: string | null;
}): Promise<{ items: TRunDto[]; nextCursor: string | null }> {
  const rows = await getDb().run.findMany({
    where: { sitemapId: opts.sitemapId, sitemap: { userId: opts.userId } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: opts.limit + 1,
    ...(opts.cursor ? { cursor: { id: opts.cursor }, skip: 1 } : {}),
  });
  const items = rows.slice(0, opts.limit).map(toRunDto);
  return { items, nextCursor: rows.length > opts.limit ? items[items.length - 1].id : null };
}

/** Latest run of each given sitemap (for list views). */
export async function latestRuns(sitemapIds: string[]): Promise<Map<string, TRunDto>> {
  if (!sitemapIds.length) return new Map();
  const rows = await getDb().run.findMany({
    where: { sitemapId: { in: sitemapIds } },
    orderBy: [{ createdAt: "desc" }],
    distinct: ["sitemapId"],
  });
  return new Map(rows.map((r) => [r.sitemapId, toRunDto(r)]));
}

export type RunProgress = { pagesFetched: number; pagesQueued: number; urlsListed: number; urlsExcluded: number };

export async function markRunRunning(runId: string): Promise<void> {
  await getDb().run.updateMany({
    where: { id: runId, status: { in: ["queued", "running"] } },
    data: { status: "running", startedAt: new Date(), error: null },
  });
}

export async function updateRunProgress(
  runId: string,
  p: RunProgress & { excludedByReason?: Record<string, number> },
): Promise<void> {
  await getDb().run.update({ where: { id: runId }, data: p });
}

/** Ends a run and releases the sitemap's active-run claim. */
export async function finishRun(
  runId: string,
  outcome:
    | { status: "succeeded"; bytesWritten: number; filesWritten: number }
    | { status: "failed"; error: string }
    | { status: "cancelled"; error?: string },
): Promise<void> {
  const db = getDb();
  await db.$transaction(async (tx) => {
    const run = await tx.run.update({
      where: { id: runId },
      data: {
        status: outcome.status,
        finishedAt: new Date(),
        ...(outcome.status === "succeeded"
          ? { bytesWritten: BigInt(outcome.bytesWritten), filesWritten: outcome.filesWritten, error: null }
          : { error: outcome.error ?? null }),
      },
    });
    await tx.sitemap.updateMany({ where: { id: run.sitemapId, activeRunId: runId }, data: { activeRunId: null } });
  }, TX_OPTIONS);
}

/** Stores a batch of inventory records; records already stored for the run (same URL) are skipped. */
export async function insertRunUrls(runId: string, records: CrawlRecord[]): Promise<void> {
  if (!records.length) return;
  await getDb().runUrl.createMany({
    data: records.map((r) => ({
      runId,
      url: r.url,
      status: r.status,
      included: r.included,
      reason: r.reason,
      lastmod: r.lastmod ? new Date(r.lastmod) : null,
      depth: r.depth,
      target: r.target ?? null,
    })),
    skipDuplicates: true,
  });
}

/** Drops a run's inventory (a retried crawl step starts over, so the step stays idempotent). */
export async function clearRunUrls(runId: string): Promise<void> {
  await getDb().runUrl.deleteMany({ where: { runId } });
}

/**
 * The URLs a run lists, in a stable order (by URL, in the database collation), read in pages of `pageSize` rows by keyset,
 * so memory stays flat for any number of URLs.
 */
export async function* iterateListedUrls(
  runId: string,
  pageSize = 5_000,
): AsyncGenerator<{ url: string; lastmod: Date | null }> {
  let after: string | null = null;
  for (;;) {
    const rows: { url: string; lastmod: Date | null }[] = await getDb().runUrl.findMany({
      where: { runId, included: true, ...(after !== null ? { url: { gt: after } } : {}) },
      orderBy: { url: "asc" },
      select: { url: true, lastmod: true },
      take: pageSize,
    });
    yield* rows;
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1].url;
  }
}

/** Inventory of a run for display: left-out URLs with reasons, paged. */
export async function listRunUrls(opts: {
  runId: string;
  included?: boolean;
  reason?: string;
  limit: number;
  cursor?: string | null;
}) {
  const rows = await getDb().runUrl.findMany({
    where: {
      runId: opts.runId,
      ...(opts.included !== undefined ? { included: opts.included } : {}),
      ...(opts.reason ? { reason: opts.reason } : {}),
      ...(opts.cursor ? { url: { gt: opts.cursor } } : {}),
    },
    orderBy: { url: "asc" },
    take: opts.limit + 1,
  });
  const items = rows.slice(0, opts.limit).map((r) => ({
    url: r.url,
    status: r.status,
    included: r.included,
    reason: r.reason,
    lastmod: iso(r.lastmod),
    depth: r.depth,
    target: r.target,
  }));
  return { items, nextCursor: rows.length > opts.limit ? items[items.length - 1].url : null };
}
