/**
 * Crawl credits: every finished run costs credits, debited from User.creditBalance with a CreditEntry ledger row.
 *
 * Cost: one credit per 100 pages fetched, rounded up, at least 1 (a run that fetched 0 pages costs 1; 100 → 1;
 * 101 → 2; 10,000 → 100). The balance may go below zero (the run already happened); while it is ≤ 0, starting a run
 * is refused with 403 `quota_exceeded` (POST /api/v1/sitemaps/{id}/generate).
 * debitRunCredits is idempotent per run: a second call for the same runId (a retried job step) debits nothing and
 * returns the first debit. The ledger row and the balance change are one transaction, serialised per run by an
 * advisory lock, so concurrent calls cannot debit twice.
 */
import { getDb } from "@/lib/db/client";

export const PAGES_PER_CREDIT = 100;
export const RUN_DEBIT_REASON = "run";

export const runCost = (pagesFetched: number): number =>
  Math.max(1, Math.ceil(Math.max(0, pagesFetched) / PAGES_PER_CREDIT));

export type RunDebit = { runId: string; cost: number; balance: number; alreadyDebited: boolean };

/** Call once a run has finished (any final status), with the pages it fetched. Errors: the user must exist. */
export async function debitRunCredits(opts: { userId: string; runId: string; pagesFetched: number }): Promise<RunDebit> {
  const cost = runCost(opts.pagesFetched);
  return getDb().$transaction(async (tx) => {
    await tx.$queryRaw`SELECT pg_advisory_xact_lock(hashtext(${`credits:${opts.runId}`}))::text`;
    const prior = await tx.creditEntry.findFirst({
      where: { userId: opts.userId, runId: opts.runId, reason: RUN_DEBIT_REASON },
      select: { delta: true },
    });
    if (prior) {
      const user = await tx.user.findUniqueOrThrow({ where: { id: opts.userId }, select: { creditBalance: true } });
      return { runId: opts.runId, cost: -prior.delta, balance: user.creditBalance, alreadyDebited: true };
    }
    await tx.creditEntry.create({ data: { userId: opts.userId, runId: opts.runId, delta: -cost, reason: RUN_DEBIT_REASON } });
    const user = await tx.user.update({
      where: { id: opts.userId },
      data: { creditBalance: { decrement: cost } },
      select: { creditBalance: true },
    });
    return { runId: opts.runId, cost, balance: user.creditBalance, alreadyDebited: false };
  });
}

export type LastCost = { runId: string | null; credits: number; at: string };

/** The balance and the most recent run debit (`lastCost`, null before the first run). */
export async function getCreditSummary(userId: string): Promise<{ balance: number; lastCost: LastCost | null }> {
  const db = getDb();
  const [user, last] = await Promise.all([
    db.user.findUniqueOrThrow({ where: { id: userId }, select: { creditBalance: true } }),
    db.creditEntry.findFirst({
      where: { userId, reason: RUN_DEBIT_REASON },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      select: { runId: true, delta: true, createdAt: true },
    }),
  ]);
  return {
    balance: user.creditBalance,
    lastCost: last ? { runId: last.runId, credits: -last.delta, at: last.createdAt.toISOString() } : null,
  };
}
