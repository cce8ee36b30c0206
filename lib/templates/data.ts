/**
 * The variables a template sees, per kind, and the sample data previews render.
 *
 * xml  (one urlset part):  `urls` (TemplateUrl[]), `part` { number, count, name }, `sitemap` { name, fileName }
 * html (one HTML page):    `urls` (TemplateUrl[], at most 500), `page` { number, count, prev, next } (prev/next are
 *                          file names or null), `sitemap` { name, fileName }
 * rss  (one feed):         `channel` { title, link, description, image, webmaster, updated (RFC 3339),
 *                          lastBuildDate (RFC 822), selfUrl, language }, `items` (TemplateFeedItem[]),
 *                          `feed` { format: "rss" | "atom", encoding }
 *
 * Dates are strings (W3C Datetime / RFC 3339 for `lastmod`/`updated`, RFC 822 for `pubDate`), so the `date`
 * filter works on them. URLs are already absolute and encoded; `{{ }}` escapes them for XML/HTML.
 */
export type TemplateUrl = {
  loc: string;
  lastmod: string | null;
  changefreq: string | null;
  priority: string | null;
  images: { loc: string; title: string | null; caption: string | null }[];
  alternates: { hreflang: string; href: string }[];
};

export type TemplateFeedItem = {
  title: string;
  link: string;
  guid: string;
  description: string | null;
  /** RFC 822, e.g. "Tue, 01 Dec 2026 10:00:00 GMT". */
  pubDate: string;
  /** RFC 3339. */
  updated: string;
};

export type TemplateChannel = {
  title: string;
  link: string;
  description: string;
  image: string | null;
  webmaster: string | null;
  updated: string;
  lastBuildDate: string;
  selfUrl: string | null;
  language: string | null;
};

/** Three URLs with lastmod, changefreq, priority, images and hreflang alternates. */
export function sampleUrls(): TemplateUrl[] {
  return [
    {
      loc: "https://www.example.com/",
      lastmod: "2026-11-30T08:00:00Z",
      changefreq: "daily",
      priority: "1.0",
      images: [{ loc: "https://www.example.com/img/hero.jpg", title: "Hero & banner", caption: null }],
      alternates: [
        { hreflang: "en", href: "https://www.example.com/" },
        { hreflang: "de", href: "https://www.example.com/de/" },
      ],
    },
    {
      loc: "https://www.example.com/de/",
      lastmod: "2026-11-29",
      changefreq: null,
      priority: null,
      images: [],
      alternates: [
        { hreflang: "en", href: "https://www.example.com/" },
        { hreflang: "de", href: "https://www.example.com/de/" },
      ],
    },
    {
      loc: "https://www.example.com/blog/a%20post?x=1&y=2",
      lastmod: null,
      changefreq: "weekly",
      priority: "0.5",
      images: [],
      alternates: [],
    },
  ];
}

/** A channel and three items (one with characters that need escaping). */
export function sampleFeed(format: "rss" | "atom" = "rss"): { channel: TemplateChannel; items: TemplateFeedItem[]; feed: { format: string; encoding: string } } {
  return {
    channel: {
      title: "Example news",
      link: "https://www.example.com/news/",
      description: "Links found on https://www.example.com/news/",
      image: "https://www.example.com/logo.png",
      webmaster: "webmaster@example.com (Web Master)",
      updated: "2026-11-30T10:00:00Z",
      lastBuildDate: "Mon, 30 Nov 2026 10:00:00 GMT",
      selfUrl: "https://sitemaps.example.org/f/feed_1/feed.xml",
      language: null,
    },
    items: [
      { title: "Prices & <offers>", link: "https://www.example.com/news/3", guid: "https://www.example.com/news/3", description: null, pubDate: "Mon, 30 Nov 2026 09:00:00 GMT", updated: "2026-11-30T09:00:00Z" },
      { title: "Second story", link: "https://www.example.com/news/2", guid: "https://www.example.com/news/2", description: null, pubDate: "Sun, 29 Nov 2026 12:00:00 GMT", updated: "2026-11-29T12:00:00Z" },
      { title: "First story", link: "https://www.example.com/news/1", guid: "https://www.example.com/news/1", description: null, pubDate: "Sat, 28 Nov 2026 08:30:00 GMT", updated: "2026-11-28T08:30:00Z" },
    ],
    feed: { format, encoding: "utf-8" },
  };
}

export const sampleSitemap = { name: "Example", fileName: "sitemap" };
