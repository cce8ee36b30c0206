"use client";
/**
 * Usage query for the dashboard: GET /api/v1/usage (plan, today's calls against the daily quota, per-minute limit,
 * crawl credits, per-day `history` for `days` UTC days, and `recentDebits`). Refreshed every 30 s while the page is
 * open, since API-key calls from elsewhere move the counters.
 */
import { useQuery } from "@tanstack/react-query";
import type { TUsageDto } from "@/lib/schemas/usage";
import { apiFetch } from "./api";

export type UsageDto = TUsageDto;

export const usageKeys = {
  all: ["usage"] as const,
  detail: (days: number) => [...usageKeys.all, days] as const,
};

export const USAGE_POLL_MS = 30_000;

/** `days`: 1..90 UTC days of history (the API's `?days=`). */
export function useUsage(days = 14) {
  return useQuery({
    queryKey: usageKeys.detail(days),
    queryFn: ({ signal }) => apiFetch<UsageDto>(`/api/v1/usage?days=${days}`, { signal }),
    refetchInterval: USAGE_POLL_MS,
  });
}
