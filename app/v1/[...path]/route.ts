import { unknownEndpoint } from "@/lib/compat/http";
import { sxTranslate } from "@/lib/compat/sitemapxml";

// ANY /v1/<unknown> – Sitemap.xml API: 404 not_found in its JSON envelope (not the framework's HTML page), with
// X-RateLimit-* as in every response of that API.
export const { GET, POST, PUT, PATCH, DELETE } = unknownEndpoint(sxTranslate, { everyResponse: true });
