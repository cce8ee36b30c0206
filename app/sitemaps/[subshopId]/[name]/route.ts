import { fileResponse } from "@/lib/api/files";
import { withApi } from "@/lib/api/with-api-auth";
import { AppError } from "@/lib/core/errors";
import { openShopFile, rootShopAccountId } from "@/lib/compat/shop-files";

// GET /sitemaps/{subshopId}/{name} – public: the shop API document's own path of its generated files, for the one account
// SHOP_FILES_ACCOUNT names (an instance for one shop, or a shop domain proxying /sitemaps/ here); 404 when it is unset.
// Every account's files are at /shop/{accountId}/sitemaps/{subshopId}/{name}; served the same way (lib/compat/shop-files.ts).
export const GET = withApi<{ subshopId: string; name: string }>(async ({ req, params }) => {
  const accountId = await rootShopAccountId();
  const file = accountId ? await openShopFile({ accountId, subshopId: params.subshopId, name: params.name }) : null;
  if (!file) throw new AppError("not_found", "Not found.");
  return fileResponse(req, file, "public, max-age=300");
});
