/**
 * Video and news sitemap data from a page's JSON-LD (schema.org), for Google's video and news extensions.
 *
 * In:  the raw text of each `<script type="application/ld+json">` (collected by the streaming parser in html.ts,
 *      so no DOM is built), the page URL (relative URLs resolve against it), and the news settings.
 * Out: `video`: every schema.org VideoObject (found anywhere: top level, arrays, `@graph`, nested properties) that
 *      has what Google's video sitemap requires — thumbnailUrl, name, description, and contentUrl or embedUrl —
 *      as VideoInfo (URLs absolute http(s); duration in seconds from ISO 8601 `PT1H2M3S`; uploadDate as
 *      publicationDate), deduplicated by content/player URL, ≤ {@link MAX_VIDEOS_PER_PAGE}.
 *      `news`: the first NewsArticle (or a subtype: AnalysisNewsArticle, ReportageNewsArticle, …) with headline
 *      and a parsable datePublished, with publication name = settings' name, else `publisher.name`, and
 *      language = settings' language, else `inLanguage`, else `<html lang>`, as an ISO 639 code (zh-cn/zh-tw
 *      kept, as Google's news sitemap asks). Null when any of those is missing.
 *      Pruning to the last two days is the writer's job (it knows the publication time of the sitemap).
 * Hostile input: blocks over 1 MiB are skipped, the walk stops after 10,000 nodes or depth 32; never throws.
 */
import type { NewsInfo, VideoInfo } from "@/lib/core/types";
import { normalizeUrl } from "@/lib/core/url";

/** Videos kept per page at most. */
export const MAX_VIDEOS_PER_PAGE = 100;
const MAX_BLOCK_CHARS = 1024 * 1024;
const MAX_NODES = 10_000;
const MAX_DEPTH = 32;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

/** Page URL (to resolve relative URLs), which extensions to read, and the news publication settings. */
export type StructuredDataOptions = {
  pageUrl: string;
  video: boolean;
  news: { publicationName: string | null; language: string | null; pageLang: string | null } | null;
};

/** See module doc. */
export function extractStructuredData(blocks: readonly string[], opts: StructuredDataOptions): { video: VideoInfo[]; news: NewsInfo | null } {
  const video: VideoInfo[] = [];
  const videoKeys = new Set<string>();
  let news: NewsInfo | null = null;
  let nodes = 0;

  const visit = (node: Json, depth: number): void => {
    if (node === null || typeof node !== "object" || depth > MAX_DEPTH || ++nodes > MAX_NODES) return;
    if (Array.isArray(node)) {
      for (const item of node) visit(item, depth + 1);
      return;
    }
    const types = typesOf(node);
    if (opts.video && types.includes("VideoObject") && video.length < MAX_VIDEOS_PER_PAGE) {
      const v = toVideo(node, opts.pageUrl);
      const key = v ? (v.contentLoc ?? "") + " " + (v.playerLoc ?? "") : "";
      if (v && !videoKeys.has(key)) {
        videoKeys.add(key);
        video.push(v);
      }
    }
    if (opts.news && news === null && types.some((t) => t.endsWith("NewsArticle"))) news = toNews(node, opts.news);
    for (const key in node) if (key !== "@context") visit(node[key], depth + 1);
  };

  for (const raw of blocks) {
    if (raw.length > MAX_BLOCK_CHARS) continue;
    // Some CMSs wrap JSON-LD in HTML comments or CDATA markers.
    const text = raw.trim().replace(/^<!--|-->$/g, "").replace(/^\/\/\s*<!\[CDATA\[|\/\/\s*\]\]>$/g, "").trim();
    if (text === "") continue;
    let parsed: Json;
    try {
      parsed = JSON.parse(text) as Json;
    } catch {
      continue;
    }
    visit(parsed, 0);
  }
  return { video, news };
}

function typesOf(node: Obj): string[] {
  const t = node["@type"];
  const list = Array.isArray(t) ? t : [t];
  // "http://schema.org/VideoObject" and "schema:VideoObject" name the same type.
  return list.filter((x): x is string => typeof x === "string").map((x) => x.replace(/^.*[/:#]/, ""));
}

function text(v: Json | undefined): string | null {
  if (typeof v === "string") return v.trim() || null;
  if (Array.isArray(v)) return text(v[0]);
  if (v && typeof v === "object" && "@value" in v) return text(v["@value"]);
  return null;
}

/** A URL property: a string, the first of an array, or an object's `url` / `contentUrl` / `@id`. */
function urlOf(v: Json | undefined, base: string): string | null {
  if (typeof v === "string") return normalizeUrl(v.trim(), base);
  if (Array.isArray(v)) {
    for (const item of v) {
      const u = urlOf(item, base);
      if (u) return u;
    }
    return null;
  }
  if (v && typeof v === "object") return urlOf(v.url ?? v.contentUrl ?? v["@id"], base);
  return null;
}

/** ISO 8601 duration (`PT1H2M3.5S`, `P1DT2H`) → whole seconds; null when unparsable. */
export function isoDurationToSeconds(value: string | null): number | null {
  if (!value) return null;
  const m = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(value.trim());
  if (!m || value.trim().toUpperCase() === "P" || value.trim().toUpperCase() === "PT") return null;
  const [, d, h, min, sec] = m.map((x) => (x === undefined ? 0 : Number(x))) as unknown as number[];
  return Math.round(d * 86400 + h * 3600 + min * 60 + sec);
}

function dateOf(v: Json | undefined): string | null {
  const s = text(v);
  return s !== null && Number.isFinite(Date.parse(s)) ? s : null;
}

function toVideo(node: Obj, base: string): VideoInfo | null {
  const thumbnailLoc = urlOf(node.thumbnailUrl ?? node.thumbnail, base);
  const title = text(node.name);
  const description = text(node.description);
  const contentLoc = urlOf(node.contentUrl, base);
  const playerLoc = urlOf(node.embedUrl, base);
  if (!thumbnailLoc || !title || !description || (!contentLoc && !playerLoc)) return null;
  return {
    thumbnailLoc,
    title,
    description,
    contentLoc,
    playerLoc,
    durationSec: isoDurationToSeconds(text(node.duration)),
    publicationDate: dateOf(node.uploadDate),
  };
}

/** Google news:language: an ISO 639 code, except zh-cn and zh-tw. */
function newsLanguage(tag: string | null): string | null {
  if (!tag) return null;
  const t = tag.trim().toLowerCase().replace(/_/g, "-");
  if (t === "zh-cn" || t === "zh-tw") return t;
  const primary = /^([a-z]{2,3})(-|$)/.exec(t)?.[1];
  return primary ?? null;
}

function toNews(node: Obj, settings: NonNullable<StructuredDataOptions["news"]>): NewsInfo | null {
  const title = text(node.headline) ?? text(node.name);
  const publicationDate = dateOf(node.datePublished);
  const publisher = node.publisher;
  const publisherName = publisher && typeof publisher === "object" && !Array.isArray(publisher) ? text(publisher.name) : null;
  const publicationName = settings.publicationName?.trim() || publisherName;
  const language = newsLanguage(settings.language) ?? newsLanguage(text(node.inLanguage)) ?? newsLanguage(settings.pageLang);
  if (!title || !publicationDate || !publicationName || !language) return null;
  return { publicationName, language, publicationDate, title };
}
