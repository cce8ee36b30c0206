import { withApi } from "@/lib/api/with-api-auth";
import { AppError } from "@/lib/core/errors";
import { feedExists } from "@/lib/db/feeds";
import { FEED_FILE_NAME } from "@/lib/feeds/files";
import { feedFileResponse } from "@/lib/feeds/serve";

// GET /f/{feedId}/feed.xml – public, unauthenticated: the published RSS/Atom file (ETag, Last-Modified, 304)
export const GET = withApi<{ feedId: string; name: string }>(async ({ req, params }) => {
  if (params.name !== FEED_FILE_NAME) throw new AppError("not_found", "Not found.");
  const res = (await feedExists(params.feedId)) ? await feedFileResponse(req, params.feedId, "public, max-age=300") : null;
  if (!res) throw new AppError("not_found", "Not found.");
  return res;
});

export const HEAD = GET;
