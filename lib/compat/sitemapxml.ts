/**
 * "Sitemap.xml API" adapter (its API reference and its generate endpoint's document; docs/compat.md).
 * Base URL: `${APP_URL}/v1` (theirs: https://api.sitemap.xml/v1). Auth: `Authorization: Bearer <our API key>`; plan
 * limits and `X-RateLimit-Limit/-Remaining/-Reset` as on /api/v1.
 *
 *   POST /v1/sitemaps/generate      {domain, format, max_urls, include_assets, force_refresh} → create-or-reuse the
 *                                   sitemap of https://<domain>/ and run it (see generate() for the honest async model)
 *   GET  /v1/sitemaps               ?limit=1..100&cursor&status=active|archived → {sitemaps, pagination}
 *   POST /v1/sitemaps               {name, domain, robot_txt_check | robots_txt_check} → 201 crawling
 *   POST /v1/sitemaps/:id/urls      {url, priority, changenfreq | changefreq} → 200 queued (a pushed URL, published
 *                                   within seconds by an export-only run: lib/runs/export-only.ts)
 *   POST /v1/sitemaps/:id/submit    → 202 {request_id, targets[{engine,status}]} from our real IndexNow submission
 *
 * Errors: `{ error: { code, message, type, request_id, param? } }` with their statuses — 400 invalid input (our 422s
 * too), 401 invalid_api_key, 403 insufficient_permissions, 404 not_found, 409 conflict, 429 rate_limit_exceeded /
 * quota_exceeded, 500/503 api_error; generate's own `INVALID_DOMAIN` adds `details` ("Received: '…'").
 */
import { z } from "zod";
import { getEnv } from "@/lib/env";
import { DEFAULT_USER_AGENT } from "@/lib/core/types";
import { safeFetch } from "@/lib/crawl/fetch";
import { updateSitemap } from "@/lib/db/sitemaps";
import { parseListQuery } from "@/lib/api/list-query";
import { parseWith, readJson } from "@/lib/api/request";
import { publicFileUrl, SITEMAP_LIST_SPEC, toSitemapDtos } from "@/lib/api/sitemaps";
import type { Principal } from "@/lib/auth/authenticate";
import { AppError, isAppError, type ErrorCode } from "@/lib/core/errors";
import { sxFailure } from "./run-failure";
import { listPublishedFiles } from "@/lib/db/files";
import { pushSitemapUrls } from "@/lib/db/urls";
import { insertSitemap, querySitemaps } from "@/lib/db/sitemaps";
import { getRun } from "@/lib/db/runs";
import { requestPushExport } from "@/lib/runs/export-only";
import { waitForRun } from "@/lib/runs/wait";
import type { TRunDto } from "@/lib/schemas/runs";
import { FILE_NAME_RE } from "@/lib/schemas/sitemaps";
import { enginesReachedBy, indexNowEndpoints } from "@/lib/submit/indexnow";
import { SUBMISSION_LIST_SPEC, listSubmissions } from "@/lib/submit/list";
import { requestSubmission } from "@/lib/submit/submit";
import type { NativeError } from "./http";
import { loadSitemapForCompat, type CompatSitemap } from "./sitemaps";
import { startRun } from "./runs";

/**
 * How long generate keeps the connection open waiting for its run before answering 202 pending (ms):
 * SITEMAPXML_GENERATE_WAIT_SECONDS (1..900), default 120 s.
 */
export const generateWaitMs = (): number => (getEnv().SITEMAPXML_GENERATE_WAIT_SECONDS ?? 120) * 1000;
/** How long the https probe of a new domain may take before http is tried (ms). */
const PROBE_TIMEOUT_MS = 10_000;
/** Their cache: a sitemap generated less than this long ago is returned as is unless force_refresh (ms). */
export const CACHE_TTL_MS = 24 * 3600_000;

// ---- errors -----------------------------------------------------------------------------------------------------

const ERRORS: Partial<Record<ErrorCode, [number, string, string]>> = {
  unauthorized: [401, "invalid_api_key", "authentication_error"],
  forbidden: [403, "insufficient_permissions", "permission_error"],
  not_found: [404, "not_found", "invalid_request_error"],
  method_not_allowed: [405, "method_not_allowed", "invalid_request_error"],
  conflict: [409, "conflict", "invalid_request_error"],
  duplicate_entry: [409, "duplicate_entry", "invalid_request_error"],
  idempotency_in_progress: [409, "idempotency_in_progress", "invalid_request_error"],
  rate_limited: [429, "rate_limit_exceeded", "rate_limit_error"],
  quota_exceeded: [429, "quota_exceeded", "rate_limit_error"],
  internal_error: [500, "internal_error", "api_error"],
  service_unavailable: [503, "service_unavailable", "api_error"],
};

/** The status their envelope carries for a native error code (what sxTranslate answers; 4xx validation → 400). */
export const sxStatusOf = (code: ErrorCode): number => ERRORS[code]?.[0] ?? 400;

/** A Sitemap.xml API error answer: HTTP `status` with `{ error: { code, message, type, request_id, ...extra } }`. */
export function sxError(status: number, code: string, type: string, message: string, requestId: string, extra: Record<string, unknown> = {}): Response {
  return Response.json({ error: { code, message, type, request_id: requestId, ...extra } }, { status });
}

/** Native error → their envelope. Every other 4xx (validation, media type, size) is their 400 Bad Request. */
export function sxTranslate(err: NativeError, status: number): Response {
  const mapped = ERRORS[err.code];
  if (err.code === "unauthorized") {
    return sxError(401, "invalid_api_key", "authentication_error", "The provided API key is invalid or has been revoked.", err.request_id);
  }
  if (mapped) return sxError(mapped[0], mapped[1], mapped[2], err.message, err.request_id);
  const param = err.field ? { param: err.field } : {};
  if (status >= 500) return sxError(500, "internal_error", "api_error", err.message, err.request_id);
  return sxError(400, err.code, "invalid_request_error", err.message, err.request_id, param);
}

// ---- shapes -----------------------------------------------------------------------------------------------------

/**
 * A host name with an optional port (no scheme, path or trailing slash), e.g. "example.com", "blog.example.com",
 * "example.com:8080" for a self-hosted site (the port must be one crawls may use: 80, 443 or CRAWL_ALLOWED_PORTS).
 */
const HOST_RE = /^(?=[^:]{1,253}(:|$))(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+(:([1-9]\d{0,4}))?$/i;

/** Their generate error for anything that is not a bare domain. */
export class InvalidDomainError extends Error {
  constructor(readonly received: string) {
    super("Domain must not contain protocol or path segments");
  }
}

/** The domain (lower-cased, a default port dropped); InvalidDomainError for anything else, a port > 65535 included. */
export function parseDomain(raw: unknown): string {
  const value = typeof raw === "string" ? raw.trim() : "";
  const m = HOST_RE.exec(value);
  if (typeof raw !== "string" || !m || (m[4] !== undefined && Number(m[4]) > 65_535)) {
    throw new InvalidDomainError(typeof raw === "string" ? raw : JSON.stringify(raw) ?? "");
  }
  return value.toLowerCase().replace(/:(80|443)$/, "");
}

export const ZGenerateBody = z.strictObject({
  domain: z.string().max(2048),
  format: z.enum(["xml", "html", "json"]).default("xml"),
  max_urls: z.number().int().min(1).max(1_000_000).default(50_000),
  include_assets: z.boolean().default(true),
  force_refresh: z.boolean().default(false),
});

export const ZCreateBody = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    domain: z.string().max(2048),
    robot_txt_check: z.boolean().optional(),
    robots_txt_check: z.boolean().optional(),
  });

const CHANGEFREQ = ["always", "hourly", "daily", "weekly", "monthly", "yearly", "never"] as const;
export const ZUrlBody = z.strictObject({
  url: z.string().min(1).max(2048),
  priority: z.number().min(0).max(1).default(0.5),
  changenfreq: z.string().optional(),
  changefreq: z.string().optional(),
});

export const ZListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(2000).optional(),
  status: z.enum(["active", "archived"]).optional(),
});

/** Normalised changefreq from either spelling (their "changenfreq" typo, or "changefreq"), case-insensitive. */
export function parseChangefreq(body: { changenfreq?: string; changefreq?: string }): (typeof CHANGEFREQ)[number] | null {
  const raw = body.changefreq ?? body.changenfreq;
  if (raw === undefined) return null;
  const v = raw.trim().toLowerCase();
  if (!(CHANGEFREQ as readonly string[]).includes(v)) {
    throw new AppError("invalid_value", `changefreq must be one of ${CHANGEFREQ.join(", ")}.`, { field: body.changefreq !== undefined ? "changefreq" : "changenfreq" });
  }
  return v as (typeof CHANGEFREQ)[number];
}

// ---- helpers over the native core -------------------------------------------------------------------------------

/**
 * The start URL of a new domain: https://<domain>/ when https connects (whatever the HTTP status), else
 * http://<domain>/ when that connects; https when neither does (the run then says why). A refused address (SSRF
 * guard) is not probed further: https, and the run reports the block.
 */
export async function startUrlFor(domain: string): Promise<string> {
  const probe = async (url: string) =>
    (await safeFetch(url, { userAgent: DEFAULT_USER_AGENT, timeoutMs: PROBE_TIMEOUT_MS, maxBodyBytes: 1024, readBody: () => false })).error?.code;
  const https = `https://${domain}/`;
  const failed = await probe(https);
  if (failed === undefined || failed === "blocked_host" || failed === "invalid_url") return https;
  const http = `http://${domain}/`;
  return (await probe(http)) === undefined ? http : https;
}

/**
 * How a new domain's start URL is found: `siteProbe.startUrlFor` (startUrlFor above). An object so that tests of the
 * endpoints, which must not reach the network, can put a loopback-only answer in its place.
 */
export const siteProbe = { startUrlFor };

/** The account's sitemap for https:// or http://<domain>/ (oldest first), or null. */
async function sitemapForDomain(userId: string, domain: string) {
  const q = parseListQuery(
    new URLSearchParams({ "filter[startUrl][in]": `https://${domain}/,http://${domain}/`, sort: "createdAt:asc", size: "1" }),
    SITEMAP_LIST_SPEC,
  );
  const rows = await querySitemaps({ userId, where: q.where, orderBy: q.orderBy, take: 1 });
  return rows[0] ?? null;
}

/** Creates the sitemap of a domain through the native insert; fileName = the domain, suffixed if already used. */
async function createForDomain(
  userId: string,
  opts: { name: string; domain: string; respectRobots?: boolean; maxPages?: number; assets?: boolean; format?: "html" | "json" },
) {
  const startUrl = await siteProbe.startUrlFor(opts.domain);
  const name = opts.domain.replace(":", "-");
  const base = FILE_NAME_RE.test(name) ? name : "site";
  for (let i = 0; ; i++) {
    const fileName = i === 0 ? base : `${base.slice(0, 90)}-${i + 1}`;
    try {
      return await insertSitemap({
        userId,
        data: {
          name: opts.name,
          startUrl,
          ...(opts.format ? { output: { extraFormats: [opts.format] } } : {}),
          fileName,
          ...(opts.maxPages !== undefined ? { crawl: { maxPages: opts.maxPages, ...(opts.respectRobots !== undefined ? { respectRobots: opts.respectRobots } : {}) } } : opts.respectRobots !== undefined ? { crawl: { respectRobots: opts.respectRobots } } : {}),
          ...(opts.assets !== undefined ? { extensions: { images: opts.assets, video: opts.assets } } : {}),
        },
      });
    } catch (err) {
      if (isAppError(err) && err.code === "duplicate_entry" && i < 20) continue;
      throw err;
    }
  }
}

/**
 * Starts a run, or returns the crawl already queued/running (a second generate call joins it). An active export-only
 * run (pushed URLs, seconds long) is waited for and then a crawl started: generate asks for a crawl, which an export
 * of the old inventory is not (after three exports in a row it joins the active run).
 */
async function startOrJoin(principal: Principal, sitemapId: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    try {
      return (await startRun(principal, sitemapId, "api")).id;
    } catch (err) {
      const active = isAppError(err) && err.code === "conflict" ? err.details?.activeRunId : null;
      if (typeof active !== "string") throw err;
      if (attempt >= 2 || (await getRun(active))?.kind !== "export") return active;
      await waitForRun(active, EXPORT_WAIT_MS);
    }
  }
}
/** How long generate waits for an active export-only run before starting its crawl (ms). */
const EXPORT_WAIT_MS = 60_000;

/**
 * Entry URL of the sitemap in `format` and what the published files hold: `urlCount` = the `<loc>` entries of its
 * urlset files (pushed URLs included). For html/json the first file of that kind (the XML entry when the published
 * run has none). Before anything is published the XML entry's future URL (it answers 503 with Retry-After until then).
 */
async function downloadOf(userId: string, sm: CompatSitemap, format: string): Promise<{ url: string; format: string; urlCount: number }> {
  const files = sm.publishedRunId ? await listPublishedFiles({ sitemapId: sm.id, userId }) : [];
  const urlCount = files.filter((f) => f.kind === "urlset").reduce((n, f) => n + f.urlCount, 0);
  const own = format !== "xml" ? files.filter((x) => x.kind === format).sort((a, b) => a.name.localeCompare(b.name))[0] : undefined;
  if (own) return { url: publicFileUrl(sm.id, own.name), format, urlCount };
  return { url: sm.sitemapUrl ?? publicFileUrl(sm.id, `${sm.fileName}.xml${sm.gzip ? ".gz" : ""}`), format: "xml", urlCount };
}

type SubmissionEntry = { engine: string; status: string; http_status: number | null; url_count: number; at: string; message: string | null };

/** The newest submission batch's per-engine entries for this sitemap. */
async function latestSubmissions(userId: string, sitemapId: string): Promise<SubmissionEntry[]> {
  const q = parseListQuery(new URLSearchParams({ size: "20", sort: "createdAt:desc" }), SUBMISSION_LIST_SPEC);
  const { items } = await listSubmissions({ userId, sitemapId, q });
  const batchId = items[0]?.batchId;
  return items
    .filter((e) => e.batchId === batchId && e.engine !== "batch")
    .map((e) => ({ engine: e.engine, status: e.status, http_status: e.httpStatus, url_count: e.urlCount, at: e.createdAt, message: e.message }));
}

/**
 * The document's `search_console` booleans from the newest submission: google when the robots.txt check found the
 * sitemap's `Sitemap:` line, bing and yandex when an IndexNow endpoint reaching them accepted the URLs; false when
 * not submitted.
 */
export function searchConsoleOf(entries: Pick<SubmissionEntry, "engine" | "status">[]) {
  const reached = new Set(
    entries
      .filter((e) => e.status === "ok" && e.engine.startsWith("indexnow:"))
      .flatMap((e) => enginesReachedBy(`https://${e.engine.slice("indexnow:".length)}/`)),
  );
  return {
    google_submitted: entries.some((e) => e.engine === "robots.txt" && e.status === "ok"),
    bing_submitted: reached.has("bing"),
    yandex_submitted: reached.has("yandex"),
  };
}

const sizeKb = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;

// ---- endpoints --------------------------------------------------------------------------------------------------

/**
 * POST /v1/sitemaps/generate:
 * - 201 `completed` when the run finishes within generateWaitMs() (default 120 s: the connection stays open while
 *   the crawl works), or at once from the cache (a successful run less than 24 h old whose files hold `format`, and
 *   no force_refresh: nothing is crawled);
 * - 201 `failed` when the run ended in failure within the wait, with `error` in the document's error object shape:
 *   the run's failure code and hint (lib/compat/run-failure.ts sxFailure);
 * - 202 `pending` past the wait, with `run_id` (follow it on /api/v1/runs/{run_id}); calling generate again joins the
 *   running run. Its `download_url` answers 503 with Retry-After until the first files are published.
 * `format` html or json adds that format to the sitemap's outputs (a new run when the cached one lacks it);
 * `download_url` points at that file and `format` says which. `url_count` is the number of `<loc>` in the published
 * urlset files (pushed URLs included). `search_console` holds booleans from the newest submission (false when not
 * submitted); `submissions` is that submission's per-engine log.
 */
export async function generate(principal: Principal, req: Request, requestId: string): Promise<Response> {
  const body = await readJson(req, ZGenerateBody);
  let domain: string;
  try {
    domain = parseDomain(body.domain);
  } catch (err) {
    if (!(err instanceof InvalidDomainError)) throw err;
    return sxError(400, "INVALID_DOMAIN", "invalid_request_error", err.message, requestId, { details: `Received: '${err.received}'` });
  }
  const extra = body.format === "xml" ? undefined : body.format;
  const row =
    (await sitemapForDomain(principal.userId, domain)) ??
    (await createForDomain(principal.userId, { name: domain, domain, maxPages: body.max_urls, assets: body.include_assets, format: extra }));
  let sm = (await loadSitemapForCompat(principal.userId, row.id))!;
  let lacksFormat = false;
  if (extra && !sm.output.extraFormats.includes(extra)) {
    await updateSitemap({ userId: principal.userId, sitemapId: sm.id, data: { output: { ...sm.output, extraFormats: [...sm.output.extraFormats, extra] } } });
    lacksFormat = true;
  }
  const last = sm.lastRun;
  const fresh = last?.status === "succeeded" && last.finishedAt !== null && Date.now() - Date.parse(last.finishedAt) < CACHE_TTL_MS;
  let run: TRunDto;
  if (fresh && !body.force_refresh && !lacksFormat && sm.publishedRunId === last.id) {
    run = last;
  } else {
    run = await waitForRun(await startOrJoin(principal, sm.id), generateWaitMs());
  }
  sm = (await loadSitemapForCompat(principal.userId, sm.id))!;
  const final = run.status === "succeeded" || run.status === "failed" || run.status === "cancelled" || run.status === "held";
  const succeeded = run.status === "succeeded";
  const dl = await downloadOf(principal.userId, sm, body.format);
  const submissions = await latestSubmissions(principal.userId, sm.id);
  const out = {
    id: sm.id,
    status: !final ? "pending" : succeeded ? "completed" : "failed",
    domain,
    format: dl.format,
    run_id: run.id,
    url_count: succeeded ? dl.urlCount : null,
    size_kb: succeeded ? sizeKb(run.bytesWritten) : null,
    generated_at: succeeded ? run.finishedAt : null,
    expires_at: succeeded && run.finishedAt ? new Date(Date.parse(run.finishedAt) + CACHE_TTL_MS).toISOString() : null,
    download_url: dl.url,
    search_console: searchConsoleOf(submissions),
    submissions,
    ...(final && !succeeded ? { error: sxFailure(run, requestId) } : {}),
  };
  return Response.json(out, { status: final ? 201 : 202, headers: { Location: `/api/v1/runs/${run.id}` } });
}

/** GET /v1/sitemaps: the native list grammar (size = limit, cursor, filter active) in their shape. */
export async function listSitemapsSx(principal: Principal, req: Request): Promise<Response> {
  const url = new URL(req.url);
  const query = parseWith(ZListQuery, Object.fromEntries(url.searchParams));
  const params = new URLSearchParams({ size: String(query.limit) });
  if (query.cursor) params.set("cursor", query.cursor);
  if (query.status) params.set("filter[active]", query.status === "active" ? "true" : "false");
  const q = parseListQuery(params, SITEMAP_LIST_SPEC);
  const page = q.page(await querySitemaps({ userId: principal.userId, where: q.where, orderBy: q.orderBy, take: q.take }));
  const dtos = await toSitemapDtos(page.rows);
  const counts = await Promise.all(
    dtos.map(async (d) =>
      (await listPublishedFiles({ sitemapId: d.id, userId: principal.userId })).filter((f) => f.kind === "urlset").reduce((n, f) => n + f.urlCount, 0),
    ),
  );
  return Response.json({
    sitemaps: dtos.map((d, i) => ({
      id: d.id,
      name: d.name,
      url: d.startUrl,
      status: d.active ? "active" : "archived",
      urls_count: counts[i],
      last_updated: d.lastSucceededAt ?? d.updatedAt,
    })),
    pagination: { next_cursor: page.nextCursor, has_more: page.nextCursor !== null },
  });
}

/**
 * POST /v1/sitemaps: creates the sitemap of https://<domain>/ and starts its first crawl → 201 `crawling`.
 * A domain has one sitemap per account: when the account already has one for it (the oldest, as generate picks), the
 * answer is 200 with that sitemap (`status` "crawling" while a run is queued or running, else "active"; its own
 * name), nothing is created and no crawl is started — so every later call for the domain acts on that sitemap.
 */
export async function createSitemapSx(principal: Principal, req: Request, requestId: string): Promise<Response> {
  const body = await readJson(req, ZCreateBody);
  let domain: string;
  try {
    domain = parseDomain(body.domain);
  } catch (err) {
    if (!(err instanceof InvalidDomainError)) throw err;
    return sxError(400, "INVALID_DOMAIN", "invalid_request_error", err.message, requestId, { details: `Received: '${err.received}'`, param: "domain" });
  }
  const existing = await sitemapForDomain(principal.userId, domain);
  if (existing) {
    const sm = (await loadSitemapForCompat(principal.userId, existing.id))!;
    const running = sm.lastRun?.status === "queued" || sm.lastRun?.status === "running";
    return Response.json(
      {
        id: sm.id,
        name: sm.name,
        domain,
        status: running ? "crawling" : "active",
        created_at: sm.createdAt,
        xml_url: (await downloadOf(principal.userId, sm, "xml")).url,
      },
      { status: 200, headers: { Location: `/api/v1/sitemaps/${sm.id}` } },
    );
  }
  const robots = body.robots_txt_check ?? body.robot_txt_check ?? true;
  const row = await createForDomain(principal.userId, { name: body.name, domain, respectRobots: robots });
  const sm = (await loadSitemapForCompat(principal.userId, row.id))!;
  let status = "crawling";
  let warning: string | undefined;
  try {
    await startRun(principal, sm.id, "api");
  } catch (err) {
    if (!isAppError(err)) throw err;
    status = "idle"; // created, but the first crawl could not start (e.g. no credits): say so
    warning = err.message;
  }
  return Response.json(
    {
      id: sm.id,
      name: sm.name,
      domain,
      status,
      created_at: sm.createdAt,
      xml_url: (await downloadOf(principal.userId, sm, "xml")).url,
      ...(warning ? { warning } : {}),
    },
    { status: 201, headers: { Location: `/api/v1/sitemaps/${sm.id}` } },
  );
}

/**
 * What the submit answer promises about crawl time: IndexNow engines usually fetch submitted URLs within hours, Google
 * reads a sitemap named in robots.txt on its own schedule (days); no engine commits to a time.
 */
export const ESTIMATED_CRAWL_TIME = "1-48 hours";

/**
 * POST /v1/sitemaps/:id/submit → 202 with the batch id and one target per search engine, each `submitted` (the
 * document's status: handed to its channel). Google reads the robots.txt `Sitemap:` line (`via: "robots.txt"`); the
 * IndexNow endpoints reach Bing, Yandex, Seznam, Naver and Yep (`via: "indexnow"`). The outcome per channel, once the
 * job has run, is at `status_url` (GET /api/v1/submissions/{id}).
 */
export async function submitSx(principal: Principal, sitemapId: string): Promise<Response> {
  const batch = await requestSubmission({ userId: principal.userId, sitemapId });
  const indexNow = [...new Set(indexNowEndpoints().flatMap(enginesReachedBy))];
  const targets = [
    { engine: "google", status: "submitted", via: "robots.txt" },
    ...indexNow.map((engine) => ({ engine, status: "submitted", via: "indexnow" })),
  ];
  return Response.json(
    {
      request_id: batch.batchId,
      targets,
      estimated_crawl_time: ESTIMATED_CRAWL_TIME,
      status_url: `/api/v1/submissions/${batch.batchId}`,
    },
    { status: 202, headers: { Location: `/api/v1/submissions/${batch.batchId}` } },
  );
}

/**
 * POST /v1/sitemaps/:id/urls → 200 `{ url_id, status: "queued", message, run_id }`: the URL is pushed into the
 * sitemap (native pushed URLs, source "compat"; kept across crawls) and published within seconds by an export-only
 * run (lib/runs/export-only.ts: the published run's URLs plus the pushed ones, no fetch; pushes within
 * PUSH_EXPORT_WINDOW_MS, or during an active run, share one export). `run_id` names the run that will publish it
 * (follow it on /api/v1/runs/{run_id}); null for an inactive sitemap. Priority defaults to 0.5 as in the reference;
 * changefreq from "changenfreq" (their spelling) or "changefreq". A URL off the site's origin → 400.
 */
export async function addUrlSx(principal: Principal, sitemapId: string, req: Request): Promise<Response> {
  const body = await readJson(req, ZUrlBody);
  const changefreq = parseChangefreq(body);
  const res = await pushSitemapUrls({
    userId: principal.userId,
    sitemapId,
    items: [{ url: body.url, priority: body.priority, ...(changefreq ? { changefreq } : {}) }],
    source: "compat",
  });
  const scheduled = await requestPushExport(sitemapId);
  return Response.json(
    { url_id: res.rows[0].id, status: "queued", message: "URL added and scheduled for indexing", run_id: scheduled.exportRunId },
    { status: 200 },
  );
}
