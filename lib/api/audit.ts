/**
 * GET /api/v1/runs/{id}/audit: the findings of the audit of the site's own sitemaps (lib/crawl/site-audit.ts) under
 * the one list grammar (default url:asc; filter by kind, reason, url), as JSON pages with the audit's summary, or the
 * whole filtered list as CSV (`?format=csv` or `Accept: text/csv`), streamed in keyset pages (constant memory).
 * `?kind=` is a shorthand of `filter[kind]=`.
 *
 * CSV (RFC 4180): header `url,kind,reason,status,target,message`, CRLF line ends, fields quoted when they hold a
 * comma, quote or line break; a field starting with `=`, `+`, `-`, `@`, TAB or CR gets a leading `'` so spreadsheets
 * do not run it as a formula (OWASP CSV injection).
 */
import { AUDIT_FINDING_KINDS } from "@/lib/crawl/site-audit";
import type { RunAuditFindingList } from "@/lib/db/list-models";
import { listRunAuditFindings, streamRunAuditFindings, type RunAuditFindingRow } from "@/lib/db/run-audit";
import { AppError } from "@/lib/core/errors";
import { ListQueryError, parseListQuery, type ListQuery, type ListSpec } from "./list-query";

export const RUN_AUDIT_LIST_SPEC: ListSpec<RunAuditFindingList> = {
  defaultSort: { field: "url", dir: "asc" },
  fields: {
    url: { type: "string", column: "url" },
    kind: { type: "enum", column: "kind", values: AUDIT_FINDING_KINDS },
    reason: { type: "string", column: "reason", nullable: true },
  },
};

/** The list query of the endpoint, `?kind=` folded into `filter[kind]=`. Throws ListQueryError (400). */
export function auditQuery(params: URLSearchParams): ListQuery<RunAuditFindingList> {
  const p = new URLSearchParams(params);
  const kind = p.get("kind");
  if (kind !== null) {
    if (!(AUDIT_FINDING_KINDS as readonly string[]).includes(kind)) throw new ListQueryError("invalid_value", `\`kind\` must be one of ${AUDIT_FINDING_KINDS.join(", ")}.`, "kind");
    p.delete("kind");
    p.append("filter[kind]", kind);
  }
  p.delete("format");
  return parseListQuery(p, RUN_AUDIT_LIST_SPEC);
}

/** Whether the request asks for CSV: `?format=csv`, or `Accept: text/csv` without `?format=json`. 400 for another format. */
export function wantsCsv(req: Request): boolean {
  const format = new URL(req.url).searchParams.get("format");
  if (format !== null && format !== "csv" && format !== "json") throw new ListQueryError("invalid_value", "`format` must be csv or json.", "format");
  if (format !== null) return format === "csv";
  return /(^|,)\s*text\/csv\b/i.test(req.headers.get("accept") ?? "");
}

/** One CSV field (see module doc). */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return "";
  let s = String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const CSV_HEADER = "url,kind,reason,status,target,message\r\n";
const csvLine = (f: RunAuditFindingRow) =>
  [f.url, f.kind, f.reason, f.detail?.status, f.detail?.target, f.detail?.message].map(csvField).join(",") + "\r\n";

/** The endpoint's answer: a JSON page with the summary, or the CSV stream. 404 for a run that is not the caller's. */
export async function runAuditResponse(req: Request, runId: string, userId: string): Promise<Response> {
  const params = new URL(req.url).searchParams;
  const csv = wantsCsv(req);
  const q = auditQuery(params);
  if (!csv) {
    const page = await listRunAuditFindings({ runId, userId, q });
    if (!page) throw new AppError("not_found", `Run ${runId} not found.`);
    return Response.json({ data: page.items, next_cursor: page.nextCursor, summary: page.summary });
  }
  const rows = await streamRunAuditFindings({ runId, userId, where: q.where });
  if (!rows) throw new AppError("not_found", `Run ${runId} not found.`);
  const enc = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(enc.encode(CSV_HEADER));
    },
    async pull(c) {
      let chunk = "";
      while (chunk.length < 64_000) {
        const next = await rows.next();
        if (next.done) {
          if (chunk) c.enqueue(enc.encode(chunk));
          c.close();
          return;
        }
        chunk += csvLine(next.value);
      }
      c.enqueue(enc.encode(chunk));
    },
    async cancel() {
      await rows.return(undefined);
    },
  });
  return new Response(body, {
    headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="run-${runId}-audit.csv"` },
  });
}
