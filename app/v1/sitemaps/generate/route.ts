import { bearerCredential, compatRoute, methodNotAllowed } from "@/lib/compat/http";
import { generate, sxTranslate } from "@/lib/compat/sitemapxml";

// POST /v1/sitemaps/generate – Sitemap.xml API: create-or-reuse the sitemap of a domain and run it;
// 201 completed/failed when it finished within a short wait (or from the 24 h cache), else 202 pending
export const POST = compatRoute({
  credential: bearerCredential,
  scope: "generate",
  translate: sxTranslate,
  handler: async ({ principal, req, requestId }) => generate(principal, req, requestId),
});

export const { GET, PUT, PATCH, DELETE } = methodNotAllowed(["POST"], sxTranslate);
