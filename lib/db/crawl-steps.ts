/**
 * What a crawl run as bounded steps (lib/runs/execute.ts crawlStep) carries from one step to the next, besides the
 * inventory (RunUrl) and the crawl frontier (CrawlFrontier, lib/db/frontier.ts):
 *
 * - `CrawlLinkStat` per linked URL: the inlink counts of the finished steps, added up (each page is visited in exactly
 *   one step, so the sum is the count one uninterrupted crawl would have), and whether a followable link reached it
 *   (the site audit's orphans, lib/crawl/site-audit.ts);
 * - `CrawlStepState` per run: steps finished, the step begun and not finished (a worker killed mid-step: that step's
 *   link stats are lost, so the run is marked `interrupted`), and how the start URL's visit ended (StartOutcome, for
 *   the diagnosis of a crawl that listed nothing, lib/core/run-outcome.ts).
 *
 * A step's link stats and its "finished" mark are written in ONE transaction ({@link endCrawlStep}), so a retried
 * step never adds its counts twice. Everything here is dropped when the crawl ends ({@link clearCrawlSteps}).
 * Units: counts of pages. Errors: database errors propagate.
 */
import { Prisma } from "@/generated/prisma/client";
import type { StartOutcome } from "@/lib/crawl/crawl-options";
import { getDb, TX_OPTIONS } from "./client";

/** Rows per statement when link stats are written or looked up (bounds one statement's JSON parameter). */
const CHUNK = 5_000;

export type CrawlStepBegin = {
  /** Steps finished before this one. */
  stepsDone: number;
  /** A step was cut short before (this one included: a retried attempt of a step that had begun). */
  interrupted: boolean;
  /** The start URL's visit, when an earlier step made it. */
  start: StartOutcome | null;
};

/**
 * Marks step `step` (1-based) as begun. A step found begun and not finished (the previous attempt died or failed
 * mid-step) marks the run interrupted. Returns the state before this step.
 */
export async function beginCrawlStep(runId: string, step: number): Promise<CrawlStepBegin> {
  const db = getDb();
  const before = await db.crawlStepState.findUnique({ where: { runId } });
  const interrupted = (before?.interrupted ?? false) || (before?.openStep ?? null) !== null;
  await db.crawlStepState.upsert({
    where: { runId },
    create: { runId, openStep: step },
    update: { openStep: step, interrupted },
  });
  return { stepsDone: before?.stepsDone ?? 0, interrupted, start: (before?.start ?? null) as StartOutcome | null };
}

/**
 * Ends step `step` cleanly, in one transaction: adds its inlink counts (URL → count) and its linked URLs to the run's
 * link stats, stores the start URL's outcome if this step made that visit, and marks the step finished.
 */
export async function endCrawlStep(
  runId: string,
  step: number,
  stats: { inlinks: Map<string, number> | undefined; linked: readonly string[]; start: StartOutcome | null },
): Promise<void> {
  const rows = new Map<string, { n: number; l: boolean }>();
  for (const [u, n] of stats.inlinks ?? []) rows.set(u, { n, l: false });
  for (const u of stats.linked) rows.set(u, { n: rows.get(u)?.n ?? 0, l: true });
  const all = [...rows].map(([u, r]) => ({ u, n: r.n, l: r.l }));
  await getDb().$transaction(async (tx) => {
    for (let i = 0; i < all.length; i += CHUNK) {
      await tx.$executeRaw`
        INSERT INTO "CrawlLinkStat" ("runId", "url", "inlinks", "linked")
        SELECT ${runId}, c.u, c.n, c.l FROM jsonb_to_recordset(${JSON.stringify(all.slice(i, i + CHUNK))}::jsonb) AS c(u text, n int, l boolean)
        ON CONFLICT ("runId", "url") DO UPDATE
          SET "inlinks" = "CrawlLinkStat"."inlinks" + excluded."inlinks", "linked" = "CrawlLinkStat"."linked" OR excluded."linked"`;
    }
    await tx.crawlStepState.update({
      where: { runId },
      data: { stepsDone: step, openStep: null, ...(stats.start ? { start: stats.start as unknown as Prisma.InputJsonValue } : {}) },
    });
  }, TX_OPTIONS);
}

/** Sets each RunUrl's inlinks to the count summed over the steps (never lower than the count stored with its record). */
export async function applyCrawlLinkStats(runId: string): Promise<void> {
  await getDb().$executeRaw`
    UPDATE "RunUrl" AS r SET "inlinks" = s."inlinks"
    FROM "CrawlLinkStat" AS s
    WHERE s."runId" = ${runId} AND r."runId" = ${runId} AND r."url" = s."url" AND r."inlinks" < s."inlinks"`;
}

/** Which of `urls` a followable link reached in a finished step (CrawlLinkStat.linked). */
export async function linkedInSteps(runId: string, urls: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < urls.length; i += CHUNK) {
    const rows = await getDb().$queryRaw<{ url: string }[]>`
      SELECT s."url" FROM "CrawlLinkStat" AS s
      WHERE s."runId" = ${runId} AND s."linked"
        AND s."url" IN (SELECT jsonb_array_elements_text(${JSON.stringify(urls.slice(i, i + CHUNK))}::jsonb))`;
    for (const r of rows) out.add(r.url);
  }
  return out;
}

/**
 * Stores the depths a shorter path lowered while the URLs were queued (CrawlSummary.lowered of a paused crawl), so
 * the next step dequeues them at their true depth.
 */
export async function storeLoweredDepths(runId: string, lowered: readonly { url: string; depth: number }[]): Promise<void> {
  for (let i = 0; i < lowered.length; i += CHUNK) {
    await getDb().$executeRaw`
      UPDATE "CrawlFrontier" AS f SET "depth" = l.depth
      FROM jsonb_to_recordset(${JSON.stringify(lowered.slice(i, i + CHUNK))}::jsonb) AS l(url text, depth int)
      WHERE f."runId" = ${runId} AND f."url" = l.url AND f."depth" > l.depth`;
  }
}

/** Drops a run's step bookkeeping and link stats (the crawl ended, or was abandoned). */
export async function clearCrawlSteps(runId: string): Promise<void> {
  const db = getDb();
  await db.crawlLinkStat.deleteMany({ where: { runId } });
  await db.crawlStepState.deleteMany({ where: { runId } });
}
