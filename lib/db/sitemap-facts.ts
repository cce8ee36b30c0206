/**
 * What the runs and published files of a page of sitemaps say about them, in ONE statement whatever the page size
 * (GET /api/v1/sitemaps builds its DTOs from it, lib/api/sitemaps.ts): before, four Prisma reads per page, one of them
 * (the newest run per sitemap, a Prisma `distinct`) reading every run of the page's sitemaps to keep one each.
 *
 * Per sitemap id given (absent from the map: no such sitemap id was given; a sitemap without runs gets nulls):
 *   - latestRun: the newest run by createdAt (ties: the greatest id) — its id, status, startedAt, createdAt
 *     (one index probe on Run(sitemapId, createdAt));
 *   - lastSucceededAt: the latest finishedAt of its runs with status "succeeded";
 *   - entryFile: the entry file of the published run `publishedRunId` given with it — its sitemap index, else its
 *     first urlset by name — or null (nothing published, or publishedRunId passed as null);
 *   - publishedUrlsListed: urlsListed of that published run, or null.
 * The published run id is passed in (the caller's row), not re-read, so the facts match the row the DTO shows.
 * Dates are Date (UTC). Errors: only the database's.
 */
import { getDb } from "./client";
import { rawQuery } from "./raw";

export type SitemapFacts = {
  latestRun: { id: string; status: string; startedAt: Date | null; createdAt: Date } | null;
  lastSucceededAt: Date | null;
  entryFile: string | null;
  publishedUrlsListed: number | null;
};

/** The columns FACT_COLUMNS selects, as the drivers return them. */
export type FactColumns = {
  runId: string | null;
  status: string | null;
  runStartedAt: Date | string | null;
  runCreatedAt: Date | string | null;
  lastSucceededAt: Date | string | null;
  entryFile: string | null;
  listed: number | bigint | null;
};

/** A timestamp(3) column as Date: the driver adapters hand back Date, or an ISO string without a zone (UTC). */
function toDate(v: Date | string | null): Date | null {
  if (v === null) return null;
  if (v instanceof Date) return v;
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`);
}

/**
 * The facts' columns (runId, status, runStartedAt, runCreatedAt, lastSucceededAt, entryFile, listed) over a relation `s`
 * with columns `id` (sitemap id) and `published` (its published run id or null), and the LATERAL join `lr` they read
 * the newest run from: `SELECT s.id, ${FACT_COLUMNS} FROM <s> ${FACT_JOIN}` (also lib/db/sitemap-page.ts).
 */
export const FACT_COLUMNS = `lr.id AS "runId", lr.status::text AS status, lr."startedAt" AS "runStartedAt", lr."createdAt" AS "runCreatedAt",
      (SELECT max(r."finishedAt") FROM "Run" r WHERE r."sitemapId" = s.id AND r.status = 'succeeded') AS "lastSucceededAt",
      (SELECT f.name FROM "SitemapFile" f
        WHERE s.published IS NOT NULL AND f."runId" = s.published AND f.kind IN ('sitemapindex', 'urlset')
        ORDER BY (f.kind = 'sitemapindex') DESC, CASE WHEN f.kind = 'sitemapindex' THEN f.name END DESC, f.name ASC
        LIMIT 1) AS "entryFile",
      (SELECT pr."urlsListed" FROM "Run" pr WHERE s.published IS NOT NULL AND pr.id = s.published) AS listed`;
export const FACT_JOIN = `LEFT JOIN LATERAL (
      SELECT r.id, r.status, r."startedAt", r."createdAt" FROM "Run" r
      WHERE r."sitemapId" = s.id ORDER BY r."createdAt" DESC, r.id DESC LIMIT 1
    ) lr ON true`;

/** The facts of one row that selected FACT_COLUMNS. */
export function factsOf(r: FactColumns): SitemapFacts {
  return {
    latestRun: r.runId === null ? null : { id: r.runId, status: r.status!, startedAt: toDate(r.runStartedAt), createdAt: toDate(r.runCreatedAt)! },
    lastSucceededAt: toDate(r.lastSucceededAt),
    entryFile: r.entryFile,
    publishedUrlsListed: r.listed === null ? null : Number(r.listed),
  };
}

/** The facts of sitemaps `rows` (module doc), by sitemap id. An empty list costs no statement. */
export async function sitemapFacts(rows: readonly { id: string; publishedRunId: string | null }[]): Promise<Map<string, SitemapFacts>> {
  if (!rows.length) return new Map();
  const ids = rows.map((r) => r.id);
  const published = rows.map((r) => r.publishedRunId);
  const found = await rawQuery<FactColumns & { id: string }>(
    getDb(),
    `SELECT s.id, ${FACT_COLUMNS} FROM unnest($1::text[], $2::text[]) AS s(id, published) ${FACT_JOIN}`,
    [ids, published],
  );
  return new Map(found.map((r) => [r.id, factsOf(r)]));
}
