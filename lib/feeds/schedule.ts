/**
 * Scheduled feed refreshes: `requestDueFeedRefreshes(now)` sends one `feed/refresh.requested` event per active feed
 * with refreshId = the UTC hour of `now` ("h2026120214"), so calling it twice in the same hour starts each refresh
 * once (event id dedupe), and marks nothing itself: the refresh function does the work and records the outcome.
 * A feed whose refresh is still running is skipped (its status stays "running"). Returns the number of events sent.
 * Errors: a delivery error of the event API rejects (events already sent stay sent).
 */
import { listRefreshableFeedIds, STALE_REFRESH_MS } from "@/lib/db/feeds";
import { sendFeedRefreshRequested } from "./events";

/**
 * The refreshId of `now`'s UTC hour: "h" + YYYYMMDDHH (e.g. "h2026120214"). Exported for tests; only this module uses
 * it.
 */
export const hourKey = (now: Date) => `h${now.toISOString().slice(0, 13).replace(/[-T]/g, "")}`;

/**
 * Sends a refresh event for every active feed whose refresh is not running (or whose row has not changed for 15 min
 * while running), with refreshId = hourKey(now); resolves with the number of events sent (module doc).
 */
export async function requestDueFeedRefreshes(now: Date): Promise<number> {
  const stale = new Date(now.getTime() - STALE_REFRESH_MS);
  const feedIds = await listRefreshableFeedIds(stale);
  const refreshId = hourKey(now);
  for (const feedId of feedIds) await sendFeedRefreshRequested({ feedId, refreshId });
  return feedIds.length;
}
