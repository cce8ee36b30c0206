/**
 * Run DTO: what /api/v1 returns for a run (one crawl + export of a sitemap). Timestamps are ISO 8601 UTC strings.
 * Counts: pages (fetched HTML/other responses), URLs (listed in the sitemap / left out), bytes (published files).
 * `diff`: URLs added, removed and changed (main-content hash differs) compared with the run that was published when
 * this run crawled (a first run lists every URL as added); all 0 until the crawl step has finished. The URLs
 * themselves: GET /api/v1/runs/{id}/changes.
 * Status `held`: the crawl finished but the publish guard (Sitemap.publishGuard) kept its files from being published,
 * because it lists too few URLs compared with the published run; `heldReason` says why in words, `heldDetail` gives
 * the counts. The previous files stay served; POST /api/v1/runs/{id}/publish publishes the run anyway.
 */
import { z } from "zod";
import { ZRunAuditBriefDto } from "./audit";
import { RUN_ERROR_CODE_LIST, RUN_WARNING_LIST, type RunErrorCode, type RunWarning } from "@/lib/core/run-outcome";

export const RUN_STATUSES = ["queued", "running", "succeeded", "failed", "cancelled", "held"] as const;

/**
 * Why the publish guard held a run: `publishedCount` URLs listed by the published run `publishedRunId`, `newCount`
 * listed by this run, `dropRatio` = 1 − newCount / publishedCount (0..1), over the sitemap's `publishGuard` then.
 */
export const ZHeldDetail = z.object({
  publishedRunId: z.string(),
  publishedCount: z.number().int(),
  newCount: z.number().int(),
  dropRatio: z.number(),
  publishGuard: z.number(),
});
export type THeldDetail = z.infer<typeof ZHeldDetail>;
export const RUN_TRIGGERS = ["dashboard", "api", "schedule", "cli", "import"] as const;
export const RUN_KINDS = ["crawl", "export"] as const;

export const ZRunDto = z.object({
  id: z.string(),
  /** Numeric id (the shop API's protocolId). */
  number: z.number().int(),
  sitemapId: z.string(),
  status: z.enum(RUN_STATUSES),
  trigger: z.enum(RUN_TRIGGERS),
  /**
   * "crawl": crawls the site, then exports; "export": an export-only run that republishes the stored inventory plus
   * pushed URLs without fetching the site (lib/runs/export-only.ts; pages fetched stay 0).
   */
  kind: z.enum(RUN_KINDS),
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
  /**
   * <loc> entries in the urlset files the run wrote: the listed URLs plus pushed URLs (so it can exceed
   * `progress.urlsListed`, which counts the crawl's listed URLs); null until the run's export wrote its files.
   */
  urlsWritten: z.number().int().nullable(),
  diff: z.object({ added: z.number().int(), removed: z.number().int(), changed: z.number().int() }),
  /** A failed or cancelled run's message (a sentence), else null. */
  error: z.string().nullable(),
  /** A failed run's cause as a machine code (docs/api-core.md lists them), else null. */
  errorCode: z.enum(RUN_ERROR_CODE_LIST as [RunErrorCode, ...RunErrorCode[]]).nullable(),
  /** What to do about the failure, else null. */
  errorHint: z.string().nullable(),
  /**
   * The failure's facts, per code: `{ url, host, port, cause }` (network causes), `{ status }`
   * (start_url_http_error, robots_5xx), `{ target, suggestedStartUrl }` (start_url_redirect_off_origin),
   * `{ urlsExcluded, topReasons: [{ reason, count }] }` (all_excluded); else null.
   */
  errorDetail: z.record(z.string(), z.unknown()).nullable(),
  /**
   * Why a run may be incomplete although it succeeded: max_pages_reached, max_depth_reached, crawl_trap_capped,
   * time_budget_reached. Empty for a complete crawl.
   */
  warnings: z.array(z.enum(RUN_WARNING_LIST as [RunWarning, ...RunWarning[]])),
  /** Sub-scope keys the run was requested for (empty = the whole site). */
  subScopes: z.array(z.string()),
  /** When a cancel was requested for a running run (it ends `cancelled` at the crawl's next check), else null. */
  cancelRequestedAt: z.string().nullable(),
  /** The scheduler hour slot (UTC) that started it, for runs with trigger `schedule`; else null. */
  scheduledFor: z.string().nullable(),
  /** For a `held` run: why the publish guard held it (a sentence), else null. */
  heldReason: z.string().nullable(),
  /** For a `held` run: the counts the publish guard compared, else null. */
  heldDetail: ZHeldDetail.nullable(),
  /**
   * The audit of the site's own sitemaps in brief (findings per kind, whether the site publishes a sitemap, the path
   * of the findings: GET /api/v1/runs/{id}/audit); null until the crawl step has stored it.
   */
  audit: ZRunAuditBriefDto.nullable(),
});
export type TRunDto = z.infer<typeof ZRunDto>;

export const CHANGE_KINDS = ["added", "removed", "changed"] as const;

/** One URL of a run's diff (GET /api/v1/runs/{id}/changes). */
export const ZRunChangeDto = z.object({ url: z.string(), kind: z.enum(CHANGE_KINDS) });
export type TRunChangeDto = z.infer<typeof ZRunChangeDto>;


/** Whether the run is still going: status `queued` or `running`. */
export const isActiveRun = (r: Pick<TRunDto, "status">) => r.status === "queued" || r.status === "running";
