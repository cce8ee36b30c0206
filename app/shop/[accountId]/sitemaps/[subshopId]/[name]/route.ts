import { fileResponse } from "@/lib/api/files";
import { withApi } from "@/lib/api/with-api-auth";
import { AppError } from "@/lib/core/errors";
import { openShopFile } from "@/lib/compat/shop-files";

// GET /shop/{accountId}/sitemaps/{subshopId}/{name} – public, unauthenticated: the shop API's generated files where its
// document puts them (/sitemaps/<subshopId>/…) below the account's shop root; which sitemap's file: lib/compat/shop-files.ts.
// Served like /s/{sitemapId}/{name} (safe-open, ETag, Last-Modified, 304).
export const GET = withApi<{ accountId: string; subshopId: string; name: string }>(async ({ req, params }) => {
  const file = await openShopFile(params);
  if (!file) throw new AppError("not_found", "Not found.");
  return fileResponse(req, file, "public, max-age=300");
});
