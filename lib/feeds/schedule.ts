/**
 * Scheduled feed refreshes: `requestDueFeedRefreshes(now)` sends one `feed/refresh.requested` event per active feed
 * with refreshId = the UTC hour of `now` ("h2026120214"), so calling it twice in the same hour starts each refresh
 * once (event id dedupe), and marks nothing itself: the refresh function does the work and records the outcome.
 * A feed whose refresh is still running is skipped (its status stays "running"). Returns the number of events sent.
 * Errors: a delivery error of the event API rejects (events already sent stay sent).
 */
import { getDb } from "@/lib/db/client";
import { STALE_REFRESH_MS } from "@/lib/db/feeds";
import { sendFeedRefreshRequested } from "./events";

export const hourKey = (now: Date) => `h${now.toISOString().slice(0, 13).replace(/[-T]/g, "")}`;

export async function requestDueFeedRefreshes(now: Date): Promise<number> {
  const stale = new Date(now.getTime() - STALE_REFRESH_MS);
  const feeds = await getDb().feed.findMany({
    where: { active: true, OR: [{ status: { not: "running" } }, { updatedAt: { lt: stale } }] },
    select: { id: true },
    orderBy: { createdAt: "asc" },
  });
  const refreshId = hourKey(now);
  for (const f of feeds) await sendFeedRefreshRequested({ feedId: f.id, refreshId });
  return feeds.length;
}
