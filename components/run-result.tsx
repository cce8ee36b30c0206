import Link from "next/link";
import type { TRunDto } from "@/lib/schemas/runs";
import { runPageHref } from "@/lib/client/run-urls";
import { formatBytes, formatCount, formatDateTime, formatDuration, runDurationMs } from "@/lib/client/format";
import { ExcludedTable } from "./excluded-table";
import { RunEndNotices } from "./run-end-notices";
import { RunWarningsBadge } from "./run-outcome";
import { RunStatusBadge } from "./run-status-badge";
import { Stat } from "./stat";
import { Card, CardHeader } from "./ui/card";

/**
 * The outcome of a finished run: counts, time taken, why it failed (code, hint) or the warnings of a truncated crawl,
 * the publish guard's notice and a "Publish anyway" button if it was held, what changed since the previous sitemap
 * (added / removed / changed URLs), and the excluded-by-reason table. The run page (/dashboard/runs/{id}) has the
 * details: a "Run details" link in the header, and each exclusion reason links to its URLs there.
 */
export function RunResult({ run }: { run: TRunDto }) {
  const p = run.progress;
  return (
    <Card data-testid="run-result" data-status={run.status} aria-labelledby="run-result-title">
      <CardHeader
        id="run-result-title"
        title={
          <span className="flex items-center gap-2">
            Last run <RunStatusBadge status={run.status} testId="run-result-status" />
            <RunWarningsBadge run={run} />
          </span>
        }
        description={run.finishedAt ? `Finished ${formatDateTime(run.finishedAt)}` : `Started ${formatDateTime(run.startedAt ?? run.createdAt)}`}
        actions={
          <Link href={runPageHref(run.id)} className="text-sm font-medium text-indigo-600 hover:text-indigo-500" data-testid="run-details-link">
            Run details →
          </Link>
        }
      />
      <RunEndNotices run={run} />
      <dl className="grid grid-cols-2 gap-5 px-5 py-5 sm:grid-cols-3 lg:grid-cols-6">
        <Stat label="URLs listed" value={formatCount(p.urlsListed)} testId="result-urls-listed" />
        <Stat label="URLs excluded" value={formatCount(p.urlsExcluded)} testId="result-urls-excluded" />
        <Stat label="Pages fetched" value={formatCount(p.pagesFetched)} />
        <Stat label="Time taken" value={formatDuration(runDurationMs(run))} testId="result-duration" />
        <Stat label="Files written" value={formatCount(run.filesWritten)} />
        <Stat label="Bytes written" value={formatBytes(run.bytesWritten)} />
      </dl>
      {run.status === "succeeded" && (
        // Compared with the files published before this run (GET /api/v1/runs/{id}/changes lists the URLs).
        <dl className="grid grid-cols-3 gap-5 border-t border-slate-100 px-5 py-4" data-testid="run-diff" aria-label="Changes since the previous sitemap">
          <Stat label="URLs added" value={formatCount(run.diff.added)} testId="result-urls-added" />
          <Stat label="URLs removed" value={formatCount(run.diff.removed)} testId="result-urls-removed" />
          <Stat label="URLs changed" value={formatCount(run.diff.changed)} testId="result-urls-changed" />
        </dl>
      )}
      <div className="border-t border-slate-100 pb-2">
        <ExcludedTable byReason={run.excludedByReason} reasonHref={(reason) => runPageHref(run.id, { reason })} />
      </div>
    </Card>
  );
}
