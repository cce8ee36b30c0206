/**
 * Public URLs of published files: `${APP_URL}/s/<sitemapId>/<name>`. These are what sitemap index <loc>s and a
 * robots.txt `Sitemap:` line point to (cross-submission, sitemaps.org "Sitemaps & Cross Submits").
 * APP_URL comes from lib/env.ts (the one reader of app settings).
 */
import { getEnv } from "@/lib/env";

/** Absolute folder URL of a sitemap's public files, ending in "/". */
export function publicFilesBaseUrl(sitemapId: string, env: Record<string, string | undefined> = process.env): string {
  return `${getEnv(env).APP_URL}/s/${encodeURIComponent(sitemapId)}/`;
}
