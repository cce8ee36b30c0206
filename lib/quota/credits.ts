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
import { creditBalanceAndLast, debitOnce } from "@/lib/db/credits";

export const PAGES_PER_CREDIT = 100;
export const RUN_DEBIT_REASON = "run";

/**
 * Credits a run costs for `pagesFetched` pages: one per 100 pages, rounded up, at least 1 (0 → 1, 100 → 1, 101 → 2).
 * Exported for tests; the app charges through debitRunCredits.
 */
export const runCost = (pagesFetched: number): number =>
  Math.max(1, Math.ceil(Math.max(0, pagesFetched) / PAGES_PER_CREDIT));

export type RunDebit = { runId: string; cost: number; balance: number; alreadyDebited: boolean };

/** Call once a run has finished (any final status), with the pages it fetched. Errors: the user must exist. */
export async function debitRunCredits(opts: { userId: string; runId: string; pagesFetched: number }): Promise<RunDebit> {
  const r = await debitOnce({ userId: opts.userId, runId: opts.runId, reason: RUN_DEBIT_REASON, cost: runCost(opts.pagesFetched) });
  return { runId: opts.runId, ...r };
}

export type LastCost = { runId: string | null; credits: number; at: string };

/** The balance and the most recent run debit (`lastCost`, null before the first run). */
export async function getCreditSummary(userId: string): Promise<{ balance: number; lastCost: LastCost | null }> {
  const { balance, last } = await creditBalanceAndLast(userId, RUN_DEBIT_REASON);
  return { balance, lastCost: last ? { runId: last.runId, credits: -last.delta, at: last.createdAt.toISOString() } : null };
}
