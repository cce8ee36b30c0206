import { json } from "@/lib/api/response";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { requestFeedRefresh } from "@/lib/feeds/request-refresh";

// POST /api/v1/feeds/{id}/refresh – queue a refresh (Inngest `refresh-feed`); 202 with the feed (status running);
// 404 unknown feed, 409 inactive or already running, 503 job queue unavailable
export const POST = withApiAuth<{ id: string }>(async ({ params, principal }) => {
  const feed = await requestFeedRefresh({ userId: principal.userId, feedId: params.id });
  return json(feed, { status: 202, headers: { Location: `/api/v1/feeds/${params.id}` } });
}, { scope: "generate" });

export const { GET, PUT, PATCH, DELETE } = methodsNotAllowed(["POST"]);
