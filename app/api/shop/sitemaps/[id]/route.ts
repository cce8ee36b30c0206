import { shopMethodsNotAllowed, shopRoute } from "@/lib/compat/shop-http";
import { deleteShopSitemap, getShopSitemap, updateShopSitemap } from "@/lib/compat/shop";

// GET /api/shop/sitemaps/{id} – shop API: one sitemap by its integer id
export const GET = shopRoute<{ id: string }>("read", async ({ principal, params }) => getShopSitemap(principal, params.id));

// PUT /api/shop/sitemaps/{id} – shop API: update any subset of the fields
export const PUT = shopRoute<{ id: string }>("write", async ({ principal, params, req }) => updateShopSitemap(principal, params.id, req));

// DELETE /api/shop/sitemaps/{id} – shop API: delete; 204 (409 while a run is active)
export const DELETE = shopRoute<{ id: string }>("write", async ({ principal, params }) => deleteShopSitemap(principal, params.id));

export const { POST, PATCH } = shopMethodsNotAllowed(["GET", "PUT", "DELETE"]);
