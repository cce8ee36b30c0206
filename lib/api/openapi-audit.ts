/**
 * OpenAPI area: the audit of a site's own sitemaps (GET /api/v1/runs/{id}/audit, lib/api/audit.ts). Schemas come
 * from lib/schemas/audit.ts.
 */
import { z } from "zod";
import { ZRunAuditFindingDto, ZRunAuditSummaryDto } from "@/lib/schemas/audit";
import { AUDIT_FINDING_KINDS } from "@/lib/crawl/site-audit";
import type { OpenApiArea } from "./openapi-areas";
import { COMMON, LIST_QUERY_ERRORS, type Endpoint } from "./openapi-common";
import { ZListGrammarQuery } from "./openapi-core-v2";

const endpoints: Endpoint[] = [
  { method: "GET", path: "/api/v1/runs/{id}/audit",
    summary: "Findings of the audit of the site's own sitemaps (robots.txt Sitemap: lines, else /sitemap.xml) against the run's crawl: sitemap errors, URLs of their sitemap that are not indexable (with the reason), not crawled or orphans, and indexable pages their sitemap lacks. List grammar (default url:asc; filter by kind, reason, url); `summary` is null until the audit is stored. `?format=csv` or `Accept: text/csv` streams the whole filtered list as CSV.",
    access: "read",
    query: ZListGrammarQuery.extend({
      kind: z.enum(AUDIT_FINDING_KINDS).optional().describe("Shorthand of filter[kind]="),
      format: z.enum(["json", "csv"]).optional().describe("csv: the whole filtered list as text/csv (also Accept: text/csv)"),
    }),
    success: [{ status: 200, description: "A page of findings with the audit summary, or the CSV.", list: "RunAuditFinding", listSummary: "RunAuditSummary", csv: true }],
    errors: [...COMMON, "not_found", ...LIST_QUERY_ERRORS] },
];

export const AUDIT_AREA: OpenApiArea = {
  schemas: {
    RunAuditFinding: [ZRunAuditFindingDto, "output"],
    RunAuditSummary: [ZRunAuditSummaryDto, "output"],
  },
  endpoints,
};
