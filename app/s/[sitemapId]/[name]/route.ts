import { fileResponse } from "@/lib/api/files";
import { withApi } from "@/lib/api/with-api-auth";
import { AppError } from "@/lib/core/errors";
import { openPublishedFile } from "@/lib/db/files";

// GET /s/{sitemapId}/{name} – public, unauthenticated: what sitemap index <loc>s and robots.txt point to
export const GET = withApi<{ sitemapId: string; name: string }>(async ({ req, params }) => {
  const file = await openPublishedFile({ sitemapId: params.sitemapId, name: params.name });
  if (!file) throw new AppError("not_found", "Not found.");
  return fileResponse(req, file, "public, max-age=300");
});
