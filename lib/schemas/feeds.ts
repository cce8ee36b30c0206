/**
 * Feeds API DTOs (/api/v1/feeds): RSS 2.0 / Atom feeds built from the links of one page (mysitemapgenerator's
 * Rss* methods). Settings:
 *   foundUrl        the page whose links become items (absolute http(s) URL; port 80, 443 or CRAWL_ALLOWED_PORTS
 *                   unless its host:port is in CRAWL_ALLOW_HOSTS)
 *   linkMask        which links: a glob on the absolute URL (`*` any characters, `?` one; a mask starting with
 *                   "/" matches path + query of links on the page's host), a JavaScript regular expression
 *                   (≤ 500 characters, tested on the absolute URL; one that can backtrack catastrophically is
 *                   422 invalid_value, see lib/core/regex-safety.ts), or a
 *                   CSS selector (links matched, or links inside the matched elements); "" = every link on the
 *                   page's own host
 *   maskSyntax      glob | regex | css
 *   itemsLimit      1..50 (mysitemapgenerator's 10/20/30/50 are accepted as they are)
 *   pubDateSource   page (the item page's date → Last-Modified → first seen) | server (Last-Modified → first seen)
 *                   | first_seen. Never "now" on every refresh: first seen is stored and never changes.
 *   format          rss | atom;  encoding utf-8 | windows-1251
 *   channelTitle, channelImage (absolute URL), webmaster (RSS webMaster, e.g. "ops@example.com (Ops)")
 *   templateId      a template of kind rss (null = the built-in writer);  active (scheduled refreshes)
 */
import { z } from "zod";
import { urlPortError } from "@/lib/core/outbound";
import { line } from "./common";

export const FEED_FORMATS = ["rss", "atom"] as const;
export const FEED_ENCODINGS = ["utf-8", "windows-1251"] as const;
export const MASK_SYNTAXES = ["glob", "regex", "css"] as const;
export const PUBDATE_SOURCES = ["page", "server", "first_seen"] as const;
export const FEED_STATUSES = ["idle", "running", "succeeded", "failed"] as const;

const ZHttpUrl = line(z.string())
  .trim()
  .max(2048)
  .url()
  .refine((u) => /^https?:\/\//i.test(u), { message: "must be an http(s) URL", params: { code: "invalid_format" } });

const settings = {
  name: line(z.string()).trim().min(1).max(200),
  // Fetched by the refresh: ports 80, 443 and CRAWL_ALLOWED_PORTS only (lib/core/outbound.ts), checked again at connect.
  foundUrl: ZHttpUrl.superRefine((v, ctx) => {
    const why = urlPortError(v);
    if (why) ctx.addIssue({ code: "custom", message: why, params: { code: "invalid_value" } });
  }),
  linkMask: line(z.string()).max(500),
  maskSyntax: z.enum(MASK_SYNTAXES),
  itemsLimit: z.number().int().min(1).max(50),
  pubDateSource: z.enum(PUBDATE_SOURCES),
  format: z.enum(FEED_FORMATS),
  channelTitle: line(z.string()).trim().max(300).nullable(),
  channelImage: ZHttpUrl.nullable(),
  webmaster: line(z.string())
    .trim()
    .max(200)
    .regex(/^[^\s@()]+@[^\s@()]+\.[^\s@()]+(?: \([^()]{1,100}\))?$/, { message: 'must be an email address, optionally followed by " (Name)"' })
    .nullable(),
  encoding: z.enum(FEED_ENCODINGS),
  templateId: line(z.string()).min(1).max(64).nullable(),
  active: z.boolean(),
};

export const ZCreateFeedBody = z.strictObject({
  ...settings,
  name: settings.name.optional().describe("Default: the host of foundUrl."),
  linkMask: settings.linkMask.default(""),
  maskSyntax: settings.maskSyntax.default("glob"),
  itemsLimit: settings.itemsLimit.default(20),
  pubDateSource: settings.pubDateSource.default("page"),
  format: settings.format.default("rss"),
  channelTitle: settings.channelTitle.optional(),
  channelImage: settings.channelImage.optional(),
  webmaster: settings.webmaster.optional(),
  encoding: settings.encoding.default("utf-8"),
  templateId: settings.templateId.optional(),
  active: settings.active.default(true),
});
export type TCreateFeedBody = z.infer<typeof ZCreateFeedBody>;

export const ZUpdateFeedBody = z.strictObject(Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, v.optional()])) as {
  [K in keyof typeof settings]: z.ZodOptional<(typeof settings)[K]>;
});
export type TUpdateFeedBody = z.infer<typeof ZUpdateFeedBody>;

export const ZFeedDto = z.object({
  id: z.string(),
  number: z.number().int().describe("Numeric id (mysitemapgenerator's cid)."),
  name: z.string(),
  foundUrl: z.string(),
  linkMask: z.string(),
  maskSyntax: z.enum(MASK_SYNTAXES),
  itemsLimit: z.number().int(),
  pubDateSource: z.enum(PUBDATE_SOURCES),
  format: z.enum(FEED_FORMATS),
  channelTitle: z.string().nullable(),
  channelImage: z.string().nullable(),
  webmaster: z.string().nullable(),
  encoding: z.enum(FEED_ENCODINGS),
  templateId: z.string().nullable(),
  active: z.boolean(),
  status: z.enum(FEED_STATUSES),
  lastRefreshAt: z.string().nullable(),
  lastError: z.string().nullable(),
  lastCost: z.number().int().describe("Crawl credits the last refresh cost."),
  itemCount: z.number().int().describe("Items in the published feed."),
  publicUrl: z.string().describe("Public URL of the feed file (404 until the first successful refresh)."),
  fileUrl: z.string().describe("API download URL of the feed file."),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TFeedDto = z.infer<typeof ZFeedDto>;

export const ZFeedItemDto = z.object({
  url: z.string().describe("The item link; also its GUID (isPermaLink) / Atom id."),
  title: z.string(),
  description: z.string().nullable(),
  pubDate: z.string().describe("What the feed shows: the stored page/server date, else firstSeenAt (ISO 8601)."),
  datedBy: z.enum(["source", "first_seen"]).describe("source: the page or Last-Modified date stored on first sight; first_seen: no date was found."),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
  position: z.number().int().nullable().describe("Position on the page at the last refresh (0 = first); null = no longer on the page."),
});
export type TFeedItemDto = z.infer<typeof ZFeedItemDto>;

/** `?all=true` also lists items that are no longer on the page (position null). */
export const ZFeedItemsQuery = z.object({ all: z.enum(["true", "false"]).optional() });
