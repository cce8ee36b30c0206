/**
 * The feed refresh event: `feed/refresh.requested` `{ feedId, refreshId }` triggers `refresh-feed`
 * (inngest/functions/refresh-feed.ts). The event id is `feed-refresh-<feedId>-<refreshId>`, so a retried send (or
 * the scheduler asking twice in one hour, which uses refreshId = the hour) starts one refresh.
 * Errors: like lib/jobs/events.ts (schema or delivery errors reject).
 */
import { eventType } from "inngest";
import { z } from "zod";
import { inngest } from "@/lib/jobs/client";

export const ZFeedRefreshRequested = z.object({ feedId: z.string().min(1), refreshId: z.string().min(1).max(100) });
export type TFeedRefreshRequested = z.infer<typeof ZFeedRefreshRequested>;

export const feedRefreshRequested = eventType("feed/refresh.requested", { schema: ZFeedRefreshRequested });

/**
 * Sends `feed/refresh.requested` with the event id `feed-refresh-<feedId>-<refreshId>`; resolves with the event ids
 * Inngest assigned. Rejects on a schema or delivery error.
 */
export const sendFeedRefreshRequested = (data: TFeedRefreshRequested): Promise<{ ids: string[] }> =>
  inngest.send(feedRefreshRequested.create(data, { id: `feed-refresh-${data.feedId}-${data.refreshId}` }));
