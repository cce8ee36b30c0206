/**
 * GET /api/v1/usage: the account's plan, today's API calls against its limits, and its crawl credits.
 *
 * Units: `callsToday` = API-key requests of the account (all its keys; dashboard-session calls are not counted) in the
 * current UTC day, refused ones excluded; `dailyQuota` = requests per UTC day (null = unlimited); `ratePerMinute` = requests per
 * minute per API key; `quotaResetsAt` = end of the UTC day (ISO 8601). Credits: one per 100 pages
 * fetched by a run, at least 1 per run; `lastCost` = the most recent run's debit.
 */
import { z } from "zod";
import { PLAN_NAMES } from "@/lib/quota/plans";

export const ZPlanName = z.enum(PLAN_NAMES);

export const ZPlanLimitsDto = z.object({
  plan: ZPlanName,
  ratePerMinute: z.number().int().describe("Requests per minute per API key."),
  dailyQuota: z.number().int().nullable().describe("Requests per UTC day per account; null = unlimited."),
});

export const ZUsageDto = z.object({
  plan: ZPlanName,
  callsToday: z.int(),
  dailyQuota: z.int().nullable(),
  remainingToday: z.int().nullable().describe("null when the quota is unlimited."),
  quotaResetsAt: z.string(),
  ratePerMinute: z.int(),
  plans: z.array(ZPlanLimitsDto).describe("Every plan's limits on this instance."),
  credits: z.object({
    balance: z.int().describe("Crawl credits left; may be negative after an expensive run."),
    pagesPerCredit: z.int(),
    lastCost: z
      .object({ runId: z.string().nullable(), credits: z.int(), at: z.string() })
      .nullable()
      .describe("The most recent run's debit (mysitemapgenerator's `last_cost`); null before the first run."),
  }),
});
export type TUsageDto = z.infer<typeof ZUsageDto>;
