/**
 * How this project launches Chromium: Debian's build (never a Playwright download) with the flags it needs in a
 * container with no network but loopback. Used by the crawler's JavaScript rendering (lib/crawl/render.ts), the
 * Playwright e2e config and browser tests. Pure: no imports, so playwright.config.ts can load it as is.
 */

/** No sandbox (containers), no GPU, no /dev/shm reliance, and no background traffic of its own. */
export const CHROMIUM_BASE_ARGS: readonly string[] = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** CHROMIUM_PATH, else Debian's /usr/bin/chromium. */
export function chromiumPath(env: Record<string, string | undefined> = process.env): string {
  return env.CHROMIUM_PATH?.trim() || "/usr/bin/chromium";
}
