"use client";
/**
 * Run queries for the dashboard. A run is polled every second only while it is queued or running; when it
 * finishes, the sitemap's detail, files and run history are refetched so the page shows the published result.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { isActiveRun, type TRunDto } from "@/lib/schemas/runs";
import { apiFetch, apiFetchPage } from "./api";
import { sitemapKeys } from "./sitemaps";

export type { TRunDto };

export const runKeys = {
  all: ["runs"] as const,
  detail: (runId: string) => [...runKeys.all, "detail", runId] as const,
};

export const RUN_POLL_MS = 1_000;

/**
 * Query of one run (GET /api/v1/runs/{id}), disabled without an id. `initial` (a run DTO from the sitemap payload)
 * is shown first but refetched at once; the run is polled every {@link RUN_POLL_MS} ms while active, also in a
 * background tab, and when it stops being active every sitemap query is invalidated.
 */
export function useRun(runId: string | null | undefined, initial?: TRunDto | null) {
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: runKeys.detail(runId ?? "none"),
    queryFn: ({ signal }) => apiFetch<TRunDto>(`/api/v1/runs/${encodeURIComponent(runId!)}`, { signal }),
    enabled: Boolean(runId),
    initialData: initial && initial.id === runId ? initial : undefined,
    // initialData from the sitemap payload may already be stale for an active run: refetch it at once.
    initialDataUpdatedAt: 0,
    staleTime: 0,
    refetchInterval: (q) => (q.state.data && isActiveRun(q.state.data) ? RUN_POLL_MS : false),
    // Keep polling a background tab too: the user expects the finished result when they come back.
    refetchIntervalInBackground: true,
  });

  const run = query.data;
  const wasActive = useRef<boolean | null>(null);
  useEffect(() => {
    if (!run) return;
    const active = isActiveRun(run);
    if (wasActive.current === true && !active) {
      void queryClient.invalidateQueries({ queryKey: sitemapKeys.all });
    }
    wasActive.current = active;
  }, [run, queryClient]);

  return query;
}

/** Filters of the runs log; empty strings mean "any". Dates are YYYY-MM-DD (UTC days, inclusive). */
export type RunFilters = { status: string; trigger: string; sitemapId: string; from: string; to: string; sort: "createdAt:desc" | "createdAt:asc"; size: number };

/** GET /api/v1/runs query string for `filters` and an optional cursor (the list grammar: filter[…], sort, size). */
export function runsQuery(f: RunFilters, cursor: string | null): string {
  const p = new URLSearchParams();
  if (f.status) p.set("filter[status]", f.status);
  if (f.trigger) p.set("filter[trigger]", f.trigger);
  if (f.sitemapId) p.set("filter[sitemapId]", f.sitemapId);
  if (f.from) p.set("filter[createdAt][gte]", `${f.from}T00:00:00.000Z`);
  if (f.to) p.set("filter[createdAt][lt]", new Date(Date.parse(`${f.to}T00:00:00.000Z`) + 86_400_000).toISOString());
  p.set("sort", f.sort);
  p.set("size", String(f.size));
  if (cursor) p.set("cursor", cursor);
  return `/api/v1/runs?${p.toString()}`;
}

/** One page of the runs log; polls every 2 s while a run on the page is queued or running. */
export function useRunsLog(filters: RunFilters, cursor: string | null) {
  return useQuery({
    queryKey: [...runKeys.all, "log", filters, cursor] as const,
    queryFn: ({ signal }) => apiFetchPage<TRunDto>(runsQuery(filters, cursor), { signal }),
    placeholderData: (prev) => prev,
    refetchInterval: (q) => (q.state.data?.data.some(isActiveRun) ? 2_000 : false),
  });
}

/** POST /api/v1/runs/{id}/publish: publishes a run the publish guard held (200 succeeded; 409 when not held or superseded). */
export function usePublishRun() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (runId: string) => apiFetch<TRunDto>(`/api/v1/runs/${encodeURIComponent(runId)}/publish`, { method: "POST" }),
    onSuccess: (run) => {
      queryClient.setQueryData(runKeys.detail(run.id), run);
      return Promise.all([queryClient.invalidateQueries({ queryKey: runKeys.all }), queryClient.invalidateQueries({ queryKey: sitemapKeys.all })]);
    },
  });
}

/** POST /api/v1/runs/{id}/cancel: 200 cancelled (was queued), 202 cancel requested (running), 409 already ended. */
export function useCancelRun() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (runId: string) => apiFetch<TRunDto>(`/api/v1/runs/${encodeURIComponent(runId)}/cancel`, { method: "POST" }),
    onSuccess: (run) => {
      queryClient.setQueryData(runKeys.detail(run.id), run);
      return Promise.all([queryClient.invalidateQueries({ queryKey: runKeys.all }), queryClient.invalidateQueries({ queryKey: sitemapKeys.all })]);
    },
  });
}
