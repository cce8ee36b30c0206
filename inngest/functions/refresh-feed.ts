/**
 * `refresh-feed`: on `feed/refresh.requested` { feedId, refreshId }, refreshes one feed (lib/feeds/refresh.ts).
 * One refresh per feed at a time (concurrency key feedId). Errors the user must fix (robots, HTTP status, template)
 * are final (NonRetriableError); network hiccups are retried twice. The feed records the outcome either way.
 */
import { NonRetriableError } from "inngest";
import { feedRefreshRequested } from "@/lib/feeds/events";
import { FeedRefreshError, refreshFeed } from "@/lib/feeds/refresh";
import { FeedTemplateError } from "@/lib/feeds/render";
import { TemplateRenderError, TemplateSyntaxError } from "@/lib/templates/sandbox";
import { inngest } from "@/lib/jobs/client";

export const refreshFeedFn = inngest.createFunction(
  { id: "refresh-feed", triggers: [feedRefreshRequested], concurrency: { key: "event.data.feedId", limit: 1 }, retries: 2 },
  async ({ event, step }) => {
    const { feedId, refreshId } = event.data;
    return step.run("refresh", async () => {
      try {
        return await refreshFeed(feedId, { refreshId });
      } catch (err) {
        if (err instanceof FeedRefreshError || err instanceof FeedTemplateError || err instanceof TemplateRenderError || err instanceof TemplateSyntaxError) {
          throw new NonRetriableError(err.message);
        }
        throw err;
      }
    });
  },
);
