"use client";
/**
 * Template queries for the dashboard (/api/v1/templates): list (all pages), one, create, update (name, content; the
 * kind is fixed), delete (409 `conflict` while a sitemap or feed uses it; the message names them), and preview:
 * POST /api/v1/templates/preview renders unsaved source with sample data and returns the output plus its
 * validation (`ok`, `errors`, `urlCount`, `bytes`).
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { TCreateTemplateBody, TTemplateDto, TTemplatePreviewDto, TUpdateTemplateBody } from "@/lib/schemas/templates";
import { apiFetch, apiFetchAll } from "./api";

export type TemplateDto = TTemplateDto;
export type TemplatePreviewDto = TTemplatePreviewDto;

export const templateKeys = {
  all: ["templates"] as const,
  list: () => [...templateKeys.all, "list"] as const,
  detail: (id: string) => [...templateKeys.all, "detail", id] as const,
};

const base = (id: string) => `/api/v1/templates/${encodeURIComponent(id)}`;

/** Query of the templates (GET /api/v1/templates: 100 a page, up to 20 pages). */
export function useTemplates() {
  return useQuery({
    queryKey: templateKeys.list(),
    queryFn: ({ signal }) => apiFetchAll<TemplateDto>("/api/v1/templates?size=100", { signal }),
  });
}

/** Query of one template (GET /api/v1/templates/{id}); disabled while `id` is null. */
export function useTemplate(id: string | null) {
  return useQuery({
    queryKey: templateKeys.detail(id ?? "none"),
    queryFn: ({ signal }) => apiFetch<TemplateDto>(base(id!), { signal }),
    enabled: Boolean(id),
  });
}

/** Mutation: POST /api/v1/templates; caches the created template and refetches the template list. */
export function useCreateTemplate() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: TCreateTemplateBody) => apiFetch<TemplateDto>("/api/v1/templates", { method: "POST", body }),
    onSuccess: (t) => {
      queryClient.setQueryData(templateKeys.detail(t.id), t);
      return queryClient.invalidateQueries({ queryKey: templateKeys.list() });
    },
  });
}

/** Mutation: PATCH /api/v1/templates/{id}; caches the returned template and refetches the template list. */
export function useUpdateTemplate(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: TUpdateTemplateBody) => apiFetch<TemplateDto>(base(id), { method: "PATCH", body }),
    onSuccess: (t) => {
      queryClient.setQueryData(templateKeys.detail(id), t);
      return queryClient.invalidateQueries({ queryKey: templateKeys.list() });
    },
  });
}

/**
 * Mutation: DELETE /api/v1/templates/{id} (the API answers 409 while a sitemap or feed uses it); drops its cached
 * detail and refetches the list.
 */
export function useDeleteTemplate() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch<void>(base(id), { method: "DELETE" }),
    onSuccess: (_v, id) => {
      queryClient.removeQueries({ queryKey: templateKeys.detail(id) });
      return queryClient.invalidateQueries({ queryKey: templateKeys.list() });
    },
  });
}

/** Renders unsaved source with the sample data (nothing is stored). @throws ApiError (422 for a syntax error). */
export const previewTemplate = (kind: TemplateDto["kind"], content: string, signal?: AbortSignal) =>
  apiFetch<TemplatePreviewDto>("/api/v1/templates/preview", { method: "POST", body: { kind, content }, signal });
