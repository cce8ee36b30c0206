/**
 * GET /api/v1/usage: the account's plan, today's API calls against its limits, and its crawl credits.
 *
 * Units: `callsToday` = API-key requests of the account (all its keys; dashboard-session calls are not counted) in the
 * current UTC day, refused ones excluded; `dailyQuota` = requests per UTC day (null = unlimited); `ratePerMinute` = requests per
 * minute per API key; `quotaResetsAt` = end of the UTC day (ISO 8601). Credits: one per 100 pages
 * fetched by a run, at least 1 per run; `lastCost` = the most recent run's debit.
 *
 * History (`?days=1..90`, default 14): `history` has one entry per UTC day, oldest first, today last, with the API-key
 * calls counted that day (UsageCounter day windows, kept 90 days) and the credits debited that day (sum of the
 * CreditEntry debits, a positive number). `recentDebits` lists the 10 newest ledger entries, newest first, with the
 * run and sitemap they belong to (null when deleted since).
 */
import { z } from "zod";
import { PLAN_NAMES } from "@/lib/quota/plans";

export const ZPlanName = z.enum(PLAN_NAMES);

export const ZPlanLimitsDto = z.object({
  plan: ZPlanName,
  ratePerMinute: z.number().int().describe("Requests per minute per API key."),
  dailyQuota: z.number().int().nullable().describe("Requests per UTC day per account; null = unlimited."),
});

/** `?days=`: how many UTC days `history` covers (1..90, default 14). Other query parameters are ignored. */
export const ZUsageQuery = z.object({
  days: z.coerce.number().int().min(1).max(90).default(14),
});

export const ZUsageDayDto = z.object({
  date: z.string().describe("UTC day, YYYY-MM-DD."),
  calls: z.int().describe("API-key requests of the account counted that day."),
  creditsDebited: z.int().describe("Crawl credits debited that day (positive; refunds are subtracted)."),
});
export type TUsageDayDto = z.infer<typeof ZUsageDayDto>;

export const ZCreditEntryDto = z.object({
  runId: z.string().nullable(),
  runNumber: z.int().nullable(),
  sitemapId: z.string().nullable(),
  sitemapName: z.string().nullable(),
  credits: z.int().describe("Signed change of the balance: negative for a debit."),
  reason: z.string(),
  at: z.string(),
});
export type TCreditEntryDto = z.infer<typeof ZCreditEntryDto>;

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
  history: z.array(ZUsageDayDto).describe("One entry per UTC day, oldest first, today last (`?days=`, default 14)."),
  recentDebits: z.array(ZCreditEntryDto).describe("The 10 newest credit ledger entries, newest first."),
});
export type TUsageDto = z.infer<typeof ZUsageDto>;
