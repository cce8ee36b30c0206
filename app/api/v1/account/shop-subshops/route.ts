import { readJson } from "@/lib/api/request";
import { jsonList } from "@/lib/api/response";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { putShopSubshops, shopSubshopDtos } from "@/lib/compat/shop-subshops";
import { ZPutShopSubshopsBody } from "@/lib/schemas/shop-subshops";

// GET /api/v1/account/shop-subshops – the account's shop subshops: the base URL behind each subshop id of the shop API
// (docs/compat.md), ordered by id, each with the public folder of its files; one page ({data, next_cursor: null})
export const GET = withApiAuth(async ({ principal }) => jsonList(await shopSubshopDtos(principal.userId), null), { scope: "read" });

// PUT /api/v1/account/shop-subshops – replace the whole set: {subshops: [{subshopId, baseUrl}]} (an id left out is
// removed); base URLs are checked like a sitemap's startUrl. Answers the new set like GET.
export const PUT = withApiAuth(
  async ({ req, principal }) => jsonList(await putShopSubshops(principal.userId, await readJson(req, ZPutShopSubshopsBody)), null),
  { scope: "write" },
);

export const { POST, PATCH, DELETE } = methodsNotAllowed(["GET", "PUT"]);
