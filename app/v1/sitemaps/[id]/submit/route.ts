import { bearerCredential, compatRoute, methodNotAllowed } from "@/lib/compat/http";
import { submitSx, sxTranslate } from "@/lib/compat/sitemapxml";

// POST /v1/sitemaps/{id}/submit – Sitemap.xml API: submit through IndexNow; 202 with the per-engine targets
export const POST = compatRoute<{ id: string }>({
  credential: bearerCredential,
  scope: "submit",
  translate: sxTranslate,
  handler: async ({ principal, params }) => submitSx(principal, params.id),
});

export const { GET, PUT, PATCH, DELETE } = methodNotAllowed(["POST"], sxTranslate);
