/**
 * The sitemap form's model: its values (strings as the inputs hold them), the zod form schema react-hook-form
 * validates with, and the mapping to and from the API (CreateSitemapBody, SitemapDto).
 *
 * Limits are not copied here: every check runs the field's own schema of lib/schemas/sitemaps.ts
 * (ZCreateSitemapBody / ZAuthInput) on the value the body would carry, and only the wording is the form's. Two API
 * checks stay on the server, where their inputs are: the start URL's port policy (CRAWL_ALLOWED_PORTS is server
 * configuration) and the regex checks of crawl rules (syntax and backtracking safety); their 422 lands under the field.
 */
import { z } from "zod";
import type { CreateSitemapBody, SitemapDto } from "@/lib/client/sitemaps";
import { CHANGEFREQS, DEFAULT_PUBLISH_GUARD, EXPORT_CHARSETS, ZAuthInput, ZCreateSitemapBody, type TAuthInput } from "@/lib/schemas/sitemaps";
import { DEFAULT_CRAWL_SETTINGS, MAX_BYTES_PER_FILE, MAX_URLS_PER_FILE, RULE_ACTIONS } from "@/lib/core/types";
import { normalizeUrl } from "@/lib/core/url";

export const MIB = 1024 * 1024;

const api = ZCreateSitemapBody.shape;
const crawlApi = api.crawl.unwrap().shape;
const extApi = api.extensions.unwrap().shape;
const outputApi = api.output.unwrap().shape;

/** The form's values: text inputs hold strings, checkboxes booleans, selects the API's enum values. */
export const ZSitemapFormShape = z.object({
  name: z.string(),
  startUrl: z.string(),
  fileName: z.string(),
  // crawl
  maxPages: z.string(),
  maxDepth: z.string(),
  concurrency: z.string(),
  userAgent: z.string(),
  respectRobots: z.boolean(),
  respectCrawlDelay: z.boolean(),
  importRobotsSitemaps: z.boolean(),
  renderJs: crawlApi.renderJs.unwrap(),
  // rules and normalisation
  rules: z.array(z.object({ action: z.enum(RULE_ACTIONS), syntax: z.enum(["glob", "regex"]), pattern: z.string() })),
  queryPolicy: crawlApi.queryPolicy.unwrap(),
  queryAllowlist: z.string(),
  trailingSlash: crawlApi.trailingSlash.unwrap(),
  maxUrlLength: z.string(),
  // indexing signals
  excludeNoindex: z.boolean(),
  followNofollow: z.boolean(),
  respectCanonical: z.boolean(),
  collapseDuplicates: z.boolean(),
  // content
  priorityMode: outputApi.priorityMode.unwrap(),
  defaultPriority: z.string(),
  defaultChangefreq: z.union([z.literal(""), z.enum(CHANGEFREQS)]),
  lastmod: z.boolean(),
  lastmodSource: outputApi.lastmodSource.unwrap(),
  images: z.boolean(),
  imageHosts: z.string(),
  hreflang: z.boolean(),
  video: z.boolean(),
  news: z.boolean(),
  newsPublicationName: z.string(),
  newsLanguage: z.string(),
  // output
  maxFileEntries: z.string(),
  maxFileSizeMiB: z.string(),
  gzip: z.boolean(),
  formatHtml: z.boolean(),
  formatJson: z.boolean(),
  formatTxt: z.boolean(),
  xslStylesheet: z.boolean(),
  templateId: z.string(),
  exportCharset: z.enum(EXPORT_CHARSETS),
  writeIntoRobots: z.boolean(),
  exportAfterImport: z.boolean(),
  // publish guard: on/off and the allowed drop in percent (publishGuard × 100)
  publishGuardOn: z.boolean(),
  publishGuardPct: z.string(),
  // staging access (write-only)
  basicUser: z.string(),
  basicPassword: z.string(),
  headers: z.string(),
  cookies: z.string(),
  clearAuth: z.boolean(),
});
export type Values = z.infer<typeof ZSitemapFormShape>;
export type FieldName = keyof Values;
export type Rule = Values["rules"][number];

export type SectionId = "crawl" | "rules" | "signals" | "content" | "output" | "auth";
export const SECTION_OF: Partial<Record<FieldName, SectionId>> = {
  maxPages: "crawl", maxDepth: "crawl", concurrency: "crawl", userAgent: "crawl", renderJs: "crawl",
  rules: "rules", queryPolicy: "rules", queryAllowlist: "rules", trailingSlash: "rules", maxUrlLength: "rules",
  excludeNoindex: "signals", followNofollow: "signals", respectCanonical: "signals", collapseDuplicates: "signals",
  priorityMode: "content", defaultPriority: "content", defaultChangefreq: "content", lastmodSource: "content",
  imageHosts: "content", newsPublicationName: "content", newsLanguage: "content",
  maxFileEntries: "output", maxFileSizeMiB: "output", templateId: "output", exportCharset: "output", publishGuardPct: "output",
  basicUser: "auth", basicPassword: "auth", headers: "auth", cookies: "auth",
};

export const DEFAULTS: Values = {
  name: "",
  startUrl: "",
  fileName: "",
  maxPages: String(DEFAULT_CRAWL_SETTINGS.maxPages),
  maxDepth: String(DEFAULT_CRAWL_SETTINGS.maxDepth),
  concurrency: String(DEFAULT_CRAWL_SETTINGS.concurrency),
  userAgent: "",
  respectRobots: true,
  respectCrawlDelay: false,
  importRobotsSitemaps: true,
  renderJs: "off",
  rules: [],
  queryPolicy: "keep",
  queryAllowlist: "",
  trailingSlash: "keep",
  maxUrlLength: String(crawlApi.maxUrlLength.unwrap().maxValue),
  excludeNoindex: true,
  followNofollow: false,
  respectCanonical: true,
  collapseDuplicates: false,
  priorityMode: "off",
  defaultPriority: "0.5",
  defaultChangefreq: "",
  lastmod: true,
  lastmodSource: "content",
  images: true,
  imageHosts: "",
  hreflang: true,
  video: false,
  news: false,
  newsPublicationName: "",
  newsLanguage: "",
  maxFileEntries: String(MAX_URLS_PER_FILE),
  maxFileSizeMiB: String(MAX_BYTES_PER_FILE / MIB),
  gzip: false,
  formatHtml: false,
  formatJson: false,
  formatTxt: false,
  xslStylesheet: false,
  templateId: "",
  exportCharset: "utf-8",
  writeIntoRobots: false,
  exportAfterImport: false,
  publishGuardOn: true,
  publishGuardPct: String(DEFAULT_PUBLISH_GUARD * 100),
  basicUser: "",
  basicPassword: "",
  headers: "",
  cookies: "",
  clearAuth: false,
};

/** Form values of a stored sitemap (edit). Staging credentials are write-only, so their inputs start empty. */
export function valuesFromSitemap(s: SitemapDto): Values {
  return {
    ...DEFAULTS,
    name: s.name,
    startUrl: s.startUrl,
    fileName: s.fileName,
    maxPages: String(s.crawl.maxPages),
    maxDepth: String(s.crawl.maxDepth),
    concurrency: String(s.crawl.concurrency),
    userAgent: s.crawl.userAgent ?? "",
    respectRobots: s.crawl.respectRobots,
    respectCrawlDelay: s.crawl.respectCrawlDelay,
    importRobotsSitemaps: s.crawl.importRobotsSitemaps,
    renderJs: s.crawl.renderJs,
    rules: s.crawl.rules.map((r) => ({ ...r })),
    queryPolicy: s.crawl.queryPolicy,
    queryAllowlist: s.crawl.queryAllowlist.join(", "),
    trailingSlash: s.crawl.trailingSlash,
    maxUrlLength: String(s.crawl.maxUrlLength),
    excludeNoindex: s.crawl.excludeNoindex,
    followNofollow: s.crawl.followNofollow,
    respectCanonical: s.crawl.respectCanonical,
    collapseDuplicates: s.crawl.collapseDuplicates,
    priorityMode: s.output.priorityMode,
    defaultPriority: s.output.defaultPriority === null ? "0.5" : String(s.output.defaultPriority),
    defaultChangefreq: s.output.defaultChangefreq ?? "",
    lastmod: s.output.lastmod,
    lastmodSource: s.output.lastmodSource,
    images: s.extensions.images,
    imageHosts: s.extensions.imageHosts.join(", "),
    hreflang: s.extensions.hreflang,
    video: s.extensions.video,
    news: s.extensions.news,
    newsPublicationName: s.extensions.newsPublicationName ?? "",
    newsLanguage: s.extensions.newsLanguage ?? "",
    maxFileEntries: String(s.maxFileEntries),
    maxFileSizeMiB: String(Number((s.maxFileSize / MIB).toFixed(3))),
    gzip: s.gzip,
    formatHtml: s.output.extraFormats.includes("html"),
    formatJson: s.output.extraFormats.includes("json"),
    formatTxt: s.output.extraFormats.includes("txt"),
    xslStylesheet: s.output.xslStylesheet,
    templateId: s.templateId ?? "",
    exportCharset: s.options.exportCharset,
    writeIntoRobots: s.writeIntoRobots,
    exportAfterImport: s.exportAfterImport,
    publishGuardOn: s.publishGuard !== null,
    publishGuardPct: String(Math.round((s.publishGuard ?? DEFAULT_PUBLISH_GUARD) * 1000) / 10),
  };
}

/** The input an API error's `field` path belongs to ("crawl.rules.2.pattern" → rules, "maxFileSize" → maxFileSizeMiB). */
export function inputFor(field: string | undefined): FieldName | null {
  if (!field) return null;
  const parts = field.split(".");
  if (parts[0] === "auth") return parts[1] === "headers" ? "headers" : parts[1] === "cookies" ? "cookies" : "basicUser";
  if (parts[0] === "crawl" && parts[1] === "rules") return "rules";
  if (parts[0] === "options") return "exportCharset";
  const named = [...parts].reverse().find((p) => !/^\d+$/.test(p));
  if (!named) return null;
  if (named === "maxFileSize") return "maxFileSizeMiB";
  if (named === "publishGuard") return "publishGuardPct";
  return named in DEFAULTS ? (named as FieldName) : null;
}

/** Users often type "sitemap.xml"; the API wants the base name. */
const baseFileName = (v: string) => v.trim().toLowerCase().replace(/\.xml(\.gz)?$/, "").replace(/\.gz$/, "");

const intOrUndefined = (v: string) => (v.trim() === "" ? undefined : Number(v));
const list = (v: string) =>
  v
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);

/** "Name: value" lines → record; "name=value" for cookies. Returns an error message for a malformed line. */
function pairs(text: string, sep: ":" | "="): Record<string, string> | string {
  const out: Record<string, string> = {};
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (!line) continue;
    const at = line.indexOf(sep);
    if (at <= 0) return `Line ${i + 1}: write ${sep === ":" ? "Name: value" : "name=value"}.`;
    out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}

/** Staging credentials for the body: null removes all; undefined (nothing typed) keeps what is stored. */
function authBody(v: Values): TAuthInput | undefined {
  if (v.clearAuth) return null;
  const auth: NonNullable<TAuthInput> = {};
  if (v.basicUser.trim()) auth.basicAuth = { username: v.basicUser.trim(), password: v.basicPassword };
  const h = pairs(v.headers, ":");
  if (typeof h !== "string" && Object.keys(h).length) auth.headers = h;
  const c = pairs(v.cookies, "=");
  if (typeof c !== "string" && Object.keys(c).length) auth.cookies = c;
  return Object.keys(auth).length ? auth : undefined;
}

const maxFileSizeOf = (mib: number | undefined) => (mib === undefined ? undefined : Math.floor(mib * MIB));

/** The API body of valid form values. */
export function toBody(v: Values): CreateSitemapBody {
  const maxFileSize = maxFileSizeOf(intOrUndefined(v.maxFileSizeMiB));
  const auth = authBody(v);
  return {
    name: v.name.trim(),
    startUrl: v.startUrl.trim(),
    fileName: baseFileName(v.fileName),
    maxFileEntries: intOrUndefined(v.maxFileEntries),
    maxFileSize: maxFileSize === undefined ? undefined : Math.min(MAX_BYTES_PER_FILE, maxFileSize),
    gzip: v.gzip,
    crawl: {
      maxPages: intOrUndefined(v.maxPages),
      maxDepth: intOrUndefined(v.maxDepth),
      concurrency: intOrUndefined(v.concurrency),
      userAgent: v.userAgent.trim() || null,
      respectRobots: v.respectRobots,
      respectCrawlDelay: v.respectCrawlDelay,
      importRobotsSitemaps: v.importRobotsSitemaps,
      renderJs: v.renderJs,
      rules: v.rules.map((r) => ({ ...r, pattern: r.pattern.trim() })),
      queryPolicy: v.queryPolicy,
      queryAllowlist: v.queryPolicy === "allowlist" ? list(v.queryAllowlist) : [],
      trailingSlash: v.trailingSlash,
      maxUrlLength: intOrUndefined(v.maxUrlLength),
      excludeNoindex: v.excludeNoindex,
      followNofollow: v.followNofollow,
      respectCanonical: v.respectCanonical,
      collapseDuplicates: v.collapseDuplicates,
    },
    extensions: {
      images: v.images,
      imageHosts: list(v.imageHosts),
      hreflang: v.hreflang,
      video: v.video,
      news: v.news,
      newsPublicationName: v.newsPublicationName.trim() || null,
      newsLanguage: v.newsLanguage.trim().toLowerCase() || null,
    },
    output: {
      priorityMode: v.priorityMode,
      defaultPriority: v.priorityMode === "fixed" ? Number(v.defaultPriority) : null,
      defaultChangefreq: v.defaultChangefreq || null,
      lastmod: v.lastmod,
      lastmodSource: v.lastmodSource,
      extraFormats: ([["html", v.formatHtml], ["json", v.formatJson], ["txt", v.formatTxt]] as const).filter(([, on]) => on).map(([f]) => f),
      xslStylesheet: v.xslStylesheet,
    },
    templateId: v.templateId || null,
    options: { exportCharset: v.exportCharset },
    writeIntoRobots: v.writeIntoRobots,
    exportAfterImport: v.exportAfterImport,
    publishGuard: v.publishGuardOn ? Number(v.publishGuardPct) / 100 : null,
    ...(auth !== undefined ? { auth } : {}),
  };
}

const fmt = (n: number | null | undefined) => (n ?? 0).toLocaleString("en-US");
/** The first message of a failed API field check, without zod's field path. */
const firstIssue = (r: { success: boolean; error?: z.ZodError }) => r.error?.issues[0]?.message ?? "Invalid value.";

/** Whole-number inputs and the API schema each one feeds. */
const INTS = [
  ["maxPages", crawlApi.maxPages.unwrap()],
  ["maxDepth", crawlApi.maxDepth.unwrap()],
  ["concurrency", crawlApi.concurrency.unwrap()],
  ["maxUrlLength", crawlApi.maxUrlLength.unwrap()],
  ["maxFileEntries", api.maxFileEntries.unwrap()],
] as const;

/**
 * The form schema: ZSitemapFormShape plus every check the browser can make, each through the API field schema the
 * value is sent to. Issues carry the form field as path, so react-hook-form shows them under their input.
 */
export const ZSitemapForm = ZSitemapFormShape.superRefine((v, ctx) => {
  const fail = (field: FieldName, message: string) => ctx.addIssue({ code: "custom", path: [field], message });
  const check = (field: FieldName, schema: z.ZodType, value: unknown, message?: string) => {
    const r = schema.safeParse(value);
    if (!r.success) fail(field, message ?? firstIssue(r));
  };

  if (!v.name.trim()) fail("name", "Give the sitemap a name.");
  else check("name", api.name, v.name);
  if (normalizeUrl(v.startUrl.trim()) === null) fail("startUrl", "Enter a full URL, such as https://example.com/.");
  check("fileName", api.fileName, baseFileName(v.fileName), "Lower-case letters, digits, '.', '-' and '_', starting with a letter or digit (at most 100).");
  for (const [field, schema] of INTS) {
    const n = intOrUndefined(v[field]);
    if (n !== undefined) check(field, schema, n, `A whole number from ${fmt(schema.minValue)} to ${fmt(schema.maxValue)}.`);
  }
  const size = api.maxFileSize.unwrap();
  const bytes = maxFileSizeOf(intOrUndefined(v.maxFileSizeMiB));
  if (bytes !== undefined) {
    check("maxFileSizeMiB", size, bytes, `From ${((size.minValue ?? 0) / MIB).toFixed(3)} (${(size.minValue ?? 0) / 1024} KiB) to ${(size.maxValue ?? 0) / MIB} MiB (the sitemaps.org limit).`);
  }
  if (v.publishGuardOn) {
    const msg = "A percentage from 0 to 100.";
    if (v.publishGuardPct.trim() === "") fail("publishGuardPct", msg);
    else check("publishGuardPct", api.publishGuard.unwrap(), Number(v.publishGuardPct) / 100, msg);
  }
  if (v.userAgent.trim()) check("userAgent", crawlApi.userAgent.unwrap(), v.userAgent.trim());
  if (v.priorityMode === "fixed") {
    if (v.defaultPriority.trim() === "") fail("defaultPriority", "A number from 0.0 to 1.0.");
    else check("defaultPriority", outputApi.defaultPriority.unwrap(), Number(v.defaultPriority), "A number from 0.0 to 1.0.");
  }
  const badRule = v.rules.findIndex((r) => !r.pattern.trim());
  if (badRule >= 0) fail("rules", `Rule ${badRule + 1}: enter a pattern (or remove the rule).`);
  if (v.queryPolicy === "allowlist") {
    if (list(v.queryAllowlist).length === 0) fail("queryAllowlist", "Name at least one parameter to keep, or pick another policy.");
    else check("queryAllowlist", crawlApi.queryAllowlist.unwrap(), list(v.queryAllowlist));
  }
  if (v.images) check("imageHosts", extApi.imageHosts.unwrap(), list(v.imageHosts));
  if (v.news && !v.newsPublicationName.trim()) fail("newsPublicationName", "News sitemaps need the publication name.");
  else if (v.news) check("newsPublicationName", extApi.newsPublicationName.unwrap(), v.newsPublicationName.trim());
  if (v.news && !v.newsLanguage.trim()) fail("newsLanguage", "News sitemaps need the publication language (en, de, …).");
  else if (v.news) check("newsLanguage", extApi.newsLanguage.unwrap(), v.newsLanguage.trim());

  if (v.basicPassword && !v.basicUser.trim()) fail("basicUser", "Enter the user name for basic auth.");
  const h = pairs(v.headers, ":");
  if (typeof h === "string") fail("headers", h);
  const c = pairs(v.cookies, "=");
  if (typeof c === "string") fail("cookies", c);
  if (typeof h !== "string" && typeof c !== "string" && !(v.basicPassword && !v.basicUser.trim())) {
    const auth = authBody(v);
    const issue = auth === undefined ? undefined : ZAuthInput.safeParse(auth).error?.issues[0];
    if (issue) fail(issue.path[0] === "headers" ? "headers" : issue.path[0] === "cookies" ? "cookies" : "basicUser", issue.message);
  }
});

/** min/max attributes of the number inputs, from the same API schemas (the browser's spinner stays in range). */
export const LIMITS = {
  ...(Object.fromEntries(INTS.map(([field, s]) => [field, { min: s.minValue ?? undefined, max: s.maxValue ?? undefined }])) as Record<
    (typeof INTS)[number][0],
    { min?: number; max?: number }
  >),
  maxFileSizeMiB: { max: (api.maxFileSize.unwrap().maxValue ?? MAX_BYTES_PER_FILE) / MIB },
  defaultPriority: { min: outputApi.defaultPriority.unwrap().unwrap().minValue ?? undefined, max: outputApi.defaultPriority.unwrap().unwrap().maxValue ?? undefined },
};
