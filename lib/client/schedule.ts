"use client";
/**
 * GET /api/v1/schedule for the dashboard: the account's planned sitemaps with their next run (UTC), the scheduler's
 * recent hour slots and the missed slots of the last 30 days (hours the scheduler did not run, e.g. during downtime).
 */
import { useQuery } from "@tanstack/react-query";
import type { ScheduleOverview } from "@/lib/schedule/hourly";
import { apiFetch } from "./api";

export type { ScheduleOverview };

/** Query of the hourly scheduler's overview (GET /api/v1/schedule), refetched every 60 s. */
export function useScheduleOverview() {
  return useQuery({
    queryKey: ["schedule"] as const,
    queryFn: ({ signal }) => apiFetch<ScheduleOverview>("/api/v1/schedule", { signal }),
    refetchInterval: 60_000,
  });
}
