/**
 * OpenAPI area: the URL inventory of a run (GET /api/v1/runs/{id}/urls, JSON or CSV) and its duplicate clusters
 * (GET /api/v1/runs/{id}/duplicates). Schemas come from lib/schemas/run-urls.ts; behaviour in lib/api/run-urls.ts.
 */
import { ZDuplicateClusterDto, ZDuplicatesQuery, ZRunUrlDto, ZRunUrlsQuery } from "@/lib/schemas/run-urls";
import type { OpenApiArea } from "./openapi-areas";
import { COMMON, list, LIST_QUERY_ERRORS } from "./openapi-common";

const GRAMMAR_NOTE = " Query errors (list grammar) are 400: syntax_error, unknown_field, unknown_operation, invalid_value.";

export const INVENTORY_AREA: OpenApiArea = {
  schemas: {
    RunUrl: [ZRunUrlDto, "output"],
    DuplicateCluster: [ZDuplicateClusterDto, "output"],
  },
  endpoints: [
    { method: "GET", path: "/api/v1/runs/{id}/urls",
      summary: "Every URL the run met: listed, or left out with its reason and detail (canonical or redirect target and kind, the robots.txt rule, where the noindex came from), status, depth, found on, inlinks, content type, lastmod and its source, duplicate cluster, in the published files or not. Sort url (default), depth, status, inlinks, lastmod, contentType, foundOn. `Accept: text/csv` or `?format=csv`: the whole inventory (every page, same filters and sort) as RFC 4180 CSV, streamed; cells starting with = + - @ (or tab, CR) get a leading ' (formula guard)." + GRAMMAR_NOTE,
      access: "read", query: ZRunUrlsQuery,
      success: [list("RunUrl", "A page of URLs."), { status: 200, description: "With Accept: text/csv or ?format=csv: the whole inventory.", media: "text/csv" }],
      errors: [...COMMON, "not_found", ...LIST_QUERY_ERRORS] },
    { method: "GET", path: "/api/v1/runs/{id}/duplicates",
      summary: "The run's duplicate clusters: URLs whose main content is identical (same content hash), largest first (sort size or id; filter[size]), each with its kept URL (most inlinks, then shortest, then byte order) and its first `members` URLs." + GRAMMAR_NOTE,
      access: "read", query: ZDuplicatesQuery,
      success: [list("DuplicateCluster", "A page of clusters.")],
      errors: [...COMMON, "not_found", ...LIST_QUERY_ERRORS] },
  ],
};
