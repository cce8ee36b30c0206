import { randomUUID } from "node:crypto";
import { json } from "@/lib/api/response";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { AppError } from "@/lib/core/errors";
import { claimFeedRefresh, findFeed, finishFeedRefresh, toFeedDto } from "@/lib/db/feeds";
import { sendFeedRefreshRequested } from "@/lib/feeds/events";

// POST /api/v1/feeds/{id}/refresh – queue a refresh (Inngest `refresh-feed`); 202 with the feed (status running)
export const POST = withApiAuth<{ id: string }>(async ({ params, principal }) => {
  const outcome = await claimFeedRefresh({ userId: principal.userId, feedId: params.id });
  if (outcome === "not_found") throw new AppError("not_found", `Feed ${params.id} not found.`);
  if (outcome === "inactive") throw new AppError("conflict", "The feed is inactive; set active to true to refresh it.");
  if (outcome === "running") throw new AppError("conflict", "A refresh of this feed is already running.");
  try {
    await sendFeedRefreshRequested({ feedId: params.id, refreshId: `api-${randomUUID()}` });
  } catch {
    await finishFeedRefresh(params.id, { ok: false, error: "The job queue did not accept the refresh.", at: new Date() });
    throw new AppError("service_unavailable", "The job queue is unavailable; try again shortly.");
  }
  const row = await findFeed({ userId: principal.userId, feedId: params.id });
  return json(toFeedDto(row!), { status: 202, headers: { Location: `/api/v1/feeds/${params.id}` } });
}, { scope: "generate" });

export const { GET, PUT, PATCH, DELETE } = methodsNotAllowed(["POST"]);
