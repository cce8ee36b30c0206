/**
 * Plans and their API limits. Pure: no I/O; env.ts validates the override, callers pass it in.
 *
 * Defaults = the plan table of the Sitemap.xml API reference (docs/compat.md):
 *
 *   plan          perMinute  perDay
 *   starter              60   1,000
 *   professional        300  25,000
 *   enterprise        1,000  unlimited (null)
 *
 * Units: `perMinute` = requests per API key per fixed UTC minute; `perDay` = API-key requests per account per UTC
 * calendar day, null for unlimited. (Dashboard-session calls have their own limit, lib/quota/api-limits.ts.) A user's `plan` column names the row; an unknown name falls back
 * to starter (the most restrictive), so a typo in the database never grants more.
 * Overrides: PLAN_LIMITS (JSON, merged over these defaults per plan and field) and API_RATE_LIMIT_PER_MINUTE
 * (replaces every plan's perMinute). Errors: none here; env.ts rejects an invalid PLAN_LIMITS at startup.
 */
import { z } from "zod";

export const PLAN_NAMES = ["starter", "professional", "enterprise"] as const;
export type PlanName = (typeof PLAN_NAMES)[number];
export type PlanLimits = { perMinute: number; perDay: number | null };
export type PlanTable = Record<PlanName, PlanLimits>;

export const DEFAULT_PLANS: PlanTable = {
  starter: { perMinute: 60, perDay: 1_000 },
  professional: { perMinute: 300, perDay: 25_000 },
  enterprise: { perMinute: 1_000, perDay: null },
};

const ZPlanLimitsPatch = z.strictObject({
  perMinute: z.number().int().min(1).max(1_000_000).optional(),
  perDay: z.number().int().min(1).max(1_000_000_000).nullable().optional(),
});
/** The shape of PLAN_LIMITS: any subset of plans, any subset of their fields. */
export const ZPlanLimitsOverride = z.strictObject({
  starter: ZPlanLimitsPatch.optional(),
  professional: ZPlanLimitsPatch.optional(),
  enterprise: ZPlanLimitsPatch.optional(),
});
export type TPlanLimitsOverride = z.infer<typeof ZPlanLimitsOverride>;

/** The effective table: defaults, then PLAN_LIMITS, then the instance-wide per-minute override. */
export function planTable(env: { PLAN_LIMITS?: TPlanLimitsOverride; API_RATE_LIMIT_PER_MINUTE?: number }): PlanTable {
  const out = {} as PlanTable;
  for (const name of PLAN_NAMES) {
    const patch = env.PLAN_LIMITS?.[name] ?? {};
    const row: PlanLimits = { ...DEFAULT_PLANS[name] };
    if (patch.perMinute !== undefined) row.perMinute = patch.perMinute;
    if (patch.perDay !== undefined) row.perDay = patch.perDay;
    if (env.API_RATE_LIMIT_PER_MINUTE !== undefined) row.perMinute = env.API_RATE_LIMIT_PER_MINUTE;
    out[name] = row;
  }
  return out;
}

/** The plan name to use for a stored value: itself when known, else "starter". */
export const toPlanName = (plan: string | null | undefined): PlanName =>
  (PLAN_NAMES as readonly string[]).includes(plan ?? "") ? (plan as PlanName) : "starter";
