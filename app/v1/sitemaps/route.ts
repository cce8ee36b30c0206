import { bearerCredential, compatRoute, methodNotAllowed } from "@/lib/compat/http";
import { createSitemapSx, listSitemapsSx, sxTranslate } from "@/lib/compat/sitemapxml";

// GET /v1/sitemaps – Sitemap.xml API: the caller's sitemaps (?limit=1..100&cursor&status=active|archived)
export const GET = compatRoute({
  credential: bearerCredential,
  scope: "read",
  translate: sxTranslate,
  handler: async ({ principal, req }) => listSitemapsSx(principal, req),
});

// POST /v1/sitemaps – Sitemap.xml API: create a sitemap for a domain and start crawling it; 201
export const POST = compatRoute({
  credential: bearerCredential,
  scope: "write",
  translate: sxTranslate,
  handler: async ({ principal, req, requestId }) => createSitemapSx(principal, req, requestId),
});

export const { PUT, PATCH, DELETE } = methodNotAllowed(["GET", "POST"], sxTranslate);
