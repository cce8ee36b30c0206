/**
 * Runs, their URL inventory and their diff (tables Run, RunUrl, RunChange). A run is one crawl + export of a sitemap.
 *
 * Concurrency: `claimRun` starts a run only through a conditional update of `Sitemap.activeRunId`, so two
 * simultaneous generate requests can never start two runs for one sitemap (the loser gets `null`).
 * Diff: `computeRunDiff` compares a run's listed URLs with those of the run published before it, inside the
 * database (set operations over RunUrl, never loaded into this process), and stores one RunChange row per URL
 * added, removed or changed plus the three counts on the Run row.
 * Units: counts are URLs/pages; bytesWritten is bytes of published files on disk.
 */
import type { ListQuery } from "@/lib/api/list-query";
import type { RunChangeList } from "./list-models";
import { Prisma, type Run as RunRow, type RunTrigger } from "@/generated/prisma/client";
import { isRunErrorCode, isRunWarning, type RunFailure } from "@/lib/core/run-outcome";
import { CHANGE_KINDS, type THeldDetail, type TRunDto } from "@/lib/schemas/runs";
import { randomUUID } from "node:crypto";
import { getDb, TX_OPTIONS } from "./client";
import { RUN_AUDIT_BRIEF_SELECT, toRunAuditBrief, type RunAuditBriefRow } from "./run-audit";

/** Prisma's run trigger enum, for callers outside lib/db. */
export type { RunTrigger } from "@/generated/prisma/client";

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Include of a run read for its DTO: the columns of the audit's summary (`audit` in the DTO). */
const WITH_AUDIT = { audit: { select: RUN_AUDIT_BRIEF_SELECT } } as const;

/** A run row, with its audit's summary when the read included it ({@link WITH_AUDIT}; else the DTO's `audit` is null). */
export type RunWithAudit = RunRow & { audit?: RunAuditBriefRow | null };

/**
 * The API DTO of a run row (ZRunDto): dates as ISO 8601 strings or null, `bytesWritten` as a number, unknown
 * error codes and warnings dropped, `kind` "crawl" unless "export", and the audit brief when the row has one.
 */
export function toRunDto(r: RunWithAudit): TRunDto {
  return {
    id: r.id,
    number: r.number,
    sitemapId: r.sitemapId,
    status: r.status,
    trigger: r.trigger,
    kind: r.kind === "export" ? "export" : "crawl",
    createdAt: r.createdAt.toISOString(),
    startedAt: iso(r.startedAt),
    finishedAt: iso(r.finishedAt),
    progress: { pagesFetched: r.pagesFetched, pagesQueued: r.pagesQueued, urlsListed: r.urlsListed, urlsExcluded: r.urlsExcluded },
    excludedByReason: (r.excludedByReason ?? {}) as Record<string, number>,
    bytesWritten: Number(r.bytesWritten),
    filesWritten: r.filesWritten,
    urlsWritten: r.urlsWritten,
    diff: { added: r.urlsAdded, removed: r.urlsRemoved, changed: r.urlsChanged },
    error: r.error,
    errorCode: isRunErrorCode(r.errorCode) ? r.errorCode : null,
    errorHint: r.errorHint,
    errorDetail: r.errorDetail && typeof r.errorDetail === "object" && !Array.isArray(r.errorDetail) ? (r.errorDetail as Record<string, unknown>) : null,
    warnings: r.warnings.filter(isRunWarning),
    subScopes: r.subScopes,
    cancelRequestedAt: iso(r.cancelRequestedAt),
    scheduledFor: iso(r.scheduledFor),
    heldReason: r.heldReason,
    heldDetail: (r.heldDetail ?? null) as THeldDetail | null,
    audit: toRunAuditBrief(r.id, r.audit),
  };
}

/**
 * Creates a queued run and marks it as the sitemap's active run, atomically.
 * `subScopes`: sub-scope keys the run is for (empty/omitted = whole site); `scheduledFor`: the scheduler slot.
 * Returns null when the sitemap is inactive or already has an active run (the caller answers 409).
 */
export async function claimRun(opts: {
  sitemapId: string;
  trigger: RunTrigger;
  subScopes?: string[];
  scheduledFor?: Date | null;
  /** "crawl" (default) or "export": an export-only run (lib/runs/export-only.ts). */
  kind?: "crawl" | "export";
}): Promise<RunRow | null> {
  const db = getDb();
  const id = randomUUID();
  // Claim the sitemap row first: the UPDATE takes its row lock, so concurrent claimers queue behind it and then see
  // activeRunId already set. Inserting the run first would take a FOR KEY SHARE lock (the foreign key) that
  // conflicts with updating the unique activeRunId column — a deadlock on PostgreSQL.
  return db.$transaction(
    async (tx) => {
      const claimed = await tx.sitemap.updateMany({
        where: { id: opts.sitemapId, active: true, activeRunId: null },
        data: { activeRunId: id },
      });
      if (claimed.count !== 1) return null;
      return tx.run.create({
        data: {
          id,
          sitemapId: opts.sitemapId,
          trigger: opts.trigger,
          kind: opts.kind ?? "crawl",
          subScopes: opts.subScopes ?? [],
          scheduledFor: opts.scheduledFor ?? null,
        },
      });
    },
    TX_OPTIONS,
  );
}

/**
 * The newest run (createdAt, then id) of a sitemap, or null. With `subScopeKey`: the newest run requested for the
 * whole site (no sub-scopes) or for that key.
 */
export async function newestRun(sitemapId: string, subScopeKey?: string): Promise<RunWithAudit | null> {
  return getDb().run.findFirst({
    include: WITH_AUDIT,
    where: { sitemapId, ...(subScopeKey === undefined ? {} : { OR: [{ subScopes: { isEmpty: true } }, { subScopes: { has: subScopeKey } }] }) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
}

/** The run with that id (any account) with its audit summary, or null. */
export async function getRun(runId: string): Promise<RunWithAudit | null> {
  return getDb().run.findUnique({ where: { id: runId }, include: WITH_AUDIT });
}

/** The run if it belongs to one of `userId`'s sitemaps, else null (another account's run is "not found"). */
export async function getRunForUser(opts: { runId: string; userId: string }): Promise<TRunDto | null> {
  const run = await getDb().run.findFirst({ where: { id: opts.runId, sitemap: { userId: opts.userId } }, include: WITH_AUDIT });
  return run ? toRunDto(run) : null;
}

/**
 * One page of the runs of `userId`'s sitemaps under the list grammar (lib/api/list-query.ts; `where`/`orderBy`/`take`
 * as parsed there).
 */
export async function queryRuns(opts: {
  userId: string;
  where: Prisma.RunWhereInput;
  orderBy: Prisma.RunOrderByWithRelationInput[];
  take: number;
}): Promise<RunWithAudit[]> {
  return getDb().run.findMany({ where: { AND: [{ sitemap: { userId: opts.userId } }, opts.where] }, orderBy: opts.orderBy, take: opts.take, include: WITH_AUDIT });
}

/** What a list may order runs by besides their own columns: the run's columns plus its sitemap's and template's numbers. */
export type RunSortKey = Pick<RunRow, "id" | "number" | "status" | "createdAt" | "startedAt" | "finishedAt"> & {
  sitemapNumber: number;
  templateNumber: number | null;
};

/** Sort keys of the account's runs matching `where` (one query, a few columns per run, no page limit). */
export async function runSortKeys(opts: { userId: string; where: Prisma.RunWhereInput }): Promise<RunSortKey[]> {
  const rows = await getDb().run.findMany({
    where: { AND: [{ sitemap: { userId: opts.userId } }, opts.where] },
    select: {
      id: true,
      number: true,
      status: true,
      createdAt: true,
      startedAt: true,
      finishedAt: true,
      sitemap: { select: { number: true, template: { select: { number: true } } } },
    },
  });
  return rows.map(({ sitemap, ...r }) => ({ ...r, sitemapNumber: sitemap.number, templateNumber: sitemap.template?.number ?? null }));
}

/** The account's runs with these ids (any order). */
export async function runsByIds(opts: { userId: string; ids: string[] }): Promise<RunWithAudit[]> {
  return getDb().run.findMany({ where: { id: { in: opts.ids }, sitemap: { userId: opts.userId } }, include: WITH_AUDIT });
}

export type CancelOutcome =
  | { outcome: "not_found" }
  | { outcome: "finished"; run: TRunDto }
  /** Was queued: cancelled at once, the sitemap's claim released (or passed to a requested follow-up run, to enqueue). */
  | { outcome: "cancelled"; run: TRunDto; followUp: RunRow | null }
  /** Is running: cancelRequestedAt set; the crawl step ends it `cancelled` at its next progress check. */
  | { outcome: "requested"; run: TRunDto };

/**
 * Cancels a run of one of `userId`'s sitemaps (POST /api/v1/runs/{id}/cancel). A queued run is cancelled in one
 * transaction (status, finishedAt, cancelRequestedAt, claim released) conditioned on still being queued; if the
 * worker started it meanwhile, it is treated as running. Repeating a cancel of a running run keeps the first
 * cancelRequestedAt. Finished runs (succeeded, failed, cancelled) are left alone ("finished").
 */
export async function cancelRun(opts: { runId: string; userId: string }): Promise<CancelOutcome> {
  const db = getDb();
  const run = await db.run.findFirst({ where: { id: opts.runId, sitemap: { userId: opts.userId } } });
  if (!run) return { outcome: "not_found" };
  if (run.status === "queued") {
    const now = new Date();
    const done = await db.$transaction(async (tx) => {
      const { count } = await tx.run.updateMany({
        where: { id: run.id, status: "queued" },
        data: { status: "cancelled", finishedAt: now, cancelRequestedAt: now, error: "Cancelled on request." },
      });
      if (count !== 1) return null;
      return { followUp: await releaseClaim(tx, run.sitemapId, run.id) };
    }, TX_OPTIONS);
    if (done) return { outcome: "cancelled", run: toRunDto((await getRun(run.id))!), followUp: done.followUp };
  }
  await db.run.updateMany({ where: { id: run.id, status: "running", cancelRequestedAt: null }, data: { cancelRequestedAt: new Date() } });
  const now = (await getRun(run.id))!;
  if (now.status === "running") return { outcome: "requested", run: toRunDto(now) };
  return { outcome: "finished", run: toRunDto(now) };
}

/**
 * DTOs of the runs with these ids, by run id (unknown ids are absent). Not scoped to an account: for ids the caller
 * read from its own sitemaps (the sitemap list's newest runs, lib/db/sitemap-facts.ts). An empty list costs nothing.
 */
export async function runDtosByIds(ids: string[]): Promise<Map<string, TRunDto>> {
  if (!ids.length) return new Map();
  const rows = await getDb().run.findMany({ where: { id: { in: ids } }, include: WITH_AUDIT });
  return new Map(rows.map((r) => [r.id, toRunDto(r)]));
}

/** When the newest successful run of each given sitemap finished (sitemaps without one are absent). */
export async function lastSucceededAt(sitemapIds: string[]): Promise<Map<string, Date>> {
  if (!sitemapIds.length) return new Map();
  // GROUP BY in SQL: Prisma's `distinct` reads every succeeded run and keeps one per sitemap in memory.
  const rows = await getDb().run.groupBy({
    by: ["sitemapId"],
    where: { sitemapId: { in: sitemapIds }, status: "succeeded", finishedAt: { not: null } },
    _max: { finishedAt: true },
  });
  return new Map(rows.flatMap((r) => (r._max.finishedAt ? [[r.sitemapId, r._max.finishedAt] as const] : [])));
}

export type RunProgress = { pagesFetched: number; pagesQueued: number; urlsListed: number; urlsExcluded: number };

/**
 * Marks a run running. `startedAt` is set on the first attempt only: a resumed crawl keeps it, because it dates the
 * crawl snapshot (news sitemaps prune relative to it, so a retried export must see the same value).
 */
export async function markRunRunning(runId: string): Promise<void> {
  const db = getDb();
  await db.run.updateMany({
    where: { id: runId, status: { in: ["queued", "running"] } },
    data: { status: "running", error: null },
  });
  await db.run.updateMany({ where: { id: runId, status: "running", startedAt: null }, data: { startedAt: new Date() } });
}

/**
 * Stores a run's progress counts and, in the same statement, reads whether the run should stop: `cancelRequested` is
 * true when it was cancelled or its cancel requested (POST /api/v1/runs/{id}/cancel sets `cancelRequestedAt`).
 */
export async function updateRunProgress(
  runId: string,
  p: RunProgress & { excludedByReason?: Record<string, number>; warnings?: string[] },
): Promise<{ cancelRequested: boolean }> {
  const row = await getDb().run.update({ where: { id: runId }, data: p, select: { status: true, cancelRequestedAt: true } });
  return { cancelRequested: row.status === "cancelled" || row.cancelRequestedAt !== null };
}

/**
 * Ends a run and releases the sitemap's active-run claim (a success clears a former hold's reason and counts).
 * Returns the follow-up run the claim passed to (releaseClaim), which the caller enqueues, or null.
 */
export async function finishRun(
  runId: string,
  outcome:
    | { status: "succeeded"; bytesWritten: number; filesWritten: number; urlsWritten: number }
    | { status: "failed"; error: string; failure?: RunFailure }
    | { status: "cancelled"; error?: string },
): Promise<RunRow | null> {
  const db = getDb();
  const noCause = { errorCode: null, errorHint: null, errorDetail: Prisma.DbNull };
  return db.$transaction(async (tx) => {
    const run = await tx.run.update({
      where: { id: runId },
      data: {
        status: outcome.status,
        finishedAt: new Date(),
        ...(outcome.status === "succeeded"
          ? // A held run published anyway is a plain success from now on.
            {
              bytesWritten: BigInt(outcome.bytesWritten),
              filesWritten: outcome.filesWritten,
              urlsWritten: outcome.urlsWritten,
              error: null,
              ...noCause,
              heldReason: null,
              heldDetail: Prisma.DbNull,
            }
          : outcome.status === "failed" && outcome.failure
            ? {
                error: outcome.error,
                errorCode: outcome.failure.code,
                errorHint: outcome.failure.hint,
                errorDetail: (outcome.failure.detail ?? Prisma.DbNull) as Prisma.InputJsonValue,
              }
            : { error: outcome.error ?? null, ...noCause }),
      },
    });
    return releaseClaim(tx, run.sitemapId, runId);
  }, TX_OPTIONS);
}

/**
 * Releases the sitemap's claim held by `runId` (inside the caller's transaction). When a follow-up run was requested
 * meanwhile (Sitemap.followUpTrigger, set by requestFollowUp), the claim passes in the same transaction to a new
 * queued run with that trigger, which is returned for the caller to enqueue (lib/runs/follow-up.ts); else, when URLs
 * were pushed and not yet exported (Sitemap.exportPending), to a new queued export-only run (kind "export", trigger
 * "api"); else null.
 * Order as in claimRun: the sitemap row first, then the run row (no deadlock on PostgreSQL).
 */
async function releaseClaim(tx: Prisma.TransactionClient, sitemapId: string, runId: string): Promise<RunRow | null> {
  const plain = await tx.sitemap.updateMany({
    where: { id: sitemapId, activeRunId: runId, followUpTrigger: null, exportPending: false },
    data: { activeRunId: null },
  });
  if (plain.count === 1) return null;
  const sm = await tx.sitemap.findFirst({ where: { id: sitemapId, activeRunId: runId }, select: { followUpTrigger: true, exportPending: true, active: true } });
  if (!sm || (!sm.followUpTrigger && !sm.exportPending)) return null; // the claim is not this run's
  const id = randomUUID();
  const next = sm.active ? id : null;
  await tx.sitemap.updateMany({ where: { id: sitemapId, activeRunId: runId }, data: { activeRunId: next, followUpTrigger: null } });
  if (!next) return null;
  // A requested crawl wins (its export merges the pushed URLs); else URLs pushed during this run get an export-only
  // run (lib/runs/export-only.ts), which clears exportPending when it reads them.
  if (sm.followUpTrigger) return tx.run.create({ data: { id, sitemapId, trigger: sm.followUpTrigger } });
  return tx.run.create({ data: { id, sitemapId, trigger: "api", kind: "export" } });
}

/**
 * Ends a run as `held` by the publish guard (lib/runs/publish-guard.ts): status, finishedAt, the reason and counts,
 * and the sitemap's claim released in one transaction (a held run is finished; the next run may start). Its files
 * are not published.
 */
export async function holdRun(runId: string, held: { reason: string; detail: THeldDetail }): Promise<RunRow | null> {
  return getDb().$transaction(async (tx) => {
    const run = await tx.run.update({
      where: { id: runId },
      data: { status: "held", finishedAt: new Date(), heldReason: held.reason, heldDetail: held.detail, error: null },
    });
    return releaseClaim(tx, run.sitemapId, runId);
  }, TX_OPTIONS);
}

/**
 * Takes a held run back to `running` for its export (POST /api/v1/runs/{id}/publish), with one conditional update so
 * two concurrent publish requests export it once. True when this caller took it; false when it is no longer held.
 */
export async function reopenHeldRun(runId: string): Promise<boolean> {
  const { count } = await getDb().run.updateMany({ where: { id: runId, status: "held" }, data: { status: "running", finishedAt: null } });
  return count === 1;
}

/** Puts a run reopened by reopenHeldRun back to `held` (its export failed); its reason and counts are kept. */
export async function restoreHeldRun(runId: string): Promise<void> {
  await getDb().run.updateMany({ where: { id: runId, status: "running" }, data: { status: "held", finishedAt: new Date() } });
}

/** The run a sitemap serves now: its id, listed URL count and creation time; null when nothing is published. */
export async function publishedRunSummary(sitemapId: string): Promise<{ runId: string; urlsListed: number; createdAt: Date } | null> {
  const sm = await getDb().sitemap.findUnique({ where: { id: sitemapId }, select: { publishedRunId: true } });
  if (!sm?.publishedRunId) return null;
  const run = await getDb().run.findUnique({ where: { id: sm.publishedRunId }, select: { id: true, urlsListed: true, createdAt: true } });
  return run ? { runId: run.id, urlsListed: run.urlsListed, createdAt: run.createdAt } : null;
}

/** The diff is one transaction over the whole inventory: on a million-URL site it takes longer than TX_OPTIONS allow. */
const DIFF_TX_OPTIONS = { ...TX_OPTIONS, timeout: 10 * 60_000 };
export type ChangeKind = (typeof CHANGE_KINDS)[number];
export type RunDiffCounts = { added: number; removed: number; changed: number };

/**
 * Computes a run's diff against `baseRunId` (the run whose files were published when this run crawled; null for a
 * sitemap's first run, when every listed URL is "added") and stores it: RunChange rows and Run.urlsAdded/Removed/
 * Changed. Idempotent (a retried step replaces the previous result), in one transaction.
 * - added:   listed now, not listed by the base run (new page, or one that became indexable);
 * - removed: listed by the base run, not listed now (gone, redirected, noindex, canonicalised, …);
 * - changed: listed by both, with content hashes that differ (pages without a hash on either side never count:
 *            we cannot tell).
 * Everything runs inside the database (INSERT … SELECT with anti-joins on the (runId, url) unique index), so memory
 * here does not grow with the site.
 */
export async function computeRunDiff(runId: string, baseRunId: string | null): Promise<RunDiffCounts> {
  return getDb().$transaction(async (tx) => {
    await tx.runChange.deleteMany({ where: { runId } });
    await tx.$executeRaw`
      INSERT INTO "RunChange" ("runId", "url", "kind")
      SELECT ${runId}, n.url, 'added' FROM "RunUrl" n
      WHERE n."runId" = ${runId} AND n.included
        AND NOT EXISTS (SELECT 1 FROM "RunUrl" o WHERE o."runId" = ${baseRunId}::text AND o.url = n.url AND o.included)
      ON CONFLICT ("runId", "url") DO NOTHING`;
    if (baseRunId !== null) {
      await tx.$executeRaw`
        INSERT INTO "RunChange" ("runId", "url", "kind")
        SELECT ${runId}, o.url, 'removed' FROM "RunUrl" o
        WHERE o."runId" = ${baseRunId} AND o.included
          AND NOT EXISTS (SELECT 1 FROM "RunUrl" n WHERE n."runId" = ${runId} AND n.url = o.url AND n.included)
        ON CONFLICT ("runId", "url") DO NOTHING`;
      await tx.$executeRaw`
        INSERT INTO "RunChange" ("runId", "url", "kind")
        SELECT ${runId}, n.url, 'changed' FROM "RunUrl" n
        JOIN "RunUrl" o ON o."runId" = ${baseRunId} AND o.url = n.url AND o.included
        WHERE n."runId" = ${runId} AND n.included
          AND n."contentHash" IS NOT NULL AND o."contentHash" IS NOT NULL AND n."contentHash" <> o."contentHash"
        ON CONFLICT ("runId", "url") DO NOTHING`;
    }
    const groups = await tx.runChange.groupBy({ by: ["kind"], where: { runId }, _count: { _all: true } });
    const counts: RunDiffCounts = { added: 0, removed: 0, changed: 0 };
    for (const g of groups) if ((CHANGE_KINDS as readonly string[]).includes(g.kind)) counts[g.kind as ChangeKind] = g._count._all;
    await tx.run.update({
      where: { id: runId },
      data: { urlsAdded: counts.added, urlsRemoved: counts.removed, urlsChanged: counts.changed },
    });
    return counts;
  }, DIFF_TX_OPTIONS);
}

/**
 * One page of a run's changes under the list grammar `q` (lib/api/list-query.ts; default URL order, keyset on the
 * (runId, url) unique index). Returns null when the run does not exist or is not one of `userId`'s sitemaps'.
 */
export async function listRunChanges(opts: {
  runId: string;
  userId: string;
  q: ListQuery<RunChangeList>;
}): Promise<{ items: { url: string; kind: ChangeKind }[]; nextCursor: string | null } | null> {
  const db = getDb();
  const run = await db.run.findFirst({ where: { id: opts.runId, sitemap: { userId: opts.userId } }, select: { id: true } });
  if (!run) return null;
  const rows = await db.runChange.findMany({
    where: { AND: [{ runId: opts.runId }, opts.q.where] },
    orderBy: opts.q.orderBy,
    select: { url: true, kind: true },
    take: opts.q.take,
  });
  const page = opts.q.page(rows);
  return { items: page.rows.map((r) => ({ url: r.url, kind: r.kind as ChangeKind })), nextCursor: page.nextCursor };
}

/** A run with its sitemap's owner (the run.succeeded / run.failed / run.held webhook event), or null. */
export async function findRunForWebhook(runId: string) {
  return getDb().run.findUnique({ where: { id: runId }, include: { sitemap: { select: { userId: true } }, ...WITH_AUDIT } });
}

/** The run with its whole sitemap row (the job steps of lib/runs/execute.ts), or null when it no longer exists. */
export async function findRunWithSitemap(runId: string) {
  return getDb().run.findUnique({ where: { id: runId }, include: { sitemap: true } });
}

/** The pages a run fetched and its sitemap's owner (the credit debit), or null. */
export async function findRunCharge(runId: string): Promise<{ pagesFetched: number; userId: string } | null> {
  const run = await getDb().run.findUnique({ where: { id: runId }, select: { pagesFetched: true, sitemap: { select: { userId: true } } } });
  return run ? { pagesFetched: run.pagesFetched, userId: run.sitemap.userId } : null;
}

/**
 * Asks for one follow-up run of a sitemap whose run `activeRunId` is still active: it starts when that run ends
 * (releaseClaim). Several requests during one run give one follow-up (the last trigger wins). False when
 * `activeRunId` is no longer the active run (it ended meanwhile: start a run the ordinary way).
 */
export async function requestFollowUp(opts: { sitemapId: string; activeRunId: string; trigger: RunTrigger }): Promise<boolean> {
  const { count } = await getDb().sitemap.updateMany({
    where: { id: opts.sitemapId, activeRunId: opts.activeRunId },
    data: { followUpTrigger: opts.trigger },
  });
  return count === 1;
}

/** The newest run of a sitemap created after `after` (the follow-up of a run), or null. */
export async function runCreatedAfter(sitemapId: string, after: Date): Promise<RunRow | null> {
  return getDb().run.findFirst({ where: { sitemapId, createdAt: { gt: after } }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
}
