/**
 * DTOs of GET /api/v1/runs/{id}/audit: the findings of the audit of a site's own sitemaps (lib/crawl/site-audit.ts
 * defines the kinds and reasons) and the audit's summary.
 */
import { z } from "zod";
import { AUDIT_FINDING_KINDS } from "@/lib/crawl/site-audit";

export const ZRunAuditFindingDto = z.object({
  url: z.string().describe("The page URL; for sitemap_error the sitemap file's URL"),
  kind: z.enum(AUDIT_FINDING_KINDS).describe("sitemap_error | not_indexable | not_crawled | missing_from_sitemap | orphan"),
  reason: z
    .string()
    .nullable()
    .describe("not_indexable: the exclusion reason (noindex_meta, redirect, http_error, canonical_elsewhere, robots_disallowed, not_html, off_origin, …); sitemap_error: the problem code (http_error, doctype, too_large, not_sitemap, nested_too_deep, too_many_urls, …); else null"),
  detail: z.record(z.string(), z.unknown()).nullable().describe("not_indexable: { status, target }; sitemap_error: { message }; else null"),
});
export type TRunAuditFindingDto = z.infer<typeof ZRunAuditFindingDto>;

export const ZRunAuditSummaryDto = z.object({
  source: z.enum(["robots", "default"]).nullable().describe("robots: robots.txt Sitemap: lines; default: /sitemap.xml; null: none read"),
  found: z.boolean().describe("At least one urlset or sitemapindex was read: the site publishes sitemaps"),
  files: z.array(z.object({ url: z.string(), root: z.string().nullable(), locs: z.number().int() })).describe("Sitemap files fetched"),
  sitemapUrls: z.number().int().describe("Distinct page URLs in the site's sitemaps (at most 200,000 are read)"),
  truncated: z.boolean(),
  counts: z.record(z.enum(AUDIT_FINDING_KINDS), z.number().int()).describe("Findings per kind"),
  createdAt: z.string(),
});
export type TRunAuditSummaryDto = z.infer<typeof ZRunAuditSummaryDto>;

/**
 * The audit's summary inside the run DTO (GET /api/v1/runs/{id}, the runs list) and the run webhooks (run.succeeded,
 * run.failed, run.held): whether the site publishes a sitemap, the findings per kind, their total, and the path of
 * the findings (GET /api/v1/runs/{id}/audit). Null until the audit is stored (a queued or crawling run, a run that
 * failed before its crawl ended).
 */
export const ZRunAuditBriefDto = z.object({
  found: z.boolean().describe("The site publishes sitemaps (at least one urlset or sitemapindex was read)"),
  source: z.enum(["robots", "default"]).nullable().describe("robots: robots.txt Sitemap: lines; default: /sitemap.xml; null: none read"),
  sitemapUrls: z.number().int().describe("Distinct page URLs in the site's sitemaps"),
  counts: z.record(z.enum(AUDIT_FINDING_KINDS), z.number().int()).describe("Findings per kind"),
  issues: z.number().int().describe("All findings (the sum of counts)"),
  href: z.string().describe("Path of the findings: /api/v1/runs/{id}/audit (relative to the app's URL)"),
});
export type TRunAuditBriefDto = z.infer<typeof ZRunAuditBriefDto>;
