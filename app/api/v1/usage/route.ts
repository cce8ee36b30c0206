import { json } from "@/lib/api/response";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { getEnv } from "@/lib/env";
import { daySubject } from "@/lib/quota/api-limits";
import { getCreditSummary, PAGES_PER_CREDIT } from "@/lib/quota/credits";
import { PLAN_NAMES, planTable } from "@/lib/quota/plans";
import { peekLimit, windowOf } from "@/lib/quota/rate-limit";
import { readQuery } from "@/lib/api/request";
import { readRecentCreditEntries, readUsageHistory } from "@/lib/db/usage";
import { ZUsageQuery, type TUsageDto } from "@/lib/schemas/usage";

const RECENT_DEBITS = 10;

// GET /api/v1/usage – plan, today's calls against the daily quota, per-minute limit, plan table, crawl credits,
// per-day history (`?days=1..90`, default 14) and the newest credit ledger entries
export const GET = withApiAuth(
  async ({ req, principal }) => {
    const { days } = readQuery(req, ZUsageQuery);
    const now = Date.now();
    const table = planTable(getEnv());
    const limits = table[principal.plan];
    // This request was counted before the handler ran, so it is included.
    const [callsToday, credits, history, recent] = await Promise.all([
      peekLimit(daySubject(principal.userId), 86_400, now),
      getCreditSummary(principal.userId),
      readUsageHistory({ userId: principal.userId, days, now }),
      readRecentCreditEntries(principal.userId, RECENT_DEBITS),
    ]);
    const dto: TUsageDto = {
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
    return json(dto);
  },
  { scope: "read" },
);

export const { POST, PUT, PATCH, DELETE } = methodsNotAllowed(["GET"]);
