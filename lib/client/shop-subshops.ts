"use client";
/** The account's shop subshops (GET/PUT /api/v1/account/shop-subshops): read the set, replace it. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { TShopSubshopDto } from "@/lib/schemas/shop-subshops";
import { apiFetch, apiFetchAll } from "./api";

export type ShopSubshopDto = TShopSubshopDto;

export const shopSubshopKeys = { all: ["shop-subshops"] as const };

/** Query of the account's shop subshops, each with its base URL (GET /api/v1/account/shop-subshops, up to 20 pages). */
export function useShopSubshops() {
  return useQuery({
    queryKey: shopSubshopKeys.all,
    queryFn: ({ signal }) => apiFetchAll<ShopSubshopDto>("/api/v1/account/shop-subshops", { signal }),
  });
}

/** Replaces the whole set ({subshopId, baseUrl} each; the API checks the base URLs). */
export function useSaveShopSubshops() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (subshops: { subshopId: string; baseUrl: string }[]) =>
      apiFetch<ShopSubshopDto[]>("/api/v1/account/shop-subshops", { method: "PUT", body: { subshops } }),
    onSuccess: (data) => queryClient.setQueryData(shopSubshopKeys.all, data),
  });
}
