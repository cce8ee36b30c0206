/**
 * The database side of a run's crawl: the sink that writes each crawl journal batch (lib/runs/journal.ts) and the
 * progress of the Run row, and the `revalidate` lookup of pages known from earlier runs. One definition, used on two
 * threads:
 * - on the calling thread (lib/runs/execute.ts `crawlRun`): PGlite, whose one database lives in this thread, and the
 *   crawl on the server's own thread (CRAWL_IN_WORKER=false);
 * - inside the crawl worker (lib/runs/crawl-worker.ts) on PostgreSQL, with the worker's own small connection pool,
 *   so the thread that serves HTTP does no crawl work at all while a crawl runs (no batch crosses the threads).
 *
 * A {@link RunSinkSpec} is plain data (it crosses the thread boundary as a structured clone); everything else is
 * built from it. Durability is the same on both threads: one batch = one transaction (lib/db/frontier.ts
 * `persistCrawlBatch`), batches written one at a time and in order, progress written only after the records it
 * counts (lib/runs/pipeline.ts).
 *
 * Errors: database errors propagate (the crawl fails, the step is retried and resumes from what was written).
 */
import type { CrawlRecord } from "@/lib/core/types";
import { persistCrawlBatch, type CrawlBatch, type CrawlCheckpoint } from "@/lib/db/frontier";
import { createRevalidator, type PageObservation, type Revalidation } from "@/lib/db/page-state";
import { updateRunProgress, type RunProgress } from "@/lib/db/runs";
import { httpDateToIso } from "@/lib/crawl/crawler";
import type { CrawlProgress, RecordSink } from "./pipeline";
import type { JournalBatch } from "./journal";

/** What a run's crawl sink needs to know (plain data). */
export type RunSinkSpec = {
  runId: string;
  sitemapId: string;
  /** Fingerprint of the crawl settings stored with each page snapshot (lib/db/page-state.ts snapshotFingerprint). */
  fingerprint: string;
  /** Counts already stored by earlier attempts of the crawl step; this attempt's progress is added to them. */
  base: CrawlCheckpoint["totals"];
};

/**
 * The sink and revalidator of one run's crawl, on the current thread's database client (every query is a lib/db
 * function). `onCancelRequested` is called at a progress tick whose write finds the run cancelled or its cancel
 * requested (lib/db/runs.ts updateRunProgress); the caller then aborts the crawl.
 */
export function createRunSink(
  spec: RunSinkSpec,
  onCancelRequested: () => void,
): { sink: RecordSink; revalidate: (url: string) => Promise<Revalidation | null> } {
  const { runId, sitemapId, fingerprint, base } = spec;
  return {
    sink: {
      write: (_records, batch) => persistCrawlBatch({ runId, sitemapId, batch: toCrawlBatch(batch, fingerprint) }),
      progress: async (p) => {
        if ((await updateRunProgress(runId, addTotals(base, p))).cancelRequested) onCancelRequested();
      },
    },
    revalidate: createRevalidator(sitemapId, { fingerprint }),
  };
}

/** A journal batch as the database stores it: records, their pages' PageState, frontier pushes and completions. */
export function toCrawlBatch(batch: JournalBatch, fingerprint: string): CrawlBatch {
  const pages: PageObservation[] = [];
  batch.records.forEach((r: CrawlRecord, i) => {
    if (!r.contentHash) return;
    const links = batch.links.get(r.url);
    pages.push({
      url: r.url,
      contentHash: r.contentHash,
      etag: r.etag ?? null,
      lastModified: r.lastModifiedHeader ?? null,
      lastModifiedIso: r.lastmod ?? httpDateToIso(r.lastModifiedHeader ?? null),
      seenAt: new Date(batch.receivedAt[i]),
      // Without its links a snapshot could not stand in for the page on a 304: store none (next run fetches fully).
      snapshot:
        r.notModified || !links
          ? null
          : {
              status: r.status,
              included: r.included,
              reason: r.reason,
              target: r.target ?? null,
              contentHash: r.contentHash,
              data: r.data ?? null,
              links,
              settings: fingerprint,
            },
      replayed: !!r.notModified,
    });
  });
  return { records: batch.records, pages, queued: batch.queued, completed: batch.completed };
}

/** This attempt's progress added to the counts of earlier attempts (`pagesFetched` already includes them). */
export function addTotals(base: CrawlCheckpoint["totals"], p: CrawlProgress): RunProgress & { excludedByReason: Record<string, number> } {
  const byReason: Record<string, number> = { ...base.excludedByReason };
  for (const [k, v] of Object.entries(p.excludedByReason)) if (v) byReason[k] = (byReason[k] ?? 0) + v;
  return {
    // The crawler's page counter starts at the budget already spent (CrawlResume.pagesFetched).
    pagesFetched: p.pagesFetched,
    pagesQueued: p.pagesQueued,
    urlsListed: base.urlsListed + p.urlsListed,
    urlsExcluded: base.urlsExcluded + p.urlsExcluded,
    excludedByReason: byReason,
  };
}
