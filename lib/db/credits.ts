/**
 * Crawl credits (User.creditBalance and the CreditEntry ledger), the queries of lib/quota/credits.ts.
 *
 * debitOnce writes the ledger row and the balance change in one transaction, serialised per (user, runId, reason)
 * key by `pg_advisory_xact_lock`, so a second call for the same run debits nothing and returns the first debit.
 * Units: credits (integers). Errors: the user must exist (Prisma's not-found error otherwise); DB errors reject.
 */
import { getDb } from "./client";

/** Debits `cost` credits once per (userId, runId, reason). `alreadyDebited`: an earlier call did it; `cost` is its. */
export async function debitOnce(opts: { userId: string; runId: string; reason: string; cost: number }): Promise<{ cost: number; balance: number; alreadyDebited: boolean }> {
  return getDb().$transaction(async (tx) => {
    await tx.$queryRaw`SELECT pg_advisory_xact_lock(hashtext(${`credits:${opts.runId}`}))::text`;
    const prior = await tx.creditEntry.findFirst({ where: { userId: opts.userId, runId: opts.runId, reason: opts.reason }, select: { delta: true } });
    if (prior) {
      const user = await tx.user.findUniqueOrThrow({ where: { id: opts.userId }, select: { creditBalance: true } });
      return { cost: -prior.delta, balance: user.creditBalance, alreadyDebited: true };
    }
    await tx.creditEntry.create({ data: { userId: opts.userId, runId: opts.runId, delta: -opts.cost, reason: opts.reason } });
    const user = await tx.user.update({ where: { id: opts.userId }, data: { creditBalance: { decrement: opts.cost } }, select: { creditBalance: true } });
    return { cost: opts.cost, balance: user.creditBalance, alreadyDebited: false };
  });
}

/** The user's balance and newest ledger entry with `reason` (null when none). */
export async function creditBalanceAndLast(userId: string, reason: string) {
  const db = getDb();
  const [user, last] = await Promise.all([
    db.user.findUniqueOrThrow({ where: { id: userId }, select: { creditBalance: true } }),
    db.creditEntry.findFirst({
      where: { userId, reason },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      select: { runId: true, delta: true, createdAt: true },
    }),
  ]);
  return { balance: user.creditBalance, last };
}
