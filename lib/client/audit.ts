"use client";
/**
 * The audit of a site's own sitemaps for the dashboard: one page of GET /api/v1/runs/{id}/audit (findings under the
 * list grammar, with the audit summary) per query, keyed by run, kind filter and cursor; the CSV download URL.
 */
import { useQuery } from "@tanstack/react-query";
import type { TRunAuditFindingDto, TRunAuditSummaryDto } from "@/lib/schemas/audit";

export type { TRunAuditFindingDto, TRunAuditSummaryDto };
export type AuditPage = { data: TRunAuditFindingDto[]; next_cursor: string | null; summary: TRunAuditSummaryDto | null };

export const auditKeys = {
  all: ["run-audit"] as const,
  page: (runId: string, kind: string, cursor: string | null) => [...auditKeys.all, runId, kind, cursor] as const,
};

/** The endpoint's path for `runId`, a kind filter ("" = all), a cursor and a format. */
export function auditPath(runId: string, kind: string, cursor: string | null, format: "json" | "csv" = "json"): string {
  const p = new URLSearchParams({ size: "50" });
  if (kind) p.set("kind", kind);
  if (cursor) p.set("cursor", cursor);
  if (format === "csv") {
    p.delete("size");
    p.set("format", "csv");
  }
  return `/api/v1/runs/${encodeURIComponent(runId)}/audit?${p}`;
}

async function fetchAuditPage(path: string, signal: AbortSignal): Promise<AuditPage> {
  // The list body carries `summary` next to data/next_cursor, which apiFetchPage drops: read it whole.
  const res = await fetch(path, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store", signal });
  const json = (await res.json().catch(() => null)) as (AuditPage & { error?: { message?: string } }) | null;
  if (!res.ok || !json) throw new Error(json?.error?.message ?? `The server answered ${res.status}.`);
  return { data: json.data ?? [], next_cursor: json.next_cursor ?? null, summary: json.summary ?? null };
}

/** One page of a run's audit findings (and the summary). */
export function useRunAudit(runId: string, kind: string, cursor: string | null) {
  return useQuery({
    queryKey: auditKeys.page(runId, kind, cursor),
    queryFn: ({ signal }) => fetchAuditPage(auditPath(runId, kind, cursor), signal),
  });
}
