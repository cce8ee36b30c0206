import type { TRunDto } from "@/lib/schemas/runs";
import { warningMessage } from "@/lib/core/run-outcome";
import { Alert } from "./ui/alert";
import { Badge } from "./ui/badge";

type RunOutcomeFields = Pick<TRunDto, "status" | "error" | "errorCode" | "errorHint" | "errorDetail" | "warnings" | "excludedByReason">;

/** The warnings of a run as sentences (lib/core/run-outcome.ts RUN_WARNINGS, with the run's counts). */
export const runWarningTexts = (run: Pick<TRunDto, "warnings" | "excludedByReason">): string[] =>
  run.warnings.map((w) => warningMessage(w, run.excludedByReason));

/**
 * An amber "Incomplete" badge beside a succeeded run's status badge when the crawl stopped early (maxPages, maxDepth,
 * trap caps, time budget); the warnings are its tooltip. Nothing for a complete run.
 */
export function RunWarningsBadge({ run }: { run: Pick<TRunDto, "status" | "warnings" | "excludedByReason"> }) {
  if (run.status !== "succeeded" || run.warnings.length === 0) return null;
  const texts = runWarningTexts(run);
  return (
    <span title={texts.join("\n")} data-testid="run-warnings-badge" data-warnings={run.warnings.join(" ")}>
      <Badge tone="amber">
        <span aria-hidden="true">⚠</span> Incomplete
      </Badge>
      <span className="sr-only">{texts.join(" ")}</span>
    </span>
  );
}

/** One line under a failed run's status badge in a table: the code and the message, the hint as tooltip. */
export function RunCauseLine({ run }: { run: RunOutcomeFields }) {
  if (run.status !== "failed" || !run.error) return null;
  const title = [run.error, run.errorHint].filter(Boolean).join("\n");
  return (
    <div className="mt-1 max-w-xs truncate text-xs text-red-600" title={title} data-testid="run-cause" data-code={run.errorCode ?? ""}>
      {run.errorCode && <code className="mr-1 font-mono">{run.errorCode}</code>}
      {run.error}
    </div>
  );
}

/**
 * The full story of a finished run: why it failed (message, code, hint, and the facts that help — the suggested start
 * URL of a redirect off the origin, the top reasons of an all-excluded crawl), or the warnings of a truncated one.
 */
export function RunOutcomeAlerts({ run }: { run: RunOutcomeFields }) {
  if (run.status === "failed") {
    const d = run.errorDetail ?? {};
    const suggested = typeof d.suggestedStartUrl === "string" ? d.suggestedStartUrl : null;
    const top = Array.isArray(d.topReasons) ? (d.topReasons as { reason: string; count: number }[]) : [];
    return (
      <Alert tone="error" title="The run failed" testId="run-error">
        <p>{run.error ?? "No error message was recorded."}</p>
        {run.errorHint && (
          <p className="mt-1" data-testid="run-error-hint">
            <span className="font-medium">What to do: </span>
            {run.errorHint}
          </p>
        )}
        {suggested && (
          <p className="mt-1">
            Suggested start URL: <code className="font-mono break-all" data-testid="run-error-suggested-start-url">{suggested}</code>
          </p>
        )}
        {top.length > 0 && (
          <p className="mt-1">
            Top reasons: {top.map((t) => `${t.reason} (${t.count})`).join(", ")}
          </p>
        )}
        {run.errorCode && (
          <p className="mt-1 text-xs opacity-80">
            Code <code className="font-mono" data-testid="run-error-code">{run.errorCode}</code>
          </p>
        )}
      </Alert>
    );
  }
  if (run.status === "succeeded" && run.warnings.length > 0) {
    return (
      <Alert tone="warning" title="This sitemap may be incomplete" testId="run-warnings">
        <ul className="list-disc pl-5">
          {run.warnings.map((w, i) => (
            <li key={w} data-warning={w}>
              {runWarningTexts(run)[i]}
            </li>
          ))}
        </ul>
      </Alert>
    );
  }
  return null;
}
