/**
 * Submissions (table Submission): the log of a search-engine submission batch (lib/submit/submit.ts). One `batch`
 * row per batch (its status is the batch's), plus one row per check or request (engine `robots.txt`,
 * `indexnow-key`, `indexnow`, `indexnow:<host>`), and the sitemap fields a batch reads (IndexNow key, start URL).
 * toSubmissionDto is the one API mapper of a row. Errors: database errors reject; `*OrThrow` reads reject when the
 * row is missing (a job step then fails and is retried).
 */
import type { Prisma, Submission } from "@/generated/prisma/client";
import type { TSubmissionDto } from "@/lib/schemas/submissions";
import { getDb } from "./client";

export type SubmissionRow = Submission;

/** API shape of a Submission row (a log entry). */
export function toSubmissionDto(r: SubmissionRow): TSubmissionDto {
  return {
    id: r.id,
    batchId: r.batchId,
    sitemapId: r.sitemapId,
    runId: r.runId,
    engine: r.engine,
    endpoint: r.endpoint,
    status: r.status as TSubmissionDto["status"],
    httpStatus: r.httpStatus,
    urlCount: r.urlCount,
    durationMs: r.durationMs,
    attempts: r.attempts,
    message: r.message,
    createdAt: r.createdAt.toISOString(),
  };
}

/** A new log row (`id`, `createdAt` generated). */
export type NewSubmission = Omit<Prisma.SubmissionUncheckedCreateInput, "id" | "createdAt">;

/** Appends one row to the submission log. */
export async function insertSubmission(data: NewSubmission): Promise<void> {
  await getDb().submission.create({ data });
}

/** Marks the batch row of `batchId` failed with `message`. */
export async function failSubmissionBatch(batchId: string, message: string): Promise<void> {
  await getDb().submission.updateMany({ where: { batchId, engine: "batch" }, data: { status: "failed", message } });
}

/** Marks the batch row of `batchId` failed with `message` if it is still pending (a failed job's last word). */
export async function failPendingSubmissionBatch(batchId: string, message: string): Promise<void> {
  await getDb().submission.updateMany({ where: { batchId, engine: "batch", status: "pending" }, data: { status: "failed", message } });
}

/** Every row of a batch of one of `userId`'s sitemaps, oldest first ([] when none). */
export async function listBatchRows(opts: { userId: string; batchId: string }): Promise<SubmissionRow[]> {
  return getDb().submission.findMany({
    where: { batchId: opts.batchId, sitemap: { userId: opts.userId } },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
}

/** The batch row of `batchId`, or null. */
export async function findBatchHead(batchId: string): Promise<SubmissionRow | null> {
  return getDb().submission.findFirst({ where: { batchId, engine: "batch" } });
}

/** The batch's rows other than the batch row. */
export async function listBatchEntries(batchId: string): Promise<SubmissionRow[]> {
  return getDb().submission.findMany({ where: { batchId, engine: { not: "batch" } } });
}

/** Final status, message and duration (ms) of a batch row. */
export async function finishBatchHead(id: string, r: { status: string; message: string; durationMs: number }): Promise<void> {
  await getDb().submission.update({ where: { id }, data: { ...r, attempts: 1 } });
}

/** One page of the user's submission rows (optionally of one sitemap) under a parsed list query. */
export async function querySubmissions(opts: {
  userId: string;
  sitemapId?: string;
  where: Prisma.SubmissionWhereInput;
  orderBy: Prisma.SubmissionOrderByWithRelationInput[];
  take: number;
}): Promise<SubmissionRow[]> {
  return getDb().submission.findMany({
    where: { AND: [{ sitemap: { userId: opts.userId } }, ...(opts.sitemapId ? [{ sitemapId: opts.sitemapId }] : []), opts.where] },
    orderBy: opts.orderBy,
    take: opts.take,
  });
}

/** The fields of a sitemap a submission reads. */
export type SubmitSitemap = { id: string; userId: string; startUrl: string; publishedRunId: string | null; indexNowKey: string | null };
const submitSelect = { id: true, userId: true, startUrl: true, publishedRunId: true, indexNowKey: true } as const;

/** The sitemap `sitemapId` if it is `userId`'s, else null. */
export async function findSubmitSitemap(opts: { userId: string; sitemapId: string }): Promise<SubmitSitemap | null> {
  return getDb().sitemap.findFirst({ where: { id: opts.sitemapId, userId: opts.userId }, select: submitSelect });
}

/** The sitemap `sitemapId` (any owner: job steps); rejects when it is gone. */
export async function getSubmitSitemap(sitemapId: string): Promise<SubmitSitemap> {
  return getDb().sitemap.findUniqueOrThrow({ where: { id: sitemapId }, select: submitSelect });
}

/**
 * The sitemap's IndexNow key, stored with `generate()` on first use. Concurrent first uses keep one key: the write
 * only fills a null key, and the stored one is read back.
 */
export async function ensureSitemapIndexNowKey(sitemapId: string, generate: () => string): Promise<string> {
  const db = getDb();
  const sm = await db.sitemap.findUniqueOrThrow({ where: { id: sitemapId }, select: { indexNowKey: true } });
  if (sm.indexNowKey) return sm.indexNowKey;
  await db.sitemap.updateMany({ where: { id: sitemapId, indexNowKey: null }, data: { indexNowKey: generate() } });
  return (await db.sitemap.findUniqueOrThrow({ where: { id: sitemapId }, select: { indexNowKey: true } })).indexNowKey!;
}

/** Changed URLs of a run (RunChange: added, changed, removed), in URL order. */
export async function listChangedUrls(runId: string): Promise<string[]> {
  const rows = await getDb().runChange.findMany({ where: { runId }, select: { url: true }, orderBy: { url: "asc" } });
  return rows.map((r) => r.url);
}

/** The number of changed URLs of a run. */
export async function countChangedUrls(runId: string): Promise<number> {
  return getDb().runChange.count({ where: { runId } });
}
