/**
 * The URL inventory of a run (GET /api/v1/runs/{id}/urls) and its duplicate clusters (GET /api/v1/runs/{id}/duplicates),
 * under the one list grammar (lib/api/list-query.ts). Other accounts' runs are "not found" (404).
 *
 * Inventory: every URL the run met, listed or left out with its reason and detail (lib/schemas/run-urls.ts ZRunUrlDto).
 * Default sort url:asc; `url` is unique within a run, so it is the keyset tie-breaker of every sort. The derived
 * filter `published` (in the published files or not) compares with the listed URLs of the sitemap's published run:
 * for the published run itself it is `listed`; for another run the rows are scanned in keyset chunks and checked
 * against the published run (a page may scan more rows than it returns; memory stays one chunk).
 *
 * CSV (`Accept: text/csv` or `?format=csv`): the whole inventory under the same filters and sort (from `cursor` when
 * given), streamed page by page (keyset pagination inside a ReadableStream, one page of 300 rows in memory, pulled
 * only as fast as the client reads). RFC 4180: CRLF line ends, a header line, fields holding a comma, a double quote,
 * CR or LF are quoted with inner quotes doubled. Formula injection guard (OWASP "CSV Injection"): a cell that starts
 * with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading single quote (`'`), so a spreadsheet shows it as
 * text instead of evaluating it; the values are otherwise as in JSON (`listed` and `published` as true/false,
 * `noindex` joined by spaces, empty for null).
 *
 * Errors: 404 not_found (unknown run), 400 list grammar errors (syntax_error, unknown_field, unknown_operation,
 * invalid_value), 400 invalid_value for `format` or `members` out of range.
 */
import { AppError } from "@/lib/core/errors";
import { EXCLUSION_REASONS, type ExclusionReason, type UrlDetail } from "@/lib/core/types";
import type { RunUrlList } from "@/lib/db/list-models";
import {
  clusteredAmong,
  clusterMembers,
  findRunForInventory,
  listedAmong,
  queryClusters,
  queryInventoryRows,
  type InventoryRow,
} from "@/lib/db/run-urls";
import { csvField, csvLine, INVENTORY_CSV_HEADER } from "@/lib/core/inventory-csv";
import type { TDuplicateClusterDto, TRunUrlDto } from "@/lib/schemas/run-urls";
import { ListQueryError, MAX_PAGE_SIZE, parseListQuery, type FilterValue, type ListQuery, type ListSpec, type ParsedFilter } from "./list-query";

/** GET /api/v1/runs/{id}/urls: fields, sorts and filters (see lib/schemas/run-urls.ts for their meaning). */
export const RUN_URL_LIST_SPEC: ListSpec<RunUrlList> = {
  defaultSort: { field: "url", dir: "asc" },
  idColumn: "url",
  fields: {
    url: { type: "string", column: "url" },
    listed: { type: "boolean", column: "included", sort: false },
    reason: { type: "enum", column: "reason", values: EXCLUSION_REASONS, nullable: true, sort: false },
    status: { type: "int", column: "status", nullable: true },
    depth: { type: "int", column: "depth" },
    inlinks: { type: "int", column: "inlinks" },
    contentType: { type: "string", column: "contentType", nullable: true },
    foundOn: { type: "string", column: "foundOn", nullable: true },
    lastmod: { type: "date", column: "lastmod", nullable: true },
    lastmodSource: { type: "enum", column: "lastmodSource", values: ["content", "server"], nullable: true, sort: false },
    cluster: { type: "string", column: "contentHash", nullable: true, ops: ["eq", "ne", "in"], sort: false },
    published: { type: "boolean", deferred: true },
  },
};

/** GET /api/v1/runs/{id}/duplicates: clusters by size (default size:desc) or id; filter on size. */
export const DUPLICATE_LIST_SPEC: ListSpec = {
  defaultSort: { field: "size", dir: "desc" },
  idColumn: "id",
  fields: {
    size: { type: "int", deferred: true, sort: true, ops: ["eq", "ne", "lt", "lte", "gt", "gte"] },
    id: { type: "string", deferred: true, sort: true, filter: false },
  },
};

const runNotFound = (id: string) => new AppError("not_found", `Run ${id} not found.`);

type Run = NonNullable<Awaited<ReturnType<typeof findRunForInventory>>>;

/** Whether the request asks for CSV: `?format=csv`, or `Accept: text/csv` without `?format=json`. 400 for another format. */
export function wantsCsv(req: Request): boolean {
  const format = new URL(req.url).searchParams.get("format");
  if (format !== null && format !== "csv" && format !== "json") {
    throw new ListQueryError("invalid_value", "`format` must be json or csv.", "format");
  }
  if (format !== null) return format === "csv";
  return /(^|,)\s*text\/csv\s*(;|,|$)/i.test(req.headers.get("accept") ?? "");
}

/** How the `published` filter applies to a run: no condition, a plain `included` condition, or a scan. */
type PublishedPlan = { kind: "none" } | { kind: "empty" } | { kind: "where"; included: boolean } | { kind: "scan"; want: boolean; publishedRunId: string };

function publishedPlan(run: Run, deferred: ParsedFilter[]): PublishedPlan {
  const wants = new Set(deferred.filter((d) => d.field === "published").map((f) => (f.op === "ne" ? !(f.value as boolean) : (f.value as boolean))));
  if (wants.size === 0) return { kind: "none" };
  if (wants.size > 1) return { kind: "empty" }; // published and not published: nothing (filters are ANDed)
  const want = [...wants][0];
  if (!run.publishedRunId) return want ? { kind: "empty" } : { kind: "none" };
  if (run.publishedRunId === run.id) return { kind: "where", included: want };
  return { kind: "scan", want, publishedRunId: run.publishedRunId };
}

/** Rows checked per chunk while scanning for the `published` filter. */
const SCAN_SIZE = MAX_PAGE_SIZE;

/**
 * One page of run rows under `q` (parsed from `params`), the `published` filter applied: the rows kept (up to
 * q.take = size + 1, for `q.page`) and, for rows, whether each is in the published files.
 */
async function pageRows(run: Run, params: URLSearchParams, q: ListQuery<RunUrlList>): Promise<{ rows: InventoryRow[]; published: Set<string> }> {
  const plan = publishedPlan(run, q.deferred);
  if (plan.kind === "empty") return { rows: [], published: new Set() };
  if (plan.kind !== "scan") {
    const where = plan.kind === "where" ? { AND: [q.where, { included: plan.included }] } : q.where;
    const rows = await queryInventoryRows({ runId: run.id, where, orderBy: q.orderBy, take: q.take });
    return { rows, published: await publishedAmong(run, rows) };
  }
  const kept: InventoryRow[] = [];
  const published = new Set<string>();
  const scanParams = new URLSearchParams(params);
  scanParams.set("size", String(SCAN_SIZE));
  scanParams.delete("limit");
  for (;;) {
    const sq = parseListQuery(scanParams, RUN_URL_LIST_SPEC);
    const chunk = sq.page(await queryInventoryRows({ runId: run.id, where: sq.where, orderBy: sq.orderBy, take: sq.take }));
    const listed = await listedAmong(plan.publishedRunId, chunk.rows.map((r) => r.url));
    for (const r of chunk.rows) {
      if (listed.has(r.url) !== plan.want) continue;
      kept.push(r);
      if (plan.want) published.add(r.url);
      if (kept.length >= q.take) return { rows: kept, published };
    }
    if (!chunk.nextCursor) return { rows: kept, published };
    scanParams.set("cursor", chunk.nextCursor);
    scanParams.delete("pageToken");
  }
}

/** Of `rows`, the URLs in the sitemap's published files. */
async function publishedAmong(run: Run, rows: InventoryRow[]): Promise<Set<string>> {
  if (!run.publishedRunId || !rows.length) return new Set();
  if (run.publishedRunId === run.id) return new Set(rows.filter((r) => r.included).map((r) => r.url));
  return listedAmong(run.publishedRunId, rows.map((r) => r.url));
}

/** The DTO of one inventory row. */
export function toRunUrlDto(r: InventoryRow, clusters: Set<string>, published: Set<string>): TRunUrlDto {
  const d = (r.detail ?? null) as UrlDetail | null;
  const detail: TRunUrlDto["detail"] = d || r.target ? { ...(r.target ? { target: r.target } : {}), ...(d ?? {}) } : null;
  return {
    url: r.url,
    status: r.status,
    listed: r.included,
    reason: (r.reason as ExclusionReason | null) ?? null,
    detail,
    depth: r.depth,
    foundOn: r.foundOn,
    inlinks: r.inlinks,
    contentType: r.contentType,
    lastmod: r.lastmod?.toISOString() ?? null,
    lastmodSource: (r.lastmodSource as TRunUrlDto["lastmodSource"]) ?? null,
    cluster: r.contentHash && clusters.has(r.contentHash) ? r.contentHash : null,
    published: published.has(r.url),
  };
}

/** One page of DTOs and its next cursor. */
async function dtoPage(run: Run, params: URLSearchParams): Promise<{ items: TRunUrlDto[]; nextCursor: string | null }> {
  const q = parseListQuery(params, RUN_URL_LIST_SPEC);
  const { rows, published } = await pageRows(run, params, q);
  const page = q.page(rows);
  const hashes = [...new Set(page.rows.map((r) => r.contentHash).filter((h): h is string => !!h))];
  const clusters = await clusteredAmong(run.id, hashes);
  return { items: page.rows.map((r) => toRunUrlDto(r, clusters, published)), nextCursor: page.nextCursor };
}

/**
 * One page of GET /api/v1/runs/{id}/urls for `userId`. Throws 404 not_found, 400 list grammar errors.
 */
export async function listRunUrls(userId: string, runId: string, req: Request): Promise<{ items: TRunUrlDto[]; nextCursor: string | null }> {
  const params = new URL(req.url).searchParams;
  parseListQuery(params, RUN_URL_LIST_SPEC); // 400s before the 404 lookup costs a query
  const run = await findRunForInventory(runId, userId);
  if (!run) throw runNotFound(runId);
  return dtoPage(run, params);
}

/** CSV fields and lines: lib/core/inventory-csv.ts (shared with the crawl CLI's `--urls`). */
export { csvField, csvLine };

/**
 * GET /api/v1/runs/{id}/urls as CSV: the whole inventory under the request's filters and sort (see the module doc),
 * as a Response whose body is pulled page by page. The list query is checked and the run looked up before the
 * first byte (400 / 404 as JSON); a database error later ends the stream with an error.
 */
export async function runUrlsCsv(userId: string, runId: string, req: Request): Promise<Response> {
  const params = new URL(req.url).searchParams;
  params.set("size", String(MAX_PAGE_SIZE));
  params.delete("limit");
  params.delete("format");
  parseListQuery(params, RUN_URL_LIST_SPEC);
  const run = await findRunForInventory(runId, userId);
  if (!run) throw runNotFound(runId);
  const encoder = new TextEncoder();
  let started = false;
  let done = false;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!started) {
          started = true;
          controller.enqueue(encoder.encode(INVENTORY_CSV_HEADER));
          return;
        }
        if (done) {
          controller.close();
          return;
        }
        const page = await dtoPage(run, params);
        if (page.items.length) controller.enqueue(encoder.encode(page.items.map(csvLine).join("")));
        if (page.nextCursor) {
          params.set("cursor", page.nextCursor);
          params.delete("pageToken");
        } else done = true;
      },
    },
    { highWaterMark: 1 },
  );
  return new Response(body, {
    status: 200,
    headers: {
      "Content-Type": "text/csv; charset=utf-8; header=present",
      "Content-Disposition": `attachment; filename="run-${run.id}-urls.csv"`,
      "Cache-Control": "no-store",
    },
  });
}

/** `?members=` of the duplicates endpoint: 1..100, default 20; 400 invalid_value otherwise. */
function membersParam(params: URLSearchParams): number {
  const raw = params.get("members");
  if (raw === null) return 20;
  if (!/^\d{1,3}$/.test(raw) || Number(raw) < 1 || Number(raw) > 100) {
    throw new ListQueryError("invalid_value", "`members` must be an integer in 1..100.", "members");
  }
  return Number(raw);
}

/**
 * One page of GET /api/v1/runs/{id}/duplicates for `userId`: the run's duplicate clusters (lib/db/run-urls.ts), by
 * size (default largest first) or id, each with its first `members` URLs. Throws 404 not_found, 400 list errors.
 */
export async function listRunDuplicates(userId: string, runId: string, req: Request): Promise<{ items: TDuplicateClusterDto[]; nextCursor: string | null }> {
  const params = new URL(req.url).searchParams;
  const q = parseListQuery(params, DUPLICATE_LIST_SPEC);
  const members = membersParam(params);
  const run = await findRunForInventory(runId, userId);
  if (!run) throw runNotFound(runId);
  const after = q.memorySort?.after ?? null;
  const afterValue = (v: FilterValue): string | number => (typeof v === "number" ? v : String(v));
  const rows = await queryClusters({
    runId: run.id,
    sort: q.sort.field === "id" ? "id" : "size",
    dir: q.sort.dir,
    after: after ? { value: afterValue(after.value), id: after.id } : null,
    sizeWhere: q.deferred.map((f) => ({ op: f.op as "eq" | "ne" | "lt" | "lte" | "gt" | "gte", value: Number(f.value) })),
    take: q.take,
  });
  const page = q.page(rows);
  const items: TDuplicateClusterDto[] = [];
  for (const c of page.rows) {
    const urls = await clusterMembers(run.id, c.id, members);
    items.push({
      ...c,
      urls: urls.map((u) => ({ url: u.url, status: u.status, listed: u.included, reason: (u.reason as ExclusionReason | null) ?? null, inlinks: u.inlinks, depth: u.depth })),
    });
  }
  return { items, nextCursor: page.nextCursor };
}
