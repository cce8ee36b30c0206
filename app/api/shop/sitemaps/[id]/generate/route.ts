import { shopMethodsNotAllowed, shopRoute } from "@/lib/compat/shop-http";
import { generateShopSitemap } from "@/lib/compat/shop";

// POST /api/shop/sitemaps/{id}/generate[?subshopId=…] – shop API: start a run; 202 (409 inactive or running)
export const POST = shopRoute<{ id: string }>("generate", async ({ principal, params, req }) => generateShopSitemap(principal, params.id, req));

export const { GET, PUT, PATCH, DELETE } = shopMethodsNotAllowed(["POST"]);
