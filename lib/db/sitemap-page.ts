/**
 * A page of an account's sitemaps, their run facts (lib/db/sitemap-facts.ts) and the DTO of each one's newest run
 * (with its audit summary, as runDtosByIds reads it) in ONE raw statement (lib/db/raw.ts), for the plain list of
 * GET /api/v1/sitemaps (a column sort, a keyset cursor, no filters): before, the page was a Prisma findMany, the
 * facts a second statement and the newest runs a third (Prisma, with the audit include). Rows are exactly what querySitemaps returns for the same sort
 * and cursor (the SitemapRow columns, same types; tests/api/sitemap-page.test.ts compares both on PGlite and
 * PostgreSQL), each with the facts of the same row version.
 *
 * Order: (column dir NULLS LAST, id dir), strictly after `after` when given — what lib/api/list-query.ts's orderBy
 * and keyset `where` say. Only the columns of SORT_COLUMNS: for any other, sitemapPageWithFacts returns null and
 * the caller pages through Prisma.
 * Errors: only the database's.
 */
import type { TRunDto } from "@/lib/schemas/runs";
import { getDb } from "./client";
import { placeholders, rawQuery } from "./raw";
import { RUN_AUDIT_BRIEF_SELECT } from "./run-audit";
import { toRunDto, type RunWithAudit } from "./runs";
import { FACT_COLUMNS, FACT_JOIN, factsOf, type FactColumns, type SitemapFacts } from "./sitemap-facts";
import { SITEMAP_ROW_SELECT, type SitemapRow } from "./sitemaps";

/** The sortable columns of a sitemap and their SQL types (the cursor value's cast). */
const SORT_COLUMNS: Record<string, string> = {
  id: "text",
  number: "int",
  active: "boolean",
  name: "text",
  fileName: "text",
  startUrl: "text",
  templateId: "text",
  maxFileSize: "int",
  maxFileEntries: "int",
  exportAfterImport: "boolean",
  writeIntoRobots: "boolean",
  timezone: "text",
  createdAt: "timestamp(3)",
  updatedAt: "timestamp(3)",
};

const ROW_COLUMNS = Object.keys(SITEMAP_ROW_SELECT).map((c) => `s."${c}"`).join(", ");
// The newest run's row (to_json, every column) and its audit summary (the columns runDtosByIds reads), as JSON.
const AUDIT_FIELDS = Object.keys(RUN_AUDIT_BRIEF_SELECT);
const AUDIT_JSON = `json_build_object(${AUDIT_FIELDS.map((c) => `'${c}', ra."${c}"`).join(", ")})`;
// JSON carries timestamps as text (UTC wall time, no zone): the DateTime columns of the rows read here.
const SITEMAP_DATES = ["createdAt", "updatedAt"] as const;
const RUN_DATES = ["createdAt", "startedAt", "finishedAt", "cancelRequestedAt", "scheduledFor"] as const;
const utc = (v: unknown): Date | null => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(`${String(v)}Z`));

export type SitemapPageQuery = {
  userId: string;
  /** A column of the Sitemap table; `nullable` as declared in the list spec. */
  column: string;
  idColumn: string;
  dir: "asc" | "desc";
  nullable: boolean;
  /** The cursor's (sort value, id): rows strictly after it. Dates as Date. */
  after: { value: string | number | boolean | Date | null; id: string } | null;
  /** Rows to return (the list's size + 1). */
  take: number;
};

/**
 * The page of `q.userId`'s sitemaps, the facts of each row (by sitemap id) and the DTOs of their newest runs (by
 * run id), in one statement; null when `q.column` or
 * `q.idColumn` is not one this path serves (then nothing was read).
 */
export async function sitemapPageWithFacts(
  q: SitemapPageQuery,
): Promise<{ rows: SitemapRow[]; facts: Map<string, SitemapFacts>; runs: Map<string, TRunDto> } | null> {
  const type = SORT_COLUMNS[q.column];
  if (!type || q.idColumn !== "id") return null;
  const { p, values } = placeholders();
  const userId = p(q.userId);
  const col = `s."${q.column}"`;
  const cmp = q.dir === "asc" ? ">" : "<";
  let keyset = "";
  if (q.after) {
    const { value, id } = q.after;
    if (q.column === "id") keyset = `AND s.id ${cmp} ${p(value)}::text`;
    else if (value === null) keyset = `AND ${col} IS NULL AND s.id ${cmp} ${p(id)}::text`;
    else {
      const v = p(value);
      keyset = `AND (${col} ${cmp} ${v}::${type} OR (${col} = ${v}::${type} AND s.id ${cmp} ${p(id)}::text)${q.nullable ? ` OR ${col} IS NULL` : ""})`;
    }
  }
  const dir = q.dir === "asc" ? "ASC" : "DESC";
  const order = q.column === "id" ? `s.id ${dir}` : `${col} ${dir}${q.nullable ? " NULLS LAST" : ""}, s.id ${dir}`;
  // The whole page comes back as ONE json value (json_agg), not as rows of ~60 columns: each column of each row
  // costs the drivers' JS protocol parsing (on PGlite as much as the WASM engine's own work), one JSON.parse far less.
  const sql = `
    WITH s AS (
      SELECT ${ROW_COLUMNS}, s."publishedRunId" AS published FROM "Sitemap" s
      WHERE s."userId" = ${userId} ${keyset}
      ORDER BY ${order} LIMIT ${p(q.take)}::int
    ),
    x AS (
      SELECT ${ROW_COLUMNS}, ${FACT_COLUMNS},
        CASE WHEN rr.id IS NULL THEN NULL ELSE to_json(rr) END AS run,
        CASE WHEN ra."runId" IS NULL THEN NULL ELSE ${AUDIT_JSON} END AS audit
      FROM s ${FACT_JOIN}
      LEFT JOIN "Run" rr ON rr.id = lr.id
      LEFT JOIN "RunAudit" ra ON ra."runId" = lr.id
    )
    SELECT coalesce(json_agg(s ORDER BY ${order}), '[]'::json) AS page FROM x s`;
  const [{ page }] = await rawQuery<{ page: (Record<string, unknown> & FactColumns)[] }>(getDb(), sql, values);
  const rows: SitemapRow[] = [];
  const facts = new Map<string, SitemapFacts>();
  const runs = new Map<string, TRunDto>();
  for (const r of page) {
    const row = {} as Record<string, unknown>;
    for (const c of Object.keys(SITEMAP_ROW_SELECT)) row[c] = r[c];
    for (const c of SITEMAP_DATES) row[c] = utc(row[c]);
    rows.push(row as SitemapRow);
    facts.set(row.id as string, factsOf(r));
    const run = r.run as Record<string, unknown> | null;
    if (run) {
      for (const c of RUN_DATES) run[c] = utc(run[c]);
      runs.set(run.id as string, toRunDto({ ...(run as RunWithAudit), audit: (r.audit ?? null) as RunWithAudit["audit"] }));
    }
  }
  return { rows, facts, runs };
}
