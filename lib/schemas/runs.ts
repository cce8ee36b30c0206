/**
 * Run DTO: what /api/v1 returns for a run (one crawl + export of a sitemap). Timestamps are ISO 8601 UTC strings.
 * Counts: pages (fetched HTML/other responses), URLs (listed in the sitemap / left out), bytes (published files).
 */
import { z } from "zod";

export const RUN_STATUSES = ["queued", "running", "succeeded", "failed", "cancelled"] as const;
export const RUN_TRIGGERS = ["dashboard", "api", "schedule", "cli"] as const;

export const ZRunDto = z.object({
  id: z.string(),
  sitemapId: z.string(),
  status: z.enum(RUN_STATUSES),
  trigger: z.enum(RUN_TRIGGERS),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  progress: z.object({
    pagesFetched: z.number().int(),
    pagesQueued: z.number().int(),
    urlsListed: z.number().int(),
    urlsExcluded: z.number().int(),
  }),
  excludedByReason: z.record(z.string(), z.number().int()),
  bytesWritten: z.number().int(),
  filesWritten: z.number().int(),
  error: z.string().nullable(),
});
export type TRunDto = z.infer<typeof ZRunDto>;

export const isActiveRun = (r: Pick<TRunDto, "status">) => r.status === "queued" || r.status === "running";
