import { shopMethodsNotAllowed, shopRoute } from "@/lib/compat/shop-http";
import { getShopStatus } from "@/lib/compat/shop";

// GET /api/shop/sitemaps/{id}/status – shop API: export status of the sitemap and per subshop
export const GET = shopRoute<{ id: string }>("read", async ({ principal, params }) => getShopStatus(principal, params.id));

export const { POST, PUT, PATCH, DELETE } = shopMethodsNotAllowed(["GET"]);
