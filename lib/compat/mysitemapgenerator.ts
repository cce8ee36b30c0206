/**
 * mysitemapgenerator.com API adapter (its API document; docs/compat.md):
 *
 *   POST /api/{METHOD}?format=json      api_key (and cid) as POST fields, urlencoded or multipart, UTF-8
 *
 * Methods (names matched case-insensitively): getBalance, SitemapsGetList, SitemapsGetFiles, SitemapsGetInfo,
 * RssGetList, RssGetFile, RssGetInfo. Success `{ result: "success", … }`; failure `{ result: "error", notice }`,
 * always HTTP 200 like the original (rate-limit headers are still sent). `cid` is the numeric id (`number`) of a
 * sitemap or feed; another account's cid is "not found".
 *
 * Limits: the document names one, 500 calls a day. This adapter keeps its own daily quota of DAILY_CALLS = 500 calls
 * per account per UTC day, counted in lib/quota with the subject `compat:mysitemapgenerator:<userId>` (window "day"),
 * and the plan's daily quota (as for /api/v1). It has no per-minute limit unless the operator sets
 * MYSITEMAPGENERATOR_RATE_LIMIT_PER_MINUTE (msgPerMinute). A call refused by the adapter's quota has still counted
 * against the plan's.
 *
 * SitemapsGetInfo of a sitemap whose newest run failed (work_status "failed") adds `error: { code, message, hint }`,
 * the failure code and hint of lib/core/run-outcome.ts (lib/compat/run-failure.ts).
 *
 * `balance` (getBalance) is the account's crawl credits (lib/quota/credits.ts): each run debits its cost.
 *
 * Field mapping (ours → theirs), including their inverted booleans, in siteParams() below; enumerated fields carry only
 * the document's values.
 */
import type { Principal } from "@/lib/auth/authenticate";
import { AppError } from "@/lib/core/errors";
import { listPublishedFiles } from "@/lib/db/files";
import { getEnv } from "@/lib/env";
import { consumeLimit } from "@/lib/quota/rate-limit";
import { getCreditSummary } from "@/lib/quota/credits";
import { publicFileUrl } from "@/lib/api/sitemaps";
import { readForm, rfc2822, withBody, type Credential, type FormFields, type NativeError } from "./http";
import { parseNumber, sitemapIdByNumber } from "@/lib/db/numbers";
import { loadSitemapsForCompat, loadSitemapForCompat, type CompatSitemap } from "./sitemaps";
import { rssGetFile, rssGetInfo, rssGetList } from "./mysitemapgenerator-rss";
import { msgFailure } from "./run-failure";

export const DAILY_CALLS = 500;
/**
 * The lib/quota subject of the adapter's own daily quota for an account: `compat:mysitemapgenerator:<userId>`. Exported
 * for tests; only this module counts with it.
 */
export const quotaSubject = (userId: string) => `compat:mysitemapgenerator:${userId}`;

/** The adapter's per-minute limit per API key: MYSITEMAPGENERATOR_RATE_LIMIT_PER_MINUTE, or null (none) when unset. */
export const msgPerMinute = (): number | null => getEnv().MYSITEMAPGENERATOR_RATE_LIMIT_PER_MINUTE ?? null;

/** The document's `site_limit` values (URLs per sitemap part). */
export const SITE_LIMITS = [5000, 10000, 25000, 35000, 50000] as const;

/**
 * Our `maxFileEntries` (1..50,000) as the document's `site_limit`: the listed value nearest to it, the smaller on a
 * tie (e.g. 1,000 → 5000, 30,000 → 25000, 50,000 → 50000). The exact value is in the native API.
 */
export function siteLimitOf(maxFileEntries: number): number {
  return SITE_LIMITS.reduce((best, v) => (Math.abs(v - maxFileEntries) < Math.abs(best - maxFileEntries) ? v : best));
}

export type MsgInput = { method: string; fields: FormFields; format: string | null };

/** A mysitemapgenerator success: `{ result: "success", ...body }`, HTTP 200 unless `init` says otherwise. */
export const msgOk = (body: Record<string, unknown>, init?: ResponseInit) => Response.json({ result: "success", ...body }, { status: 200, ...init });
/**
 * A mysitemapgenerator failure: `{ result: "error", notice }`, HTTP 200 like the original unless `init` says otherwise.
 */
export const msgError = (notice: string, init?: ResponseInit) => Response.json({ result: "error", notice }, { status: 200, ...init });

/**
 * `api_key` from the POST body (also accepted in the query string, which some PHP clients use). A body sent without
 * Content-Type is read as application/x-www-form-urlencoded: the document shows its requests as the bare line
 * `api_key={yourAPIkey}&cid=12345` with the headers left out, and that is how PHP posts such a string by default.
 */
export async function msgCredential(req: Request, params: { method: string }): Promise<Credential<MsgInput>> {
  const url = new URL(req.url);
  if (!req.headers.has("content-type") && req.body) {
    const headers = new Headers(req.headers);
    headers.set("content-type", "application/x-www-form-urlencoded");
    req = new Request(req, { headers });
  }
  const { fields, bytes } = await readForm(req);
  const token = fields.api_key ?? url.searchParams.get("api_key");
  return { token, req: withBody(req, bytes), input: { method: params.method, fields, format: url.searchParams.get("format") } };
}

/** Native error → `{ result: "error", notice }` (HTTP 200). */
export function msgTranslate(err: NativeError): Response {
  if (err.code === "unauthorized") return msgError("invalid API key");
  if (err.code === "forbidden") return msgError(`API key not authorized: ${err.message}`);
  return msgError(err.message);
}

/** Our crawl settings in their `params` fields (see the reference's parameter list for their meanings). */
export function siteParams(s: CompatSitemap): Record<string, string | number> {
  const ua = s.crawl.userAgent ?? "";
  const c = s.crawl.concurrency;
  return {
    site_url: s.startUrl,
    // 1 = don't crawl (list) noindex pages  ← crawl.excludeNoindex
    site_noindex: s.crawl.excludeNoindex ? 1 : 0,
    // 1 = crawl (follow) rel=nofollow links  ← crawl.followNofollow (their inverted sense: here 1 means follow)
    site_nofollow: s.crawl.followNofollow ? 1 : 0,
    site_robots: s.crawl.respectRobots ? 1 : 0,
    site_forms: 0, // we never submit forms
    site_frames: 0, // iframes are not followed
    site_javascripts: s.crawl.renderJs === "off" ? 0 : 1,
    site_canonical: s.crawl.respectCanonical ? 1 : 0,
    // null = our own crawler's agent (their "mysitemapgenerator" = the service's own robot)
    site_useragent: ua === "" ? "mysitemapgenerator" : /googlebot/i.test(ua) ? "google" : /yandex/i.test(ua) ? "yandex" : "default",
    site_priority: s.output.priorityMode === "off" ? 0 : 1,
    site_lastmod: s.output.lastmod ? 1 : 0,
    // theirs: "server" = the server's response (Last-Modified), "default" = the request date. Ours "content" is the
    // date of the crawl request that first saw the page's current content, so it is their "default".
    site_lastmod_source: s.output.lastmodSource === "server" ? "server" : "default",
    site_limit: siteLimitOf(s.maxFileEntries),
    site_load: c >= 16 ? "max" : c <= 2 ? "min" : "middle",
    site_images: s.extensions.images ? 1 : 0,
    site_turbo: 0,
    send_email: 0,
  };
}

/** "idle" before the first run, else the newest run's status (queued, running, succeeded, failed, cancelled, held). */
export const workStatus = (s: CompatSitemap): string => (!s.active ? "inactive" : s.lastRun?.status ?? "idle");

async function sitemapByCid(userId: string, fields: FormFields): Promise<string> {
  const cid = parseNumber(fields.cid);
  if (cid === null) throw new AppError(fields.cid === undefined ? "missing" : "invalid_value", "cid (a positive integer) is required.", { field: "cid" });
  const id = await sitemapIdByNumber(userId, cid);
  if (!id) throw new AppError("not_found", `cid ${cid} not found.`, { field: "cid" });
  return id;
}

type Method = (principal: Principal, fields: FormFields) => Promise<Response>;

export const METHODS: Record<string, Method> = {
  async getBalance(p) {
    return msgOk({ balance: (await getCreditSummary(p.userId)).balance });
  },
  async SitemapsGetList(p) {
    const all = await loadSitemapsForCompat(p.userId);
    return msgOk({ resources: all.map((s) => ({ cid: s.number, url: s.startUrl })) });
  },
  async SitemapsGetFiles(p, f) {
    const id = await sitemapByCid(p.userId, f);
    const files = await listPublishedFiles({ sitemapId: id, userId: p.userId });
    return msgOk({ files: files.filter((x) => x.kind === "urlset").map((x) => publicFileUrl(id, x.name)) });
  },
  async SitemapsGetInfo(p, f) {
    const s = await loadSitemapForCompat(p.userId, await sitemapByCid(p.userId, f));
    if (!s) throw new AppError("not_found", "cid not found.", { field: "cid" });
    const scanned = s.lastRun?.finishedAt ?? null;
    const failure = msgFailure(s.lastRun);
    return msgOk({
      cid: s.number,
      work_status: workStatus(s),
      last_scan: scanned ? rfc2822(new Date(scanned)) : null,
      params: [siteParams(s)],
      ...(failure ? { error: failure } : {}),
    });
  },
  RssGetList: rssGetList,
  RssGetFile: rssGetFile,
  RssGetInfo: rssGetInfo,
};

const BY_LOWER = new Map(Object.entries(METHODS).map(([k, v]) => [k.toLowerCase(), v]));

/** Dispatches one call: the adapter quota, then the method. Unknown method → `{result:"error"}`. */
export async function msgCall(principal: Principal, input: MsgInput, dailyCalls = DAILY_CALLS): Promise<Response> {
  const method = BY_LOWER.get(input.method.toLowerCase());
  if (!method) return msgError(`unknown method ${input.method}`);
  if (input.format !== null && input.format.toLowerCase() !== "json") return msgError("only format=json is supported");
  const day = await consumeLimit(quotaSubject(principal.userId), 86_400, dailyCalls);
  const headers = { "X-Compat-Quota-Limit": String(dailyCalls), "X-Compat-Quota-Remaining": String(day.remaining ?? 0) };
  if (!day.ok) return msgError(`daily API limit exceeded (${dailyCalls} requests per day)`, { headers });
  const res = await method(principal, input.fields);
  for (const [k, v] of Object.entries(headers)) res.headers.set(k, v);
  return res;
}
