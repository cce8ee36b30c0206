/**
 * Search-engine submission of a sitemap (POST /api/v1/sitemaps/{id}/submit → Inngest `submit-sitemap`).
 *
 * What a batch does (every step writes Submission rows, the honest log; no ping endpoints — Google's sitemap ping
 * was retired in 2023 and Bing's answers 410, product.md §2.4):
 *   1. requestSubmission: 409 unless the sitemap has a published run; writes the `batch` row (pending) with the number
 *      of changed URLs of that run (RunChange: added, changed, removed) and sends `sitemap/submit.requested`.
 *   2. prepareSubmission (step): generates the IndexNow key on first use; checks the live robots.txt for this
 *      sitemap's `Sitemap:` line (row `robots.txt`, status ok when present, failed when absent or unreadable);
 *      checks the key file on the site; if it is missing, writes a `failed` `indexnow-key` row saying exactly where
 *      to put it and sends nothing to any engine.
 *   3. sendSubmissionChunk (one step per endpoint × request of ≤ 10,000 URLs × attempt): lib/submit/indexnow.ts
 *      attemptIndexNow; a `retry` answer is waited out by the function with a durable sleep, and the row is written
 *      once the request is final (its attempts, and its duration from the first attempt, waits included).
 *   4. finishSubmission (step): the batch row becomes ok (every request ok, or nothing to send) or failed, and the
 *      `submission.completed` webhook event is emitted.
 * URLs not on the start URL's host are left out (IndexNow 422 otherwise) and counted in the message.
 *
 * Errors (AppError): not_found (no such sitemap for the user), conflict (nothing published yet),
 * service_unavailable (the job could not be queued; the batch row is marked failed).
 */
import { randomBytes } from "node:crypto";
import { AppError } from "@/lib/core/errors";
import { publishedEntryFiles } from "@/lib/db/sitemaps";
import {
  countChangedUrls,
  ensureSitemapIndexNowKey,
  failSubmissionBatch,
  findBatchHead,
  findSubmitSitemap,
  finishBatchHead,
  getSubmitSitemap,
  insertSubmission,
  listBatchEntries,
  listBatchRows,
  listChangedUrls,
  toSubmissionDto,
} from "@/lib/db/submissions";
import { inngest } from "@/lib/jobs/client";
import { submitRequested } from "@/lib/jobs/events";
import { publicFilesBaseUrl } from "@/lib/runs/public-url";
import type { TIndexNowInfoDto, TSubmissionBatchDto } from "@/lib/schemas/submissions";
import { emitWebhookEvent } from "@/lib/webhooks/emit";
import { checkKeyFile, checkRobots, checksFetcher } from "./checks";
import {
  batchUrls,
  engineName,
  generateIndexNowKey,
  indexNowEndpoints,
  keyInfoFor,
  attemptIndexNow,
  sendOptionsFromEnv,
  INDEXNOW_MAX_URLS_PER_REQUEST,
  type SendOptions,
} from "./indexnow";

export { toSubmissionDto };

/** The sitemap's IndexNow key, generated and stored on first use (a concurrent first use keeps one key). */
export function ensureIndexNowKey(sitemapId: string): Promise<string> {
  return ensureSitemapIndexNowKey(sitemapId, generateIndexNowKey);
}

/** Public URL of the sitemap's published entry file (index, else first urlset), or null when nothing is published. */
export async function sitemapPublicUrl(sm: { id: string; publishedRunId: string | null }): Promise<string | null> {
  const entry = (await publishedEntryFiles([sm]))?.get(sm.id);
  return entry ? publicFilesBaseUrl(sm.id) + encodeURIComponent(entry) : null;
}

async function ownedSitemap(userId: string, sitemapId: string) {
  const sm = await findSubmitSitemap({ userId, sitemapId });
  if (!sm) throw new AppError("not_found", `Sitemap ${sitemapId} not found.`);
  return sm;
}

/** GET /api/v1/sitemaps/{id}/indexnow: the key (generated now if needed) and where to host it. */
export async function getIndexNowInfo(opts: { userId: string; sitemapId: string }): Promise<TIndexNowInfoDto> {
  const sm = await ownedSitemap(opts.userId, opts.sitemapId);
  const key = await ensureIndexNowKey(sm.id);
  const sitemapUrl = await sitemapPublicUrl(sm);
  return {
    ...keyInfoFor(sm.startUrl, key),
    endpoints: indexNowEndpoints(),
    sitemapUrl,
    robotsLine: sitemapUrl ? `Sitemap: ${sitemapUrl}` : null,
  };
}

const newBatchId = () => `sub_${randomBytes(12).toString("hex")}`;

/** Step 1 (module doc). Returns the pending batch. */
export async function requestSubmission(opts: { userId: string; sitemapId: string }): Promise<TSubmissionBatchDto> {
  const sm = await ownedSitemap(opts.userId, opts.sitemapId);
  if (!sm.publishedRunId) throw new AppError("conflict", "Nothing is published yet: generate the sitemap before submitting it.");
  const urlCount = await countChangedUrls(sm.publishedRunId);
  const batchId = newBatchId();
  await insertSubmission({
    sitemapId: sm.id,
    runId: sm.publishedRunId,
    batchId,
    engine: "batch",
    endpoint: `POST /api/v1/sitemaps/${sm.id}/submit`,
    status: "pending",
    urlCount,
    attempts: 0,
    message: `Submitting the ${urlCount} changed URL(s) of run ${sm.publishedRunId}.`,
  });
  try {
    await inngest.send(submitRequested.create({ batchId, sitemapId: sm.id }, { id: `submit-${batchId}` }));
  } catch (err) {
    console.error("[submit] could not enqueue", batchId, err);
    await failSubmissionBatch(batchId, "The job could not be enqueued.");
    throw new AppError("service_unavailable", "The job queue is unavailable; try again shortly.");
  }
  return (await getBatch({ userId: opts.userId, batchId }))!;
}

/** A batch with its entries (oldest first), or null when it is not the user's. */
export async function getBatch(opts: { userId: string; batchId: string }): Promise<TSubmissionBatchDto | null> {
  const rows = await listBatchRows(opts);
  const head = rows.find((r) => r.engine === "batch");
  if (!head) return null;
  return {
    batchId: head.batchId,
    sitemapId: head.sitemapId,
    runId: head.runId,
    status: head.status as TSubmissionBatchDto["status"],
    urlCount: head.urlCount,
    entries: rows.map(toSubmissionDto),
  };
}

/** Polls the batch until it is no longer pending or `waitSec` passed. */
export async function waitForBatch(opts: { userId: string; batchId: string; waitSec: number; pollMs?: number }): Promise<TSubmissionBatchDto> {
  const until = Date.now() + opts.waitSec * 1000;
  for (;;) {
    const b = (await getBatch(opts))!;
    if (b.status !== "pending" || Date.now() >= until) return b;
    await new Promise((r) => setTimeout(r, Math.min(opts.pollMs ?? 200, Math.max(1, until - Date.now()))));
  }
}

export type PreparedSubmission = {
  sitemapId: string;
  runId: string | null;
  /** Requests per endpoint (0 when nothing to send or the key file is missing). */
  chunks: number;
  endpoints: string[];
  keyOk: boolean;
  urlCount: number;
};

async function batchHead(batchId: string) {
  const head = await findBatchHead(batchId);
  if (!head) throw new Error(`submission batch ${batchId} not found`);
  return head;
}

async function submittableUrls(runId: string | null, host: string): Promise<{ urls: string[]; foreign: number }> {
  const all = runId ? await listChangedUrls(runId) : [];
  const urls = all.filter((u) => {
    try {
      return new URL(u).host === host;
    } catch {
      return false;
    }
  });
  return { urls, foreign: all.length - urls.length };
}

/** Step 2 (module doc): key, robots.txt check, key file check. */
export async function prepareSubmission(batchId: string): Promise<PreparedSubmission> {
  const head = await batchHead(batchId);
  const sm = await getSubmitSitemap(head.sitemapId);
  const key = await ensureIndexNowKey(sm.id);
  const info = keyInfoFor(sm.startUrl, key);
  const endpoints = indexNowEndpoints();
  const { urls, foreign } = await submittableUrls(head.runId, info.host);
  const fetcher = checksFetcher();
  try {
    // robots.txt: the Sitemap: line of the published sitemap (what the batch submits about).
    const publishedOfRun = head.runId ? { id: sm.id, publishedRunId: head.runId } : sm;
    const sitemapUrl = (await sitemapPublicUrl(publishedOfRun)) ?? (await sitemapPublicUrl(sm));
    if (sitemapUrl) {
      const robots = await checkRobots({ siteUrl: sm.startUrl, sitemapUrl, urls, fetcher });
      await insertSubmission({
        sitemapId: sm.id,
        runId: head.runId,
        batchId,
        engine: "robots.txt",
        endpoint: robots.url,
        status: robots.sitemapLinePresent && !robots.sitemapDisallowed ? "ok" : "failed",
        httpStatus: robots.httpStatus,
        urlCount: 0,
        durationMs: robots.durationMs,
        attempts: 1,
        message: robots.message,
      });
    }
    if (urls.length === 0) {
      await insertSubmission({
        sitemapId: sm.id,
        runId: head.runId,
        batchId,
        engine: "indexnow",
        endpoint: endpoints.join(", "),
        status: "skipped",
        attempts: 0,
        message: `No changed URLs on ${info.host} to submit${foreign ? ` (${foreign} on other hosts left out)` : ""}.`,
      });
      return { sitemapId: sm.id, runId: head.runId, chunks: 0, endpoints, keyOk: true, urlCount: 0 };
    }
    const keyFile = await checkKeyFile(info, fetcher);
    if (!keyFile.ok) {
      await insertSubmission({
        sitemapId: sm.id,
        runId: head.runId,
        batchId,
        engine: "indexnow-key",
        endpoint: info.keyLocation,
        status: "failed",
        httpStatus: keyFile.httpStatus,
        urlCount: urls.length,
        durationMs: keyFile.durationMs,
        attempts: 1,
        message: `${keyFile.message} Nothing was sent to IndexNow.`,
      });
      return { sitemapId: sm.id, runId: head.runId, chunks: 0, endpoints, keyOk: false, urlCount: urls.length };
    }
    return { sitemapId: sm.id, runId: head.runId, chunks: Math.ceil(urls.length / INDEXNOW_MAX_URLS_PER_REQUEST), endpoints, keyOk: true, urlCount: urls.length };
  } finally {
    await fetcher.close();
  }
}

/** What a send step returns: final (the row is written), or retry after `delayMs` (nothing written yet). */
export type ChunkOutcome = { status: "ok" | "failed" } | { status: "retry"; delayMs: number; startedAt: number };

/**
 * Step 3 (module doc): attempt `attempt` (default 1) of request `index` (0-based, ≤ 10,000 URLs) of the batch to
 * `endpoint`. `startedAt` (epoch ms) is the first attempt's start, handed back by a `retry` answer.
 */
export async function sendSubmissionChunk(
  batchId: string,
  endpoint: string,
  index: number,
  opts: SendOptions & { attempt?: number; startedAt?: number } = {},
): Promise<ChunkOutcome> {
  const { attempt = 1, startedAt = Date.now(), ...sendOpts } = opts;
  const head = await batchHead(batchId);
  const sm = await getSubmitSitemap(head.sitemapId);
  const info = keyInfoFor(sm.startUrl, sm.indexNowKey!);
  const { urls, foreign } = await submittableUrls(head.runId, info.host);
  const urlList = batchUrls(urls)[index] ?? [];
  const r = await attemptIndexNow(endpoint, { host: info.host, key: info.key, keyLocation: info.keyLocation, urlList }, { ...sendOptionsFromEnv(), ...sendOpts, attempt });
  if (r.outcome === "retry") return { status: "retry", delayMs: r.retryInMs!, startedAt };
  const note = index === 0 && foreign ? ` (${foreign} URL(s) on other hosts left out)` : "";
  await insertSubmission({
    sitemapId: sm.id,
    runId: head.runId,
    batchId,
    engine: engineName(endpoint),
    endpoint,
    status: r.outcome,
    httpStatus: r.httpStatus,
    urlCount: urlList.length,
    durationMs: Date.now() - startedAt,
    attempts: attempt,
    message: `Request ${index + 1}: ${r.message}${note}`,
  });
  return { status: r.outcome };
}

/** Step 4 (module doc). Returns the final batch status. */
export async function finishSubmission(batchId: string): Promise<"ok" | "failed"> {
  const head = await batchHead(batchId);
  const rows = await listBatchEntries(batchId);
  const sends = rows.filter((r) => r.engine.startsWith("indexnow"));
  const failed = sends.filter((r) => r.status === "failed");
  const sent = sends.filter((r) => r.engine.startsWith("indexnow:") && r.status === "ok").reduce((n, r) => n + r.urlCount, 0);
  const robots = rows.find((r) => r.engine === "robots.txt");
  const status = failed.length ? "failed" : "ok";
  const message =
    (failed.length ? `${failed.length} of ${sends.length} IndexNow entr${sends.length === 1 ? "y" : "ies"} failed. ` : "") +
    `${sent} URL submission(s) accepted.` +
    (robots ? ` robots.txt: ${robots.status === "ok" ? "Sitemap: line present" : "Sitemap: line missing or robots.txt unreadable"}.` : "");
  await finishBatchHead(head.id, { status, message, durationMs: Date.now() - head.createdAt.getTime() });
  const sm = await getSubmitSitemap(head.sitemapId).catch(() => null);
  if (sm) {
    await emitWebhookEvent({
      userId: sm.userId,
      event: "submission.completed",
      key: batchId,
      data: { batchId, sitemapId: head.sitemapId, runId: head.runId, status, urlCount: head.urlCount, urlsAccepted: sent, message },
    });
  }
  return status;
}
