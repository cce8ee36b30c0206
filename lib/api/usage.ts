/**
 * GET /api/v1/usage's answer (ZUsageDto, lib/schemas/usage.ts): the account's plan, today's API calls against the
 * daily quota (UTC day; the calling request is already counted), the per-minute limit, the plan table
 * (PLAN_LIMITS applied), the crawl-credit balance (1 credit per 100 pages), `days` of per-day history and the
 * newest credit ledger entries.
 */
import type { Principal } from "@/lib/auth/authenticate";
import { readRecentCreditEntries, readUsageHistory } from "@/lib/db/usage";
import { getEnv } from "@/lib/env";
import { daySubject } from "@/lib/quota/api-limits";
import { getCreditSummary, PAGES_PER_CREDIT } from "@/lib/quota/credits";
import { PLAN_NAMES, planTable } from "@/lib/quota/plans";
import { peekLimit, windowOf } from "@/lib/quota/rate-limit";
import type { TUsageDto } from "@/lib/schemas/usage";

/** How many ledger entries `recentDebits` shows. */
export const RECENT_DEBITS = 10;

/** The usage DTO of `principal`'s account at `now` (ms since the epoch) with `days` (1..90) of history. */
export async function usageOf(principal: Pick<Principal, "userId" | "plan">, days: number, now = Date.now()): Promise<TUsageDto> {
  const table = planTable(getEnv());
  const limits = table[principal.plan];
  const [callsToday, credits, history, recent] = await Promise.all([
    peekLimit(daySubject(principal.userId), 86_400, now),
    getCreditSummary(principal.userId),
    readUsageHistory({ userId: principal.userId, days, now }),
    readRecentCreditEntries(principal.userId, RECENT_DEBITS),
  ]);
  return {
    plan: principal.plan,
    callsToday,
    dailyQuota: limits.perDay,
    remainingToday: limits.perDay === null ? null : Math.max(0, limits.perDay - callsToday),
    quotaResetsAt: new Date(windowOf(86_400, now).resetMs).toISOString(),
    ratePerMinute: limits.perMinute,
    plans: PLAN_NAMES.map((plan) => ({ plan, ratePerMinute: table[plan].perMinute, dailyQuota: table[plan].perDay })),
    credits: { balance: credits.balance, pagesPerCredit: PAGES_PER_CREDIT, lastCost: credits.lastCost },
    history,
    recentDebits: recent.map((e) => ({
      runId: e.runId,
      runNumber: e.runNumber,
      sitemapId: e.sitemapId,
      sitemapName: e.sitemapName,
      credits: e.delta,
      reason: e.reason,
      at: e.at.toISOString(),
    })),
  };
}
