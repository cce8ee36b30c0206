"use client";
/**
 * Submission queries for a sitemap: the log (GET /api/v1/sitemaps/{id}/submissions, newest first, flat entries of
 * every batch), Submit (POST …/submit → 202 with the pending batch; 409 when nothing is published yet) and the
 * IndexNow key instructions (GET …/indexnow). The log polls every 2 s while an entry is `pending`.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { TIndexNowInfoDto, TSubmissionBatchDto, TSubmissionDto } from "@/lib/schemas/submissions";
import { apiFetch, apiFetchPage } from "./api";

export type SubmissionDto = TSubmissionDto;
export type IndexNowInfoDto = TIndexNowInfoDto;

export const submissionKeys = {
  all: ["submissions"] as const,
  log: (sitemapId: string) => [...submissionKeys.all, "log", sitemapId] as const,
  /** Keyed by the published run too: the robots.txt line exists only once something is published. */
  indexNow: (sitemapId: string, publishedRunId: string | null) => [...submissionKeys.all, "indexnow", sitemapId, publishedRunId] as const,
};

const base = (id: string) => `/api/v1/sitemaps/${encodeURIComponent(id)}`;
export const SUBMISSION_POLL_MS = 2_000;

/** The newest 50 log entries of a sitemap. */
export function useSubmissions(sitemapId: string) {
  return useQuery({
    queryKey: submissionKeys.log(sitemapId),
    queryFn: ({ signal }) => apiFetchPage<SubmissionDto>(`${base(sitemapId)}/submissions?size=50`, { signal }),
    refetchInterval: (q) => (q.state.data?.data.some((s) => s.status === "pending") ? SUBMISSION_POLL_MS : false),
  });
}

/**
 * Query of a sitemap's IndexNow facts (GET /api/v1/sitemaps/{id}/indexnow), cached per published run so a new
 * publication reads them again; off while `enabled` is false.
 */
export function useIndexNowInfo(sitemapId: string, publishedRunId: string | null, enabled = true) {
  return useQuery({
    queryKey: submissionKeys.indexNow(sitemapId, publishedRunId),
    queryFn: ({ signal }) => apiFetch<IndexNowInfoDto>(`${base(sitemapId)}/indexnow`, { signal }),
    enabled,
  });
}

/**
 * Mutation: POST /api/v1/sitemaps/{id}/submit; resolves with the submission batch, then refetches the submission log.
 */
export function useSubmitSitemap(sitemapId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => apiFetch<TSubmissionBatchDto>(`${base(sitemapId)}/submit`, { method: "POST" }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: submissionKeys.log(sitemapId) }),
  });
}
