"use client";
/**
 * Webhook queries (/api/v1/webhooks): list, create (the signing `secret` is in the create answer only), update
 * (url, events, active), delete, send a test delivery, and a webhook's deliveries (polled every 2 s while one is
 * pending).
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { z } from "zod";
import type { TCreateWebhookBody, TUpdateWebhookBody, TWebhookDeliveryDto, TWebhookDto, ZCreatedWebhookDto } from "@/lib/schemas/webhooks";
import { apiFetch, apiFetchAll, apiFetchPage } from "./api";
import { refreshAfterWrite } from "./refresh-after-write";

export type WebhookDto = TWebhookDto;
export type CreatedWebhookDto = z.infer<typeof ZCreatedWebhookDto>;
export type WebhookDeliveryDto = TWebhookDeliveryDto;

export const webhookKeys = {
  all: ["webhooks"] as const,
  list: () => [...webhookKeys.all, "list"] as const,
  deliveries: (id: string) => [...webhookKeys.all, "deliveries", id] as const,
};
const base = (id: string) => `/api/v1/webhooks/${encodeURIComponent(id)}`;

/** Query of the webhooks (GET /api/v1/webhooks: 100 a page, up to 20 pages). */
export function useWebhooks() {
  return useQuery({ queryKey: webhookKeys.list(), queryFn: ({ signal }) => apiFetchAll<WebhookDto>("/api/v1/webhooks?size=100", { signal }) });
}

/**
 * Query of a webhook's 20 newest deliveries (GET /api/v1/webhooks/{id}/deliveries?size=20), polled every 2 s while one
 * is pending.
 */
export function useWebhookDeliveries(id: string) {
  return useQuery({
    queryKey: webhookKeys.deliveries(id),
    queryFn: ({ signal }) => apiFetchPage<WebhookDeliveryDto>(`${base(id)}/deliveries?size=20`, { signal }),
    refetchInterval: (q) => (q.state.data?.data.some((d) => d.status === "pending") ? 2_000 : false),
  });
}

/**
 * Mutation: POST /api/v1/webhooks; resolves with the created webhook (its secret included), then refetches the list.
 */
export function useCreateWebhook() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: TCreateWebhookBody) => apiFetch<CreatedWebhookDto>("/api/v1/webhooks", { method: "POST", body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: webhookKeys.list() }),
  });
}

/** Mutation: PATCH /api/v1/webhooks/{id} with `{ id, body }`, then refetches the webhook list. */
export function useUpdateWebhook() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: TUpdateWebhookBody }) => apiFetch<WebhookDto>(base(id), { method: "PATCH", body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: webhookKeys.list() }),
  });
}

/** Mutation: DELETE /api/v1/webhooks/{id}, then refetches the webhook list. */
export function useDeleteWebhook() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch<void>(base(id), { method: "DELETE" }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: webhookKeys.list() }),
  });
}

/**
 * Mutation: POST /api/v1/webhooks/{id}/test (one test delivery); then refreshAfterWrite on that webhook's deliveries.
 */
export function useTestWebhook() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch<WebhookDeliveryDto>(`${base(id)}/test`, { method: "POST" }),
    // The deliveries panel opens with the same click, so its first read may be in flight: refreshAfterWrite.
    onSuccess: (_d, id) => refreshAfterWrite(queryClient, webhookKeys.deliveries(id)),
  });
}
