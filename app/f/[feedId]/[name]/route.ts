import { withApi } from "@/lib/api/with-api-auth";
import { AppError } from "@/lib/core/errors";
import { getDb } from "@/lib/db/client";
import { FEED_FILE_NAME } from "@/lib/feeds/files";
import { feedFileResponse } from "@/lib/feeds/serve";

// GET /f/{feedId}/feed.xml – public, unauthenticated: the published RSS/Atom file (ETag, Last-Modified, 304)
export const GET = withApi<{ feedId: string; name: string }>(async ({ req, params }) => {
  if (params.name !== FEED_FILE_NAME) throw new AppError("not_found", "Not found.");
  const feed = await getDb().feed.findUnique({ where: { id: params.feedId }, select: { id: true } });
  const res = feed ? await feedFileResponse(req, feed.id, "public, max-age=300") : null;
  if (!res) throw new AppError("not_found", "Not found.");
  return res;
});

export const HEAD = GET;
