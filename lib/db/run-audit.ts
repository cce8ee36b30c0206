/**
 * The audit of a site's own sitemaps per run (tables RunAudit, RunAuditFinding; lib/crawl/site-audit.ts says what
 * the findings mean). Written once after the crawl step (`storeRunAudit`), read by GET /api/v1/runs/{id}/audit.
 *
 * Idempotent: a retried crawl step deletes the run's earlier findings and writes them again. The RunAudit row is
 * written last, so a run with findings but no RunAudit row is one whose audit is still being written (the API shows
 * no findings until the row exists). Memory: findings go to the database in batches of {@link WRITE_BATCH}.
 */
import type { ListQuery } from "@/lib/api/list-query";
import type { RunAuditFindingList } from "./list-models";
import { AUDIT_FINDING_KINDS, type AuditFinding, type AuditFindingKind, type AuditVerdict, type SiteSitemapAudit } from "@/lib/crawl/site-audit";
import type { Prisma } from "@/generated/prisma/client";
import type { TRunAuditBriefDto } from "@/lib/schemas/audit";
import { getDb } from "./client";

/** Findings inserted per statement. */
const WRITE_BATCH = 1000;
/** Rows read per query when streaming (listed URLs, CSV). */
const READ_BATCH = 1000;

/** The audit summary of a run, as the API shows it. */
export type RunAuditSummary = {
  source: string | null;
  found: boolean;
  files: { url: string; root: string | null; locs: number }[];
  sitemapUrls: number;
  truncated: boolean;
  counts: Record<AuditFindingKind, number>;
  createdAt: string;
};

/** One stored finding, as the API shows it. */
export type RunAuditFindingRow = { url: string; kind: AuditFindingKind; reason: string | null; detail: Record<string, unknown> | null };

/**
 * Stores a run's audit: replaces its findings with `findings` (streamed, written in batches), then the summary row with
 * the counts per kind. Returns the counts. Errors: database errors (the caller's step fails and is retried).
 */
export async function storeRunAudit(runId: string, audit: SiteSitemapAudit, findings: AsyncIterable<AuditFinding>): Promise<Record<AuditFindingKind, number>> {
  const db = getDb();
  await db.runAudit.deleteMany({ where: { runId } });
  await db.runAuditFinding.deleteMany({ where: { runId } });
  const counts = Object.fromEntries(AUDIT_FINDING_KINDS.map((k) => [k, 0])) as Record<AuditFindingKind, number>;
  let batch: Prisma.RunAuditFindingCreateManyInput[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    await db.runAuditFinding.createMany({ data: batch, skipDuplicates: true });
    batch = [];
  };
  const seen = new Set<string>();
  for await (const f of findings) {
    // A sitemap file can fail twice the same way (e.g. listed in two indexes): one finding per (kind, url).
    const key = `${f.kind} ${f.url}`;
    if (f.kind === "sitemap_error") {
      if (seen.has(key)) continue;
      seen.add(key);
    }
    counts[f.kind]++;
    batch.push({ runId, url: f.url, kind: f.kind, reason: f.reason, detail: f.detail ?? undefined });
    if (batch.length >= WRITE_BATCH) await flush();
  }
  await flush();
  await db.runAudit.create({
    data: {
      runId,
      source: audit.source,
      found: audit.found,
      files: audit.files,
      sitemapUrls: audit.urls.length,
      truncated: audit.truncated,
      counts,
    },
  });
  return counts;
}

/** The inventory rows (RunUrl) of `urls` in run `runId`: URL → verdict; URLs the run never met are absent. */
export async function inventoryVerdicts(runId: string, urls: string[]): Promise<Map<string, AuditVerdict>> {
  if (urls.length === 0) return new Map();
  const rows = await getDb().runUrl.findMany({
    where: { runId, url: { in: urls } },
    select: { url: true, included: true, reason: true, status: true, target: true },
  });
  return new Map(rows.map((r) => [r.url, { included: r.included, reason: r.reason, status: r.status, target: r.target }]));
}

/** Every URL run `runId` listed, in URL order, read in keyset pages. */
export async function* iterateListedUrls(runId: string): AsyncGenerator<string> {
  let after: string | null = null;
  for (;;) {
    const rows: { url: string }[] = await getDb().runUrl.findMany({
      where: { runId, included: true, ...(after !== null ? { url: { gt: after } } : {}) },
      orderBy: { url: "asc" },
      select: { url: true },
      take: READ_BATCH,
    });
    for (const r of rows) yield r.url;
    if (rows.length < READ_BATCH) return;
    after = rows[rows.length - 1].url;
  }
}

/** The RunAudit columns of the run DTO's `audit` (a Prisma select, included with the run: `{ audit: { select } }`). */
export const RUN_AUDIT_BRIEF_SELECT = { source: true, found: true, sitemapUrls: true, counts: true } as const;
export type RunAuditBriefRow = Prisma.RunAuditGetPayload<{ select: typeof RUN_AUDIT_BRIEF_SELECT }>;

/** Findings per kind of a stored `counts` value, every kind present (0 when absent or not a number). */
function countsOf(stored: unknown): Record<AuditFindingKind, number> {
  const raw = stored && typeof stored === "object" && !Array.isArray(stored) ? (stored as Record<string, unknown>) : {};
  return Object.fromEntries(AUDIT_FINDING_KINDS.map((k) => [k, typeof raw[k] === "number" ? raw[k] : 0])) as Record<AuditFindingKind, number>;
}

/**
 * The compact audit of run `runId` for its DTO and webhooks (lib/schemas/audit.ts ZRunAuditBriefDto): null when no
 * audit is stored (`a` null, or undefined when the caller did not include it).
 */
export function toRunAuditBrief(runId: string, a: RunAuditBriefRow | null | undefined): TRunAuditBriefDto | null {
  if (!a) return null;
  const counts = countsOf(a.counts);
  return {
    found: a.found,
    source: a.source === "robots" || a.source === "default" ? a.source : null,
    sitemapUrls: a.sitemapUrls,
    counts,
    issues: Object.values(counts).reduce((n, c) => n + c, 0),
    href: `/api/v1/runs/${encodeURIComponent(runId)}/audit`,
  };
}

/** The run exists and belongs to one of `userId`'s sitemaps. */
async function ownsRun(runId: string, userId: string): Promise<boolean> {
  return (await getDb().run.count({ where: { id: runId, sitemap: { userId } } })) > 0;
}

/** The audit summary of a run, or null when none is stored (yet). */
export async function getRunAuditSummary(runId: string): Promise<RunAuditSummary | null> {
  const a = await getDb().runAudit.findUnique({ where: { runId } });
  if (!a) return null;
  const counts = countsOf(a.counts);
  return {
    source: a.source,
    found: a.found,
    files: a.files as RunAuditSummary["files"],
    sitemapUrls: a.sitemapUrls,
    truncated: a.truncated,
    counts,
    createdAt: a.createdAt.toISOString(),
  };
}

const toRow = (r: { url: string; kind: string; reason: string | null; detail: unknown }): RunAuditFindingRow => ({
  url: r.url,
  kind: r.kind as AuditFindingKind,
  reason: r.reason,
  detail: (r.detail ?? null) as Record<string, unknown> | null,
});

/**
 * One page of a run's findings under the list grammar `q` (default URL order) with the audit's summary (null while
 * the audit is not stored: no findings then). Returns null when the run does not exist or is not `userId`'s.
 */
export async function listRunAuditFindings(opts: {
  runId: string;
  userId: string;
  q: ListQuery<RunAuditFindingList>;
}): Promise<{ items: RunAuditFindingRow[]; nextCursor: string | null; summary: RunAuditSummary | null } | null> {
  if (!(await ownsRun(opts.runId, opts.userId))) return null;
  const summary = await getRunAuditSummary(opts.runId);
  if (!summary) return { items: [], nextCursor: null, summary: null };
  const rows = await getDb().runAuditFinding.findMany({
    where: { AND: [{ runId: opts.runId }, opts.q.where] },
    orderBy: opts.q.orderBy,
    select: { id: true, url: true, kind: true, reason: true, detail: true },
    take: opts.q.take,
  });
  const page = opts.q.page(rows);
  return { items: page.rows.map(toRow), nextCursor: page.nextCursor, summary };
}

/**
 * Every finding of a run matching `where` (the list grammar's filters), in (url, id) order, read in keyset pages of
 * {@link READ_BATCH} rows (constant memory, for CSV). Returns null when the run is not `userId`'s; yields nothing while
 * the audit is not stored.
 */
export async function streamRunAuditFindings(opts: {
  runId: string;
  userId: string;
  where: RunAuditFindingList["where"];
}): Promise<AsyncGenerator<RunAuditFindingRow> | null> {
  if (!(await ownsRun(opts.runId, opts.userId))) return null;
  const stored = (await getRunAuditSummary(opts.runId)) !== null;
  const db = getDb();
  return (async function* () {
    if (!stored) return;
    let after: { url: string; id: string } | null = null;
    for (;;) {
      const keyset: Prisma.RunAuditFindingWhereInput = after
        ? { OR: [{ url: { gt: after.url } }, { url: after.url, id: { gt: after.id } }] }
        : {};
      const rows: { id: string; url: string; kind: string; reason: string | null; detail: unknown }[] = await db.runAuditFinding.findMany({
        where: { AND: [{ runId: opts.runId }, opts.where, keyset] },
        orderBy: [{ url: "asc" }, { id: "asc" }],
        select: { id: true, url: true, kind: true, reason: true, detail: true },
        take: READ_BATCH,
      });
      for (const r of rows) yield toRow(r);
      if (rows.length < READ_BATCH) return;
      const last = rows[rows.length - 1];
      after = { url: last.url, id: last.id };
    }
  })();
}
