/**
 * Validation of template output before it is published or shown in a preview.
 *
 * - `validateUrlsetXml(xml)` — a sitemap part must be (sitemaps.org protocol 0.9): well-formed XML 1.0 (strict
 *   check with saxes, xml-check.ts), root element `urlset` in the namespace `http://www.sitemaps.org/schemas/sitemap/0.9`,
 *   every `<url>` with exactly one `<loc>`, every `<loc>` an absolute http(s) URL of at most 2,048 characters,
 *   at most `maxUrls` (default 50,000) `<url>` elements and at most `maxBytes` (default 52,428,800) UTF-8 bytes.
 * - `validateFeedXml(xml)` — well-formed, root `rss` (version 2.0, with a `channel`) or Atom `feed`
 *   (`http://www.w3.org/2005/Atom`).
 * - `validateHtml(html)` — only the size cap (browsers accept anything; the HTML is served under a no-script CSP).
 *
 * Each returns `{ ok, errors, urlCount, bytes }`; errors are human-readable sentences (at most 20, the first ones),
 * with a line number where the checker gives one. Never throws.
 */
import { checkXml } from "./xml-check";

export const SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9";
export const ATOM_NS = "http://www.w3.org/2005/Atom";
export const MAX_URLS = 50_000;
export const MAX_BYTES = 52_428_800;
export const MAX_LOC_CHARS = 2_048;
const MAX_ERRORS = 20;

export type OutputValidation = { ok: boolean; errors: string[]; urlCount: number; bytes: number };

const localName = (qname: string) => qname.slice(qname.indexOf(":") + 1);
const prefixOf = (qname: string) => (qname.includes(":") ? qname.slice(0, qname.indexOf(":")) : "");

/** True for an absolute http(s) URL (WHATWG parse) with a host. */
function isAbsoluteHttpUrl(s: string): boolean {
  if (!/^https?:\/\//i.test(s)) return false;
  try {
    return new URL(s).host !== "";
  } catch {
    return false;
  }
}

/** See the module doc. `maxBytes` is clamped to 52,428,800 and `maxUrls` to 50,000. */
export function validateUrlsetXml(xml: string, opts: { maxUrls?: number; maxBytes?: number } = {}): OutputValidation {
  const maxUrls = Math.min(opts.maxUrls ?? MAX_URLS, MAX_URLS);
  const maxBytes = Math.min(opts.maxBytes ?? MAX_BYTES, MAX_BYTES);
  const bytes = Buffer.byteLength(xml, "utf8");
  const errors: string[] = [];
  const add = (e: string) => void (errors.length < MAX_ERRORS && errors.push(e));
  if (bytes > maxBytes) add(`The file has ${bytes} bytes; a sitemap file may have at most ${maxBytes}.`);
  let urlCount = 0;
  let locsInUrl = 0;
  let rootNs: string | null = null;
  let sitemapPrefix: string | null = null;
  const inNs = (qname: string) => sitemapPrefix !== null && prefixOf(qname) === sitemapPrefix;
  const res = checkXml(xml, {
    open(name, attrs, depth) {
      if (depth === 0) {
        const prefix = prefixOf(name);
        rootNs = attrs[prefix ? `xmlns:${prefix}` : "xmlns"] ?? null;
        if (rootNs === SITEMAP_NS) sitemapPrefix = prefix;
        else {
          // The namespace may be bound under another prefix only if the root uses it; anything else is wrong.
          sitemapPrefix = null;
        }
      } else if (depth === 1 && inNs(name) && localName(name) === "url") {
        urlCount++;
        locsInUrl = 0;
      }
    },
    close(name, text, depth) {
      if (depth === 2 && inNs(name) && localName(name) === "loc") {
        locsInUrl++;
        const loc = text.trim();
        if (!isAbsoluteHttpUrl(loc)) add(`<loc> of URL #${urlCount} is not an absolute http(s) URL: ${JSON.stringify(loc.slice(0, 100))}.`);
        else if (loc.length > MAX_LOC_CHARS) add(`<loc> of URL #${urlCount} has ${loc.length} characters; at most ${MAX_LOC_CHARS} are allowed.`);
      } else if (depth === 1 && inNs(name) && localName(name) === "url" && locsInUrl !== 1) {
        add(`URL #${urlCount} has ${locsInUrl} <loc> elements; it needs exactly one.`);
      }
    },
  });
  if (!res.ok) {
    return { ok: false, errors: [`Not well-formed XML (line ${res.error.line}, column ${res.error.column}): ${res.error.message}.`, ...errors], urlCount, bytes };
  }
  if (localName(res.root) !== "urlset" || rootNs !== SITEMAP_NS) {
    add(`The root element must be <urlset xmlns="${SITEMAP_NS}">; found <${res.root}>${rootNs ? ` in namespace ${rootNs}` : " without that namespace"}.`);
  }
  if (urlCount > maxUrls) add(`The file lists ${urlCount} URLs; a sitemap file may list at most ${maxUrls}.`);
  return { ok: errors.length === 0, errors, urlCount, bytes };
}

/** See the module doc. `urlCount` counts RSS `<item>` / Atom `<entry>` elements. */
export function validateFeedXml(xml: string, opts: { maxBytes?: number } = {}): OutputValidation {
  const maxBytes = opts.maxBytes ?? MAX_BYTES;
  const bytes = Buffer.byteLength(xml, "utf8");
  const errors: string[] = [];
  let urlCount = 0;
  let rootAttrs: Record<string, string> = {};
  let hasChannel = false;
  const res = checkXml(xml, {
    open(name, attrs, depth) {
      if (depth === 0) rootAttrs = attrs;
      if (depth === 1 && name === "channel") hasChannel = true;
      if ((depth === 2 && name === "item") || (depth === 1 && localName(name) === "entry")) urlCount++;
    },
  });
  if (bytes > maxBytes) errors.push(`The feed has ${bytes} bytes; at most ${maxBytes} are allowed.`);
  if (!res.ok) {
    return { ok: false, errors: [`Not well-formed XML (line ${res.error.line}, column ${res.error.column}): ${res.error.message}.`, ...errors], urlCount, bytes };
  }
  if (res.root === "rss") {
    if (rootAttrs.version !== "2.0") errors.push('The <rss> element needs version="2.0".');
    if (!hasChannel) errors.push("The <rss> element needs a <channel>.");
  } else if (localName(res.root) === "feed") {
    const prefix = prefixOf(res.root);
    if (rootAttrs[prefix ? `xmlns:${prefix}` : "xmlns"] !== ATOM_NS) errors.push(`The Atom <feed> must be in the namespace ${ATOM_NS}.`);
  } else errors.push(`The root element must be <rss version="2.0"> or an Atom <feed>; found <${res.root}>.`);
  return { ok: errors.length === 0, errors, urlCount, bytes };
}

/** See the module doc. */
export function validateHtml(html: string, opts: { maxBytes?: number } = {}): OutputValidation {
  const maxBytes = opts.maxBytes ?? MAX_BYTES;
  const bytes = Buffer.byteLength(html, "utf8");
  const errors = bytes > maxBytes ? [`The page has ${bytes} bytes; at most ${maxBytes} are allowed.`] : [];
  if (html.trim() === "") errors.push("The template rendered nothing.");
  return { ok: errors.length === 0, errors, urlCount: (html.match(/<a\s/gi) ?? []).length, bytes };
}
