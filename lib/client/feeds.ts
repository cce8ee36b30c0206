"use client";
/**
 * Feed queries for the dashboard (/api/v1/feeds): list, one (polled every second while a refresh runs), items,
 * create, update, delete, refresh (202; 409 when inactive or already running). Downloads use the feed's `fileUrl`
 * (session-authenticated) and the public `publicUrl`.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { z } from "zod";
import type { TFeedDto, TFeedItemDto, TUpdateFeedBody, ZCreateFeedBody } from "@/lib/schemas/feeds";
import { apiFetch, apiFetchAll, apiFetchPage } from "./api";

export type FeedDto = TFeedDto;
export type FeedItemDto = TFeedItemDto;
export type CreateFeedBody = z.input<typeof ZCreateFeedBody>;

export const feedKeys = {
  all: ["feeds"] as const,
  list: () => [...feedKeys.all, "list"] as const,
  detail: (id: string) => [...feedKeys.all, "detail", id] as const,
  items: (id: string) => [...feedKeys.all, "items", id] as const,
};

const base = (id: string) => `/api/v1/feeds/${encodeURIComponent(id)}`;
export const FEED_POLL_MS = 1_000;

/** Query of the feeds (GET /api/v1/feeds: 100 a page, up to 20 pages), polled every 3 s while any feed is "running". */
export function useFeeds() {
  return useQuery({
    queryKey: feedKeys.list(),
    queryFn: ({ signal }) => apiFetchAll<FeedDto>("/api/v1/feeds?size=100", { signal }),
    refetchInterval: (q) => (q.state.data?.some((f) => f.status === "running") ? 3_000 : false),
  });
}

/**
 * Query of one feed (GET /api/v1/feeds/{id}), polled every {@link FEED_POLL_MS} ms while it is "running"; when a
 * refresh has just ended, the feed's items query is invalidated.
 */
export function useFeed(id: string) {
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: feedKeys.detail(id),
    queryFn: async ({ signal }) => {
      const prev = queryClient.getQueryData<FeedDto>(feedKeys.detail(id));
      const feed = await apiFetch<FeedDto>(base(id), { signal });
      // A refresh just finished: its items changed.
      if (prev?.status === "running" && feed.status !== "running") void queryClient.invalidateQueries({ queryKey: feedKeys.items(id) });
      return feed;
    },
    refetchInterval: (q) => (q.state.data?.status === "running" ? FEED_POLL_MS : false),
  });
}

/** Query of the first page of a feed's items (GET /api/v1/feeds/{id}/items: `{ data, next_cursor }`). */
export function useFeedItems(id: string) {
  return useQuery({
    queryKey: feedKeys.items(id),
    queryFn: ({ signal }) => apiFetchPage<FeedItemDto>(`${base(id)}/items`, { signal }),
  });
}

/** Mutation: POST /api/v1/feeds; caches the created feed's DTO and refetches the feed list. */
export function useCreateFeed() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateFeedBody) => apiFetch<FeedDto>("/api/v1/feeds", { method: "POST", body }),
    onSuccess: (f) => {
      queryClient.setQueryData(feedKeys.detail(f.id), f);
      return queryClient.invalidateQueries({ queryKey: feedKeys.list() });
    },
  });
}

/** Mutation: PATCH /api/v1/feeds/{id} with the changed fields; caches the returned DTO and refetches the feed list. */
export function useUpdateFeed(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: TUpdateFeedBody) => apiFetch<FeedDto>(base(id), { method: "PATCH", body }),
    onSuccess: (f) => {
      queryClient.setQueryData(feedKeys.detail(id), f);
      return queryClient.invalidateQueries({ queryKey: feedKeys.list() });
    },
  });
}

/** Mutation: DELETE /api/v1/feeds/{id}; drops the feed's cached detail and refetches the feed list. */
export function useDeleteFeed() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch<void>(base(id), { method: "DELETE" }),
    onSuccess: (_v, id) => {
      queryClient.removeQueries({ queryKey: feedKeys.detail(id) });
      return queryClient.invalidateQueries({ queryKey: feedKeys.list() });
    },
  });
}

/** Mutation: POST /api/v1/feeds/{id}/refresh (requests a refresh); caches the returned feed and refetches the list. */
export function useRefreshFeed(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => apiFetch<FeedDto>(`${base(id)}/refresh`, { method: "POST" }),
    onSuccess: (f) => {
      queryClient.setQueryData(feedKeys.detail(id), f);
      return queryClient.invalidateQueries({ queryKey: feedKeys.list() });
    },
  });
}
