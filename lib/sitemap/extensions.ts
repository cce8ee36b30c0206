/**
 * Google sitemap extensions inside `<url>` (https://developers.google.com/search/docs/crawling-indexing/sitemaps/
 * combine-sitemap-extensions), rendered as one XML fragment per entry after `<priority>` (sitemap.xsd's `xsd:any`):
 *
 * - Image (…/image-sitemaps, ns `http://www.google.com/schemas/sitemap-image/1.1`): `<image:image><image:loc>` only;
 *   caption/title/geo_location/license are deprecated (2022) and never written. Up to 1,000 per `<url>`: URLs are
 *   `encodeLoc`-encoded, deduplicated, invalid ones dropped, the rest after the 1,000th dropped and counted.
 *   Optional host filter (`imageHosts`): keep images on the page's own host or a listed host (`cdn.example.com`,
 *   or `*.example.com` for any subdomain).
 * - hreflang (ns `http://www.w3.org/1999/xhtml`): `<xhtml:link rel="alternate" hreflang="…" href="…"/>` per alternate
 *   of the page's cluster, normalised by `HreflangCollector` (see hreflang.ts), which also collects the problems.
 * - Video (…/video-sitemaps, ns `…/sitemap-video/1.1`): written only with the required `thumbnail_loc`, `title`,
 *   `description` and `content_loc` or `player_loc` (neither may equal the page's `<loc>`); optional `duration`
 *   (integer seconds 1–28,800) and `publication_date` (W3C Datetime). Title ≤ 100 and description ≤ 2,048 characters
 *   (sitemap-video.xsd); longer text is cut at a code point and ends in "…". Duplicates (same content/player URL) are
 *   written once. Incomplete videos are dropped and counted.
 * - News (…/news-sitemap, ns `…/sitemap-news/0.9`): `<news:news>` with publication name + language,
 *   `publication_date` and `title`, only when the caller passes `news.now` (no hidden clock) and the article's
 *   publication date is within [now − 2 days, now + 1 day] (Google: "articles from the last two days"; the day ahead
 *   tolerates a long crawl and zone mistakes). Older articles keep their `<url>` but lose the `<news:news>` block
 *   (pruned, counted). The publication name and language from the options override the page's. Language:
 *   ISO 639 two- or three-letter code, or `zh-cn` / `zh-tw` (sitemap-news.xsd; `zh-Hans`/`zh-CN` → `zh-cn`,
 *   `zh-Hant`/`zh-TW`/`zh-HK` → `zh-tw`, `en-GB` → `en`). At most 1,000 `<news:news>` per file (the writer starts a
 *   new part).
 *
 * Text (titles, descriptions, names) is stripped of XML-invalid characters, whitespace-collapsed and XML-escaped once;
 * URLs are RFC 3986-encoded like `<loc>`. Nothing here throws for bad extension data: it is dropped and counted in
 * `ExtensionStats`. Pure apart from the caller-supplied `now`.
 */
import type { NewsInfo, SitemapEntry, VideoInfo } from "@/lib/core/types";
import { SitemapOptionsError } from "./errors";
import { HreflangCollector, type HreflangCollectorOptions } from "./hreflang";
import { encodeLoc, escapeXml, stripInvalidXmlChars, w3cDatetime, w3cDatetimeToMs } from "./xml";

export const IMAGE_NS = "http://www.google.com/schemas/sitemap-image/1.1";
export const VIDEO_NS = "http://www.google.com/schemas/sitemap-video/1.1";
export const NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9";
export const XHTML_NS = "http://www.w3.org/1999/xhtml";

/** Google: up to 1,000 `<image:image>` per `<url>`. */
export const MAX_IMAGES_PER_URL = 1_000;
/** Google News: up to 1,000 `<news:news>` per sitemap file. */
export const MAX_NEWS_PER_FILE = 1_000;
/** Google News: only articles published in the last two days. */
export const NEWS_MAX_AGE_MS = 2 * 24 * 60 * 60 * 1000;
/** Publication dates up to this far after `now` are kept (long crawls, wrong zones); later ones are pruned. */
export const NEWS_FUTURE_TOLERANCE_MS = 24 * 60 * 60 * 1000;
/** sitemap-video.xsd limits, in characters. */
export const VIDEO_TITLE_MAX = 100;
export const VIDEO_DESCRIPTION_MAX = 2_048;
/** sitemap-video.xsd / Google: duration in whole seconds, 1..28,800 (8 hours). */
export const VIDEO_DURATION_MAX = 28_800;

export type NewsOptions = {
  /**
   * The reference time of the 2-day window: pass the crawl snapshot's time (e.g. the run's `startedAt`), never the
   * export's wall clock, so a retried export of the same snapshot writes the same bytes.
   */
  now: Date | string;
  /** Overrides each article's publication name (it must match Google News exactly). */
  publicationName?: string | null;
  /** Overrides each article's language (ISO 639 code; zh-cn / zh-tw for Chinese). */
  language?: string | null;
};

/** Which extensions are rendered. Disabled extensions ignore the entry's data and declare no namespace. */
export type ExtensionOptions = {
  /** `<image:image>`. Default false here; `writeSitemapOutputs` defaults it to true. */
  images?: boolean;
  /** Extra image hosts allowed besides the page's own host (`*.example.com` = any subdomain); null = no filter. */
  imageHosts?: readonly string[] | null;
  /** `<xhtml:link rel="alternate" hreflang>`. */
  hreflang?: boolean;
  /** `<video:video>`. */
  video?: boolean;
  /** `<news:news>`; null/undefined = off. */
  news?: NewsOptions | null;
  /** Passed to the hreflang collector. */
  hreflangReport?: HreflangCollectorOptions;
};

/** What the extension renderer wrote and dropped, in items. */
export type ExtensionStats = {
  images: number;
  /** Invalid URL, duplicate on the same page, other host (filter), or beyond the 1,000th. */
  imagesDropped: number;
  alternates: number;
  videos: number;
  /** Missing a required field, invalid URL, or duplicate. */
  videosDropped: number;
  news: number;
  /** Older than 2 days (or more than a day ahead of `now`): the `<url>` is kept, its `<news:news>` is not. */
  newsPruned: number;
  /** Missing or invalid name, language, date or title. */
  newsDropped: number;
};

type HostRule = { exact: Set<string>; suffixes: string[] };

function hostRule(hosts: readonly string[]): HostRule {
  const exact = new Set<string>();
  const suffixes: string[] = [];
  for (const raw of hosts) {
    if (typeof raw !== "string") throw new SitemapOptionsError("imageHosts must be host names.");
    const h = raw.trim().toLowerCase();
    if (h === "") continue;
    if (!/^(\*\.)?[a-z0-9.-]+(:\d+)?$/.test(h)) {
      throw new SitemapOptionsError(`imageHosts: ${JSON.stringify(raw.slice(0, 100))} is not a host name or *.domain.`);
    }
    if (h.startsWith("*.")) suffixes.push(h.slice(1));
    else exact.add(h);
  }
  return { exact, suffixes };
}

/** Host (with port, without userinfo) of an `encodeLoc` result, which is already lower-cased by WHATWG. */
function hostOf(url: string): string {
  const start = url.indexOf("//") + 2;
  let end = url.indexOf("/", start);
  if (end < 0) end = url.length;
  const authority = url.slice(start, end);
  const at = authority.lastIndexOf("@");
  return at < 0 ? authority : authority.slice(at + 1);
}

/**
 * Cleans free text for XML: strips invalid characters, collapses whitespace, trims, cuts to `max` code points
 * (the last one becoming "…"), then escapes. Returns "" for non-strings.
 */
export function cleanText(value: unknown, max = Infinity): string {
  if (typeof value !== "string") return "";
  let s = stripInvalidXmlChars(value).replace(/\s+/g, " ").trim();
  if (s.length > max) {
    // Count code points (an emoji is one character for XSD maxLength).
    let count = 0;
    let cut = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) i++;
      count++;
      if (count === max - 1) cut = i + 1;
      if (count > max) break;
    }
    if (count > max) s = `${s.slice(0, cut).trimEnd()}…`;
  }
  return s;
}

/** Google News language: `zh-cn` / `zh-tw`, else the 2–3 letter ISO 639 primary subtag, lower case; null if invalid. */
export function normaliseNewsLanguage(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const c = value.trim().toLowerCase().replace(/_/g, "-");
  if (/^zh-(hans(-[a-z]{2})?|cn|sg)$/.test(c)) return "zh-cn";
  if (/^zh-(hant(-[a-z]{2})?|tw|hk|mo)$/.test(c)) return "zh-tw";
  const m = /^([a-z]{2,3})(-[a-z0-9]{2,8})*$/.exec(c);
  return m ? m[1] : null;
}

const NO_NEWS = { xml: "", ok: false };

/**
 * Renders the extension fragment of one entry. Create one per write (it holds the hreflang collector and the stats);
 * entries must be passed once each, in output order.
 */
export class ExtensionRenderer {
  readonly stats: ExtensionStats = {
    images: 0,
    imagesDropped: 0,
    alternates: 0,
    videos: 0,
    videosDropped: 0,
    news: 0,
    newsPruned: 0,
    newsDropped: 0,
  };
  /** Present when hreflang is enabled. */
  readonly hreflang: HreflangCollector | null;
  /** True when at least one extension is enabled. */
  readonly enabled: boolean;
  private readonly images: boolean;
  private readonly imageHosts: HostRule | null;
  private readonly video: boolean;
  private readonly newsNowMs: number | null;
  private readonly newsName: string | null;
  private readonly newsLanguage: string | null;
  /** Set by `render`: whether the fragment holds a `<news:news>` (the writer caps them per file). */
  lastHadNews = false;

  constructor(o: ExtensionOptions) {
    this.images = o.images === true;
    this.imageHosts = o.imageHosts ? hostRule(o.imageHosts) : null;
    this.hreflang = o.hreflang === true ? new HreflangCollector(o.hreflangReport) : null;
    this.video = o.video === true;
    if (o.news) {
      const now = o.news.now instanceof Date ? o.news.now.getTime() : Date.parse(String(o.news.now));
      if (!Number.isFinite(now)) throw new SitemapOptionsError("news.now must be a valid Date or ISO date string.");
      this.newsNowMs = now;
      this.newsName = o.news.publicationName ? cleanText(o.news.publicationName) || null : null;
      if (o.news.language) {
        this.newsLanguage = normaliseNewsLanguage(o.news.language);
        if (this.newsLanguage === null) {
          throw new SitemapOptionsError(`news.language ${JSON.stringify(String(o.news.language).slice(0, 40))} is not an ISO 639 code.`);
        }
      } else {
        this.newsLanguage = null;
      }
    } else {
      this.newsNowMs = null;
      this.newsName = null;
      this.newsLanguage = null;
    }
    this.enabled = this.images || this.hreflang !== null || this.video || this.newsNowMs !== null;
  }

  /** ` xmlns:…="…"` attributes for the `<urlset>` start tag, one per enabled extension (fixed order). */
  namespaces(): string {
    let s = "";
    if (this.images) s += ` xmlns:image="${IMAGE_NS}"`;
    if (this.video) s += ` xmlns:video="${VIDEO_NS}"`;
    if (this.newsNowMs !== null) s += ` xmlns:news="${NEWS_NS}"`;
    if (this.hreflang) s += ` xmlns:xhtml="${XHTML_NS}"`;
    return s;
  }

  /**
   * The XML to insert after `<priority>` for entry `e` whose encoded loc is `loc`, or null when there is none.
   * Order inside `<url>`: images, videos, news, hreflang links.
   */
  render(e: SitemapEntry, loc: string): string | null {
    this.lastHadNews = false;
    if (e.images == null && e.alternates == null && e.video == null && e.news == null) return null;
    let s = "";
    if (this.images && e.images) s += this.renderImages(e.images, loc);
    if (this.video && e.video) s += this.renderVideos(e.video, loc);
    if (this.newsNowMs !== null && e.news) {
      const n = this.renderNews(e.news);
      if (n.ok) {
        s += n.xml;
        this.lastHadNews = true;
      }
    }
    if (this.hreflang && e.alternates) {
      for (const a of this.hreflang.add(loc, e.alternates)) {
        s += `<xhtml:link rel="alternate" hreflang="${a.code}" href="${escapeXml(a.href)}"/>`;
        this.stats.alternates++;
      }
    }
    return s === "" ? null : s;
  }

  private renderImages(images: readonly string[], loc: string): string {
    if (!Array.isArray(images)) return "";
    let s = "";
    let kept = 0;
    const seen = images.length > 1 ? new Set<string>() : null;
    const pageHost = this.imageHosts ? hostOf(loc) : "";
    for (const raw of images) {
      if (kept >= MAX_IMAGES_PER_URL) {
        this.stats.imagesDropped++;
        continue;
      }
      let url: string;
      try {
        url = encodeLoc(raw);
      } catch {
        this.stats.imagesDropped++;
        continue;
      }
      if (seen) {
        if (seen.has(url)) {
          this.stats.imagesDropped++;
          continue;
        }
        seen.add(url);
      }
      if (this.imageHosts) {
        const h = hostOf(url);
        if (h !== pageHost && !this.imageHosts.exact.has(h) && !this.imageHosts.suffixes.some((sfx) => h.endsWith(sfx))) {
          this.stats.imagesDropped++;
          continue;
        }
      }
      s += `<image:image><image:loc>${escapeXml(url)}</image:loc></image:image>`;
      kept++;
    }
    this.stats.images += kept;
    return s;
  }

  private renderVideos(videos: readonly VideoInfo[], loc: string): string {
    if (!Array.isArray(videos)) return "";
    let s = "";
    const seen = new Set<string>();
    for (const v of videos) {
      const xml = v && typeof v === "object" ? this.renderVideo(v, loc, seen) : null;
      if (xml === null) this.stats.videosDropped++;
      else {
        s += xml;
        this.stats.videos++;
      }
    }
    return s;
  }

  private renderVideo(v: VideoInfo, loc: string, seen: Set<string>): string | null {
    const enc = (u: unknown): string | null => {
      if (typeof u !== "string" || u === "") return null;
      try {
        const out = encodeLoc(u);
        return out === loc ? null : out;
      } catch {
        return null;
      }
    };
    const thumb = enc(v.thumbnailLoc);
    const title = cleanText(v.title, VIDEO_TITLE_MAX);
    const description = cleanText(v.description, VIDEO_DESCRIPTION_MAX);
    const content = enc(v.contentLoc);
    const player = enc(v.playerLoc);
    if (thumb === null || title === "" || description === "" || (content === null && player === null)) return null;
    const key = content ?? `player ${player}`;
    if (seen.has(key)) return null;
    seen.add(key);
    let s = `<video:video><video:thumbnail_loc>${escapeXml(thumb)}</video:thumbnail_loc>`;
    s += `<video:title>${escapeXml(title)}</video:title><video:description>${escapeXml(description)}</video:description>`;
    if (content !== null) s += `<video:content_loc>${escapeXml(content)}</video:content_loc>`;
    if (player !== null) s += `<video:player_loc>${escapeXml(player)}</video:player_loc>`;
    if (typeof v.durationSec === "number" && Number.isFinite(v.durationSec)) {
      const d = Math.round(v.durationSec);
      if (d >= 1 && d <= VIDEO_DURATION_MAX) s += `<video:duration>${d}</video:duration>`;
    }
    const published = w3cDatetime(v.publicationDate ?? null);
    if (published !== null) s += `<video:publication_date>${published}</video:publication_date>`;
    return `${s}</video:video>`;
  }

  private renderNews(n: NewsInfo): { xml: string; ok: boolean } {
    if (typeof n !== "object") return NO_NEWS;
    const name = this.newsName ?? cleanText(n.publicationName);
    const language = this.newsLanguage ?? normaliseNewsLanguage(n.language);
    const date = w3cDatetime(n.publicationDate);
    const title = cleanText(n.title);
    if (name === "" || language === null || date === null || title === "") {
      this.stats.newsDropped++;
      return NO_NEWS;
    }
    const t = w3cDatetimeToMs(date);
    const now = this.newsNowMs as number;
    if (!(t >= now - NEWS_MAX_AGE_MS && t <= now + NEWS_FUTURE_TOLERANCE_MS)) {
      this.stats.newsPruned++;
      return NO_NEWS;
    }
    this.stats.news++;
    return {
      ok: true,
      xml:
        `<news:news><news:publication><news:name>${escapeXml(name)}</news:name><news:language>${language}</news:language>` +
        `</news:publication><news:publication_date>${date}</news:publication_date><news:title>${escapeXml(title)}</news:title></news:news>`,
    };
  }
}
