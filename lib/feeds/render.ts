/**
 * Writing a feed document: RSS 2.0 (https://www.rssboard.org/rss-specification) or Atom (RFC 4287), built with
 * xmlbuilder2, or rendered by the feed's rss template (lib/templates), then encoded.
 *
 * RSS: channel title/link/description, `atom:link rel="self"` (RSS Advisory Board), lastBuildDate, webMaster,
 * image (url/title/link), generator; items with title, link, `guid isPermaLink="true"` = the URL, pubDate (RFC 822).
 * Atom: feed id (the public feed URL), title, updated, self and alternate links, author (webmaster, else the host),
 * logo; entries with id = URL, title, alternate link, updated and published (RFC 3339).
 *
 * Items are written in the order given (refresh.ts sorts them). Dates come from the items only — lastBuildDate /
 * updated is the newest item date (the feed's creation time when there is none) — so an unchanged page gives a
 * byte-identical file. Text has XML-illegal characters stripped and is escaped by xmlbuilder2 (`]]>` included; no
 * CDATA). `encodeFeed` writes UTF-8, or windows-1251 (iconv-lite) with `encoding="windows-1251"` in the declaration
 * and every character outside cp1251 (emoji, CJK, …) as a numeric character reference.
 *
 * Errors: renderFeedXml throws TemplateRenderError / TemplateSyntaxError from the template, or FeedTemplateError
 * when a template's output is not a well-formed RSS/Atom document.
 */
import iconv from "iconv-lite";
import { create } from "xmlbuilder2";
import { stripInvalidXmlChars } from "@/lib/sitemap/xml";
import type { TemplateChannel, TemplateFeedItem } from "@/lib/templates/data";
import { renderTemplate } from "@/lib/templates/sandbox";
import { validateFeedXml } from "@/lib/templates/validate";

export type FeedEncoding = "utf-8" | "windows-1251";
export type FeedFormat = "rss" | "atom";
export const FEED_MAX_BYTES = 10 * 1024 * 1024;

/**
 * A feed template's output that is not a well-formed RSS or Atom document (lib/templates/validate.ts validateFeedXml);
 * the message names the first problems.
 */
export class FeedTemplateError extends Error {}

export type FeedDocItem = { url: string; title: string; description: string | null; date: Date };
export type FeedDocInput = {
  format: FeedFormat;
  encoding: FeedEncoding;
  title: string;
  link: string;
  description: string;
  image: string | null;
  webmaster: string | null;
  selfUrl: string;
  /** Used as lastBuildDate/updated when there are no items. */
  fallbackDate: Date;
  items: FeedDocItem[];
};

const txt = (s: string) => stripInvalidXmlChars(s);
const rfc822 = (d: Date) => d.toUTCString();
const rfc3339 = (d: Date) => d.toISOString().replace(/\.000Z$/, "Z");

function newest(input: FeedDocInput): Date {
  return input.items.reduce((m, i) => (i.date > m ? i.date : m), input.items.length ? input.items[0].date : input.fallbackDate);
}

/**
 * The RSS 2.0 document of the feed (elements in the module doc), pretty-printed, without XML declaration, ending in a
 * newline.
 */
export function buildRss(input: FeedDocInput): string {
  const doc = create({ version: "1.0" });
  const rss = doc.ele("rss", { version: "2.0", "xmlns:atom": "http://www.w3.org/2005/Atom" });
  const ch = rss.ele("channel");
  ch.ele("title").txt(txt(input.title));
  ch.ele("link").txt(input.link);
  ch.ele("description").txt(txt(input.description));
  ch.ele("atom:link", { href: input.selfUrl, rel: "self", type: "application/rss+xml" });
  ch.ele("lastBuildDate").txt(rfc822(newest(input)));
  if (input.webmaster) ch.ele("webMaster").txt(txt(input.webmaster));
  ch.ele("generator").txt("Sitemap Forge");
  if (input.image) {
    const img = ch.ele("image");
    img.ele("url").txt(input.image);
    img.ele("title").txt(txt(input.title));
    img.ele("link").txt(input.link);
  }
  for (const it of input.items) {
    const item = ch.ele("item");
    item.ele("title").txt(txt(it.title));
    item.ele("link").txt(it.url);
    if (it.description) item.ele("description").txt(txt(it.description));
    item.ele("guid", { isPermaLink: "true" }).txt(it.url);
    item.ele("pubDate").txt(rfc822(it.date));
  }
  return doc.end({ prettyPrint: true, headless: true }) + "\n";
}

/**
 * The Atom (RFC 4287) document of the feed (elements in the module doc), pretty-printed, without XML declaration,
 * ending in a newline.
 */
export function buildAtom(input: FeedDocInput): string {
  const doc = create({ version: "1.0" });
  const feed = doc.ele("http://www.w3.org/2005/Atom", "feed");
  feed.ele("id").txt(input.selfUrl);
  feed.ele("title").txt(txt(input.title));
  feed.ele("subtitle").txt(txt(input.description));
  feed.ele("updated").txt(rfc3339(newest(input)));
  feed.ele("link", { rel: "self", type: "application/atom+xml", href: input.selfUrl });
  feed.ele("link", { rel: "alternate", type: "text/html", href: input.link });
  feed.ele("author").ele("name").txt(txt(input.webmaster || new URL(input.link).host));
  feed.ele("generator").txt("Sitemap Forge");
  if (input.image) feed.ele("logo").txt(input.image);
  for (const it of input.items) {
    const e = feed.ele("entry");
    e.ele("id").txt(it.url);
    e.ele("title").txt(txt(it.title));
    e.ele("link", { rel: "alternate", href: it.url });
    e.ele("updated").txt(rfc3339(it.date));
    e.ele("published").txt(rfc3339(it.date));
    if (it.description) e.ele("summary").txt(txt(it.description));
  }
  return doc.end({ prettyPrint: true, headless: true }) + "\n";
}

/** The template variables of an rss template (lib/templates/data.ts). */
export function templateFeedData(input: FeedDocInput): { channel: TemplateChannel; items: TemplateFeedItem[]; feed: { format: string; encoding: string } } {
  const updated = newest(input);
  return {
    channel: {
      title: txt(input.title),
      link: input.link,
      description: txt(input.description),
      image: input.image,
      webmaster: input.webmaster,
      updated: rfc3339(updated),
      lastBuildDate: rfc822(updated),
      selfUrl: input.selfUrl,
      language: null,
    },
    items: input.items.map((i) => ({
      title: txt(i.title),
      link: i.url,
      guid: i.url,
      description: i.description ? txt(i.description) : null,
      pubDate: rfc822(i.date),
      updated: rfc3339(i.date),
    })),
    feed: { format: input.format, encoding: input.encoding },
  };
}

/** The feed document without its XML declaration (encodeFeed adds it). */
export async function renderFeedXml(input: FeedDocInput, template: string | null): Promise<string> {
  if (!template) return input.format === "atom" ? buildAtom(input) : buildRss(input);
  const out = await renderTemplate(template, templateFeedData(input), { outputBytes: FEED_MAX_BYTES });
  const body = out.replace(/^\uFEFF?\s*<\?xml[^>]*\?>\s*/, "");
  const v = validateFeedXml(body, { maxBytes: FEED_MAX_BYTES });
  if (!v.ok) throw new FeedTemplateError(`The feed template's output is not a valid feed: ${v.errors.slice(0, 3).join(" ")}`);
  return body;
}

let cp1251: Set<number> | null = null;
function cp1251Chars(): Set<number> {
  if (!cp1251) {
    const all = iconv.decode(Buffer.from(Array.from({ length: 256 }, (_, i) => i)), "win1251");
    cp1251 = new Set([...all].filter((c) => c !== "\uFFFD").map((c) => c.codePointAt(0)!));
  }
  return cp1251;
}

/** The bytes of the feed file: XML declaration + `xml` in `encoding` (see the module doc). */
export function encodeFeed(xml: string, encoding: FeedEncoding): Buffer {
  if (encoding === "utf-8") return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${xml}`, "utf8");
  const ok = cp1251Chars();
  let s = "";
  for (const ch of xml) {
    const cp = ch.codePointAt(0)!;
    s += cp < 0x80 || ok.has(cp) ? ch : `&#${cp};`;
  }
  return iconv.encode(`<?xml version="1.0" encoding="windows-1251"?>\n${s}`, "win1251");
}

/** The Content-Type of a feed file: `application/rss+xml` or `application/atom+xml`, with `charset=` the encoding. */
export const feedContentType = (format: FeedFormat, encoding: FeedEncoding) =>
  `${format === "atom" ? "application/atom+xml" : "application/rss+xml"}; charset=${encoding}`;
