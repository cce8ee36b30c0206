/**
 * Public URLs of published files: `${APP_URL}/s/<sitemapId>/<name>`. These are what sitemap index <loc>s and a
 * robots.txt `Sitemap:` line point to (cross-submission, sitemaps.org "Sitemaps & Cross Submits").
 */
export function appUrl(env: NodeJS.ProcessEnv = process.env): string {
  return (env.APP_URL?.trim() || "http://localhost:3000").replace(/\/+$/, "");
}

/** Absolute folder URL of a sitemap's public files, ending in "/". */
export function publicFilesBaseUrl(sitemapId: string, env: NodeJS.ProcessEnv = process.env): string {
  return `${appUrl(env)}/s/${encodeURIComponent(sitemapId)}/`;
}
