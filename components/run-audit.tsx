"use client";
/**
 * The audit of the site's own sitemaps for one run (GET /api/v1/runs/{id}/audit, docs/audit.md): where the sitemaps
 * came from, the count per kind (each a filter), the findings table with server-side paging, and the CSV download.
 * Meant as a tab of the run page: `<RunAudit runId={run.id} />`.
 */
import { useState } from "react";
import { auditPath, useRunAudit, type TRunAuditFindingDto } from "@/lib/client/audit";
import { exclusionLabel, formatCount } from "@/lib/client/format";
import { LoadingRows, QueryError, TableShell } from "./query-states";
import { Badge } from "./ui/badge";
import { CursorPager } from "./ui/cursor-pager";
import { Card, CardHeader } from "./ui/card";

const KINDS: { kind: string; label: string; hint: string; tone: "red" | "amber" | "gray" | "blue" }[] = [
  { kind: "sitemap_error", label: "Sitemap errors", hint: "Files that could not be read whole", tone: "red" },
  { kind: "not_indexable", label: "Not indexable", hint: "In their sitemap, left out by the crawl", tone: "red" },
  { kind: "not_crawled", label: "Not crawled", hint: "In their sitemap, never met by the crawl", tone: "amber" },
  { kind: "missing_from_sitemap", label: "Missing from sitemap", hint: "Indexable pages their sitemap lacks", tone: "amber" },
  { kind: "orphan", label: "Orphans", hint: "In their sitemap, linked from no crawled page", tone: "gray" },
];
const kindOf = (k: string) => KINDS.find((x) => x.kind === k) ?? { kind: k, label: k, hint: "", tone: "gray" as const };

function Reason({ f }: { f: TRunAuditFindingDto }) {
  const d = (f.detail ?? {}) as { status?: number | null; target?: string | null; message?: string };
  const text = f.kind === "not_indexable" && f.reason ? exclusionLabel(f.reason).label : f.reason;
  return (
    <div className="text-slate-700">
      {text && <div>{text}</div>}
      <div className="text-xs text-slate-500">
        {d.status != null && <span>HTTP {d.status} </span>}
        {d.target && <span className="break-all">→ {d.target}</span>}
        {d.message && <span>{d.message}</span>}
      </div>
    </div>
  );
}

/** The audit tab of a run. */
export function RunAudit({ runId }: { runId: string }) {
  const [kind, setKind] = useState("");
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1];
  const q = useRunAudit(runId, kind, cursor);
  const summary = q.data?.summary ?? null;
  const choose = (k: string) => {
    setKind(k === kind ? "" : k);
    setCursors([null]);
  };
  const source = summary?.source === "robots" ? "robots.txt Sitemap: lines" : summary?.source === "default" ? "/sitemap.xml" : "none";

  return (
    <Card data-testid="run-audit">
      <CardHeader
        title="Audit of the site's own sitemaps"
        description={summary ? (summary.found ? `Read from ${source}: ${summary.files.length} ${summary.files.length === 1 ? "file" : "files"}, ${formatCount(summary.sitemapUrls)} URLs${summary.truncated ? " (truncated)" : ""}.` : "The site publishes no sitemap.") : "Stored when the crawl ends."}
        actions={summary ? <a className="text-sm font-medium text-indigo-600 hover:text-indigo-500" href={auditPath(runId, kind, null, "csv")} data-testid="run-audit-csv">Download CSV</a> : undefined}
      />
      {summary && (
        <div className="flex flex-wrap gap-2 border-b border-slate-100 px-5 py-3" role="group" aria-label="Filter by kind">
          {KINDS.map((k) => (
            <button
              key={k.kind}
              type="button"
              title={k.hint}
              aria-pressed={kind === k.kind}
              onClick={() => choose(k.kind)}
              data-testid="run-audit-kind"
              data-kind={k.kind}
              className={`rounded-md px-2.5 py-1 text-xs ring-1 ring-inset ${kind === k.kind ? "bg-indigo-50 text-indigo-700 ring-indigo-300" : "text-slate-700 ring-slate-200 hover:bg-slate-50"}`}
            >
              {k.label} <span className="tabular-nums font-semibold">{formatCount(summary.counts[k.kind as keyof typeof summary.counts] ?? 0)}</span>
            </button>
          ))}
        </div>
      )}
      {q.isPending ? (
        <LoadingRows label="Loading the audit…" />
      ) : q.error || !q.data ? (
        <QueryError error={q.error} onRetry={() => q.refetch()} />
      ) : q.data.data.length === 0 ? (
        <p className="px-5 py-4 text-sm text-slate-500" data-testid="run-audit-empty">{summary ? "No findings." : "No audit stored for this run yet."}</p>
      ) : (
        <>
          <TableShell
            testId="run-audit-table"
            caption="Findings of the sitemap audit"
            busy={q.isFetching}
            head={
              <>
                <th scope="col" className="px-5 pt-3 pb-2 font-medium">URL</th>
                <th scope="col" className="px-5 pt-3 pb-2 font-medium">Finding</th>
                <th scope="col" className="px-5 pt-3 pb-2 font-medium">Reason</th>
              </>
            }
          >
            {q.data.data.map((f) => (
              <tr key={`${f.kind} ${f.url}`} data-testid="run-audit-row" data-kind={f.kind}>
                <td className="max-w-md px-5 py-2.5 break-all text-slate-800">{f.url}</td>
                <td className="px-5 py-2.5"><Badge tone={kindOf(f.kind).tone}>{kindOf(f.kind).label}</Badge></td>
                <td className="px-5 py-2.5"><Reason f={f} /></td>
              </tr>
            ))}
          </TableShell>
          <CursorPager
            page={cursors.length}
            hasNext={!!q.data.next_cursor}
            onPrevious={() => setCursors((c) => c.slice(0, -1))}
            onNext={() => setCursors((c) => [...c, q.data!.next_cursor])}
            label="Audit pages"
          />
        </>
      )}
    </Card>
  );
}
