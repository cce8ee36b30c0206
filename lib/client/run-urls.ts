"use client";
/**
 * Queries of the dashboard run page: one page of a run's URL inventory (GET /api/v1/runs/{id}/urls) and one page of
 * its changes against the previously published run (GET /api/v1/runs/{id}/changes), both under the one list grammar
 * (filter[…], size, cursor; keyset pages, so the page keeps a stack of cursors for Previous).
 *
 * The inventory's filters and order live in the page's query string
 * (`?listed=excluded&reason=redirect&status=404&q=…&sort=inlinks:desc`), so a reason in the excluded-by-reason table is
 * a plain link to the filtered table; `runUrlFiltersFrom` and `runUrlFiltersSearch` translate between that query
 * string and `RunUrlFilters`.
 */
import { useQuery } from "@tanstack/react-query";
import { EXCLUSION_REASONS } from "@/lib/core/types";
import type { TDuplicateClusterDto, TRunUrlDto } from "@/lib/schemas/run-urls";
import type { TRunChangeDto } from "@/lib/schemas/runs";
import { apiFetchPage } from "./api";
import { runKeys } from "./runs";

export type { TDuplicateClusterDto, TRunChangeDto };
export type ChangeKind = TRunChangeDto["kind"];

/** One row of a run's URL inventory (lib/schemas/run-urls.ts ZRunUrlDto). */
export type RunUrlRow = TRunUrlDto;

/** `url` without `origin` when it starts with it ("/docs/a.html"), else the whole URL. */
export function shortUrl(url: string, origin: string | null): string {
  return origin && url.startsWith(`${origin}/`) ? url.slice(origin.length) : url;
}

/**
 * A line under the reason: the target of a redirect (and its kind), of a canonical or the URL kept instead of a
 * duplicate; the robots.txt rule that matched (with its line); where a noindex came from.
 */
export function reasonDetail(detail: RunUrlRow["detail"]): string | null {
  if (!detail) return null;
  if (detail.target) return `→ ${detail.target}${detail.redirectKind === "meta_refresh" ? " (meta refresh)" : ""}`;
  if (detail.robotsRule) return `${detail.robotsRule}${detail.robotsLine !== undefined ? ` (robots.txt line ${detail.robotsLine})` : ""}`;
  if (detail.noindex?.length) return `noindex from ${detail.noindex.map((n) => (n === "meta" ? "the meta tag" : "X-Robots-Tag")).join(" and ")}`;
  return null;
}

/** Orders of the URL table (list grammar `sort`), the first the default; labels for the table's select. */
export const RUN_URL_SORTS = [
  { value: "url:asc", label: "URL (A–Z)" },
  { value: "inlinks:desc", label: "Most inlinks" },
  { value: "depth:asc", label: "Depth (shallowest)" },
  { value: "depth:desc", label: "Depth (deepest)" },
  { value: "status:desc", label: "HTTP status (highest)" },
] as const;
export type RunUrlSort = (typeof RUN_URL_SORTS)[number]["value"];
const isRunUrlSort = (v: string | null): v is RunUrlSort => RUN_URL_SORTS.some((s) => s.value === v);

/**
 * Filters and order of the URL table; empty strings mean "any". `status` is an HTTP status code as typed (digits
 * only); `sort` "" is URL order.
 */
export type RunUrlFilters = { listed: "" | "listed" | "excluded"; reason: string; status: string; q: string; sort?: RunUrlSort | ""; cluster?: string };

export const EMPTY_RUN_URL_FILTERS: RunUrlFilters = { listed: "", reason: "", status: "", q: "", sort: "", cluster: "" };

/** Rows per page of the URL table and of the changes list; clusters per page of the duplicates and URLs shown per cluster. */
export const RUN_URLS_PAGE_SIZE = 50;
export const RUN_CHANGES_PAGE_SIZE = 20;
export const RUN_DUPLICATES_PAGE_SIZE = 10;
export const RUN_DUPLICATE_MEMBERS = 10;

/** A duplicate cluster id: the hex sha256 of a main content (lib/db/run-urls.ts). */
const CLUSTER_ID = /^[0-9a-f]{64}$/;

/** The filters named by the page's query string; unknown or malformed values are ignored (read as "any"). */
export function runUrlFiltersFrom(params: URLSearchParams): RunUrlFilters {
  const listed = params.get("listed");
  const status = params.get("status") ?? "";
  return {
    listed: listed === "listed" || listed === "excluded" ? listed : "",
    reason: (EXCLUSION_REASONS as readonly string[]).includes(params.get("reason") ?? "") ? params.get("reason")! : "",
    status: /^\d{3}$/.test(status) ? status : "",
    q: params.get("q") ?? "",
    sort: isRunUrlSort(params.get("sort")) && params.get("sort") !== "url:asc" ? (params.get("sort") as RunUrlSort) : "",
    cluster: CLUSTER_ID.test(params.get("cluster") ?? "") ? params.get("cluster")! : "",
  };
}

/** The page query string for `filters` ("" when no filter is set), the inverse of runUrlFiltersFrom. */
export function runUrlFiltersSearch(filters: RunUrlFilters): string {
  const p = new URLSearchParams();
  if (filters.listed) p.set("listed", filters.listed);
  if (filters.reason) p.set("reason", filters.reason);
  if (/^\d{3}$/.test(filters.status)) p.set("status", filters.status);
  if (filters.q.trim()) p.set("q", filters.q.trim());
  if (filters.sort && filters.sort !== "url:asc") p.set("sort", filters.sort);
  if (filters.cluster && CLUSTER_ID.test(filters.cluster)) p.set("cluster", filters.cluster);
  const s = p.toString();
  return s ? `?${s}` : "";
}

/** The dashboard run page of `runId`; with filters, its URL table filtered by them (and scrolled to: `#run-urls`). */
export function runPageHref(runId: string, filters?: Partial<RunUrlFilters>): string {
  const search = filters ? runUrlFiltersSearch({ ...EMPTY_RUN_URL_FILTERS, ...filters }) : "";
  return `/dashboard/runs/${encodeURIComponent(runId)}${search}${search ? "#run-urls" : ""}`;
}

/** The list-grammar filters of GET /api/v1/runs/{id}/urls for `f` (a reason implies "excluded"). */
function inventoryParams(f: RunUrlFilters): URLSearchParams {
  const p = new URLSearchParams();
  if (f.reason) p.set("filter[reason]", f.reason);
  else if (f.listed) p.set("filter[listed]", f.listed === "listed" ? "true" : "false");
  if (/^\d{3}$/.test(f.status)) p.set("filter[status]", f.status);
  if (f.q.trim()) p.set("filter[url][contains]", f.q.trim());
  if (f.cluster && CLUSTER_ID.test(f.cluster)) p.set("filter[cluster]", f.cluster);
  return p;
}

const runBase = (runId: string) => `/api/v1/runs/${encodeURIComponent(runId)}`;

/** GET /api/v1/runs/{id}/urls path for one page: `filters` in their order, `size` rows, after `cursor` when given. */
export function runUrlsPath(runId: string, filters: RunUrlFilters, cursor: string | null, size = RUN_URLS_PAGE_SIZE): string {
  const p = inventoryParams(filters);
  p.set("sort", filters.sort || "url:asc");
  p.set("size", String(size));
  if (cursor) p.set("cursor", cursor);
  return `${runBase(runId)}/urls?${p.toString()}`;
}

/** The CSV download of the whole inventory under `filters`, in their order (`?format=csv`: every page, streamed). */
export function runUrlsCsvHref(runId: string, filters: RunUrlFilters): string {
  const p = inventoryParams(filters);
  p.set("sort", filters.sort || "url:asc");
  p.set("format", "csv");
  return `${runBase(runId)}/urls?${p.toString()}`;
}

/** GET /api/v1/runs/{id}/changes path for one page of `kind` (all kinds when null), in URL order. */
export function runChangesPath(runId: string, kind: ChangeKind | null, cursor: string | null, size = RUN_CHANGES_PAGE_SIZE): string {
  const p = new URLSearchParams();
  if (kind) p.set("filter[kind]", kind);
  p.set("size", String(size));
  if (cursor) p.set("cursor", cursor);
  return `${runBase(runId)}/changes?${p.toString()}`;
}

/**
 * One page of a run's URL inventory. While the run is active the page is refetched every 3 s (the crawl records
 * URLs as it goes); the previous page stays on screen while the next one loads.
 */
export function useRunUrls(runId: string, filters: RunUrlFilters, cursor: string | null, active: boolean) {
  return useQuery({
    // `active` is part of the key: the first read after the run ends is a fresh one, not the last live page.
    queryKey: [...runKeys.detail(runId), "urls", filters, cursor, active] as const,
    queryFn: ({ signal }) => apiFetchPage<RunUrlRow>(runUrlsPath(runId, filters, cursor), { signal }),
    placeholderData: (prev) => prev,
    refetchInterval: active ? 3_000 : false,
  });
}

/** One page of a run's changes (added / removed / changed URLs), fetched only when `enabled` (the run has ended). */
export function useRunChanges(runId: string, kind: ChangeKind | null, cursor: string | null, enabled: boolean) {
  return useQuery({
    queryKey: [...runKeys.detail(runId), "changes", kind, cursor] as const,
    queryFn: ({ signal }) => apiFetchPage<TRunChangeDto>(runChangesPath(runId, kind, cursor), { signal }),
    placeholderData: (prev) => prev,
    enabled,
  });
}

/** GET /api/v1/runs/{id}/duplicates path for one page: largest clusters first, `members` URLs each, after `cursor`. */
export function runDuplicatesPath(runId: string, cursor: string | null, size = RUN_DUPLICATES_PAGE_SIZE, members = RUN_DUPLICATE_MEMBERS): string {
  const p = new URLSearchParams({ sort: "size:desc", size: String(size), members: String(members) });
  if (cursor) p.set("cursor", cursor);
  return `${runBase(runId)}/duplicates?${p.toString()}`;
}

/** One page of a run's duplicate clusters (server-side keyset pages), fetched only when `enabled` (the run has ended). */
export function useRunDuplicates(runId: string, cursor: string | null, enabled: boolean) {
  return useQuery({
    queryKey: [...runKeys.detail(runId), "duplicates", cursor] as const,
    queryFn: ({ signal }) => apiFetchPage<TDuplicateClusterDto>(runDuplicatesPath(runId, cursor), { signal }),
    placeholderData: (prev) => prev,
    enabled,
  });
}
