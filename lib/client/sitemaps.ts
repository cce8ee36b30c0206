"use client";
/**
 * Sitemap queries and mutations for the dashboard (GET/POST/PATCH/DELETE /api/v1/sitemaps…, generate, files, runs).
 * The list polls every 3 s only while one of its sitemaps has an active run, so idle dashboards make no requests.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { TFileDto } from "@/lib/schemas/files";
import { isActiveRun, type TRunDto } from "@/lib/schemas/runs";
import type { TCreateSitemapBody, TSitemapDto, TUpdateSitemapBody } from "@/lib/schemas/sitemaps";
import { apiFetch, apiFetchAll, apiFetchPage, runConflictOf } from "./api";
import { runKeys } from "./runs";

export type SitemapDto = TSitemapDto;
export type SitemapFileDto = TFileDto;
export type CreateSitemapBody = TCreateSitemapBody;
export type UpdateSitemapBody = TUpdateSitemapBody;

export const sitemapKeys = {
  all: ["sitemaps"] as const,
  list: () => [...sitemapKeys.all, "list"] as const,
  detail: (id: string) => [...sitemapKeys.all, "detail", id] as const,
  files: (id: string) => [...sitemapKeys.all, "files", id] as const,
  runs: (id: string) => [...sitemapKeys.all, "runs", id] as const,
};

const LIST_POLL_MS = 3_000;
const base = (id: string) => `/api/v1/sitemaps/${encodeURIComponent(id)}`;

/** Query of the sitemaps (GET /api/v1/sitemaps, up to 20 pages), polled while any sitemap's last run is active. */
export function useSitemaps() {
  return useQuery({
    queryKey: sitemapKeys.list(),
    queryFn: ({ signal }) => apiFetchAll<SitemapDto>("/api/v1/sitemaps", { signal }),
    refetchInterval: (q) => (q.state.data?.some((s) => s.lastRun && isActiveRun(s.lastRun)) ? LIST_POLL_MS : false),
  });
}

/** One sitemap; `enabled: false` waits (e.g. until the run that names the sitemap has loaded). */
export function useSitemap(id: string, enabled = true) {
  return useQuery({
    queryKey: sitemapKeys.detail(id),
    queryFn: ({ signal }) => apiFetch<SitemapDto>(base(id), { signal }),
    enabled: enabled && Boolean(id),
  });
}

/** Query of a sitemap's published files (GET /api/v1/sitemaps/{id}/files, up to 20 pages). */
export function useSitemapFiles(id: string) {
  return useQuery({
    queryKey: sitemapKeys.files(id),
    queryFn: ({ signal }) => apiFetchAll<SitemapFileDto>(`${base(id)}/files`, { signal }),
  });
}

/** The newest runs of a sitemap (first page only: the history is a glance, not an archive). */
export function useSitemapRuns(id: string) {
  return useQuery({
    queryKey: sitemapKeys.runs(id),
    queryFn: ({ signal }) => apiFetchPage<TRunDto>(`${base(id)}/runs`, { signal }),
  });
}

/** Mutation: POST /api/v1/sitemaps; caches the created sitemap's DTO and refetches the sitemap list. */
export function useCreateSitemap() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateSitemapBody) => apiFetch<SitemapDto>("/api/v1/sitemaps", { method: "POST", body }),
    onSuccess: (sitemap) => {
      queryClient.setQueryData(sitemapKeys.detail(sitemap.id), sitemap);
      return queryClient.invalidateQueries({ queryKey: sitemapKeys.list() });
    },
  });
}

/** Mutation: PATCH /api/v1/sitemaps/{id}; caches the returned DTO and refetches the sitemap list. */
export function useUpdateSitemap(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateSitemapBody) => apiFetch<SitemapDto>(base(id), { method: "PATCH", body }),
    onSuccess: (sitemap) => {
      queryClient.setQueryData(sitemapKeys.detail(id), sitemap);
      return queryClient.invalidateQueries({ queryKey: sitemapKeys.list() });
    },
  });
}

/** Mutation: DELETE /api/v1/sitemaps/{id}; drops its cached detail and refetches the sitemap list. */
export function useDeleteSitemap() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch<void>(base(id), { method: "DELETE" }),
    onSuccess: (_void, id) => {
      queryClient.removeQueries({ queryKey: sitemapKeys.detail(id) });
      return queryClient.invalidateQueries({ queryKey: sitemapKeys.list() });
    },
  });
}

/**
 * POST …/generate → 202 with the queued run; 409 `conflict` when inactive or a run is already active. On the latter
 * (details.activeRunId) the sitemap is refetched, so the page shows the run that is already going.
 */
export function useGenerateSitemap() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch<TRunDto>(`${base(id)}/generate`, { method: "POST" }),
    onSuccess: (run, id) => {
      queryClient.setQueryData(runKeys.detail(run.id), run);
      // The sitemap's lastRun is now this run; patch it in place so the page switches to it without a flash.
      queryClient.setQueryData<SitemapDto>(sitemapKeys.detail(id), (s) => (s ? { ...s, lastRun: run } : s));
      queryClient.setQueryData<SitemapDto[]>(sitemapKeys.list(), (list) =>
        list?.map((s) => (s.id === id ? { ...s, lastRun: run } : s)),
      );
      return Promise.all([
        queryClient.invalidateQueries({ queryKey: sitemapKeys.list() }),
        queryClient.invalidateQueries({ queryKey: sitemapKeys.runs(id) }),
      ]);
    },
    onError: (err, id) => {
      if (!runConflictOf(err)) return;
      return Promise.all([
        queryClient.invalidateQueries({ queryKey: sitemapKeys.detail(id) }),
        queryClient.invalidateQueries({ queryKey: sitemapKeys.list() }),
        queryClient.invalidateQueries({ queryKey: sitemapKeys.runs(id) }),
      ]);
    },
  });
}
