"use client";
/**
 * Run queries for the dashboard. A run is polled every second only while it is queued or running; when it
 * finishes, the sitemap's detail, files and run history are refetched so the page shows the published result.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { isActiveRun, type TRunDto } from "@/lib/schemas/runs";
import { apiFetch } from "./api";
import { sitemapKeys } from "./sitemaps";

export type { TRunDto };

export const runKeys = {
  all: ["runs"] as const,
  detail: (runId: string) => [...runKeys.all, "detail", runId] as const,
};

export const RUN_POLL_MS = 1_000;

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
