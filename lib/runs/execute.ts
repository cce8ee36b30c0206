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
 *                      when every file is stored (lib/files/storage.ts: local disk or S3); the previous files stay served until then.
 *
 * Errors: anything thrown fails the step (and is retried by Inngest); `failRun` records the final error.
 */
import type { Sitemap } from "@/lib/db/sitemaps";
import { decryptJson, SITEMAP_AUTH_PURPOSE } from "@/lib/auth/secrets";
import type { CrawlRule, QueryPolicy, RenderJsMode, SiteAuth, SitemapEntry, TrailingSlashPolicy } from "@/lib/core/types";
import { debitRunCredits } from "@/lib/quota/credits";
import { publishRunFiles } from "@/lib/db/files";
import { clearCrawlFrontier, loadCrawlCheckpoint, loadInventoryTotals } from "@/lib/db/frontier";
import { applyCrawlLinkStats, beginCrawlStep, clearCrawlSteps, endCrawlStep, linkedInSteps, storeLoweredDepths } from "@/lib/db/crawl-steps";
import { shareableDatabaseUrl } from "@/lib/db/thread-db";
import { prunePageStates, snapshotFingerprint } from "@/lib/db/page-state";
import {
  computeRunDiff,
  finishRun,
  getRun,
  holdRun,
  publishedRunSummary,
  reopenHeldRun,
  restoreHeldRun,
  markRunRunning,
  updateRunProgress,
  type RunDiffCounts,
  findRunCharge,
  findRunWithSitemap,
} from "@/lib/db/runs";
import { publicFilesBaseUrl } from "@/lib/runs/public-url";
import { publishGuardVerdict } from "@/lib/runs/publish-guard";
import { crawlInto, crawlSettings, writeOutputs } from "@/lib/runs/pipeline";
import { CrawlBudgetError, crawlInWorker, type CrawlBudget } from "@/lib/runs/crawl-thread";
import { getEnv } from "@/lib/env";
import type { JournalOptions } from "@/lib/runs/journal";
import { httpDateToIso } from "@/lib/crawl/crawler";
import { createRunSink, type RunSinkSpec } from "@/lib/runs/run-sink";
import { rulesError } from "@/lib/crawl/rules";
import { warmRegexChecks } from "@/lib/core/regex-safety";
import { getFileStorage } from "@/lib/files/storage";
import { EmptySitemapError } from "@/lib/sitemap/writer";
import { publishedRunIdOf } from "@/lib/db/sitemaps";
import { iterateExportUrls, type ExportUrl } from "@/lib/db/urls";
import { collapseDuplicates, storeInlinks } from "@/lib/db/run-urls";
import { emitRunEvent } from "@/lib/webhooks/emit";
import { enqueueFollowUp } from "@/lib/runs/follow-up";
import { takeExportPending } from "@/lib/db/export-runs";
import { auditFindings, type AuditFindingKind } from "@/lib/crawl/site-audit";
import { inventoryVerdicts, iterateListedUrls, storeRunAudit } from "@/lib/db/run-audit";
import { diagnoseEmptyCrawl, RunFailedError, runFailure, runWarnings, type RunFailure, type RunWarning } from "@/lib/core/run-outcome";
import { applySitemapTemplateOf, TemplateExportError } from "@/lib/templates/export";

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
  /**
   * The crawl is over (finished, or the run ended: cancelled, failed, gone): the job goes on to the export step. False
   * for a step that paused at its deadline with URLs still queued: the job runs the next crawl step.
   */
  done: boolean;
  /** The crawl continued from a state a killed or failed attempt left (not the previous step's clean end). */
  resumed?: boolean;
  pagesFetched: number;
  urlsListed: number;
  urlsExcluded: number;
  /** Against the run published when the crawl ended (see lib/db/runs.ts computeRunDiff). Only when done. */
  diff?: RunDiffCounts;
  /** Findings per kind of the audit of the site's own sitemaps (lib/crawl/site-audit.ts). Only when done. */
  audit?: Record<AuditFindingKind, number>;
  /**
   * Why the crawl listed no URL (lib/core/run-outcome.ts diagnoseEmptyCrawl), or null when it listed some. The
   * export step fails the run with it when the export has nothing to write either ({@link exportFailure}).
   */
  failure?: RunFailure | null;
  /** Warning codes stored on the run (max_pages_reached, …). */
  warnings?: RunWarning[];
};

/**
 * Test hooks of the crawl step: journal tuning (batch sizes, and `now`, the clock that dates first-seen hashes), the
 * worker's budget (lib/runs/crawl-thread.ts; default from the environment; `wallMs` counts from the run's start), and
 * the step bounds: `stepMs`, how long one step may crawl (default: unbounded, one step), `maxSteps`, the last crawl
 * step allowed (a step that pauses there fails the run with crawl_step_limit_exceeded).
 */
export type CrawlRunOptions = {
  journal?: Omit<Partial<JournalOptions>, "write">;
  budget?: Partial<CrawlBudget>;
  stepMs?: number;
  maxSteps?: number;
};

/** ms between progress writes on the Run row (and cancel checks) during a crawl. */
export const PROGRESS_INTERVAL_MS = 1000;

/**
 * The whole crawl in this process: {@link crawlStep} 1, 2, … until one is done (one step when `opts.stepMs` is unset).
 * Same result as the job's loop of steps (inngest/functions/generate-sitemap.ts).
 */
export async function crawlRun(runId: string, opts: CrawlRunOptions = {}): Promise<CrawlStepResult> {
  for (let step = 1; ; step++) {
    const r = await crawlStep(runId, step, opts);
    if (r.done) return r;
  }
}

/**
 * Crawl step `step` (1-based) of a run: crawls the sitemap's site into RunUrl, durably (lib/runs/journal.ts,
 * lib/db/frontier.ts), with conditional requests for pages known from earlier runs (lib/db/page-state.ts), for at most
 * `opts.stepMs` (then it pauses: no new visit, the visits under way finish, the journal is flushed; `done: false`);
 * when the crawl is over, stores the inlink counts, collapses duplicates when the sitemap asks for it, computes the
 * run's diff against the published run and stores the audit of the site's own sitemaps (lib/db/run-audit.ts).
 *
 * Steps: every step resumes from the inventory and frontier stored so far (recorded URLs are not fetched again, the
 * page budget already spent counts against `maxPages`). What one uninterrupted crawl keeps in memory across the crawl
 * is carried between steps (lib/db/crawl-steps.ts: inlink counts, the audit's linked URLs, the start URL's outcome;
 * depths lowered while queued are stored in the frontier), so N steps give the inventory, counts, diff, audit and
 * files of one step. Limits (see docs/runs.md): the trap guard's query-variant counts and the robots.txt / site
 * sitemap reading start again in each step; a step cut short (a killed worker, a failed attempt) loses its link
 * stats, so inlinks can then be lower and the audit reports no orphans.
 * Retried: a retried step (a killed worker, a failed attempt) continues from what was stored; visits cut short are
 * redone. Counts are recomputed from the stored inventory at the end, so they are exact whatever the attempts.
 * Time: CRAWL_TIME_BUDGET_MS counts from the run's start (Run.startedAt) across steps; the CPU budget per step.
 * Cancel (POST /api/v1/runs/{id}/cancel): a queued run is cancelled by the API before this step; for a running one
 * the API sets `cancelRequestedAt`, the progress tick aborts the crawl (or the next step sees it), and the run ends
 * `cancelled` here (claim released, frontier dropped, published files untouched). Database and sink errors fail the step.
 * Off the event loop: the crawl runs in a worker thread with a budget (lib/runs/crawl-thread.ts; env
 * CRAWL_IN_WORKER=false keeps it on this thread). Its database work (lib/runs/run-sink.ts) runs in the worker on
 * PostgreSQL, on its own connection pool, and on this thread on PGlite.
 * Errors: CrawlBudgetError after the frontier is dropped (the function fails the run without retries);
 * RunFailedError crawl_step_limit_exceeded when step `opts.maxSteps` pauses (frontier dropped); Error when a resumed
 * step cannot read robots.txt (retried: the queue is kept).
 */
export async function crawlStep(runId: string, step: number, opts: CrawlRunOptions = {}): Promise<CrawlStepResult> {
  const run = await loadRun(runId);
  if (!run) return { skipped: true, done: true, pagesFetched: 0, urlsListed: 0, urlsExcluded: 0 };
  if (run.status === "cancelled" || run.status === "succeeded" || run.status === "failed" || run.status === "held")
    return { skipped: true, done: true, pagesFetched: run.pagesFetched, urlsListed: run.urlsListed, urlsExcluded: run.urlsExcluded };
  if (run.cancelRequestedAt) return endCancelled(run);
  const settings = settingsOf(run.sitemap);
  // Rules stored before the input checks existed (e.g. a regex that backtracks catastrophically) never run: the run
  // fails at once with the reason, without retries.
  await warmRegexChecks((settings.rules ?? []).filter((r) => r.syntax === "regex").map((r) => r.pattern));
  const badRules = rulesError(settings.rules);
  if (badRules) {
    await failRun(runId, new RunFailedError(runFailure("invalid_rules", badRules)));
    return { skipped: true, done: true, pagesFetched: 0, urlsListed: 0, urlsExcluded: 0 };
  }
  await markRunRunning(runId);
  const sitemapId = run.sitemapId;
  const begun = await beginCrawlStep(runId, step);
  const checkpoint = await loadCrawlCheckpoint(runId);
  // Continued from a state no clean step end left: a killed or failed attempt (or a crawl older than steps).
  const resumed = begun.interrupted || (checkpoint.resumed && begun.stepsDone === 0);
  const base = checkpoint.totals;
  const abort = new AbortController();
  const spec: RunSinkSpec = { runId, sitemapId, fingerprint: snapshotFingerprint(settings), base };
  const resume = checkpoint.resumed ? { recorded: checkpoint.recorded, queue: checkpoint.queue, pagesFetched: base.pagesFetched } : null;
  const { sink, revalidate } = createRunSink(spec, () => abort.abort());
  // The run's time budget counts from its start, whatever the steps and the waits between them.
  const wallMs = Math.max(0, (run.startedAt?.getTime() ?? Date.now()) + (opts.budget?.wallMs ?? getEnv().CRAWL_TIME_BUDGET_MS) - Date.now());
  // The step's crawling time counts from the crawl's start (a worker's start-up excluded).
  const common = { signal: abort.signal, durable: true, resume, journal: opts.journal, progressIntervalMs: PROGRESS_INTERVAL_MS, audit: true, pauseAfterMs: opts.stepMs };
  let crawling: ReturnType<typeof crawlInto>;
  if (getEnv().CRAWL_IN_WORKER) {
    // On PostgreSQL the worker writes the journal and the progress itself, on a pool of its own: nothing of the
    // crawl runs on this thread. PGlite's database lives in this thread, so its writes stay here (also with a test
    // clock, which cannot cross the thread boundary).
    const url = shareableDatabaseUrl();
    const inWorker = url && !opts.journal?.now ? { spec, databaseUrl: url, onCancelRequested: () => abort.abort() } : undefined;
    crawling = crawlInWorker(settings, { ...common, budget: { ...opts.budget, wallMs }, sink, revalidate, runSink: inWorker });
  } else {
    // On this thread (CRAWL_IN_WORKER=false) only the time budget applies; the worker sets its own deadline.
    crawling = crawlInto(settings, { ...common, deadline: Date.now() + wallMs, sink, revalidate });
  }
  let summary: Awaited<typeof crawling>;
  try {
    summary = await crawling;
  } catch (err) {
    if (abort.signal.aborted) return endCancelled(run);
    if (err instanceof CrawlBudgetError) await dropCrawlState(runId);
    throw err;
  }
  if (abort.signal.aborted) return endCancelled(run);
  const robotsFailed = summary.robots.outcome === "unreachable" || summary.robots.outcome === "blocked";
  if (checkpoint.queue.length > 0 && robotsFailed) {
    // A resumed crawl does not start without robots.txt (RFC 9309): retrying keeps the queue, ending would drop it.
    throw new Error(`robots.txt of ${settings.startUrl} could not be read (${summary.robots.outcome}) when the crawl resumed; the step is retried`);
  }
  const linked = summary.audit ? summary.audit.urls.filter((u) => u.linked).map((u) => u.url) : [];
  if (summary.paused) {
    if (opts.maxSteps !== undefined && step >= opts.maxSteps) {
      await dropCrawlState(runId);
      throw new RunFailedError(
        runFailure(
          "crawl_step_limit_exceeded",
          `the crawl was not finished after ${step} steps of at most ${fmtStep(opts.stepMs!)} each, the most one run may take; ${summary.pagesFetched} pages were fetched. The previously published files stay served.`,
        ),
      );
    }
    await storeLoweredDepths(runId, summary.lowered);
    await endCrawlStep(runId, step, { inlinks: summary.inlinks, linked, start: summary.start });
    const now = await loadInventoryTotals(runId);
    return {
      skipped: false,
      done: false,
      ...(resumed ? { resumed } : {}),
      pagesFetched: Math.max(summary.pagesFetched, now.pagesFetched),
      urlsListed: now.urlsListed,
      urlsExcluded: now.urlsExcluded,
    };
  }
  await clearCrawlFrontier(runId);
  // The inventory's final inlink counts: this step's alone when no earlier step finished, else the sum over the steps.
  const stepped = begun.stepsDone > 0;
  /** The inlink update of a one-step crawl, under way beside the phases below (see there). */
  let inlinksStored: Promise<void> | null = null;
  if (stepped) {
    await endCrawlStep(runId, step, { inlinks: summary.inlinks, linked, start: summary.start });
    await applyCrawlLinkStats(runId);
  } else if (run.sitemap.collapseDuplicates) await storeInlinks(runId, summary.inlinks);
  else {
    // Nothing below reads the inlink counts (the totals, the diff, the audit), and the update of every row of the
    // inventory is the longest of these phases: on PostgreSQL it runs beside them on another connection (PGlite runs
    // one statement at a time either way). Awaited before the step ends; a failure fails the step as before, and a
    // retried step stores the counts again (idempotent).
    inlinksStored = storeInlinks(runId, summary.inlinks);
    inlinksStored.catch(() => {}); // awaited below; this only keeps an early rejection from being "unhandled"
  }
  // Then (when the sitemap asks for it) one listed URL per duplicate cluster, which ranks by inlinks.
  if (run.sitemap.collapseDuplicates) await collapseDuplicates(runId);
  // Exact counts from the stored inventory: a redone visit must not count twice.
  const totals = await loadInventoryTotals(runId);
  // A crawl stopped by its time budget records the URLs left as "max_pages"; max_pages_reached only when maxPages was.
  const byTime = summary.stoppedBy === "time_budget";
  const warnings = runWarnings(totals.excludedByReason, byTime ? ["time_budget_reached"] : []).filter(
    (w) => !(byTime && w === "max_pages_reached" && summary.pagesFetched < settings.maxPages),
  );
  await updateRunProgress(runId, {
    pagesFetched: Math.max(summary.pagesFetched, totals.pagesFetched),
    pagesQueued: 0,
    urlsListed: totals.urlsListed,
    urlsExcluded: totals.urlsExcluded,
    excludedByReason: totals.excludedByReason,
    warnings,
  });
  const failure =
    totals.urlsListed === 0
      ? diagnoseEmptyCrawl({
          startUrl: settings.startUrl,
          robots: summary.robots,
          start: summary.start ?? begun.start,
          excludedByReason: totals.excludedByReason,
          timeoutMs: settings.timeoutMs,
        })
      : null;
  const publishedRunId = await publishedRunIdOf(sitemapId);
  const baseRunId = publishedRunId && publishedRunId !== runId ? publishedRunId : null;
  const diff = await computeRunDiff(runId, baseRunId);
  // The audit of the site's own sitemaps, against the stored inventory, with the links of every step. A crawl
  // continued after a cut-short attempt did not see the links of all pages fetched before, so it reports no orphans.
  let audit: Record<AuditFindingKind, number> | undefined;
  if (summary.audit) {
    const siteAudit = summary.audit;
    if (stepped) {
      const earlier = await linkedInSteps(runId, siteAudit.urls.filter((u) => !u.linked).map((u) => u.url));
      for (const u of siteAudit.urls) if (earlier.has(u.url)) u.linked = true;
    }
    audit = await storeRunAudit(
      runId,
      siteAudit,
      auditFindings(siteAudit, { verdicts: (urls) => inventoryVerdicts(runId, urls), listed: iterateListedUrls(runId), orphans: !resumed }),
    );
  }
  await inlinksStored;
  await clearCrawlSteps(runId);
  return {
    skipped: false,
    done: true,
    resumed,
    pagesFetched: Math.max(summary.pagesFetched, totals.pagesFetched),
    urlsListed: totals.urlsListed,
    urlsExcluded: totals.urlsExcluded,
    diff,
    ...(audit ? { audit } : {}),
    failure,
    warnings,
  };
}

const fmtStep = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`);

/** Drops a crawl's frontier and step bookkeeping (the crawl ended or was abandoned). */
async function dropCrawlState(runId: string): Promise<void> {
  await clearCrawlFrontier(runId);
  await clearCrawlSteps(runId);
}

/**
 * The error that fails a run whose export had nothing to write (EmptySitemapError): the crawl's diagnosis when the
 * crawl listed nothing (a typo'd host, a 404 start URL, everything excluded, …), else `err` itself (a template that
 * renders nothing: empty_output). Other errors are returned unchanged.
 */
export function exportFailure(err: unknown, crawl: Pick<CrawlStepResult, "failure"> | null | undefined): unknown {
  if (err instanceof EmptySitemapError && crawl?.failure) return new RunFailedError(crawl.failure);
  return err;
}

/**
 * Ends a run whose cancel was requested: status cancelled, the sitemap's claim released (finishRun), its frontier
 * dropped. The published files are not touched (the export step skips a run that is not running).
 */
async function endCancelled(run: { id: string; pagesFetched: number; urlsListed: number; urlsExcluded: number }): Promise<CrawlStepResult> {
  await dropCrawlState(run.id);
  await enqueueFollowUp(await finishRun(run.id, { status: "cancelled", error: "Cancelled on request." }));
  const now = await getRun(run.id);
  return { skipped: true, done: true, pagesFetched: now?.pagesFetched ?? run.pagesFetched, urlsListed: now?.urlsListed ?? run.urlsListed, urlsExcluded: now?.urlsExcluded ?? run.urlsExcluded };
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

export type ExportStepResult = {
  skipped: boolean;
  files: number;
  bytes: number;
  urls: number;
  /** The publish guard held the run (status `held`): nothing was written or published. */
  held?: boolean;
};

/**
 * The export step: writes the run's listed URLs merged with the sitemap's pushed URLs (lib/db/urls.ts
 * iterateExportUrls: URL order, one <loc> each; the output options applied by applyOutputOptions) as every output of the sitemap into a new generation folder, publishes it atomically, then marks the run
 * succeeded (lib/sitemap/publish.ts: the previous files stay served until the new ones are complete; a kill at any
 * moment leaves at most a `.tmp-*` folder that is never served).
 *
 * Idempotent and deterministic: the same inventory gives byte-identical files (stable order, no clock in the
 * content: lastmod values are stored ones, news pruning is relative to the run's `startedAt`), so a retried export
 * of an already renamed generation verifies and reuses it.
 * Publish guard (lib/runs/publish-guard.ts): first, a run that lists too few URLs compared with the published run ends
 * `held` instead (nothing written, the previous files stay served, claim released, webhook run.held); a held run's
 * export is done later by {@link publishHeldRun}.
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
  if (await holdByGuard(run)) return { skipped: true, held: true, files: 0, bytes: 0, urls: 0 };
  return writeAndPublish(run);
}

/**
 * Applies the sitemap's publish guard to a run about to be exported: when the verdict is "hold", ends the run `held`
 * (lib/db/runs.ts holdRun), charges its credits and emits run.held. True when the run was held.
 */
async function holdByGuard(run: NonNullable<Awaited<ReturnType<typeof loadRun>>>): Promise<boolean> {
  const published = await publishedRunSummary(run.sitemapId);
  const verdict = publishGuardVerdict({
    publishGuard: run.sitemap.publishGuard,
    published: published && published.runId !== run.id ? published : null,
    newCount: run.urlsListed,
  });
  if (!verdict.hold) return false;
  const followUp = await holdRun(run.id, { reason: verdict.reason, detail: verdict.detail });
  await chargeRun(run.id);
  await emitRunEvent(run.id); // webhooks run.held (never throws)
  await enqueueFollowUp(followUp);
  return true;
}

/**
 * Publishes a held run anyway (POST /api/v1/runs/{id}/publish): takes it back to `running` with a conditional update
 * (a second concurrent call gets `false`), then writes and publishes its files exactly as the export step would
 * (same deterministic output from the stored inventory) and marks it succeeded (webhook run.succeeded). If writing
 * fails, the run goes back to `held` and the error is rethrown; the previous files stay served.
 * Returns false when the run is not held (any more).
 */
export async function publishHeldRun(runId: string): Promise<ExportStepResult | false> {
  if (!(await reopenHeldRun(runId))) return false;
  try {
    const run = await loadRun(runId);
    if (!run) return false;
    return await writeAndPublish(run);
  } catch (err) {
    await restoreHeldRun(runId);
    throw err;
  }
}

/** Writes the run's files as a new generation, switches the sitemap to it, and marks the run succeeded. */
async function writeAndPublish(run: NonNullable<Awaited<ReturnType<typeof loadRun>>>): Promise<ExportStepResult> {
  const sm = run.sitemap;
  // The pushed URLs are read below: a push from now on needs another export (lib/runs/export-only.ts).
  await takeExportPending(sm.id, run.id);
  // Local disk or an object store (lib/files/storage.ts): the generation is complete there before the pointer switches.
  const storage = await getFileStorage();
  const written = await storage.publishGeneration({
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
  const followUp = await finishRun(run.id, {
    status: "succeeded",
    bytesWritten: bytes,
    filesWritten: written.files.length,
    urlsWritten: written.urlCount,
  });
  await chargeRun(run.id);
  await emitRunEvent(run.id); // webhooks run.succeeded (lib/webhooks/emit.ts; never throws)
  await enqueueFollowUp(followUp);
  // Forget pages absent from the last successful crawls (lib/db/page-state.ts); the run has succeeded either way.
  await prunePageStates(sm.id).catch((err) => console.error("[runs] PageState pruning failed", sm.id, err));
  // Keep the generation now served and the one before it (a reader may still be streaming it).
  await storage
    .pruneGenerations(sm.id, [run.id, ...(previous ? [previous] : [])])
    .catch((err) => console.error("[runs] pruning old generations failed", sm.id, storage.location, err));
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

/**
 * The failure cause of an error thrown by a run's steps: RunFailedError → its cause; CrawlBudgetError → its code;
 * EmptySitemapError → empty_output (the writer's message); TemplateExportError → template_invalid; anything else → internal_error with its message.
 */
export function failureOf(err: unknown): RunFailure {
  if (err instanceof RunFailedError) return err.failure;
  if (err instanceof CrawlBudgetError) return runFailure(err.code, err.message);
  if (err instanceof EmptySitemapError) return runFailure("empty_output", err.message);
  if (err instanceof TemplateExportError) return runFailure("template_invalid", err.message);
  return runFailure("internal_error", err instanceof Error ? err.message : String(err));
}

/**
 * Records a run's final failure (called from the function's onFailure handler and for non-retriable errors): status
 * failed with `error` (message), `errorCode`, `errorHint`, `errorDetail` (lib/core/run-outcome.ts), the claim
 * released, credits charged for the pages fetched, webhook run.failed. Logs one line; a stack trace only for an
 * internal_error (an expected outcome — a 404 start URL, a typo'd host — is not a bug). Does nothing for a run that
 * already ended.
 */
export async function failRun(runId: string, err: unknown): Promise<void> {
  const run = await getRun(runId);
  if (!run || run.status === "succeeded" || run.status === "cancelled" || run.status === "failed" || run.status === "held") return;
  const failure = failureOf(err);
  const message = failure.message.slice(0, 2000);
  const followUp = await finishRun(runId, { status: "failed", error: message, failure: { ...failure, message } });
  if (failure.code === "internal_error") console.error(`[runs] run ${runId} failed: internal_error`, err);
  else console.warn(`[runs] run ${runId} failed: ${failure.code}: ${message}`);
  await chargeRun(runId);
  await emitRunEvent(runId); // webhooks run.failed (lib/webhooks/emit.ts; never throws)
  await enqueueFollowUp(followUp);
}
