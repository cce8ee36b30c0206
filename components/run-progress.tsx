"use client";
import type { TRunDto } from "@/lib/schemas/runs";
import { useCancelRun } from "@/lib/client/runs";
import { Button } from "./ui/button";
import { formatCount, formatDuration, formatRelative, runDurationMs } from "@/lib/client/format";
import { RunStatusBadge } from "./run-status-badge";
import { Stat } from "./stat";
import { Card } from "./ui/card";
import { Spinner } from "./ui/spinner";
import { useNow } from "./use-now";

/** Share of the crawl done so far: pages fetched out of pages fetched + still queued (0 when nothing is known yet). */
export function progressRatio(p: TRunDto["progress"]): number {
  const total = p.pagesFetched + p.pagesQueued;
  return total > 0 ? Math.min(1, p.pagesFetched / total) : 0;
}

/** The live panel of a queued or running run. The parent polls the run; this only renders it. */
export function RunProgress({ run }: { run: TRunDto }) {
  const now = useNow(true);
  const { progress: p } = run;
  const ratio = progressRatio(p);
  const pct = Math.round(ratio * 100);
  const queued = run.status === "queued";
  const indeterminate = queued || p.pagesFetched + p.pagesQueued === 0;
  const cancel = useCancelRun();

  return (
    <Card className="overflow-hidden border-sky-200 ring-4 ring-sky-50" data-testid="run-progress" aria-labelledby="run-progress-title">
      <div className="flex flex-wrap items-center justify-between gap-3 px-5 pt-4">
        <div className="flex items-center gap-2.5">
          <Spinner className="size-4 text-sky-600" />
          <h2 id="run-progress-title" className="text-sm font-semibold text-slate-900">
            {queued ? "Waiting to start…" : "Crawling and writing the sitemap…"}
          </h2>
          <RunStatusBadge status={run.status} testId="run-progress-status" />
        </div>
        <div className="flex items-center gap-3">
          <span className="text-sm tabular-nums text-slate-500" data-testid="run-elapsed">
            {run.startedAt ? `Elapsed ${formatDuration(runDurationMs(run, now))}` : `Queued ${formatRelative(run.createdAt, now)}`}
          </span>
          <Button
            size="sm"
            variant="secondary"
            loading={cancel.isPending}
            disabled={Boolean(run.cancelRequestedAt)}
            onClick={() => cancel.mutate(run.id)}
            data-testid="cancel-active-run"
          >
            {run.cancelRequestedAt ? "Cancelling…" : "Cancel run"}
          </Button>
        </div>
      </div>

      <div className="px-5 pt-4">
        <div
          role="progressbar"
          aria-label="Crawl progress"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={indeterminate ? undefined : pct}
          aria-valuetext={indeterminate ? "Starting" : `${pct}% · ${formatCount(p.pagesFetched)} of ${formatCount(p.pagesFetched + p.pagesQueued)} pages`}
          className="h-2.5 w-full overflow-hidden rounded-full bg-slate-100"
          data-testid="run-progress-bar"
        >
          <div
            className="progress-active h-full rounded-full bg-sky-500 transition-[width] duration-700 ease-out"
            style={{ width: indeterminate ? "12%" : `${Math.max(2, pct)}%` }}
          />
        </div>
        <p className="mt-2 text-xs text-slate-500">
          {indeterminate
            ? "The crawl starts in a moment."
            : `${pct}% — ${formatCount(p.pagesFetched)} of ${formatCount(p.pagesFetched + p.pagesQueued)} pages found so far. The total grows as new links are discovered.`}
        </p>
      </div>

      <dl className="mt-4 grid grid-cols-2 gap-4 border-t border-slate-100 bg-slate-50/60 px-5 py-4 sm:grid-cols-4">
        <Stat label="Pages fetched" value={formatCount(p.pagesFetched)} testId="progress-pages-fetched" />
        <Stat label="In queue" value={formatCount(p.pagesQueued)} testId="progress-pages-queued" />
        <Stat label="URLs listed" value={formatCount(p.urlsListed)} testId="progress-urls-listed" />
        <Stat label="URLs excluded" value={formatCount(p.urlsExcluded)} testId="progress-urls-excluded" />
      </dl>
    </Card>
  );
}
