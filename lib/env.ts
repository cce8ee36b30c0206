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
 * - CRAWL_IN_WORKER: "false" runs a run's crawl on the server's own thread instead of a worker thread (baseline for
 *   bench/; lib/runs/crawl-thread.ts). The budget below applies to the worker only:
 * - CRAWL_STALL_MS: longest one synchronous task may block the crawl worker, ms (default 10,000).
 * - CRAWL_CPU_BUDGET_MS: busy time of the crawl worker per crawl attempt, ms (default 600,000).
 * - CRAWL_TIME_BUDGET_MS: wall time of a crawl attempt, ms (default 86,400,000 = 24 h).
 * - CRAWL_WORKER_HEAP_MB: old-generation heap cap of the crawl worker, MB (default 1,024).
 * Errors: throws Error listing every invalid variable.
 */
import { z } from "zod";
import { ZPlanLimitsOverride } from "@/lib/quota/plans";

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
  CRAWL_IN_WORKER: flag("true"),
  CRAWL_STALL_MS: z.coerce.number().int().min(100).default(10_000),
  CRAWL_CPU_BUDGET_MS: z.coerce.number().int().min(100).default(600_000),
  CRAWL_TIME_BUDGET_MS: z.coerce.number().int().min(1000).default(86_400_000),
  CRAWL_WORKER_HEAP_MB: z.coerce.number().int().min(32).default(1024),
});
export type TEnv = z.infer<typeof ZEnv>;

export function getEnv(source: Record<string, string | undefined> = process.env): TEnv {
  // Empty strings mean "unset" (a blank line in .env must not fail validation).
  const input = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v.trim() !== ""));
  const parsed = ZEnv.safeParse(input);
  if (!parsed.success) {
    const list = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid environment: ${list}`);
  }
  return parsed.data;
}
