import { shopMethodsNotAllowed, shopRoute } from "@/lib/compat/shop-http";
import { generateShopImport } from "@/lib/compat/shop";

// POST /api/shop/sitemaps/generate/import – shop API: start the sitemaps marked exportAfterImport; 202
export const POST = shopRoute("generate", async ({ principal }) => generateShopImport(principal));

export const { GET, PUT, PATCH, DELETE } = shopMethodsNotAllowed(["POST"]);
