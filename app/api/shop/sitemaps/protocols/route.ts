import { shopMethodsNotAllowed, shopRoute } from "@/lib/compat/shop-http";
import { listShopProtocols } from "@/lib/compat/shop";

// GET /api/shop/sitemaps/protocols – shop API: export protocols (our runs), list grammar on their fields
export const GET = shopRoute("read", async ({ principal, req }) => listShopProtocols(principal, req));

export const { POST, PUT, PATCH, DELETE } = shopMethodsNotAllowed(["GET"]);
