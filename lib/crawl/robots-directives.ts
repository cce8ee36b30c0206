/**
 * The shared directive vocabulary of `<meta name="robots">` and the `X-Robots-Tag` header (Google Search Central,
 * "Robots meta tag, data-nosnippet, and X-Robots-Tag specifications"): the page- or response-level noindex and
 * nofollow the crawler acts on. Pure string work; never throws.
 */

/** Page- or response-level indexing directives that the crawler acts on. */
export type RobotsDirectives = { noindex: boolean; nofollow: boolean };

/**
 * Directives of a `<meta name="robots">` content value: comma- or space-separated, case-insensitive.
 * `none` = `noindex, nofollow`. Unknown directives (max-snippet, noarchive, …) are ignored.
 */
export function parseRobotsDirectives(content: string, into: RobotsDirectives = { noindex: false, nofollow: false }): RobotsDirectives {
  for (const raw of content.toLowerCase().split(/[\s,]+/)) {
    if (raw === "noindex") into.noindex = true;
    else if (raw === "nofollow") into.nofollow = true;
    else if (raw === "none") into.noindex = into.nofollow = true;
  }
  return into;
}

/** Directives that take a value after a colon, so `name: value` is not a user-agent scope. */
const VALUED_DIRECTIVES = new Set(["unavailable_after", "max-snippet", "max-image-preview", "max-video-preview"]);

/**
 * Directives of `X-Robots-Tag` header value(s) that apply to us. Each field value is a comma-separated list;
 * a `botname:` prefix scopes that directive and the ones after it (within the same field value) to `botname`.
 * Unscoped directives and those scoped to `botToken` (case-insensitive) apply; others are ignored.
 * Example: `googlebot: noindex` → nothing for us; `SitemapForgeBot: none` → noindex + nofollow.
 */
export function parseXRobotsTag(values: string | string[] | undefined, botToken: string): RobotsDirectives {
  const out: RobotsDirectives = { noindex: false, nofollow: false };
  if (values === undefined) return out;
  const token = botToken.toLowerCase();
  for (const value of Array.isArray(values) ? values : [values]) {
    let scope: string | null = null;
    for (const part of value.split(",")) {
      let directive = part.trim().toLowerCase();
      const m = /^([a-z0-9_-]+)\s*:\s*(.*)$/.exec(directive);
      if (m && !VALUED_DIRECTIVES.has(m[1])) {
        scope = m[1];
        directive = m[2];
      }
      if (scope === null || scope === token) parseRobotsDirectives(directive, out);
    }
  }
  return out;
}
