import { anqiCredential, anqiTranslate, anqiUpdateSitemap } from "@/lib/compat/anqicms";
import { compatRoute, methodNotAllowed } from "@/lib/compat/http";

// POST /api/import/sitemap?token=… – AnQiCMS-compatible sitemap regeneration (async=1 answers at once; blank waits)
export const POST = compatRoute({
  credential: anqiCredential,
  scope: "generate",
  translate: anqiTranslate,
  handler: async ({ principal, input }) => anqiUpdateSitemap(principal, input),
});

export const { GET, PUT, PATCH, DELETE } = methodNotAllowed(["POST"], (e, s) => anqiTranslate(e, s, { hadToken: true }));
