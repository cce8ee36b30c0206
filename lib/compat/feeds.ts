/**
 * Public URL of a feed's file, for mysitemapgenerator's RssGetFile. The feeds area serves the file; this names it.
 */
import { getEnv } from "@/lib/env";

/** Absolute URL of the feed file (RSS or Atom) served by the feeds area. */
export function feedPublicUrl(feed: { id: string; format: string }): string {
  return `${getEnv().APP_URL}/api/v1/feeds/${encodeURIComponent(feed.id)}/file`;
}
