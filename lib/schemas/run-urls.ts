/**
 * DTOs of a run's URL inventory (GET /api/v1/runs/{id}/urls) and its duplicate clusters (GET /api/v1/runs/{id}/duplicates).
 * Timestamps are ISO 8601 UTC strings; `url`, `foundOn`, `target` are absolute URLs as the crawler normalised them.
 */
import { z } from "zod";
import { EXCLUSION_REASONS } from "@/lib/core/types";

/** Columns of the CSV form of the inventory, in order (lib/core/inventory-csv.ts). */
export { INVENTORY_CSV_COLUMNS } from "@/lib/core/inventory-csv";

export const ZUrlDetailDto = z
  .object({
    target: z.string().optional().describe("canonical_elsewhere: the canonical URL; redirect: the target; duplicate: the URL listed instead"),
    redirectKind: z.enum(["http", "meta_refresh"]).optional().describe("redirect: an HTTP 3xx or an instant meta refresh"),
    robotsRule: z.string().optional().describe("robots_disallowed: the robots.txt rule that matched, as written (Disallow: /private/)"),
    robotsLine: z.number().int().optional().describe("robots_disallowed: its 1-based line in robots.txt"),
    noindex: z.array(z.enum(["meta", "x-robots-tag"])).optional().describe("where a noindex came from: the robots meta tag, the X-Robots-Tag header, or both"),
  })
  .describe("What explains the reason; null when there is nothing to add");

export const ZRunUrlDto = z.object({
  url: z.string(),
  status: z.number().int().nullable().describe("HTTP status of the URL's own response; null when it was never fetched"),
  listed: z.boolean().describe("true: in the run's sitemap"),
  reason: z.enum(EXCLUSION_REASONS).nullable().describe("Why it is left out (null when listed)"),
  detail: ZUrlDetailDto.nullable(),
  depth: z.number().int().describe("Link distance from the nearest seed (start URL = 0)"),
  foundOn: z.string().nullable().describe("The first page whose links led the crawl here; null for seeds"),
  inlinks: z.number().int().describe("Distinct crawled pages linking here"),
  contentType: z.string().nullable().describe("Media type of the response, without parameters"),
  lastmod: z.string().nullable(),
  lastmodSource: z.enum(["content", "server"]).nullable().describe("content: first seen with this main content; server: Last-Modified"),
  cluster: z.string().nullable().describe("Duplicate cluster id (the main-content hash shared with other URLs of the run), or null"),
  published: z.boolean().describe("true: the URL is in the sitemap's published files (those of the published run)"),
});
export type TRunUrlDto = z.infer<typeof ZRunUrlDto>;

export const ZDuplicateMemberDto = z.object({
  url: z.string(),
  status: z.number().int().nullable(),
  listed: z.boolean(),
  reason: z.enum(EXCLUSION_REASONS).nullable(),
  inlinks: z.number().int(),
  depth: z.number().int(),
});

export const ZDuplicateClusterDto = z.object({
  id: z.string().describe("Cluster id: the main-content hash (hex sha256) its URLs share"),
  size: z.number().int().describe("URLs of the run in the cluster (≥ 2)"),
  listed: z.number().int().describe("How many of them the run lists"),
  kept: z.string().describe("The URL collapseDuplicates lists (or listed): most inlinks, then shortest, then byte order"),
  urls: z.array(ZDuplicateMemberDto).describe("Its URLs in that order, at most `members` (default 20)"),
});
export type TDuplicateClusterDto = z.infer<typeof ZDuplicateClusterDto>;

export const ZRunUrlsQuery = z.object({
  size: z.number().int().min(1).max(300).optional().describe("Page size 1..300 (alias limit), default 20; ignored for CSV"),
  cursor: z.string().optional().describe("next_cursor of the previous page (alias pageToken); CSV starts there"),
  sort: z.string().optional().describe("url (default), depth, status, inlinks, lastmod, contentType, foundOn: field:asc|desc"),
  "filter[field][op]": z
    .string()
    .optional()
    .describe(
      "Filters: listed (true|false), reason, status, depth, contentType, url (contains: substring, case-insensitive, % and _ literal), " +
        "foundOn, inlinks, lastmod, lastmodSource, cluster (a cluster id), published (true|false)",
    ),
  format: z.enum(["json", "csv"]).optional().describe("csv: the whole inventory (every page, same filters and sort) as RFC 4180 CSV; also Accept: text/csv"),
});

export const ZDuplicatesQuery = z.object({
  size: z.number().int().min(1).max(300).optional().describe("Page size 1..300, default 20"),
  cursor: z.string().optional(),
  sort: z.string().optional().describe("size (default size:desc) or id"),
  "filter[size][op]": z.string().optional().describe("Cluster size, eq|ne|lt|lte|gt|gte"),
  members: z.number().int().min(1).max(100).optional().describe("URLs shown per cluster, 1..100, default 20"),
});
