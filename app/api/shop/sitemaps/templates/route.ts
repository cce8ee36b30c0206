import { shopMethodsNotAllowed, shopRoute } from "@/lib/compat/shop-http";
import { createShopTemplate, listShopTemplates } from "@/lib/compat/shop";

// GET /api/shop/sitemaps/templates – shop API: sitemap templates (list grammar)
export const GET = shopRoute("read", async ({ principal, req }) => listShopTemplates(principal, req));

// POST /api/shop/sitemaps/templates – shop API: create an xml template; 201
export const POST = shopRoute("templates", async ({ principal, req }) => createShopTemplate(principal, req));

export const { PUT, PATCH, DELETE } = shopMethodsNotAllowed(["GET", "POST"]);
