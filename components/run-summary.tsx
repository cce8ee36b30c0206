import type { TRunDto } from "@/lib/schemas/runs";
import { formatBytes, formatCount, formatDateTime, formatDuration, runDurationMs } from "@/lib/client/format";
import { runTriggerLabel } from "./run-history";
import { Stat } from "./stat";
import { RunEndNotices } from "./run-end-notices";
import { Card } from "./ui/card";

/**
 * The summary of one run on the run page (whose header shows the status badge): trigger, created / started / finished times, pages fetched,
 * URLs listed and excluded, files and bytes written, the error (with its code and hint when the server sends them)
 * and the warnings of a partial run.
 */
export function RunSummary({ run }: { run: TRunDto }) {
  const p = run.progress;
  return (
    <Card data-testid="run-summary" data-status={run.status} aria-label="Run summary">
      <RunEndNotices run={run} />
      <dl className="grid grid-cols-2 gap-5 px-5 py-5 sm:grid-cols-3 lg:grid-cols-6">
        <Stat label="Pages fetched" value={formatCount(p.pagesFetched)} testId="summary-pages-fetched" />
        <Stat label="URLs listed" value={formatCount(p.urlsListed)} testId="summary-urls-listed" />
        <Stat label="URLs excluded" value={formatCount(p.urlsExcluded)} testId="summary-urls-excluded" />
        <Stat label="Files written" value={formatCount(run.filesWritten)} testId="summary-files" />
        <Stat label="Bytes written" value={formatBytes(run.bytesWritten)} testId="summary-bytes" />
        <Stat label="Time taken" value={run.startedAt ? formatDuration(runDurationMs(run)) : "—"} testId="summary-duration" />
      </dl>
      <dl className="grid grid-cols-2 gap-x-5 gap-y-3 border-t border-slate-100 px-5 py-4 text-sm sm:grid-cols-4">
        <Meta label="Trigger">
          <span data-testid="summary-trigger">{runTriggerLabel(run)}</span>
        </Meta>
        <Meta label="Created">{formatDateTime(run.createdAt)}</Meta>
        <Meta label="Started">{formatDateTime(run.startedAt)}</Meta>
        <Meta label="Finished">{run.finishedAt ? formatDateTime(run.finishedAt) : "—"}</Meta>
      </dl>
    </Card>
  );
}

function Meta({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
      <dd className="mt-1 text-slate-700">{children}</dd>
    </div>
  );
}
