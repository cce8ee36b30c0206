"use client";
/** API key queries: list, create (the plaintext `key` comes back once, in the create response), revoke. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { TApiKeyDto, TCreateApiKeyBody, TCreatedApiKeyDto } from "@/lib/schemas/api-keys";
import { apiFetch, apiFetchAll } from "./api";

export type ApiKeyDto = TApiKeyDto;
export type CreatedApiKeyDto = TCreatedApiKeyDto;

export const apiKeyKeys = {
  all: ["api-keys"] as const,
  list: () => [...apiKeyKeys.all, "list"] as const,
};

/** Query of the signed-in user's API keys (GET /api/v1/api-keys, up to 20 pages, revoked keys included). */
export function useApiKeys() {
  return useQuery({
    queryKey: apiKeyKeys.list(),
    queryFn: ({ signal }) => apiFetchAll<ApiKeyDto>("/api/v1/api-keys", { signal }),
  });
}

/**
 * Mutation: POST /api/v1/api-keys; resolves with the new key's DTO holding the plaintext `key`, then refetches the
 * list.
 */
export function useCreateApiKey() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: TCreateApiKeyBody) => apiFetch<CreatedApiKeyDto>("/api/v1/api-keys", { method: "POST", body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: apiKeyKeys.list() }),
  });
}

/** Mutation: DELETE /api/v1/api-keys/{id} (revokes the key), then refetches the list. Rejects with ApiError. */
export function useRevokeApiKey() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch<void>(`/api/v1/api-keys/${encodeURIComponent(id)}`, { method: "DELETE" }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: apiKeyKeys.list() }),
  });
}
