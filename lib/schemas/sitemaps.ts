/**
 * Sitemap request bodies and DTO for /api/v1/sitemaps. Objects are strict: an unknown field is a 422 `unknown_field`.
 *
 * Limits: maxFileEntries 1..50,000 URLs per urlset file; maxFileSize 4,096..52,428,800 bytes per file (uncompressed,
 * sitemaps.org); crawl.maxPages 1..1,000,000 pages; crawl.maxDepth 0..100 links from startUrl; crawl.concurrency
 * 1..32 parallel requests; crawl.userAgent printable ASCII ≤ 256 chars, null = the default Sitemap Forge agent.
 * crawl.rules: ≤ 200 `{ action: crawl_list|crawl_only|list_only|exclude, pattern (1..1,000 chars), syntax: glob|regex }`,
 * first match wins (lib/core/types.ts CrawlRule documents the syntax; an invalid regex or glob is 422 invalid_format;
 * a regex that can backtrack catastrophically is 422 invalid_value, see lib/core/regex-safety.ts).
 * crawl.queryPolicy keep|strip|allowlist with crawl.queryAllowlist (≤ 100 parameter names); crawl.trailingSlash
 * keep|add|remove; crawl.maxUrlLength 64..2,047 characters; crawl.respectCrawlDelay, crawl.importRobotsSitemaps;
 * crawl.renderJs off|auto|always.
 * extensions: images + imageHosts (≤ 50 host names, "*.cdn.example" allowed), hreflang, video, news with
 * newsPublicationName (≤ 200 chars) / newsLanguage (ISO 639 code, or zh-cn / zh-tw).
 * auth (write-only, stored encrypted, sent only to the start URL's origin): `{ basicAuth?: {username, password},
 * headers?: {name: value}, cookies?: {name: value} }`, each part null to remove it, `auth: null` removes all; on
 * PATCH, parts left out are kept. The DTO shows only which parts are set (`basicAuth: true`, header and cookie
 * names), never a value. Header names must be RFC 9110 tokens and not one the crawler owns (User-Agent, Host,
 * Authorization, Cookie, conditional and hop-by-hop fields); values ≤ 4,096 chars without line breaks.
 * startUrl: absolute http(s) URL without credentials, ≤ 2,048 chars, stored normalised (fragment dropped); port 80,
 * 443 or one of CRAWL_ALLOWED_PORTS unless the exact host:port is in CRAWL_ALLOW_HOSTS (else 422 invalid_value).
 * fileName: base name of the published files (`<fileName>.xml`, …), unique per account (409 `duplicate_entry`).
 *
 * Shop-API fields (docs/api-core.md): subScopes ≤ 100 `{ key ([a-z0-9][a-z0-9_-]{0,49}, unique), name (1..200),
 * pathPrefix ("/…", ≤ 500 chars) }` — sections or languages, like the shop API's subshopIds; templateId: one of the
 * caller's templates of kind "xml" (else 422 invalid_value) or null for the built-in writer; options.exportCharset
 * utf-8|windows-1251 (HTML and template outputs; XML sitemaps are always UTF-8, as sitemaps.org requires);
 * writeIntoRobots; exportAfterImport; exportPlan: distinct hours 0..23 (stored sorted); exportCron: a 5-field cron
 * expression (croner) or null; timezone: an IANA zone (Intl) for exportPlan and exportCron.
 * crawl.excludeNoindex / followNofollow / respectCanonical (mysitemapgenerator's options as plain booleans);
 * crawl.collapseDuplicates: list one URL per cluster of identical main content (docs/api-core.md "Duplicates").
 * publishGuard: 0..1 or null (off), default 0.3: a run listing fewer than (1 − publishGuard) × the URLs of the published
 * run is held instead of published (status `held`; POST /api/v1/runs/{id}/publish publishes it anyway).
 * output: priorityMode off|fixed|depth, defaultPriority 0..1 or null (used by "fixed"; 0.5 when null),
 * defaultChangefreq (sitemaps.org values) or null, lastmod (write <lastmod>), lastmodSource content|server.
 */
import { Cron } from "croner";
import { z } from "zod";
import { FORBIDDEN_CUSTOM_HEADERS, MAX_BYTES_PER_FILE, MAX_URLS_PER_FILE, RULE_ACTIONS } from "@/lib/core/types";
import { urlPortError } from "@/lib/core/outbound";
import { regexListErrors } from "@/lib/core/regex-safety";
import { normalizeUrl } from "@/lib/core/url";
import { line } from "./common";
import { RUN_STATUSES, ZRunDto } from "./runs";

/** The default of Sitemap.publishGuard (prisma/schema.prisma): a drop of more than 30 % holds a run. */
export const DEFAULT_PUBLISH_GUARD = 0.3;

const invalidFormat = (message: string) => ({ message, params: { code: "invalid_format" } });

export const FILE_NAME_RE = /^[a-z0-9][a-z0-9._-]{0,99}$/;

const ZName = line(z.string()).trim().min(1).max(200);
export const ZStartUrl = line(z.string())
  .max(2048)
  .refine((v) => normalizeUrl(v) !== null, invalidFormat("Must be an absolute http(s) URL without credentials."))
  .superRefine((v, ctx) => {
    // Ports 80, 443 and CRAWL_ALLOWED_PORTS only (lib/core/outbound.ts); checked again at connect time.
    const why = urlPortError(v);
    if (why) ctx.addIssue({ code: "custom", message: why, params: { code: "invalid_value" } });
  })
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

/**
 * Same checks as lib/crawl/rules.ts ruleError (schemas may not import the crawler). The regex safety check
 * (lib/core/regex-safety.ts) runs on the whole list, within one time budget: see ZRules.
 */
const ZRule = z
  .strictObject({
    action: z.enum(RULE_ACTIONS),
    pattern: line(z.string()).min(1).max(1000),
    syntax: z.enum(["glob", "regex"]),
  })
  .superRefine((rule, ctx) => {
    if (rule.syntax === "glob" && !/^(\/|\*|https?:\/\/)/i.test(rule.pattern)) {
      ctx.addIssue({ code: "custom", path: ["pattern"], message: 'A glob starts with "/", "*", "http://" or "https://".', params: { code: "invalid_format" } });
    }
    if (rule.syntax === "regex") {
      try {
        new RegExp(rule.pattern);
      } catch (e) {
        ctx.addIssue({ code: "custom", path: ["pattern"], message: `Invalid regular expression: ${(e as Error).message}`, params: { code: "invalid_format" } });
      }
    }
  });
/**
 * A sitemap's rules: ≤ 200, and every regex one must be safe from catastrophic backtracking (lib/core/regex-safety.ts),
 * else 422 invalid_value on `crawl.rules.<i>.pattern` with the reason.
 */
const ZRules = z
  .array(ZRule)
  .max(200)
  .superRefine((rules, ctx) => {
    const regex = rules.flatMap((r, i) => (r.syntax === "regex" ? [i] : []));
    const errors = regexListErrors(regex.map((i) => rules[i].pattern));
    errors.forEach((message, k) => {
      if (message) ctx.addIssue({ code: "custom", path: [regex[k], "pattern"], message, params: { code: "invalid_value" } });
    });
  });
const ZParamName = z.string().min(1).max(200).regex(/^[^&=#\s]+$/, "A query parameter name without &, =, # or spaces.");
const ZHostName = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(\*\.)?[a-z0-9.-]+$/, "A host name (e.g. cdn.example.com), optionally starting with *.")
  .max(253);

const crawlFields = {
  maxPages: z.number().int().min(1).max(1_000_000),
  maxDepth: z.number().int().min(0).max(100),
  concurrency: z.number().int().min(1).max(32),
  userAgent: ZUserAgent,
  respectRobots: z.boolean(),
  rules: ZRules,
  queryPolicy: z.enum(["keep", "strip", "allowlist"]),
  queryAllowlist: z.array(ZParamName).max(100),
  trailingSlash: z.enum(["keep", "add", "remove"]),
  maxUrlLength: z.number().int().min(64).max(2047),
  respectCrawlDelay: z.boolean(),
  importRobotsSitemaps: z.boolean(),
  renderJs: z.enum(["off", "auto", "always"]),
  excludeNoindex: z.boolean(),
  followNofollow: z.boolean(),
  respectCanonical: z.boolean(),
  /** List one URL per cluster of identical main content; the others get reason "duplicate" (default false). */
  collapseDuplicates: z.boolean(),
};
const ZCrawlInput = z.strictObject(crawlFields).partial();

const extensionFields = {
  images: z.boolean(),
  imageHosts: z.array(ZHostName).max(50),
  hreflang: z.boolean(),
  video: z.boolean(),
  news: z.boolean(),
  newsPublicationName: line(z.string()).trim().min(1).max(200).nullable(),
  newsLanguage: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^([a-z]{2,3}|zh-cn|zh-tw)$/, "An ISO 639 language code (en, de, …), or zh-cn / zh-tw.")
    .nullable(),
};
const ZExtensionsInput = z.strictObject(extensionFields).partial();

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const ZHeaderValue = line(z.string().max(4096).regex(/^[^\r\n\0]*$/, "No line breaks or NUL in a header value."));
const ZHeaders = z
  .record(z.string().regex(TOKEN, "A header name (RFC 9110 token)."), ZHeaderValue)
  .superRefine((headers, ctx) => {
    const names = Object.keys(headers);
    if (names.length > 20) ctx.addIssue({ code: "custom", message: "At most 20 headers." });
    for (const name of names) {
      if (FORBIDDEN_CUSTOM_HEADERS.has(name.toLowerCase())) {
        ctx.addIssue({
          code: "custom",
          path: [name],
          message: "This header is set by the crawler (use basicAuth / cookies for Authorization / Cookie).",
          params: { code: "invalid_format" },
        });
      }
    }
  });
const ZCookies = z
  .record(z.string().regex(TOKEN, "A cookie name (RFC 6265 token)."), z.string().max(4096).regex(/^[^;,\s"\\\0]*$/, "A cookie value without ; , \" \\ or spaces."))
  .refine((c) => Object.keys(c).length <= 20, "At most 20 cookies.");
/** Write-only staging credentials (see module doc). */
export const ZAuthInput = z
  .strictObject({
    basicAuth: z
      .strictObject({
        username: line(z.string()).min(1).max(256).regex(/^[^:\r\n\0]*$/, "A user name without ':' or line breaks (RFC 7617)."),
        password: line(z.string()).max(1024).regex(/^[^\r\n\0]*$/, "No line breaks in the password."),
      })
      .nullable(),
    headers: ZHeaders.nullable(),
    cookies: ZCookies.nullable(),
  })
  .partial()
  .nullable();
export type TAuthInput = z.output<typeof ZAuthInput>;

export const CHANGEFREQS = ["always", "hourly", "daily", "weekly", "monthly", "yearly", "never"] as const;
export const PRIORITY_MODES = ["off", "fixed", "depth"] as const;
export const EXPORT_CHARSETS = ["utf-8", "windows-1251"] as const;

export const EXTRA_FORMATS = ["html", "json", "txt"] as const;
const outputFields = {
  priorityMode: z.enum(PRIORITY_MODES),
  defaultPriority: z.number().min(0).max(1).nullable(),
  defaultChangefreq: z.enum(CHANGEFREQS).nullable(),
  lastmod: z.boolean(),
  lastmodSource: z.enum(["content", "server"]),
  /** Formats written besides the XML sitemap (lib/sitemap/outputs.ts): HTML (paginated, grouped by path), JSON, TXT. */
  extraFormats: z.array(z.enum(EXTRA_FORMATS)).max(EXTRA_FORMATS.length).refine((v) => new Set(v).size === v.length, "Each format once."),
  /** Add an <?xml-stylesheet?> to the XML files so a browser shows a readable table. */
  xslStylesheet: z.boolean(),
};
const ZOutputInput = z.strictObject(outputFields).partial();

export const SUB_SCOPE_KEY_RE = /^[a-z0-9][a-z0-9_-]{0,49}$/;
export const ZSubScope = z.strictObject({
  key: z.string().regex(SUB_SCOPE_KEY_RE, "Must match ^[a-z0-9][a-z0-9_-]{0,49}$."),
  name: line(z.string()).trim().min(1).max(200),
  pathPrefix: line(z.string())
    .max(500)
    .refine((v) => v.startsWith("/") && !/[\s#?]/.test(v), invalidFormat('A URL path starting with "/", without spaces, "?" or "#".')),
});
export type TSubScope = z.infer<typeof ZSubScope>;
const ZSubScopes = z
  .array(ZSubScope)
  .max(100)
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((s, i) => {
      if (seen.has(s.key)) ctx.addIssue({ code: "custom", path: [i, "key"], message: `Duplicate sub-scope key "${s.key}".` });
      seen.add(s.key);
    });
  });

/** Sitemap.subScopes as stored (JSON written only through ZSubScopes); anything else reads as none. */
export function subScopesOf(value: unknown): TSubScope[] {
  return Array.isArray(value)
    ? (value as TSubScope[]).filter((s) => s && typeof s.key === "string" && typeof s.pathPrefix === "string")
    : [];
}

const ZExportPlan = z
  .array(z.number().int().min(0).max(23))
  .max(24)
  .refine((hours) => new Set(hours).size === hours.length, "Hours must be distinct.")
  .transform((hours) => [...hours].sort((a, b) => a - b));

/** A 5-field cron expression croner accepts (minute hour day-of-month month day-of-week). */
export function cronError(expr: string): string | null {
  if (expr.trim().split(/\s+/).length !== 5) return "A cron expression has 5 fields: minute hour day-of-month month day-of-week.";
  try {
    new Cron(expr, { paused: true });
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}
const ZExportCron = line(z.string())
  .trim()
  .max(200)
  .superRefine((v, ctx) => {
    const err = cronError(v);
    if (err) ctx.addIssue({ code: "custom", message: err, params: { code: "invalid_format" } });
  })
  .nullable();

/** An IANA time zone name the runtime knows (Intl), e.g. "Europe/Berlin" or "UTC". */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
const ZTimeZone = line(z.string()).min(1).max(100).refine(isTimeZone, "Must be an IANA time zone such as Europe/Berlin or UTC.");

const fields = {
  name: ZName,
  startUrl: ZStartUrl,
  fileName: ZFileName,
  active: z.boolean(),
  maxFileEntries: z.number().int().min(1).max(MAX_URLS_PER_FILE),
  maxFileSize: z.number().int().min(4096).max(MAX_BYTES_PER_FILE),
  gzip: z.boolean(),
  crawl: ZCrawlInput,
  extensions: ZExtensionsInput,
  auth: ZAuthInput,
  output: ZOutputInput,
  subScopes: ZSubScopes,
  templateId: line(z.string()).min(1).max(64).nullable(),
  options: z.strictObject({ exportCharset: z.enum(EXPORT_CHARSETS) }).partial(),
  writeIntoRobots: z.boolean(),
  exportAfterImport: z.boolean(),
  exportPlan: ZExportPlan,
  exportCron: ZExportCron,
  timezone: ZTimeZone,
  publishGuard: z
    .number()
    .min(0)
    .max(1)
    .nullable()
    .describe("Publish guard: a run listing fewer than (1 − publishGuard) × the published run's URLs is held, not published; null = off"),
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
  extensions: fields.extensions.optional(),
  auth: fields.auth.optional(),
  output: fields.output.optional(),
  subScopes: fields.subScopes.optional(),
  templateId: fields.templateId.optional(),
  options: fields.options.optional(),
  writeIntoRobots: fields.writeIntoRobots.optional(),
  exportAfterImport: fields.exportAfterImport.optional(),
  exportPlan: fields.exportPlan.optional(),
  exportCron: fields.exportCron.optional(),
  timezone: fields.timezone.optional(),
  publishGuard: fields.publishGuard.optional(),
});
export type TCreateSitemapBody = z.input<typeof ZCreateSitemapBody>;
export type TCreateSitemap = z.output<typeof ZCreateSitemapBody>;

/** PATCH /api/v1/sitemaps/{id}: any subset of the create fields; `crawl`, `extensions` and `auth` are merged field by field. */
export const ZUpdateSitemapBody = z.strictObject(fields).partial();
export type TUpdateSitemapBody = z.input<typeof ZUpdateSitemapBody>;
export type TUpdateSitemap = z.output<typeof ZUpdateSitemapBody>;

export const ZSitemapDto = z.object({
  id: z.string(),
  /** Numeric id (the shop API's integer id). */
  number: z.number().int(),
  name: z.string(),
  startUrl: z.string(),
  fileName: z.string(),
  active: z.boolean(),
  maxFileEntries: z.number().int(),
  maxFileSize: z.number().int(),
  gzip: z.boolean(),
  crawl: z.object(crawlFields),
  extensions: z.object(extensionFields),
  /** Which staging credentials are set; values are never returned. */
  auth: z.object({ basicAuth: z.boolean(), headers: z.array(z.string()), cookies: z.array(z.string()) }),
  output: z.object(outputFields),
  subScopes: z.array(ZSubScope),
  templateId: z.string().nullable(),
  options: z.object({ exportCharset: z.enum(EXPORT_CHARSETS) }),
  writeIntoRobots: z.boolean(),
  exportAfterImport: z.boolean(),
  exportPlan: z.array(z.number().int()),
  exportCron: z.string().nullable(),
  timezone: z.string(),
  /** Publish guard (0..1): a run listing fewer than (1 − publishGuard) × the published run's URLs is held; null = off. */
  publishGuard: z.number().nullable(),
  /** The run whose files are served now, or null before the first successful run. */
  publishedRunId: z.string().nullable(),
  /** URLs listed in the files served now (the published run's count; unchanged while a newer run works), or null. */
  publishedUrlsListed: z.number().int().nullable(),
  /** The newest run (any status), or null. */
  lastRun: ZRunDto.nullable(),
  /** When the newest successful run finished (ISO 8601), or null. */
  lastSucceededAt: z.string().nullable(),
  /** Public URL of the entry file (sitemap index, or the only urlset) when something is published. */
  sitemapUrl: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TSitemapDto = z.infer<typeof ZSitemapDto>;

/** A published file as the status endpoint lists it. */
export const ZStatusFile = z.object({ name: z.string(), kind: z.string(), urlCount: z.number().int(), bytes: z.number().int(), url: z.string() });

const statusFields = {
  /** Status of the newest run counted for this scope (queued, running, succeeded, failed, cancelled, held), or null. */
  status: z.enum(RUN_STATUSES).nullable(),
  lastRun: ZRunDto.nullable(),
  /** Listed URLs of the published run under the scope (crawl), and pushed URLs stored under it now. */
  urls: z.object({ crawled: z.number().int(), pushed: z.number().int() }),
  /** The published files holding the scope's URLs (one set of files per sitemap: shared by every sub-scope). */
  files: z.array(ZStatusFile),
};

/**
 * GET /api/v1/sitemaps/{id}/status: the whole site, then one entry per sub-scope. A sub-scope's newest run is the
 * newest run requested for the whole site or for a set including that key.
 */
export const ZSitemapStatusDto = z.object({
  sitemapId: z.string(),
  number: z.number().int(),
  publishedRunId: z.string().nullable(),
  /** The newest run's start (its creation time while it is queued), or null. */
  lastRunStartedAt: z.string().nullable(),
  /** When the newest successful run finished, or null. */
  lastSucceededAt: z.string().nullable(),
  ...statusFields,
  subScopes: z.array(z.object({ key: z.string(), name: z.string(), pathPrefix: z.string(), ...statusFields })),
});
export type TSitemapStatusDto = z.infer<typeof ZSitemapStatusDto>;
