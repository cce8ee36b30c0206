import { shopMethodsNotAllowed, shopRoute } from "@/lib/compat/shop-http";
import { deleteShopTemplate, getShopTemplate, updateShopTemplate } from "@/lib/compat/shop";

// GET /api/shop/sitemaps/templates/{id} – shop API: one template
export const GET = shopRoute<{ id: string }>("read", async ({ principal, params }) => getShopTemplate(principal, params.id));

// PUT /api/shop/sitemaps/templates/{id} – shop API: change name and/or content
export const PUT = shopRoute<{ id: string }>("templates", async ({ principal, params, req }) => updateShopTemplate(principal, params.id, req));

// DELETE /api/shop/sitemaps/templates/{id} – shop API: 204; 409 while a sitemap uses it
export const DELETE = shopRoute<{ id: string }>("templates", async ({ principal, params }) => deleteShopTemplate(principal, params.id));

export const { POST, PATCH } = shopMethodsNotAllowed(["GET", "PUT", "DELETE"]);
