import { shopMethodsNotAllowed, shopRoute } from "@/lib/compat/shop-http";
import { createShopSitemap, listShopSitemaps } from "@/lib/compat/shop";

// GET /api/shop/sitemaps – shop API: sitemaps (size 1..300, sort=field:dir, filter[field], pageToken)
export const GET = shopRoute("read", async ({ principal, req }) => listShopSitemaps(principal, req));

// POST /api/shop/sitemaps – shop API: create a sitemap; 201
export const POST = shopRoute("write", async ({ principal, req }) => createShopSitemap(principal, req));

export const { PUT, PATCH, DELETE } = shopMethodsNotAllowed(["GET", "POST"]);
