import { errorMessage } from "@/lib/client/api";
import { Alert } from "./ui/alert";
import { Button } from "./ui/button";

/** Grey placeholder rows while a query loads. */
export function LoadingRows({ rows = 3, label = "Loading…" }: { rows?: number; label?: string }) {
  return (
    <div className="space-y-3 p-5" aria-busy="true" aria-label={label}>
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} className="h-5 animate-pulse rounded bg-slate-100" style={{ width: `${90 - i * 12}%` }} />
      ))}
    </div>
  );
}

export function QueryError({ error, onRetry, testId }: { error: unknown; onRetry?: () => void; testId?: string }) {
  return (
    <Alert tone="error" title="Could not load this" testId={testId} className="m-5">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <span>{errorMessage(error)}</span>
        {onRetry && (
          <Button size="sm" variant="secondary" onClick={onRetry}>
            Try again
          </Button>
        )}
      </div>
    </Alert>
  );
}
