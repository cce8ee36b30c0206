/**
 * `<sitemapindex>` document (sitemaps.org protocol 0.9, validated by siteindex.xsd), written as a string template
 * (the same bytes xmlbuilder2's pretty printer gave, without loading xmlbuilder2: ~10 MB less RSS for the crawl CLI).
 * urlset parts use the streaming writer in `writer.ts`. Pure: no I/O, no clock.
 */
import { MAX_URLS_PER_FILE } from "@/lib/core/types";
import { SitemapLimitError } from "./errors";
import { encodeLoc, escapeEncodedLoc, escapeXml, w3cDatetime } from "./xml";

/** sitemaps.org 0.9 namespace, shared by `<urlset>` and `<sitemapindex>`. */
export const SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9";

/** One `<sitemap>` of an index: `loc` is the absolute URL of a sitemap file; `lastmod` a W3C Datetime or Date. */
export type SitemapIndexItem = { loc: string; lastmod?: string | Date | null };

export type SitemapIndexOptions = {
  /**
   * An `<?xml-stylesheet …?>` line from `xmlStylesheetPi` (xsl.ts), written right after the XML declaration; "" or
   * omitted for none.
   */
  stylesheet?: string;
};

/**
 * Renders a `<sitemapindex>` as a UTF-8 XML string (indented, ending in a newline; same input → same string).
 * Each `loc` goes through `encodeLoc` (RFC 3986) and is then XML-escaped (`escapeEncodedLoc`: `&` and `'`; pass it unescaped);
 * `lastmod` goes through `w3cDatetime` and is omitted when absent or invalid. `opts.stylesheet` adds the
 * `<?xml-stylesheet?>` line (byte counts of callers include it, since they measure this string).
 *
 * @throws SitemapLimitError with 0 or more than 50,000 items (siteindex.xsd needs ≥ 1; sitemaps.org caps at 50,000).
 * @throws InvalidLocError for a `loc` that is not an absolute http(s) URL under 2,048 chars.
 */
export function buildSitemapIndexXml(items: readonly SitemapIndexItem[], opts: SitemapIndexOptions = {}): string {
  if (items.length === 0) throw new SitemapLimitError("A sitemapindex needs at least one <sitemap>.");
  if (items.length > MAX_URLS_PER_FILE) {
    throw new SitemapLimitError(`A sitemapindex may list at most ${MAX_URLS_PER_FILE} sitemaps, got ${items.length}.`);
  }
  const out: string[] = [`<?xml version="1.0" encoding="UTF-8"?>\n`, opts.stylesheet ?? "", `<sitemapindex xmlns="${SITEMAP_NS}">\n`];
  for (const item of items) {
    out.push(`  <sitemap>\n    <loc>${escapeEncodedLoc(encodeLoc(item.loc))}</loc>\n`);
    const lastmod = w3cDatetime(item.lastmod);
    if (lastmod) out.push(`    <lastmod>${escapeXml(lastmod)}</lastmod>\n`);
    out.push("  </sitemap>\n");
  }
  out.push("</sitemapindex>\n");
  return out.join("");
}
