/**
 * Pushed URLs of a sitemap (POST/GET/DELETE /api/v1/sitemaps/{id}/urls).
 *
 * One URL: `{ url, priority?, changefreq?, lastmod? }`, or bulk `{ urls: [ … ] }` with 1..10,000 items (body ≤ 8 MiB).
 * url: absolute http(s) URL (≤ 2,047 characters, sitemaps.org: < 2,048) on the sitemap's origin, stored normalised
 * (fragment dropped); priority 0.0..1.0; changefreq one of the sitemaps.org values; lastmod an ISO 8601 date or
 * date-time (W3C Datetime). null clears a value on a re-push. Objects are strict (422 unknown_field).
 *
 * DTO `source`: api (this endpoint), import, compat (the compatibility adapters); `crawl` for the inventory of the
 * published run (`?source=crawl`), whose items have `id: null`, `priority`/`changefreq` null and `depth`.
 */
import { z } from "zod";
import { line } from "./common";
import { CHANGEFREQS } from "./sitemaps";

export const MAX_PUSH_URLS = 10_000;
export const URL_SOURCES = ["api", "import", "compat"] as const;
export type UrlSource = (typeof URL_SOURCES)[number];

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

export const ZPushUrl = z.strictObject({
  url: line(z.string()).min(1).max(2047),
  priority: z.number().min(0).max(1).nullable().optional(),
  changefreq: z.enum(CHANGEFREQS).nullable().optional(),
  lastmod: z
    .string()
    .refine((v) => ISO_DATE.test(v) && !Number.isNaN(Date.parse(v)), { message: "An ISO 8601 date or date-time.", params: { code: "invalid_format" } })
    .nullable()
    .optional(),
});
export type TPushUrl = z.output<typeof ZPushUrl>;

/** DELETE …/urls with a body: `{ urls: ["https://…", …] }` (1..10,000). */
export const ZDeleteUrlsBody = z.strictObject({ urls: z.array(line(z.string()).min(1).max(2047)).min(1).max(MAX_PUSH_URLS) });

export const ZSitemapUrlDto = z.object({
  /** null for crawl inventory items. */
  id: z.string().nullable(),
  url: z.string(),
  priority: z.number().nullable(),
  changefreq: z.enum(CHANGEFREQS).nullable(),
  lastmod: z.string().nullable(),
  source: z.enum([...URL_SOURCES, "crawl"]),
  /** Link depth from the start URL (crawl items only). */
  depth: z.number().int().nullable(),
  createdAt: z.string().nullable(),
  updatedAt: z.string().nullable(),
});
export type TSitemapUrlDto = z.infer<typeof ZSitemapUrlDto>;

/** Bulk push result: URLs new to the sitemap, and ones already pushed whose values were replaced. */
export const ZPushResultDto = z.object({ received: z.number().int(), created: z.number().int(), updated: z.number().int() });
