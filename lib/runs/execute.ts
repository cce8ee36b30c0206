/**
 * The two steps of a run, as the Inngest function `generate-sitemap` calls them. Each is idempotent, because
 * Inngest delivers steps at least once: a retried crawl starts over with an empty inventory; a retried export
 * rewrites the same generation folder and republishes it.
 *
 *   crawlRun(runId)  → crawls the sitemap's site into RunUrl, updating the run's progress as it goes.
 *   exportRun(runId) → writes the listed URLs as a new generation of files and switches the sitemap to it only
 *                      when every file is complete (lib/sitemap/publish.ts); the previous files stay served until then.
 *
 * Errors: anything thrown fails the step (and is retried by Inngest); `failRun` records the final error.
 */
import type { Sitemap } from "@/generated/prisma/client";
import { getDb } from "@/lib/db/client";
import { filesRoot, publishRunFiles } from "@/lib/db/files";
import { clearRunUrls, finishRun, getRun, insertRunUrls, iterateListedUrls, markRunRunning, updateRunProgress } from "@/lib/db/runs";
import { publicFilesBaseUrl } from "@/lib/runs/public-url";
import { crawlInto, crawlSettings, writeOutputs } from "@/lib/runs/pipeline";
import { publishGeneration, pruneGenerations } from "@/lib/sitemap/publish";
import { EmptySitemapError } from "@/lib/sitemap/writer";

/** Crawl settings of a sitemap row. */
export function settingsOf(sm: Sitemap) {
  return crawlSettings({
    startUrl: sm.startUrl,
    maxPages: sm.maxPages,
    maxDepth: sm.maxDepth,
    concurrency: sm.concurrency,
    userAgent: sm.userAgent ?? undefined,
    respectRobots: sm.respectRobots,
  });
}

/** The run with its sitemap, or null when it no longer exists (its sitemap was deleted): the job then ends quietly. */
async function loadRun(runId: string) {
  return getDb().run.findUnique({ where: { id: runId }, include: { sitemap: true } });
}

export type CrawlStepResult = { skipped: boolean; pagesFetched: number; urlsListed: number; urlsExcluded: number };

export async function crawlRun(runId: string): Promise<CrawlStepResult> {
  const run = await loadRun(runId);
  if (!run) return { skipped: true, pagesFetched: 0, urlsListed: 0, urlsExcluded: 0 };
  if (run.status === "cancelled" || run.status === "succeeded" || run.status === "failed")
    return { skipped: true, pagesFetched: run.pagesFetched, urlsListed: run.urlsListed, urlsExcluded: run.urlsExcluded };
  await markRunRunning(runId);
  await clearRunUrls(runId);
  const abort = new AbortController();
  const summary = await crawlInto(settingsOf(run.sitemap), {
    signal: abort.signal,
    sink: {
      write: (records) => insertRunUrls(runId, records),
      progress: async (p) => {
        await updateRunProgress(runId, p);
        // A cancel from the API flips the status; stop crawling at the next progress tick.
        const now = await getRun(runId);
        if (now?.status === "cancelled") abort.abort();
      },
    },
  });
  return { skipped: false, pagesFetched: summary.pagesFetched, urlsListed: summary.urlsListed, urlsExcluded: summary.urlsExcluded };
}

export type ExportStepResult = { skipped: boolean; files: number; bytes: number; urls: number };

export async function exportRun(runId: string): Promise<ExportStepResult> {
  const run = await loadRun(runId);
  if (!run || run.status !== "running") return { skipped: true, files: 0, bytes: 0, urls: 0 };
  const sm = run.sitemap;
  const root = filesRoot();
  const written = await publishGeneration({
    rootDir: root,
    sitemapKey: sm.id,
    generationId: run.id,
    write: async (dir: string) => {
      const entries = (async function* () {
        for await (const u of iterateListedUrls(run.id)) yield { loc: u.url, lastmod: u.lastmod };
      })();
      return writeOutputs(entries, {
        dir,
        fileName: sm.fileName,
        baseUrl: publicFilesBaseUrl(sm.id),
        maxFileEntries: sm.maxFileEntries,
        maxFileSize: sm.maxFileSize,
        gzip: sm.gzip,
      });
    },
  });
  const previous = await publishRunFiles({
    sitemapId: sm.id,
    runId: run.id,
    files: written.files.map((f) => ({ name: f.name, kind: f.kind, bytes: f.bytes, urlCount: f.urlCount, sha256: f.sha256 })),
  });
  const bytes = written.files.reduce((n, f) => n + f.bytes, 0);
  await finishRun(run.id, { status: "succeeded", bytesWritten: bytes, filesWritten: written.files.length });
  // Keep the generation now served and the one before it (a reader may still be streaming it).
  await pruneGenerations(root, sm.id, [run.id, ...(previous ? [previous] : [])]).catch(() => {});
  return { skipped: false, files: written.files.length, bytes, urls: written.urlCount };
}

/** Records a run's final failure (called from the function's onFailure handler and for non-retriable errors). */
export async function failRun(runId: string, err: unknown): Promise<void> {
  const run = await getRun(runId);
  if (!run || run.status === "succeeded" || run.status === "cancelled") return;
  const message =
    err instanceof EmptySitemapError
      ? "No indexable page was found, so no sitemap was written; the previously published files stay served."
      : err instanceof Error
        ? err.message
        : String(err);
  await finishRun(runId, { status: "failed", error: message.slice(0, 2000) });
}
