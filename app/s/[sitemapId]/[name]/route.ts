import { fileResponse } from "@/lib/api/files";
import { withApi } from "@/lib/api/with-api-auth";
import { AppError } from "@/lib/core/errors";
import { openPublishedFile } from "@/lib/db/files";
import { publishState } from "@/lib/db/sitemaps";

/** Seconds a client is asked to wait while a sitemap's first files are being generated. */
const NOT_READY_RETRY_AFTER_S = 30;

// GET /s/{sitemapId}/{name} – public, unauthenticated: what sitemap index <loc>s and robots.txt point to.
// Before a sitemap's first files are published, while its run works: 503 "not ready yet" with Retry-After (the
// download_url a pending Sitemap.xml generate answer carries), not a 404.
export const GET = withApi<{ sitemapId: string; name: string }>(async ({ req, params, headers }) => {
  const file = await openPublishedFile({ sitemapId: params.sitemapId, name: params.name });
  if (!file) {
    const state = await publishState(params.sitemapId);
    if (state && !state.published && state.running) {
      headers.set("Retry-After", String(NOT_READY_RETRY_AFTER_S));
      throw new AppError("service_unavailable", `Not ready yet: the sitemap is being generated; retry in ${NOT_READY_RETRY_AFTER_S} s.`);
    }
    throw new AppError("not_found", "Not found.");
  }
  return fileResponse(req, file, "public, max-age=300");
});
