/**
 * Command-line flags of `npm run crawl` (scripts/crawl.ts) → crawl settings and output options. Pure: no I/O, no
 * env, no exit; errors are thrown as {@link CliArgsError} (the CLI prints them with the usage and exits 2).
 *
 * Every field of CrawlSettings (lib/core/types.ts) has a flag; omitted flags keep DEFAULT_CRAWL_SETTINGS.
 * Units: ms, bytes, pages, characters, as in CrawlSettings.
 */
import { MAX_BYTES_PER_FILE, MAX_URLS_PER_FILE, RULE_ACTIONS, type CrawlRule, type CrawlSettings, type SiteAuth } from "@/lib/core/types";
import { credentialHeaders } from "./fetch";
import { ruleError } from "./rules";

/** A bad flag or value; `message` says which. */
export class CliArgsError extends Error {}

/** Usage text (also printed on a bad flag). */
export const CRAWL_USAGE = `usage: npm run crawl -- <start-url> --out <dir> [flags]
       npm run crawl -- <start-url> --audit [--fail-on issues|errors] [flags]
       npm run crawl -- <start-url> --urls <file.csv|-> [flags]

output:
  --out DIR                  where the sitemap files go (required, unless --audit or --urls)
  --file-name NAME           base name of the files (default sitemap)
  --base-url URL             where the files will be served, for the index <loc>s (default: the site's root)
  --max-file-entries N       URLs per urlset file (default 50000)
  --max-file-size BYTES      bytes per urlset file (default 52428800)
  --gzip                     write the XML sitemap as .xml.gz (instead of plain .xml)
  --json                     print the report as one JSON line
  --urls FILE|-              write the URL inventory as CSV (- = stdout; the report then goes to stderr): every URL
                             met, the API's columns: url, status, listed, reason, target, redirectKind, robotsRule,
                             noindex, depth, foundOn, inlinks, contentType, lastmod, lastmodSource, cluster, published
audit of the site's own sitemaps (robots.txt Sitemap: lines, else /sitemap.xml):
  --audit                    compare them with the crawl and print the findings
  --fail-on issues|errors    exit 4 when the audit finds any problem (issues), or only sitemap errors and
                             non-indexable URLs in their sitemap (errors); implies --audit
exit codes: 0 done, 1 crawl or export failed, 2 bad arguments, 3 the CLI bundle could not be built,
            4 the audit found problems (--fail-on)
crawl bounds:
  --max-pages N  --max-depth N  --concurrency N  --timeout MS  --max-body-bytes BYTES  --max-url-length N
  --allow-host HOST:PORT     exempt one host:port from the SSRF guard (repeatable; also env CRAWL_ALLOW_HOSTS)
  --user-agent UA
robots.txt:
  --no-robots                ignore robots.txt          --crawl-delay        honour Crawl-delay (capped at 30 s)
  --no-robots-sitemaps       do not import the Sitemap: files of robots.txt
what is listed:
  --no-exclude-noindex       list noindex pages too     --no-canonical       list pages canonicalised elsewhere
  --follow-nofollow          follow nofollow links and the links of nofollow pages
rules and URL policy:
  --rule ACTION:SYNTAX:PATTERN   ACTION crawl_list|crawl_only|list_only|exclude, SYNTAX glob|regex (repeatable,
                                 first match wins), e.g. --rule exclude:glob:/private/  --rule "crawl_only:regex:\\?page="
  --query-policy keep|strip|allowlist   --query-allow NAME (repeatable)   --trailing-slash keep|add|remove
  --max-query-variants N  --max-path-segments N  --max-segment-repeats N   (trap caps)
staging sites (sent only to the start URL's origin):
  --basic-auth USER:PASSWORD  --header "Name: value" (repeatable)  --cookie NAME=VALUE (repeatable)
rendering and extensions:
  --render-js off|auto|always  --no-images  --image-host HOST (repeatable)  --no-hreflang  --video  --news
  --news-publication NAME  --news-language LANG
exit codes:
  0 sitemap written (a crawl cut short by maxPages/maxDepth/trap caps prints "warning <code>: …")
  1 failed: nothing listed ("failed <code>: …" with a hint; --json: error.code) or the export failed
  2 bad arguments`;

/** Options of node:util parseArgs for the crawl CLI. */
export const CRAWL_ARG_OPTIONS = {
  out: { type: "string" },
  urls: { type: "string" },
  "allow-host": { type: "string", multiple: true },
  "max-pages": { type: "string" },
  "max-depth": { type: "string" },
  concurrency: { type: "string" },
  timeout: { type: "string" },
  "max-body-bytes": { type: "string" },
  "max-url-length": { type: "string" },
  "file-name": { type: "string" },
  "base-url": { type: "string" },
  "user-agent": { type: "string" },
  "max-file-entries": { type: "string" },
  "max-file-size": { type: "string" },
  gzip: { type: "boolean" },
  "no-robots": { type: "boolean" },
  "crawl-delay": { type: "boolean" },
  "no-robots-sitemaps": { type: "boolean" },
  json: { type: "boolean" },
  audit: { type: "boolean" },
  "fail-on": { type: "string" },
  "no-exclude-noindex": { type: "boolean" },
  "follow-nofollow": { type: "boolean" },
  "no-canonical": { type: "boolean" },
  rule: { type: "string", multiple: true },
  "query-policy": { type: "string" },
  "query-allow": { type: "string", multiple: true },
  "trailing-slash": { type: "string" },
  "max-query-variants": { type: "string" },
  "max-path-segments": { type: "string" },
  "max-segment-repeats": { type: "string" },
  "basic-auth": { type: "string" },
  header: { type: "string", multiple: true },
  cookie: { type: "string", multiple: true },
  "render-js": { type: "string" },
  "no-images": { type: "boolean" },
  "image-host": { type: "string", multiple: true },
  "no-hreflang": { type: "boolean" },
  video: { type: "boolean" },
  news: { type: "boolean" },
  "news-publication": { type: "string" },
  "news-language": { type: "string" },
} as const;

export type CrawlArgValues = { [K in keyof typeof CRAWL_ARG_OPTIONS]?: (typeof CRAWL_ARG_OPTIONS)[K] extends { multiple: true } ? string[] : (typeof CRAWL_ARG_OPTIONS)[K] extends { type: "boolean" } ? boolean : string };

export type CrawlCliConfig = {
  /** Crawl settings: only the fields given by flags (the caller fills defaults with `crawlSettings`). */
  settings: Partial<CrawlSettings> & { startUrl: string };
  allowHosts: string[];
  outDir: string;
  fileName: string;
  baseUrl: string;
  maxFileEntries: number;
  maxFileSize: number;
  gzip: boolean;
  json: boolean;
  /** Audit the site's own sitemaps (lib/crawl/site-audit.ts). */
  audit: boolean;
  /** Exit 3 on audit findings: any (`issues`), or sitemap_error / not_indexable only (`errors`); null = never. */
  failOn: "issues" | "errors" | null;
  /** --urls: where the URL inventory CSV goes ("-" = stdout), or null. */
  urls: string | null;
  /** False when no --out was given (audit or inventory only): no sitemap file is written. */
  write: boolean;
};

const int = (name: string, v: string | undefined, min: number, max: number): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isInteger(n) || n < min || n > max) throw new CliArgsError(`--${name} must be an integer in ${min}..${max}`);
  return n;
};
const oneOf = <T extends string>(name: string, v: string | undefined, values: readonly T[]): T | undefined => {
  if (v === undefined) return undefined;
  if (!values.includes(v as T)) throw new CliArgsError(`--${name} must be one of ${values.join(", ")}`);
  return v as T;
};

/** `ACTION:SYNTAX:PATTERN` → a CrawlRule (the pattern may contain ":"). */
export function parseRuleArg(arg: string): CrawlRule {
  const a = arg.indexOf(":");
  const b = a < 0 ? -1 : arg.indexOf(":", a + 1);
  if (a < 0 || b < 0) throw new CliArgsError(`--rule must be ACTION:SYNTAX:PATTERN, got "${arg}"`);
  const action = arg.slice(0, a);
  const syntax = arg.slice(a + 1, b);
  const pattern = arg.slice(b + 1);
  if (!RULE_ACTIONS.includes(action as CrawlRule["action"])) throw new CliArgsError(`--rule action must be one of ${RULE_ACTIONS.join(", ")}, got "${action}"`);
  if (syntax !== "glob" && syntax !== "regex") throw new CliArgsError(`--rule syntax must be glob or regex, got "${syntax}"`);
  const rule: CrawlRule = { action: action as CrawlRule["action"], syntax, pattern };
  const err = ruleError(rule);
  if (err) throw new CliArgsError(`--rule "${arg}": ${err}`);
  return rule;
}

/**
 * Turns parsed flags and the start URL into the crawl settings and output options.
 * @param values flags as node:util parseArgs returns them with {@link CRAWL_ARG_OPTIONS}
 * @param startUrl the positional argument
 * @param envAllowHosts host:port entries from CRAWL_ALLOW_HOSTS
 * @throws CliArgsError for a missing/invalid start URL or --out, or any invalid flag value
 */
export function crawlConfigFromArgs(values: CrawlArgValues, startUrl: string | undefined, envAllowHosts: string[] = []): CrawlCliConfig {
  if (!startUrl) throw new CliArgsError("a start URL is required");
  try {
    const u = new URL(startUrl);
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error();
  } catch {
    throw new CliArgsError(`not an absolute http(s) URL: ${startUrl}`);
  }
  const failOn = oneOf("fail-on", values["fail-on"], ["issues", "errors"] as const) ?? null;
  const audit = !!values.audit || failOn !== null;
  const urls = values.urls ?? null;
  if (urls === "") throw new CliArgsError("--urls needs a file name, or - for stdout");
  if (urls === "-" && values.json) throw new CliArgsError("--urls - and --json both write to stdout: give --urls a file name");
  if (!values.out && !audit && urls === null) throw new CliArgsError("--out <dir> is required (or --audit, or --urls)");

  const auth: SiteAuth = {};
  if (values["basic-auth"] !== undefined) {
    const colon = values["basic-auth"].indexOf(":");
    if (colon <= 0) throw new CliArgsError("--basic-auth must be USER:PASSWORD");
    auth.basicAuth = { username: values["basic-auth"].slice(0, colon), password: values["basic-auth"].slice(colon + 1) };
  }
  for (const h of values.header ?? []) {
    const colon = h.indexOf(":");
    if (colon <= 0) throw new CliArgsError(`--header must be "Name: value", got "${h}"`);
    (auth.headers ??= {})[h.slice(0, colon).trim()] = h.slice(colon + 1).trim();
  }
  for (const c of values.cookie ?? []) {
    const eq = c.indexOf("=");
    if (eq <= 0) throw new CliArgsError(`--cookie must be NAME=VALUE, got "${c}"`);
    (auth.cookies ??= {})[c.slice(0, eq)] = c.slice(eq + 1);
  }
  const hasAuth = Object.keys(auth).length > 0;
  if (hasAuth) {
    try {
      credentialHeaders(auth);
    } catch (e) {
      throw new CliArgsError((e as Error).message);
    }
  }
  const queryAllow = values["query-allow"];
  const queryPolicy = oneOf("query-policy", values["query-policy"], ["keep", "strip", "allowlist"] as const);
  if (queryAllow?.length && queryPolicy !== "allowlist") throw new CliArgsError("--query-allow needs --query-policy allowlist");

  const settings: CrawlCliConfig["settings"] = {
    startUrl,
    maxPages: int("max-pages", values["max-pages"], 0, 10_000_000),
    maxDepth: int("max-depth", values["max-depth"], 0, 10_000),
    concurrency: int("concurrency", values.concurrency, 1, 256),
    timeoutMs: int("timeout", values.timeout, 1, 600_000),
    maxBodyBytes: int("max-body-bytes", values["max-body-bytes"], 1, 1024 * 1024 * 1024),
    maxUrlLength: int("max-url-length", values["max-url-length"], 1, 100_000),
    userAgent: values["user-agent"],
    respectRobots: values["no-robots"] ? false : undefined,
    respectCrawlDelay: values["crawl-delay"] ? true : undefined,
    importRobotsSitemaps: values["no-robots-sitemaps"] ? false : undefined,
    excludeNoindex: values["no-exclude-noindex"] ? false : undefined,
    followNofollow: values["follow-nofollow"] ? true : undefined,
    respectCanonical: values["no-canonical"] ? false : undefined,
    rules: values.rule?.map(parseRuleArg),
    queryPolicy,
    queryAllowlist: queryAllow,
    trailingSlash: oneOf("trailing-slash", values["trailing-slash"], ["keep", "add", "remove"] as const),
    maxQueryVariants: int("max-query-variants", values["max-query-variants"], 1, 1_000_000),
    maxPathSegments: int("max-path-segments", values["max-path-segments"], 1, 10_000),
    maxSegmentRepeats: int("max-segment-repeats", values["max-segment-repeats"], 0, 10_000),
    auth: hasAuth ? auth : undefined,
    renderJs: oneOf("render-js", values["render-js"], ["off", "auto", "always"] as const),
    images: values["no-images"] ? false : undefined,
    imageHosts: values["image-host"],
    hreflang: values["no-hreflang"] ? false : undefined,
    video: values.video ? true : undefined,
    news: values.news ? true : undefined,
    newsPublicationName: values["news-publication"],
    newsLanguage: values["news-language"],
  };
  for (const k of Object.keys(settings) as (keyof typeof settings)[]) if (settings[k] === undefined) delete settings[k];

  return {
    settings,
    allowHosts: [...envAllowHosts, ...(values["allow-host"] ?? [])],
    outDir: values.out ?? "",
    fileName: values["file-name"] ?? "sitemap",
    baseUrl: values["base-url"] ?? new URL("/", startUrl).toString(),
    maxFileEntries: int("max-file-entries", values["max-file-entries"], 1, MAX_URLS_PER_FILE) ?? MAX_URLS_PER_FILE,
    maxFileSize: int("max-file-size", values["max-file-size"], 1024, MAX_BYTES_PER_FILE) ?? MAX_BYTES_PER_FILE,
    gzip: !!values.gzip,
    json: !!values.json,
    audit,
    failOn,
    urls,
    write: !!values.out,
  };
}
