import { bearerCredential, compatRoute, methodNotAllowed } from "@/lib/compat/http";
import { addUrlSx, sxTranslate } from "@/lib/compat/sitemapxml";

// POST /v1/sitemaps/{id}/urls – Sitemap.xml API: push one URL (priority, changenfreq|changefreq); 200 queued
export const POST = compatRoute<{ id: string }>({
  credential: bearerCredential,
  scope: "write",
  translate: sxTranslate,
  handler: async ({ principal, params, req }) => addUrlSx(principal, params.id, req),
});

export const { GET, PUT, PATCH, DELETE } = methodNotAllowed(["POST"], sxTranslate);
