/**
 * OpenAPI area: the account's shop subshops (docs/api-core.md, "Shop subshops"; lib/schemas/shop-subshops.ts) — the
 * base URL behind each subshop id of the shop API adapter (docs/compat.md), which POST /api/shop/sitemaps crawls and
 * under whose id the generated files are public at /shop/{accountId}/sitemaps/{subshopId}/{file} (outside /api/v1,
 * like /s/…; described in docs/compat.md).
 */
import { ZPutShopSubshopsBody, ZShopSubshopDto } from "@/lib/schemas/shop-subshops";
import type { OpenApiArea } from "./openapi-areas";
import { BODY_ERRORS, COMMON, list } from "./openapi-common";

export const SHOP_SUBSHOPS_AREA: OpenApiArea = {
  schemas: {
    ShopSubshop: [ZShopSubshopDto, "output"],
    PutShopSubshopsBody: [ZPutShopSubshopsBody, "input"],
  },
  endpoints: [
    {
      method: "GET",
      path: "/api/v1/account/shop-subshops",
      summary:
        "The account's shop subshops (the shop API's subshopIds): {subshopId, baseUrl, filesUrl, createdAt, updatedAt}, ordered by id " +
        "(digit-only ids numerically first), in one page (next_cursor null).",
      access: "read",
      tag: "account",
      success: [list("ShopSubshop", "Every subshop of the account.")],
      errors: [...COMMON],
    },
    {
      method: "PUT",
      path: "/api/v1/account/shop-subshops",
      summary:
        "Replace the account's shop subshops: {subshops: [{subshopId (integer ≥ 0 or ^[a-z0-9][a-z0-9_-]{0,49}$), baseUrl}]} (≤ 100; an id " +
        "left out is removed). baseUrl is checked like a sitemap's startUrl (http(s), no credentials, port 80/443/CRAWL_ALLOWED_PORTS " +
        "unless the host:port is in CRAWL_ALLOW_HOSTS: 422 invalid_value). Answers the new set. Sitemaps keep their start URL until " +
        "created or given new subshopIds through the shop API.",
      access: "write",
      tag: "account",
      body: "PutShopSubshopsBody",
      success: [list("ShopSubshop", "The new set of subshops.")],
      errors: [...COMMON, ...BODY_ERRORS],
    },
  ],
};
