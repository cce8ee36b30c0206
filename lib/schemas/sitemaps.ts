/**
 * Sitemap request bodies and DTO for /api/v1/sitemaps. Objects are strict: an unknown field is a 422 `unknown_field`.
 *
 * Limits: maxFileEntries 1..50,000 URLs per urlset file; maxFileSize 4,096..52,428,800 bytes per file (uncompressed,
 * sitemaps.org); crawl.maxPages 1..1,000,000 pages; crawl.maxDepth 0..100 links from startUrl; crawl.concurrency
 * 1..32 parallel requests; crawl.userAgent printable ASCII ≤ 256 chars, null = the default Sitemap Forge agent.
 * startUrl: absolute http(s) URL without credentials, ≤ 2,048 chars, stored normalised (fragment dropped).
 * fileName: base name of the published files (`<fileName>.xml`, …), unique per account (409 `duplicate_entry`).
 */
import { z } from "zod";
import { MAX_BYTES_PER_FILE, MAX_URLS_PER_FILE } from "@/lib/core/types";
import { normalizeUrl } from "@/lib/core/url";
import { ZRunDto } from "./runs";

const invalidFormat = (message: string) => ({ message, params: { code: "invalid_format" } });

export const FILE_NAME_RE = /^[a-z0-9][a-z0-9._-]{0,99}$/;

const ZName = z.string().trim().min(1).max(200);
const ZStartUrl = z
  .string()
  .max(2048)
  .refine((v) => normalizeUrl(v) !== null, invalidFormat("Must be an absolute http(s) URL without credentials."))
  .transform((v) => normalizeUrl(v)!);
const ZFileName = z
  .string()
  .regex(FILE_NAME_RE, "Must match ^[a-z0-9][a-z0-9._-]{0,99}$.")
  .refine((v) => !/\.(xml|gz)$/.test(v), invalidFormat("Give the base name without .xml or .gz."))
  .refine((v) => !v.includes(".."), invalidFormat("Must not contain '..'."));
const ZUserAgent = z
  .string()
  .trim()
  .min(1)
  .max(256)
  .regex(/^[\x20-\x7E]+$/, "Must be printable ASCII.")
  .nullable();

const crawlFields = {
  maxPages: z.number().int().min(1).max(1_000_000),
  maxDepth: z.number().int().min(0).max(100),
  concurrency: z.number().int().min(1).max(32),
  userAgent: ZUserAgent,
  respectRobots: z.boolean(),
};
const ZCrawlInput = z.strictObject(crawlFields).partial();

const fields = {
  name: ZName,
  startUrl: ZStartUrl,
  fileName: ZFileName,
  active: z.boolean(),
  maxFileEntries: z.number().int().min(1).max(MAX_URLS_PER_FILE),
  maxFileSize: z.number().int().min(4096).max(MAX_BYTES_PER_FILE),
  gzip: z.boolean(),
  crawl: ZCrawlInput,
};

/** POST /api/v1/sitemaps. Omitted optional fields take the defaults shown in the DTO. */
export const ZCreateSitemapBody = z.strictObject({
  name: fields.name,
  startUrl: fields.startUrl,
  fileName: fields.fileName,
  active: fields.active.optional(),
  maxFileEntries: fields.maxFileEntries.optional(),
  maxFileSize: fields.maxFileSize.optional(),
  gzip: fields.gzip.optional(),
  crawl: fields.crawl.optional(),
});
export type TCreateSitemapBody = z.input<typeof ZCreateSitemapBody>;
export type TCreateSitemap = z.output<typeof ZCreateSitemapBody>;

/** PATCH /api/v1/sitemaps/{id}: any subset of the create fields; `crawl` is merged field by field. */
export const ZUpdateSitemapBody = z.strictObject(fields).partial();
export type TUpdateSitemapBody = z.input<typeof ZUpdateSitemapBody>;
export type TUpdateSitemap = z.output<typeof ZUpdateSitemapBody>;

export const ZSitemapDto = z.object({
  id: z.string(),
  name: z.string(),
  startUrl: z.string(),
  fileName: z.string(),
  active: z.boolean(),
  maxFileEntries: z.number().int(),
  maxFileSize: z.number().int(),
  gzip: z.boolean(),
  crawl: z.object(crawlFields),
  /** The run whose files are served now, or null before the first successful run. */
  publishedRunId: z.string().nullable(),
  /** The newest run (any status), or null. */
  lastRun: ZRunDto.nullable(),
  /** Public URL of the entry file (sitemap index, or the only urlset) when something is published. */
  sitemapUrl: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TSitemapDto = z.infer<typeof ZSitemapDto>;
