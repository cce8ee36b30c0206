/**
 * Requesting a feed refresh (POST /api/v1/feeds/{id}/refresh and the adapters), like requestRun for sitemaps: one
 * conditional claim marks the feed running (so concurrent requests start one refresh), then the Inngest event
 * `feed/refresh.requested` is sent; if the queue refuses it, the claim is released with the error recorded.
 * Throws AppError 404 not_found (unknown or another account's feed), 409 conflict (inactive, or a refresh already
 * running), 503 service_unavailable (the job queue did not accept the event). Returns the feed DTO (status running).
 */
import { randomUUID } from "node:crypto";
import { AppError } from "@/lib/core/errors";
import { claimFeedRefresh, findFeed, finishFeedRefresh, toFeedDto } from "@/lib/db/feeds";
import type { TFeedDto } from "@/lib/schemas/feeds";
import { sendFeedRefreshRequested } from "./events";

/**
 * Claims the user's feed for a refresh and sends its event (module doc: errors thrown, release on a refused send);
 * returns the feed's DTO.
 */
export async function requestFeedRefresh(opts: { userId: string; feedId: string }): Promise<TFeedDto> {
  const outcome = await claimFeedRefresh(opts);
  if (outcome === "not_found") throw new AppError("not_found", `Feed ${opts.feedId} not found.`);
  if (outcome === "inactive") throw new AppError("conflict", "The feed is inactive; set active to true to refresh it.");
  if (outcome === "running") throw new AppError("conflict", "A refresh of this feed is already running.");
  try {
    await sendFeedRefreshRequested({ feedId: opts.feedId, refreshId: `api-${randomUUID()}` });
  } catch {
    await finishFeedRefresh(opts.feedId, { ok: false, error: "The job queue did not accept the refresh.", at: new Date() });
    throw new AppError("service_unavailable", "The job queue is unavailable; try again shortly.");
  }
  return toFeedDto((await findFeed(opts))!);
}
