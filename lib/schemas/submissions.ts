/**
 * Submission DTOs (POST /api/v1/sitemaps/{id}/submit, the submission log). Timestamps are ISO 8601 UTC strings;
 * durations in ms; urlCount in URLs.
 *
 * One POST /submit is a batch (`batchId`): a `batch` entry (pending → ok | failed, the summary), a `robots.txt`
 * entry (the live `Sitemap:` line check), an `indexnow-key` entry only when the key file is missing, and one
 * `indexnow:<endpoint host>` entry per request (≤ 10,000 URLs) and endpoint, with its HTTP status and attempts.
 * Status: ok | failed | skipped (nothing to do, e.g. no changed URLs) | pending (batch still running).
 */
import { z } from "zod";

export const SUBMISSION_STATUSES = ["ok", "failed", "skipped", "pending"] as const;

export const ZSubmissionDto = z.object({
  id: z.string(),
  batchId: z.string(),
  sitemapId: z.string(),
  runId: z.string().nullable(),
  engine: z.string().describe('"batch", "robots.txt", "indexnow-key" or "indexnow:<endpoint host>"'),
  endpoint: z.string(),
  status: z.enum(SUBMISSION_STATUSES),
  httpStatus: z.number().int().nullable(),
  urlCount: z.number().int(),
  durationMs: z.number().int(),
  attempts: z.number().int(),
  message: z.string().nullable(),
  createdAt: z.string(),
});
export type TSubmissionDto = z.infer<typeof ZSubmissionDto>;

/** A batch: its summary status and every entry (oldest first). */
export const ZSubmissionBatchDto = z.object({
  batchId: z.string(),
  sitemapId: z.string(),
  runId: z.string().nullable(),
  status: z.enum(SUBMISSION_STATUSES),
  urlCount: z.number().int(),
  entries: z.array(ZSubmissionDto),
});
export type TSubmissionBatchDto = z.infer<typeof ZSubmissionBatchDto>;

/** `?wait=0..60` seconds: answer when the batch is finished (200) or after the wait (202, still pending). */
export const ZSubmitQuery = z.object({ wait: z.coerce.number().int().min(0).max(60).optional() });

/** GET /api/v1/sitemaps/{id}/indexnow: what to host on the site. */
export const ZIndexNowInfoDto = z.object({
  key: z.string(),
  host: z.string(),
  keyLocation: z.string().describe("Serve the key file here (UTF-8 text)"),
  fileContent: z.string().describe("Exact content of the key file"),
  endpoints: z.array(z.string()),
  sitemapUrl: z.string().nullable().describe("Public URL of the published sitemap, for the robots.txt Sitemap: line"),
  robotsLine: z.string().nullable(),
});
export type TIndexNowInfoDto = z.infer<typeof ZIndexNowInfoDto>;
