import type { TRunDto } from "@/lib/schemas/runs";
import { formatBytes, formatCount, formatDateTime, formatDuration, runDurationMs } from "@/lib/client/format";
import { TRIGGER_LABEL } from "./run-history";
import { Stat } from "./stat";
import { Alert } from "./ui/alert";
import { Card } from "./ui/card";

/**
 * Fields of the run DTO that newer servers add: a failure's machine code and hint, and the warnings of a run that
 * succeeded but stopped early (`max_pages_reached`, …). Absent on older servers; the summary renders them only when
 * present.
 */
type RunCauseFields = { errorCode?: string | null; errorHint?: string | null; warnings?: string[] | null };

/** Short explanations of the warning codes a partial run carries; unknown codes are shown as words. */
const WARNING_LABELS: Record<string, string> = {
  max_pages_reached: "Stopped at the max pages limit: pages beyond it are not in the sitemap.",
  max_depth_reached: "Links deeper than the max depth setting were not followed.",
  time_budget_reached: "Stopped when the crawl's time budget ran out: the sitemap may be incomplete.",
  crawl_trap_capped: "Some URLs were cut off by the crawler-trap caps.",
};

/** Human text of a warning code (see WARNING_LABELS), e.g. "max_pages_reached" → its sentence. */
export function warningLabel(code: string): string {
  return WARNING_LABELS[code] ?? code.replace(/_/g, " ");
}

/**
 * The summary of one run on the run page (whose header shows the status badge): trigger, created / started / finished times, pages fetched,
 * URLs listed and excluded, files and bytes written, the error (with its code and hint when the server sends them)
 * and the warnings of a partial run.
 */
export function RunSummary({ run }: { run: TRunDto & RunCauseFields }) {
  const p = run.progress;
  const warnings = run.warnings ?? [];
  return (
    <Card data-testid="run-summary" data-status={run.status} aria-label="Run summary">
      {run.status === "failed" && (
        <div className="px-5 pt-4">
          <Alert tone="error" title="The run failed" testId="run-error">
            <p>{run.error ?? "No error message was recorded."}</p>
            {run.errorHint && <p className="mt-1" data-testid="run-error-hint">{run.errorHint}</p>}
            {run.errorCode && (
              <p className="mt-1 text-xs">
                Code <code className="rounded bg-red-100 px-1 py-0.5 font-mono" data-testid="run-error-code">{run.errorCode}</code>
              </p>
            )}
          </Alert>
        </div>
      )}
      {run.status === "cancelled" && (
        <div className="px-5 pt-4">
          <Alert tone="warning" title="The run was cancelled">
            {run.error ?? "The previously published files are still served."}
          </Alert>
        </div>
      )}
      {warnings.length > 0 && (
        <div className="px-5 pt-4">
          <Alert tone="warning" title="This sitemap may be incomplete" testId="run-warnings">
            <ul className="list-disc space-y-0.5 pl-5">
              {warnings.map((w) => (
                <li key={w} data-warning={w}>
                  {warningLabel(w)}
                </li>
              ))}
            </ul>
          </Alert>
        </div>
      )}
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
          <span data-testid="summary-trigger">{TRIGGER_LABEL[run.trigger] ?? run.trigger}</span>
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
