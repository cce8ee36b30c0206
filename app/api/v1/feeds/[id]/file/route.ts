import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { AppError } from "@/lib/core/errors";
import { findFeed } from "@/lib/db/feeds";
import { feedFileResponse } from "@/lib/feeds/serve";

// GET /api/v1/feeds/{id}/file – download the published feed (ETag, Last-Modified, 304); 404 before the first refresh
export const GET = withApiAuth<{ id: string }>(async ({ req, params, principal }) => {
  const feed = await findFeed({ userId: principal.userId, feedId: params.id });
  if (!feed) throw new AppError("not_found", `Feed ${params.id} not found.`);
  const res = await feedFileResponse(req, feed.id, "private, no-cache");
  if (!res) throw new AppError("not_found", "The feed has not been published yet; refresh it first.");
  if (res.status === 200) res.headers.set("Content-Disposition", 'attachment; filename="feed.xml"');
  return res;
}, { scope: "read" });

export const { POST, PUT, PATCH, DELETE } = methodsNotAllowed(["GET"]);
