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

export function useWebhooks() {
  return useQuery({ queryKey: webhookKeys.list(), queryFn: ({ signal }) => apiFetchAll<WebhookDto>("/api/v1/webhooks?size=100", { signal }) });
}

export function useWebhookDeliveries(id: string) {
  return useQuery({
    queryKey: webhookKeys.deliveries(id),
    queryFn: ({ signal }) => apiFetchPage<WebhookDeliveryDto>(`${base(id)}/deliveries?size=20`, { signal }),
    refetchInterval: (q) => (q.state.data?.data.some((d) => d.status === "pending") ? 2_000 : false),
  });
}

export function useCreateWebhook() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: TCreateWebhookBody) => apiFetch<CreatedWebhookDto>("/api/v1/webhooks", { method: "POST", body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: webhookKeys.list() }),
  });
}

export function useUpdateWebhook() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: TUpdateWebhookBody }) => apiFetch<WebhookDto>(base(id), { method: "PATCH", body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: webhookKeys.list() }),
  });
}

export function useDeleteWebhook() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch<void>(base(id), { method: "DELETE" }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: webhookKeys.list() }),
  });
}

export function useTestWebhook() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch<WebhookDeliveryDto>(`${base(id)}/test`, { method: "POST" }),
    // The deliveries panel opens with the same click, so its first read may be in flight: refreshAfterWrite.
    onSuccess: (_d, id) => refreshAfterWrite(queryClient, webhookKeys.deliveries(id)),
  });
}
