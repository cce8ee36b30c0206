/**
 * `<sitemapindex>` document (sitemaps.org protocol 0.9, validated by siteindex.xsd), built with xmlbuilder2.
 * An index lists at most 50,000 sitemaps, so a document builder is fine here; urlset parts use the streaming
 * writer in `writer.ts` instead. Pure: no I/O, no clock.
 */
import { create } from "xmlbuilder2";
import { MAX_URLS_PER_FILE } from "@/lib/core/types";
import { SitemapLimitError } from "./errors";
import { encodeLoc, w3cDatetime } from "./xml";

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
 * Each `loc` goes through `encodeLoc` (RFC 3986) and is XML-escaped by xmlbuilder2 (so pass it unescaped);
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
  const root = create({ version: "1.0", encoding: "UTF-8" }).ele(SITEMAP_NS, "sitemapindex");
  for (const item of items) {
    const sitemap = root.ele("sitemap");
    sitemap.ele("loc").txt(encodeLoc(item.loc));
    const lastmod = w3cDatetime(item.lastmod);
    if (lastmod) sitemap.ele("lastmod").txt(lastmod);
  }
  const xml = `${root.end({ prettyPrint: true })}\n`;
  const pi = opts.stylesheet ?? "";
  if (pi === "") return xml;
  // xmlbuilder2 puts the declaration on the first line; the processing instruction goes right after it.
  const nl = xml.indexOf("\n");
  return xml.slice(0, nl + 1) + pi + xml.slice(nl + 1);
}
