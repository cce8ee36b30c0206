import { shopMethodsNotAllowed, shopRoute } from "@/lib/compat/shop-http";
import { generateShopHour } from "@/lib/compat/shop";

// POST /api/shop/sitemaps/generate/hour/{hour} – shop API: start the sitemaps planned for that hour; 202; 404 bad hour
export const POST = shopRoute<{ hour: string }>("generate", async ({ principal, params }) => generateShopHour(principal, params.hour));

export const { GET, PUT, PATCH, DELETE } = shopMethodsNotAllowed(["POST"]);
