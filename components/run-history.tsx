import Link from "next/link";
import { runPageHref } from "@/lib/client/run-urls";
import type { TRunDto } from "@/lib/schemas/runs";
import { TableShell } from "./query-states";
import { formatCount, formatDateTime, formatDuration, formatRelative, runDurationMs } from "@/lib/client/format";
import { RunCauseLine, RunWarningsBadge } from "./run-outcome";
import { RunStatusBadge } from "./run-status-badge";
import { cn } from "./ui/cn";

export const TRIGGER_LABEL: Record<string, string> = { dashboard: "Dashboard", api: "API", schedule: "Schedule", cli: "CLI", import: "Import" };

/** What started a run, as shown in tables and the run summary; an export-only run (no crawl) says so. */
export function runTriggerLabel(run: Pick<TRunDto, "trigger" | "kind">): string {
  const label = TRIGGER_LABEL[run.trigger] ?? run.trigger;
  return run.kind === "export" ? `${label} · export only` : label;
}

/** A sitemap's recent runs, the published one highlighted; each start time links to the run page. */
export function RunHistory({ runs, publishedRunId }: { runs: TRunDto[]; publishedRunId: string | null }) {
  return (
    <TableShell testId="run-history" caption="Run history" head={<>
            <th scope="col" className="px-5 py-2 font-medium">Status</th>
            <th scope="col" className="px-4 py-2 font-medium">Started</th>
            <th scope="col" className="px-4 py-2 font-medium">Trigger</th>
            <th scope="col" className="px-4 py-2 text-right font-medium">Duration</th>
            <th scope="col" className="px-4 py-2 text-right font-medium">Pages</th>
            <th scope="col" className="px-4 py-2 text-right font-medium">Listed</th>
            <th scope="col" className="py-2 pr-5 pl-4 text-right font-medium">Excluded</th>
    </>}>
          {runs.map((r) => (
            <tr key={r.id} data-testid="run-history-row" data-run-id={r.id} className={cn(r.id === publishedRunId && "bg-emerald-50/40")}>
              <td className="py-2.5 pr-4 pl-5">
                <div className="flex items-center gap-2">
                  <RunStatusBadge status={r.status} />
                  <RunWarningsBadge run={r} />
                  {r.id === publishedRunId && <span className="text-xs font-medium text-emerald-700">Published</span>}
                </div>
                <RunCauseLine run={r} />
              </td>
              <td className="px-4 py-2.5 whitespace-nowrap text-slate-600" title={formatDateTime(r.startedAt ?? r.createdAt)}>
                <Link href={runPageHref(r.id)} className="font-medium text-indigo-700 hover:text-indigo-500 hover:underline" data-testid="run-history-link">
                  {formatRelative(r.startedAt ?? r.createdAt)}
                </Link>
              </td>
              <td className="px-4 py-2.5 text-slate-600">{runTriggerLabel(r)}</td>
              <td className="px-4 py-2.5 text-right tabular-nums text-slate-600">{r.finishedAt ? formatDuration(runDurationMs(r)) : "—"}</td>
              <td className="px-4 py-2.5 text-right tabular-nums text-slate-700">{formatCount(r.progress.pagesFetched)}</td>
              <td className="px-4 py-2.5 text-right tabular-nums text-slate-700">{formatCount(r.progress.urlsListed)}</td>
              <td className="py-2.5 pr-5 pl-4 text-right tabular-nums text-slate-700">{formatCount(r.progress.urlsExcluded)}</td>
            </tr>
          ))}
    </TableShell>
  );
}
