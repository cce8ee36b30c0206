/**
 * The checks a newly met same-origin URL goes through before it is queued (module doc of lib/crawl/crawler.ts has
 * the order): length, rules, robots.txt, then (within maxDepth) trap caps, list_only and non-HTML extensions.
 * Pure string work on normalised absolute URLs; `pathStart` is the origin's length (where the path begins).
 */
import type { ExclusionReason } from "@/lib/core/types";
import type { RuleMatcher } from "./rules";

/**
 * Path extensions (lower case, without the dot) of files that are never HTML: a link to `/x/report.pdf` or
 * `/img/a.JPG?v=2` is recorded "not_html" (status null) without a request. Images, PDFs and office documents,
 * archives and installers, audio and video, fonts, stylesheets and scripts. Deliberately absent: extensions a
 * server may map to HTML (.php, .asp, .jsp, .cgi, .pl, .xml, .txt, .json, none). A rule `list_only` still lists
 * such a URL without fetching it.
 */
export const NON_HTML_EXTENSIONS: ReadonlySet<string> = new Set(
  (
    "pdf jpg jpeg png gif webp avif svg svgz ico bmp tif tiff heic psd " +
    "doc docx xls xlsx ppt pptx odt ods odp rtf epub " +
    "zip gz tgz tar bz2 xz 7z rar dmg exe msi iso apk deb rpm " +
    "mp3 m4a wav flac ogg oga opus aac mp4 m4v mov avi wmv webm mkv mpg mpeg flv " +
    "woff woff2 ttf otf eot css js mjs map"
  ).split(" "),
);

/** True when the path of the normalised absolute `url` (query ignored) ends in a {@link NON_HTML_EXTENSIONS} entry. */
export function hasNonHtmlExtension(url: string, pathStart: number): boolean {
  const q = url.indexOf("?", pathStart);
  const end = q < 0 ? url.length : q;
  const dot = url.lastIndexOf(".", end - 1);
  if (dot <= pathStart || end - dot > 6 || end - dot < 2) return false;
  if (url.indexOf("/", dot) >= 0 && url.indexOf("/", dot) < end) return false;
  return NON_HTML_EXTENSIONS.has(url.slice(dot + 1, end).toLowerCase());
}

/** A URL's fate before any request: a reason, "list" (rule list_only: listed unfetched), or null (fetch it). */
export type ScreenVerdict = ExclusionReason | "list" | null;

export type Screen = {
  /** The depth-independent checks: length, rule exclude, robots.txt; "list_only" when a rule says so; else null. */
  head(url: string): ExclusionReason | "list_only" | null;
  /** Every check, for a URL within maxDepth (also when a shorter path brings a queued URL back under it). */
  full(url: string): ScreenVerdict;
};

/** The screen of one crawl. `isAllowed` is robots.txt's verdict; `trapCheck` the trap caps (lib/crawl/traps.ts). */
export function createScreen(o: {
  maxUrlLength: number;
  pathStart: number;
  rules: RuleMatcher | null;
  isAllowed: (url: string) => boolean;
  trapCheck: (url: string, pathStart: number) => unknown;
}): Screen {
  const { maxUrlLength, pathStart, rules, isAllowed, trapCheck } = o;
  const head = (url: string): ExclusionReason | "list_only" | null => {
    if (url.length > maxUrlLength) return "url_too_long";
    const action = rules ? rules(url, pathStart) : "crawl_list";
    if (action === "exclude") return "excluded_by_rule";
    if (!isAllowed(url)) return "robots_disallowed";
    return action === "list_only" ? "list_only" : null;
  };
  const tail = (url: string, listOnly: boolean): ScreenVerdict => {
    if (trapCheck(url, pathStart) !== null) return "crawl_trap";
    if (listOnly) return "list";
    return hasNonHtmlExtension(url, pathStart) ? "not_html" : null;
  };
  const full = (url: string): ScreenVerdict => {
    const h = head(url);
    if (h !== null && h !== "list_only") return h;
    return tail(url, h === "list_only");
  };
  return { head, full };
}
