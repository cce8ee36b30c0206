/**
 * Validated environment: the one reader of `process.env` for app settings (add your variables to `ZEnv`).
 * Parsed on every call (it is cheap), so tests can change variables with `vi.stubEnv`.
 *
 * - APP_URL: public base URL of this instance, no trailing slash (default http://localhost:3000).
 * - NEXTAUTH_SECRET: signs/encrypts the dashboard session cookie (next-auth); required in production.
 * - API_RATE_LIMIT_PER_MINUTE: optional instance-wide override of every plan's per-minute limit (requests per API key,
 *   or per signed-in user, per minute). Unset: each plan's own limit (lib/quota/plans.ts).
 * - PLAN_LIMITS: optional JSON overriding the plan table, merged over the defaults per plan and field, e.g.
 *   `{"starter":{"perMinute":30,"perDay":500},"enterprise":{"perDay":null}}` (perDay null = unlimited).
 * - SESSION_RATE_LIMIT_PER_MINUTE: /api/v1 requests per signed-in dashboard user per minute (default 600; the dashboard
 *   polls while a run is active). Session calls are not plan-limited and not counted against the daily quota.
 * - SIGNUP_RATE_LIMIT_PER_MINUTE: sign-ups per client IP per minute (default 5).
 * - SIGNUP_ENABLED: "false" turns public sign-up off (accounts then come from `npm run user:create`).
 * - CRAWL_ALLOWED_PORTS: extra ports (comma list, e.g. `8080,8443`) that crawls, feeds, webhooks and IndexNow may
 *   connect to besides 80 and 443 (lib/core/outbound.ts reads it where it is used; validated here).
 * - REGEX_CHECK_TIMEOUT_MS: time the catastrophic-backtracking analysis may take per user regex (default 5000;
 *   lib/core/regex-safety.ts reads it where it is used; validated here).
 * - MYSITEMAPGENERATOR_RATE_LIMIT_PER_MINUTE: calls per API key per minute on the mysitemapgenerator adapter
 *   (POST /api/{METHOD}). Unset: none, since that API's document names only its daily limit of 500 calls.
 * - ANQICMS_SYNC_WAIT_SECONDS: how long a synchronous AnQiCMS sitemap update (POST /api/import/sitemap) holds the
 *   connection waiting for the run (1..3600, default 900 = 15 min); past it the answer is code -1.
 * - SITEMAPXML_GENERATE_WAIT_SECONDS: how long POST /v1/sitemaps/generate (Sitemap.xml API adapter) keeps the
 *   connection open waiting for the crawl before answering 202 pending (1..900, default 120).
 * - FAILED_AUTH_LIMIT_PER_MINUTE: failed authentications (401s) per client address per 60 s before the API answers
 *   429 without looking the key up (default 30; lib/auth/failed-auth-limiter.ts).
 * - TRUST_PROXY: which request header names the client address (lib/api/client-ip.ts). Unset: the TCP peer address;
 *   `x-forwarded-for` or `x-forwarded-for:N` (N = trusted proxies in front of the app, 1..32, default 1): the N-th
 *   address from the right of X-Forwarded-For; any other header name (`x-real-ip`, `cf-connecting-ip`, …): its value,
 *   which the proxy must overwrite. Parsed to `{ header, hops }` (hops 0 = the whole value is the address).
 * - CRAWL_IN_WORKER: "false" runs a run's crawl on the server's own thread instead of a worker thread (baseline for
 *   bench/; lib/runs/crawl-thread.ts). The budget below applies to the worker only:
 * - CRAWL_STALL_MS: longest one synchronous task may block the crawl worker, ms (default 10,000).
 * - CRAWL_CPU_BUDGET_MS: busy time of the crawl worker per crawl step (and attempt), ms (default 600,000).
 * - CRAWL_TIME_BUDGET_MS: wall time of a run's crawl, ms, counted from the run's start across its steps (default
 *   86,400,000 = 24 h); then the crawl stops fetching
 *   and the run succeeds with the warning time_budget_reached (lib/runs/crawl-thread.ts).
 * - CRAWL_WORKER_HEAP_MB: old-generation heap cap of the crawl worker, MB (default 1,024).
 * - CRAWL_WORKER_NICE: nice value of the crawl worker thread, 0–19 (default 10; 0 = the process's priority; Linux).
 * - CRAWL_STEP_SECONDS: longest one crawl step of a run may crawl, s (default 60; a decimal ≥ 0.05, at most 7,200):
 *   the crawl runs as a loop of job steps that each resume from the frontier stored in the database
 *   (inngest/functions/generate-sitemap.ts, lib/runs/execute.ts crawlStep). Visits under way at the end finish first.
 * - CRAWL_MAX_STEPS: steps one run's job may take, crawl steps and the export step together (default and at most
 *   1,000, Inngest's limit per function run; at least 2). Past it the run fails with crawl_step_limit_exceeded.
 * - SHOP_FILES_ACCOUNT: e-mail of the account whose shop subshop folders are also served at the shop API document's
 *   own path, `{APP_URL}/sitemaps/{subshopId}/{file}` (an instance for one shop, or a shop domain proxying /sitemaps/
 *   here; lib/compat/shop-files.ts). Unset: only `{APP_URL}/shop/{accountId}/sitemaps/…`.
 * - STORAGE_URL: `s3://bucket/prefix` keeps published files (sitemap generations, feeds) in an S3-compatible object
 *   store; unset = local disk under FILES_DIR. With it: S3_ENDPOINT (http(s) URL; unset = AWS S3), S3_REGION (default
 *   us-east-1), S3_ACCESS_KEY_ID + S3_SECRET_ACCESS_KEY (both or neither = the SDK's default credential chain),
 *   S3_FORCE_PATH_STYLE (default false). lib/files/storage-config.ts reads them (its storageConfig is the parser).
 * - CRAWL_WORKER_SCHED: scheduling policy of the crawl worker thread: "normal" (default: only the nice value) or
 *   "idle" (Linux SCHED_IDLE, set with util-linux `chrt`: the thread runs only on CPU time no normal thread wants; on a
 *   machine saturated by other work the crawl then makes no progress, so it is opt-in).
 * - CRAWL_FOREGROUND_YIELD_MS: longest the crawl worker defers its next fetch while HTTP requests are being served, ms
 *   (0–1,000, default 50; 0 = never defers; lib/runs/foreground.ts).
 * - CRAWL_FOREGROUND_WRITE_MS: the same for one crawl journal batch write, ms (0–10,000, default 1,000; on PGlite an
 *   API query waits behind a write in progress, so under API load fewer, later writes hit fewer requests).
 * - APP_ROLE: what this instance does with jobs in INNGEST_MODE=local (lib/jobs/start-local.ts): "all" (default:
 *   serves HTTP, stores and executes job runs, may run the cron scheduler), "web" (stores the job runs of the events
 *   it sends but executes none and runs no cron: the worker instances on the same database do), "worker" (executes
 *   them; the same as "all", named so deployments say which instances do the work). With INNGEST_MODE=inngest the
 *   Inngest server decides where functions run (the URL it syncs); the variable is then ignored.
 * - INNGEST_LOCAL_TEST_CRON: test hook of the local runner: a croner pattern (5 or 6 fields, seconds allowed) that
 *   replaces every cron trigger's schedule, without the scheduler lock (lib/jobs/cron-scheduler.ts). Never set it in
 *   production: the hourly scheduler would tick on this pattern instead of hourly.
 * Errors: throws Error listing every invalid variable. lib/config/check-env.ts checks the rest of the environment.
 */
import { Cron } from "croner";
import { z } from "zod";
import { parseAllowedPorts } from "@/lib/core/outbound";
import { parseStorageUrl } from "@/lib/files/storage-config";
import { ZPlanLimitsOverride } from "@/lib/quota/plans";

/** TRUST_PROXY → `{ header, hops }` (module doc); "true"/"1"/"yes" are refused, they name no header. */
const ZTrustProxy = z
  .string()
  .transform((raw, ctx) => {
    const v = raw.trim().toLowerCase();
    const xff = /^x-forwarded-for(?::(\d+))?$/.exec(v);
    if (xff) {
      const hops = xff[1] === undefined ? 1 : Number(xff[1]);
      if (hops >= 1 && hops <= 32) return { header: "x-forwarded-for", hops };
      ctx.addIssue({ code: "custom", message: "the hop count of x-forwarded-for:N must be 1..32" });
      return z.NEVER;
    }
    if (/^[a-z0-9-]+$/.test(v) && !["true", "false", "yes", "no", "on", "off", "1", "0", "forwarded"].includes(v)) {
      return { header: v, hops: 0 };
    }
    ctx.addIssue({
      code: "custom",
      message: `expected x-forwarded-for, x-forwarded-for:N or the name of a header holding one address (e.g. x-real-ip), got "${raw}"`,
    });
    return z.NEVER;
  });
export type TTrustProxy = z.output<typeof ZTrustProxy>;

const flag = (dflt: "true" | "false") =>
  z.enum(["true", "false", "1", "0"]).default(dflt).transform((v) => v === "true" || v === "1");

export const ZEnv = z.object({
  APP_URL: z
    .url({ protocol: /^https?$/ })
    .default("http://localhost:3000")
    .transform((u) => u.replace(/\/+$/, "")),
  NEXTAUTH_SECRET: z.string().min(1).optional(),
  API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).optional(),
  PLAN_LIMITS: z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: "not valid JSON" });
        return z.NEVER;
      }
    })
    .pipe(ZPlanLimitsOverride)
    .optional(),
  SESSION_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  SIGNUP_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(5),
  SIGNUP_ENABLED: flag("true"),
  CRAWL_ALLOWED_PORTS: z
    .string()
    .superRefine((v, ctx) => {
      try {
        parseAllowedPorts(v);
      } catch (e) {
        ctx.addIssue({ code: "custom", message: (e as Error).message });
      }
    })
    .optional(),
  REGEX_CHECK_TIMEOUT_MS: z.coerce.number().int().min(1).optional(),
  FAILED_AUTH_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(30),
  MYSITEMAPGENERATOR_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).optional(),
  SITEMAPXML_GENERATE_WAIT_SECONDS: z.coerce.number().int().min(1).max(900).optional(),
  ANQICMS_SYNC_WAIT_SECONDS: z.coerce.number().int().min(1).max(3600).optional(),
  TRUST_PROXY: ZTrustProxy.optional(),
  CRAWL_IN_WORKER: flag("true"),
  CRAWL_STALL_MS: z.coerce.number().int().min(100).default(10_000),
  CRAWL_CPU_BUDGET_MS: z.coerce.number().int().min(100).default(600_000),
  CRAWL_TIME_BUDGET_MS: z.coerce.number().int().min(1000).default(86_400_000),
  CRAWL_WORKER_HEAP_MB: z.coerce.number().int().min(32).default(1024),
  CRAWL_WORKER_NICE: z.coerce.number().int().min(0).max(19).default(10),
  // A decimal is accepted (tests run sub-second steps); Inngest caps one step at 2 h.
  CRAWL_STEP_SECONDS: z.coerce.number().min(0.05).max(7200).default(60),
  CRAWL_MAX_STEPS: z.coerce.number().int().min(2).max(1000).default(1000),
  // The shop API adapter's files at the document's own path (lib/compat/shop-files.ts).
  SHOP_FILES_ACCOUNT: z.email().transform((v) => v.toLowerCase()).optional(),
  /** Coalescing window of export-only runs after a pushed URL (ms; lib/runs/export-only.ts): pushes within it share one export. */
  PUSH_EXPORT_WINDOW_MS: z.coerce.number().int().min(0).max(60_000).default(2000),
  // Storage of published files (lib/files/storage-config.ts reads them; the pair rule of the keys is checked there).
  STORAGE_URL: z
    .string()
    .superRefine((v, ctx) => {
      try {
        parseStorageUrl(v);
      } catch (e) {
        ctx.addIssue({ code: "custom", message: (e as Error).message.replace(/^STORAGE_URL: /, "") });
      }
    })
    .optional(),
  S3_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  S3_REGION: z.string().regex(/^[a-z0-9-]{1,40}$/, "expected a region name such as us-east-1 or auto").default("us-east-1"),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  S3_FORCE_PATH_STYLE: flag("false"),
  CRAWL_WORKER_SCHED: z.enum(["idle", "normal"]).default("normal"),
  CRAWL_FOREGROUND_YIELD_MS: z.coerce.number().int().min(0).max(1000).default(50),
  CRAWL_FOREGROUND_WRITE_MS: z.coerce.number().int().min(0).max(10_000).default(1000),
  APP_ROLE: z.enum(["all", "web", "worker"]).default("all"),
  INNGEST_LOCAL_TEST_CRON: z
    .string()
    .superRefine((v, ctx) => {
      try {
        new Cron(v, { paused: true, timezone: "UTC" }).stop();
      } catch (e) {
        ctx.addIssue({ code: "custom", message: `not a cron pattern croner accepts: ${(e as Error).message}` });
      }
    })
    .optional(),
});
export type TEnv = z.infer<typeof ZEnv>;

/** Problems of `source` against ZEnv, one `NAME: problem` line each (NAME.path for PLAN_LIMITS); [] when valid. */
export function envProblems(source: Record<string, string | undefined> = process.env): string[] {
  const parsed = ZEnv.safeParse(envInput(source));
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

// Parsing the environment costs 0.1–0.6 ms, and one API request reads it many times (once per listed sitemap for
// its public URL). A production server's environment does not change after start, so its parse is kept; elsewhere
// (tests stub variables between calls, CLI tools) every call parses.
let productionEnv: TEnv | undefined;

/**
 * The app's settings, parsed from `source` (default: process.env; kept after the first parse when NODE_ENV is
 * "production"). Errors: throws naming every invalid variable.
 */
export function getEnv(source: Record<string, string | undefined> = process.env): TEnv {
  if (source === process.env && process.env.NODE_ENV === "production") return (productionEnv ??= parseEnv(source));
  return parseEnv(source);
}

function parseEnv(source: Record<string, string | undefined>): TEnv {
  const parsed = ZEnv.safeParse(envInput(source));
  if (!parsed.success) {
    const list = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid environment: ${list}`);
  }
  return parsed.data;
}

// Empty strings mean "unset" (a blank line in .env must not fail validation).
const envInput = (source: Record<string, string | undefined>) =>
  Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v.trim() !== ""));
