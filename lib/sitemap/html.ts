/**
 * HTML sitemap for people: paginated pages of links grouped by path, streamed like the XML parts (one page open at a
 * time, constant memory). Written by `writeSitemapOutputs` with `extraFormats: ["html"]`.
 *
 * Pages: `<fileName>.html` (page 1, always the entry point), `<fileName>-2.html`, `<fileName>-3.html`, … with
 * `linksPerPage` links each (default 500). Each page is a complete HTML5 document: UTF-8, a small inline style, a
 * `Content-Security-Policy` meta (`default-src 'none'; style-src 'unsafe-inline'`, so even a missed escape could not
 * run script), no script, relative links to the previous and next page (names only, so the pages work wherever the
 * folder is served).
 *
 * Grouping: a section per top-level directory of the URL path (`/blog/…` → "/blog/", pages directly under the root →
 * "/"; URLs of another origin than the first one are shown with their origin). Sections follow the input order: with the input
 * sorted by URL (the caller contract) each directory is one run of links, but root pages sorting between two
 * directories (`/about` < `/blog/` < `/contact`) start a new "/" section; a section cut by a page break is headed
 * "(continued)" on the next page.
 *
 * Escaping: link text is the entry's `title` when given, else the URL path + query decoded for reading (`/статья`);
 * both are stripped of control, bidi-override and XML-invalid characters, whitespace-collapsed, cut to 200
 * characters and HTML-escaped (`& < > " '`). `href`s are the RFC 3986 `loc` (http/https only), attribute-escaped.
 */
import { stripInvalidXmlChars } from "./xml";
import type { NormalisedEntry, PartFormat } from "./parts";

/** Default links per HTML page. */
export const HTML_LINKS_PER_PAGE = 500;
/** Link texts longer than this (characters) are cut and end in "…". */
const MAX_TEXT = 200;

const HTML_ENTITY: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const HTML_SPECIAL = /[&<>"']/;
/** HTML-escapes text or an attribute value (`& < > " '`). */
export const escapeHtml = (s: string): string => (HTML_SPECIAL.test(s) ? s.replace(/[&<>"']/g, (c) => HTML_ENTITY[c]) : s);

// C0/C1 controls (tab/newline become spaces first), bidi embeddings/overrides/isolates, zero-width marks that can
// disguise a link text, and the BOM.
const UNSAFE_TEXT = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** Makes `s` safe and short for link text (before HTML escaping). */
function displayText(s: string): string {
  let t = stripInvalidXmlChars(s).replace(/\s+/g, " ").replace(UNSAFE_TEXT, "").trim();
  if (t.length > MAX_TEXT) {
    let cut = MAX_TEXT - 1;
    const c = t.charCodeAt(cut - 1);
    if (c >= 0xd800 && c <= 0xdbff) cut--; // do not split a surrogate pair
    t = `${t.slice(0, cut)}…`;
  }
  return t;
}

/** Start of the path in an `encodeLoc` result (after `scheme://authority`). */
const pathStart = (loc: string): number => {
  const i = loc.indexOf("/", loc.indexOf("//") + 2);
  return i < 0 ? loc.length : i;
};

/** `origin` + "/dir/" (first path segment followed by "/") or origin + "/" for pages directly under the root. */
function sectionKey(loc: string): string {
  const p = pathStart(loc);
  let end = p + 1;
  while (end < loc.length) {
    const c = loc.charCodeAt(end);
    if (c === 47 /* / */) return loc.slice(0, end + 1);
    if (c === 63 /* ? */ || c === 35 /* # */) break;
    end++;
  }
  return loc.slice(0, p + 1);
}

/** Percent-decodes for reading; keeps the encoded form when it is not valid UTF-8. */
function decodeForReading(s: string): string {
  try {
    return decodeURI(s);
  } catch {
    return s;
  }
}

export type HtmlFormatOptions = {
  /** Base name of the pages (`<fileName>.html`, `<fileName>-2.html`, …). */
  fileName: string;
  /** Heading and `<title>` of every page. Default "Sitemap". */
  title?: string;
};

/** Name of HTML page `n` (1-based). */
export const htmlPageName = (fileName: string, n: number): string => (n === 1 ? `${fileName}.html` : `${fileName}-${n}.html`);

const STYLE =
  "body{font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1f2328;max-width:60rem;margin:2rem auto;padding:0 1rem}" +
  "h1{font-size:1.5rem;margin:0}h2{font-size:1.05rem;margin:1.5rem 0 .4rem;color:#59636e;word-break:break-all}" +
  "ul{margin:0;padding-left:1.2rem}li{margin:.15rem 0}a{color:#0969da;text-decoration:none;word-break:break-word}" +
  "a:hover{text-decoration:underline}nav{display:flex;gap:1rem;margin:1.5rem 0;color:#59636e}small{font-weight:normal}";

/**
 * A stateful HTML page format for one write (create one per call): it remembers the current section across entries
 * and pages. Pages have no byte limit; use it with "pages" naming (set on the format) and `maxFileEntries` =
 * links per page.
 */
export function createHtmlFormat(o: HtmlFormatOptions): PartFormat {
  const title = escapeHtml(displayText(o.title ?? "Sitemap") || "Sitemap");
  let section: string | null = null;
  let firstOrigin: string | null = null;

  const nav = (partNo: number, last: boolean): string => {
    let s = `<nav><span>Page ${partNo}</span>`;
    if (partNo > 1) s += `<a rel="prev" href="${escapeHtml(htmlPageName(o.fileName, partNo - 1))}">← Previous page</a>`;
    if (!last) s += `<a rel="next" href="${escapeHtml(htmlPageName(o.fileName, partNo + 1))}">Next page →</a>`;
    return `${s}</nav>\n`;
  };

  return {
    kind: "html",
    ext: ".html",
    header: "",
    footer: "",
    naming: "pages",
    usesExtras: false,
    headerFor: (partNo: number) =>
      '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
      '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">\n` +
      `<title>${title}${partNo > 1 ? ` – page ${partNo}` : ""}</title>\n<style>${STYLE}</style>\n</head>\n<body>\n` +
      `<header><h1>${title}</h1></header>\n<main>\n`,
    footerFor: (partNo: number, last: boolean) => `</ul></section>\n</main>\n${nav(partNo, last)}</body>\n</html>\n`,
    byteLength: (s: string) => Buffer.byteLength(s),
    render(e: NormalisedEntry, firstInPart: boolean): string {
      const loc = e.loc;
      const key = sectionKey(loc);
      const origin = key.slice(0, pathStart(key));
      if (firstOrigin === null) firstOrigin = origin;
      // URLs of the first origin are shown by path; any other origin's in full.
      const own = origin === firstOrigin;
      let s = "";
      if (firstInPart || key !== section) {
        const continued = firstInPart && key === section;
        if (!firstInPart) s += "</ul></section>\n";
        const raw = own ? key.slice(origin.length) : key;
        const label = raw.includes("%") ? displayText(decodeForReading(raw)) : raw;
        s += `<section><h2>${escapeHtml(label)}${continued ? " <small>(continued)</small>" : ""}</h2><ul>\n`;
        section = key;
      }
      let text = e.title !== null ? displayText(e.title) : "";
      if (text === "") {
        const shown = own ? loc.slice(pathStart(loc)) : loc;
        // An encoded loc is printable ASCII without spaces: only percent-escapes can decode into something unsafe.
        text = shown.includes("%") ? displayText(decodeForReading(shown)) || shown : shown;
      }
      return `${s}<li><a href="${escapeHtml(loc)}">${escapeHtml(text)}</a></li>\n`;
    },
  };
}
