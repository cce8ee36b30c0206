/**
 * The start-up check of the configuration: every environment variable that has a format, validated at once, so a
 * typo stops `npm start` with a message naming the variable instead of a server that answers every request with 500.
 *
 * Called by scripts/check-env.ts (run by scripts/run-app.mjs before migrations and the build) and by
 * instrumentation.ts (any other way of starting the server, e.g. `next start` directly).
 *
 * Checked: the app settings of lib/env.ts (APP_URL, NEXTAUTH_SECRET, PLAN_LIMITS, API_RATE_LIMIT_PER_MINUTE,
 * SESSION_RATE_LIMIT_PER_MINUTE, SIGNUP_RATE_LIMIT_PER_MINUTE, SIGNUP_ENABLED, FAILED_AUTH_LIMIT_PER_MINUTE,
 * MYSITEMAPGENERATOR_RATE_LIMIT_PER_MINUTE, SITEMAPXML_GENERATE_WAIT_SECONDS, ANQICMS_SYNC_WAIT_SECONDS,
 * TRUST_PROXY, CRAWL_ALLOWED_PORTS, REGEX_CHECK_TIMEOUT_MS, CRAWL_IN_WORKER, CRAWL_STALL_MS, CRAWL_CPU_BUDGET_MS,
 * CRAWL_TIME_BUDGET_MS, CRAWL_WORKER_HEAP_MB, CRAWL_WORKER_NICE, CRAWL_STEP_SECONDS, CRAWL_MAX_STEPS, APP_ROLE, INNGEST_LOCAL_TEST_CRON,
 * STORAGE_URL and the S3_* settings, whose pairing
 * lib/files/storage-config.ts checks), and DATABASE_URL, PORT, NEXTAUTH_URL, FILES_DIR, CRAWL_ALLOW_HOSTS, INNGEST_MODE, SECRETS_KEY,
 * INDEXNOW_ENDPOINTS, INDEXNOW_MAX_ATTEMPTS, INDEXNOW_BASE_DELAY_MS, INDEXNOW_MAX_DELAY_MS, WEBHOOK_RETRY_DELAYS_MS
 * with the same parsers their modules use. Blank values count as unset (the defaults apply). NEXTAUTH_URL and APP_URL
 * must name the same origin when both are set: next-auth sends every sign-in and sign-out redirect to NEXTAUTH_URL's
 * origin, so a NEXTAUTH_URL of http://localhost:3000 behind APP_URL=https://maps.example.com would send users to
 * localhost. Leave NEXTAUTH_URL unset and applyAuthUrlDefault fills it from APP_URL.
 * Errors: assertEnvironment throws ConfigError whose message lists every problem, one `NAME: problem` per line.
 */
import fs from "node:fs";
import { secretsKey } from "@/lib/auth/secrets";
import { parseAllowHosts } from "@/lib/crawl/fetch";
import { envProblems } from "@/lib/env";
import { storageProblems } from "@/lib/files/storage-config";
import { indexNowEndpoints } from "@/lib/submit/indexnow";

/**
 * The start-up check's failure: `problems` holds one `NAME: problem` line per bad variable, and the message lists them
 * all.
 */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

type Check = (value: string) => string | null;

const httpUrl: Check = (v) => {
  try {
    const u = new URL(v);
    return u.protocol === "http:" || u.protocol === "https:" ? null : `expected an http(s) URL, got "${v}"`;
  } catch {
    return `expected an http(s) URL, got "${v}"`;
  }
};

const integer =
  (min: number, max = Number.MAX_SAFE_INTEGER): Check =>
  (v) =>
    /^\d+$/.test(v) && Number(v) >= min && Number(v) <= max ? null : `expected a whole number ${min}..${max}, got "${v}"`;

/** Runs a parser that throws on bad input; its message becomes the problem. */
const throws =
  (parse: (v: string) => unknown): Check =>
  (v) => {
    try {
      parse(v);
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  };

const CHECKS: Record<string, Check> = {
  DATABASE_URL: (v) => {
    if (/^pglite:./.test(v)) return null;
    if (/^postgres(ql)?:\/\//.test(v)) {
      try {
        if (new URL(v).hostname) return null;
      } catch {}
    }
    return "expected pglite:<dir>, pglite:memory or postgresql://user:password@host:5432/db";
  },
  PORT: integer(1, 65535),
  NEXTAUTH_URL: httpUrl,
  FILES_DIR: (v) => {
    if (v.includes("\0")) return "contains a NUL character";
    const st = fs.statSync(v, { throwIfNoEntry: false });
    return st && !st.isDirectory() ? `"${v}" exists and is not a directory` : null;
  },
  CRAWL_ALLOW_HOSTS: throws(parseAllowHosts),
  INNGEST_MODE: (v) => (["local", "inngest"].includes(v.toLowerCase()) ? null : `expected "local" or "inngest", got "${v}"`),
  SECRETS_KEY: throws((v) => secretsKey({ SECRETS_KEY: v } as unknown as NodeJS.ProcessEnv)),
  INDEXNOW_ENDPOINTS: throws((v) => indexNowEndpoints({ INDEXNOW_ENDPOINTS: v })),
  INDEXNOW_MAX_ATTEMPTS: integer(1, 100),
  INDEXNOW_BASE_DELAY_MS: integer(0),
  INDEXNOW_MAX_DELAY_MS: integer(0),
  WEBHOOK_RETRY_DELAYS_MS: (v) =>
    v.split(",").every((s) => /^\d+$/.test(s.trim())) ? null : `expected comma-separated milliseconds (e.g. 10000,60000), got "${v}"`,
};

/** The origin of an http(s) URL, or null when `value` is not one. */
function httpOrigin(value: string | undefined): string | null {
  if (!value?.trim() || httpUrl(value.trim()) !== null) return null;
  return new URL(value.trim()).origin;
}

/** Every problem of `env`, one `NAME: problem` line each, in a stable order; [] when the configuration is valid. */
export function checkEnvironment(env: Record<string, string | undefined> = process.env): string[] {
  const problems = envProblems(env);
  for (const [name, check] of Object.entries(CHECKS)) {
    const value = env[name]?.trim();
    if (!value) continue;
    const problem = check(value);
    if (problem !== null) problems.push(`${name}: ${problem.startsWith(`${name}: `) ? problem.slice(name.length + 2) : problem}`);
  }
  // The storage settings as a whole (lib/files/storage-config.ts: e.g. an access key without its secret); a problem
  // of a single variable is already reported by envProblems.
  for (const p of storageProblems(env)) if (!problems.some((q) => q.split(":")[0] === p.split(":")[0])) problems.push(p);
  const authOrigin = httpOrigin(env.NEXTAUTH_URL);
  const appOrigin = httpOrigin(env.APP_URL);
  if (authOrigin && appOrigin && authOrigin !== appOrigin) {
    problems.push(
      `NEXTAUTH_URL: its origin ${authOrigin} differs from APP_URL's ${appOrigin}; sign-in and sign-out would redirect to ${authOrigin} (unset NEXTAUTH_URL: it follows APP_URL)`,
    );
  }
  return problems;
}

/**
 * Fills NEXTAUTH_URL from APP_URL (trailing slashes removed) when APP_URL is set and NEXTAUTH_URL is blank, in place,
 * so next-auth's redirects go to the host users open. Returns the NEXTAUTH_URL in force afterwards (undefined when
 * neither is set: next-auth then uses http://localhost:3000). Called by instrumentation.ts before the check;
 * scripts/run-app.mjs applies the same rule to the environment it starts the server with.
 */
export function applyAuthUrlDefault(env: Record<string, string | undefined> = process.env): string | undefined {
  const app = env.APP_URL?.trim();
  if (!env.NEXTAUTH_URL?.trim() && app) env.NEXTAUTH_URL = app.replace(/\/+$/, "");
  return env.NEXTAUTH_URL?.trim() || undefined;
}

/** Throws ConfigError listing every problem (see checkEnvironment). */
export function assertEnvironment(env: Record<string, string | undefined> = process.env): void {
  const problems = checkEnvironment(env);
  if (problems.length) throw new ConfigError(problems);
}

/**
 * For a server that is starting: prints every problem to stderr and ends the process with exit code 2 when the
 * configuration is invalid (instrumentation.ts). Returns normally when it is valid.
 */
export function exitOnInvalidEnvironment(env: Record<string, string | undefined> = process.env): void {
  const problems = checkEnvironment(env);
  if (!problems.length) return;
  console.error(`[sitemap-forge] invalid configuration; fix these environment variables and start again:\n  ${problems.join("\n  ")}`);
  process.exit(2);
}
