/**
 * The two steps of a run, as the Inngest function `generate-sitemap` calls them. Each is idempotent, because
 * Inngest delivers steps at least once: a retried crawl resumes from the inventory and frontier stored so far (a
 * killed worker refetches only the visits it had not finished); a retried export rewrites the same generation folder,
 * byte for byte, and republishes it.
 *
 *   crawlRun(runId)  → crawls the sitemap's site into RunUrl (truthful lastmod, 304 replays, found on), updating the
 *                      run's progress as it goes, then stores the inlink counts, collapses duplicates when the
 *                      sitemap asks for it, and stores the run's diff against the published run.
 *   exportRun(runId) → writes the listed URLs as a new generation of files and switches the sitemap to it only
 *                      when every file is complete (lib/sitemap/publish.ts); the previous files stay served until then.
 *
 * Errors: anything thrown fails the step (and is retried by Inngest); `failRun` records the final error.
 */
import type { Sitemap } from "@/lib/db/sitemaps";
import { decryptJson, SITEMAP_AUTH_PURPOSE } from "@/lib/auth/secrets";
import type { CrawlRule, QueryPolicy, RenderJsMode, SiteAuth, SitemapEntry, TrailingSlashPolicy } from "@/lib/core/types";
import { debitRunCredits } from "@/lib/quota/credits";
import { filesRoot, publishRunFiles } from "@/lib/db/files";
import { clearCrawlFrontier, loadCrawlCheckpoint, loadInventoryTotals, persistCrawlBatch, type CrawlBatch, type CrawlCheckpoint } from "@/lib/db/frontier";
import { createRevalidator, prunePageStates, snapshotFingerprint, type PageObservation } from "@/lib/db/page-state";
import {
  computeRunDiff,
  finishRun,
  getRun,
  markRunRunning,
  updateRunProgress,
  type RunDiffCounts,
  type RunProgress,
  findRunCharge,
  findRunWithSitemap,
} from "@/lib/db/runs";
import { publicFilesBaseUrl } from "@/lib/runs/public-url";
import { crawlInto, crawlSettings, writeOutputs, type CrawlProgress } from "@/lib/runs/pipeline";
import { CrawlBudgetError, crawlInWorker, type CrawlBudget } from "@/lib/runs/crawl-thread";
import { getEnv } from "@/lib/env";
import type { JournalBatch, JournalOptions } from "@/lib/runs/journal";
import { httpDateToIso } from "@/lib/crawl/crawler";
import { rulesError } from "@/lib/crawl/rules";
import { warmRegexChecks } from "@/lib/core/regex-safety";
import { publishGeneration, pruneGenerations } from "@/lib/sitemap/publish";
import { EmptySitemapError } from "@/lib/sitemap/writer";
import { publishedRunIdOf } from "@/lib/db/sitemaps";
import { iterateExportUrls, type ExportUrl } from "@/lib/db/urls";
import { collapseDuplicates, storeInlinks } from "@/lib/db/run-urls";
import { emitRunEvent } from "@/lib/webhooks/emit";
import { applySitemapTemplateOf } from "@/lib/templates/export";

/**
 * Crawl settings of a sitemap row, staging credentials decrypted (lib/auth/secrets.ts). String columns that the
 * API validates (queryPolicy, trailingSlash, renderJs, rules) are passed on as stored; the crawler rejects a bad
 * value with TypeError before any request. Throws SecretsKeyError when the credentials cannot be decrypted
 * (the key changed): the run fails instead of crawling a staging site without its credentials.
 */
export function settingsOf(sm: Sitemap) {
  return crawlSettings({
    startUrl: sm.startUrl,
    maxPages: sm.maxPages,
    maxDepth: sm.maxDepth,
    concurrency: sm.concurrency,
    userAgent: sm.userAgent ?? undefined,
    respectRobots: sm.respectRobots,
    rules: Array.isArray(sm.rules) ? (sm.rules as CrawlRule[]) : [],
    queryPolicy: sm.queryPolicy as QueryPolicy,
    queryAllowlist: sm.queryAllowlist,
    trailingSlash: sm.trailingSlash as TrailingSlashPolicy,
    maxUrlLength: sm.maxUrlLength,
    respectCrawlDelay: sm.respectCrawlDelay,
    importRobotsSitemaps: sm.importRobotsSitemaps,
    renderJs: sm.renderJs as RenderJsMode,
    images: sm.images,
    imageHosts: sm.imageHosts,
    hreflang: sm.hreflang,
    video: sm.video,
    news: sm.news,
    newsPublicationName: sm.newsPublicationName,
    newsLanguage: sm.newsLanguage,
    excludeNoindex: sm.excludeNoindex,
    followNofollow: sm.followNofollow,
    respectCanonical: sm.respectCanonical,
    auth: sm.authEncrypted ? decryptJson<SiteAuth>(sm.authEncrypted, SITEMAP_AUTH_PURPOSE) : null,
  });
}

/** The run with its sitemap, or null when it no longer exists (its sitemap was deleted): the job then ends quietly. */
async function loadRun(runId: string) {
  return findRunWithSitemap(runId);
}

export type CrawlStepResult = {
  skipped: boolean;
  /** The step continued a crawl a killed or failed attempt had started. */
  resumed?: boolean;
  pagesFetched: number;
  urlsListed: number;
  urlsExcluded: number;
  /** Against the run published when the crawl ended (see lib/db/runs.ts computeRunDiff). */
  diff?: RunDiffCounts;
};

/**
 * Test hooks of the crawl step: journal tuning (batch sizes, and `now`, the clock that dates first-seen hashes) and
 * the worker's budget (lib/runs/crawl-thread.ts; default from the environment).
 */
export type CrawlRunOptions = { journal?: Omit<Partial<JournalOptions>, "write">; budget?: Partial<CrawlBudget> };

/** A journal batch as the database stores it: records, their pages' PageState, frontier pushes and completions. */
function toCrawlBatch(batch: JournalBatch, fingerprint: string): CrawlBatch {
  const pages: PageObservation[] = [];
  batch.records.forEach((r, i) => {
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

const addTotals = (base: CrawlCheckpoint["totals"], p: CrawlProgress): RunProgress & { excludedByReason: Record<string, number> } => {
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
};

/**
 * The crawl step: crawls the sitemap's site into RunUrl, durably (lib/runs/journal.ts, lib/db/frontier.ts), with
 * conditional requests for pages known from earlier runs (lib/db/page-state.ts), then computes the run's diff
 * against the published run.
 *
 * Resumable: a retried step (a killed worker, a failed attempt) continues from the stored inventory and frontier
 * instead of starting over: recorded URLs are not fetched again, the visits cut short are redone, and the page
 * budget already spent counts against `maxPages`. Counts are recomputed from the stored inventory at the end, so
 * they are exact whatever the number of attempts.
 * Cancel (POST /api/v1/runs/{id}/cancel): a queued run is cancelled by the API before this step; for a running one
 * the API sets `cancelRequestedAt`, the progress tick aborts the crawl, and the run ends `cancelled` here (claim
 * released, frontier dropped, published files untouched). Database and sink errors fail the step.
 * Off the event loop: the crawl runs in a worker thread with a budget (lib/runs/crawl-thread.ts; env
 * CRAWL_IN_WORKER=false keeps it on this thread); the database work stays here. A crawl stopped by its budget
 * throws CrawlBudgetError after its frontier is dropped (the function fails the run without retries).
 */
export async function crawlRun(runId: string, opts: CrawlRunOptions = {}): Promise<CrawlStepResult> {
  const run = await loadRun(runId);
  if (!run) return { skipped: true, pagesFetched: 0, urlsListed: 0, urlsExcluded: 0 };
  if (run.status === "cancelled" || run.status === "succeeded" || run.status === "failed")
    return { skipped: true, pagesFetched: run.pagesFetched, urlsListed: run.urlsListed, urlsExcluded: run.urlsExcluded };
  if (run.cancelRequestedAt) return endCancelled(run);
  const settings = settingsOf(run.sitemap);
  // Rules stored before the input checks existed (e.g. a regex that backtracks catastrophically) never run: the run
  // fails at once with the reason, without retries.
  await warmRegexChecks((settings.rules ?? []).filter((r) => r.syntax === "regex").map((r) => r.pattern));
  const badRules = rulesError(settings.rules);
  if (badRules) {
    await failRun(runId, new Error(badRules));
    return { skipped: true, pagesFetched: 0, urlsListed: 0, urlsExcluded: 0 };
  }
  await markRunRunning(runId);
  const sitemapId = run.sitemapId;
  const checkpoint = await loadCrawlCheckpoint(runId);
  const base = checkpoint.totals;
  const abort = new AbortController();
  const fingerprint = snapshotFingerprint(settings);
  const crawlFn = getEnv().CRAWL_IN_WORKER ? crawlInWorker : crawlInto;
  const crawling = crawlFn(settings, {
    budget: opts.budget,
    signal: abort.signal,
    durable: true,
    resume: checkpoint.resumed ? { recorded: checkpoint.recorded, queue: checkpoint.queue, pagesFetched: base.pagesFetched } : null,
    revalidate: createRevalidator(sitemapId, { fingerprint }),
    journal: opts.journal,
    sink: {
      write: (_records, batch) => persistCrawlBatch({ runId, sitemapId, batch: toCrawlBatch(batch, fingerprint) }),
      progress: async (p) => {
        await updateRunProgress(runId, addTotals(base, p));
        // POST /api/v1/runs/{id}/cancel sets cancelRequestedAt: stop crawling at the next progress tick.
        const now = await getRun(runId);
        if (now?.status === "cancelled" || now?.cancelRequestedAt) abort.abort();
      },
    },
  });
  let summary: Awaited<typeof crawling>;
  try {
    summary = await crawling;
  } catch (err) {
    if (abort.signal.aborted) return endCancelled(run);
    if (err instanceof CrawlBudgetError) await clearCrawlFrontier(runId);
    throw err;
  }
  if (abort.signal.aborted) return endCancelled(run);
  await clearCrawlFrontier(runId);
  // The inventory's final inlink counts, then (when the sitemap asks for it) one listed URL per duplicate cluster.
  await storeInlinks(runId, summary.inlinks);
  if (run.sitemap.collapseDuplicates) await collapseDuplicates(runId);
  // Exact counts from the stored inventory: a redone visit must not count twice.
  const totals = await loadInventoryTotals(runId);
  await updateRunProgress(runId, {
    pagesFetched: Math.max(summary.pagesFetched, totals.pagesFetched),
    pagesQueued: 0,
    urlsListed: totals.urlsListed,
    urlsExcluded: totals.urlsExcluded,
    excludedByReason: totals.excludedByReason,
  });
  const publishedRunId = await publishedRunIdOf(sitemapId);
  const baseRunId = publishedRunId && publishedRunId !== runId ? publishedRunId : null;
  const diff = await computeRunDiff(runId, baseRunId);
  return {
    skipped: false,
    resumed: checkpoint.resumed,
    pagesFetched: Math.max(summary.pagesFetched, totals.pagesFetched),
    urlsListed: totals.urlsListed,
    urlsExcluded: totals.urlsExcluded,
    diff,
  };
}

/**
 * Ends a run whose cancel was requested: status cancelled, the sitemap's claim released (finishRun), its frontier
 * dropped. The published files are not touched (the export step skips a run that is not running).
 */
async function endCancelled(run: { id: string; pagesFetched: number; urlsListed: number; urlsExcluded: number }): Promise<CrawlStepResult> {
  await clearCrawlFrontier(run.id);
  await finishRun(run.id, { status: "cancelled", error: "Cancelled on request." });
  const now = await getRun(run.id);
  return { skipped: true, pagesFetched: now?.pagesFetched ?? run.pagesFetched, urlsListed: now?.urlsListed ?? run.urlsListed, urlsExcluded: now?.urlsExcluded ?? run.urlsExcluded };
}

/**
 * The sitemap's output options applied to one export URL (docs/api-core.md):
 * - priority: a pushed priority always wins; else priorityMode "fixed" → defaultPriority (0.5 when null), "depth" →
 *   1.0 at the start URL minus 0.1 per link level, at least 0.1 (pushed-only URLs: as "fixed"), "off" → none;
 * - changefreq: the pushed one, else defaultChangefreq, else none;
 * - lastmod: none when `lastmod` is off; lastmodSource "server" → the page's Last-Modified header as last seen (none
 *   when the server sent none); "content" → the stored truthful lastmod. Pushed-only URLs keep their pushed lastmod.
 */
export function applyOutputOptions(
  u: ExportUrl,
  sm: Pick<Sitemap, "priorityMode" | "defaultPriority" | "defaultChangefreq" | "lastmod" | "lastmodSource">,
): SitemapEntry {
  let priority: number | null = u.priority;
  if (priority === null && sm.priorityMode !== "off") {
    const fixed = sm.defaultPriority ?? 0.5;
    priority = sm.priorityMode === "depth" && u.depth !== null ? Math.max(0.1, Math.round((1 - 0.1 * u.depth) * 10) / 10) : fixed;
  }
  let lastmod: Date | string | null = null;
  if (sm.lastmod) {
    if (!u.crawled) lastmod = u.lastmod;
    else lastmod = sm.lastmodSource === "server" ? httpDateToIso(u.serverLastModified) : u.lastmod;
  }
  return {
    ...(u.data ?? {}),
    loc: u.url,
    lastmod,
    priority,
    changefreq: (u.changefreq ?? sm.defaultChangefreq ?? null) as SitemapEntry["changefreq"],
  };
}

export type ExportStepResult = { skipped: boolean; files: number; bytes: number; urls: number };

/**
 * The export step: writes the run's listed URLs merged with the sitemap's pushed URLs (lib/db/urls.ts
 * iterateExportUrls: URL order, one <loc> each; the output options applied by applyOutputOptions) as every output of the sitemap into a new generation folder, publishes it atomically, then marks the run
 * succeeded (lib/sitemap/publish.ts: the previous files stay served until the new ones are complete; a kill at any
 * moment leaves at most a `.tmp-*` folder that is never served).
 *
 * Idempotent and deterministic: the same inventory gives byte-identical files (stable order, no clock in the
 * content: lastmod values are stored ones, news pruning is relative to the run's `startedAt`), so a retried export
 * of an already renamed generation verifies and reuses it.
 * Errors: EmptySitemapError when nothing is listed (final, handled by the function); file system and database
 * errors fail the step.
 */
export async function exportRun(runId: string): Promise<ExportStepResult> {
  const run = await loadRun(runId);
  if (!run || run.status !== "running") return { skipped: true, files: 0, bytes: 0, urls: 0 };
  if (run.cancelRequestedAt) {
    await endCancelled(run);
    return { skipped: true, files: 0, bytes: 0, urls: 0 };
  }
  const sm = run.sitemap;
  const root = filesRoot();
  const written = await publishGeneration({
    rootDir: root,
    sitemapKey: sm.id,
    generationId: run.id,
    write: async (dir: string) => {
      const entries = (async function* (): AsyncGenerator<SitemapEntry> {
        for await (const u of iterateExportUrls(run.id, sm.id)) yield applyOutputOptions(u, sm);
      })();
      // A user template (lib/templates/export.ts) re-renders the parts the built-in writer split, before the rename.
      return applySitemapTemplateOf(dir, await writeOutputs(entries, {
        dir,
        fileName: sm.fileName,
        baseUrl: publicFilesBaseUrl(sm.id),
        maxFileEntries: sm.maxFileEntries,
        maxFileSize: sm.maxFileSize,
        gzip: sm.gzip,
        // One unusable URL must not block the whole sitemap; it is counted, and the crawler's URL policy makes it rare.
        invalid: "skip",
        extraFormats: sm.extraFormats,
        xslHref: sm.xslStylesheet ? "/sitemap.xsl" : null,
        images: sm.images,
        imageHosts: sm.imageHosts,
        hreflang: sm.hreflang,
        video: sm.video,
        news: sm.news
          ? { now: run.startedAt ?? run.createdAt, publicationName: sm.newsPublicationName, language: sm.newsLanguage }
          : null,
      }), sm);
    },
  });
  const previous = await publishRunFiles({
    sitemapId: sm.id,
    runId: run.id,
    files: written.files.map((f) => ({ name: f.name, kind: f.kind, bytes: f.bytes, urlCount: f.urlCount, sha256: f.sha256 })),
  });
  const bytes = written.files.reduce((n, f) => n + f.bytes, 0);
  await finishRun(run.id, { status: "succeeded", bytesWritten: bytes, filesWritten: written.files.length });
  await chargeRun(run.id);
  await emitRunEvent(run.id); // webhooks run.succeeded (lib/webhooks/emit.ts; never throws)
  // Forget pages absent from the last successful crawls (lib/db/page-state.ts); the run has succeeded either way.
  await prunePageStates(sm.id).catch((err) => console.error("[runs] PageState pruning failed", sm.id, err));
  // Keep the generation now served and the one before it (a reader may still be streaming it).
  await pruneGenerations(root, sm.id, [run.id, ...(previous ? [previous] : [])]).catch(() => {});
  return { skipped: false, files: written.files.length, bytes, urls: written.urlCount };
}

/**
 * Debits the run's crawl credits (lib/quota/credits.ts: one credit per 100 pages fetched, at least one), once per
 * run. A run that fetched nothing (e.g. robots.txt unreachable) costs nothing.
 */
async function chargeRun(runId: string): Promise<void> {
  const run = await findRunCharge(runId);
  if (!run || run.pagesFetched === 0) return;
  await debitRunCredits({ userId: run.userId, runId, pagesFetched: run.pagesFetched });
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
  await chargeRun(runId);
  await emitRunEvent(runId); // webhooks run.failed (lib/webhooks/emit.ts; never throws)
}
