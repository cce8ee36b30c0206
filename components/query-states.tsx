import type { ReactNode } from "react";
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

type ListQuery<T> = { data?: T[]; error: unknown; isPending: boolean; refetch: () => unknown };

/**
 * The states of a list query in one place: placeholder rows while it loads, the error with a retry, `empty` when the
 * list has no item, else `children(items)`.
 */
export function ListStates<T>({ query, loadingLabel, rows, empty, children }: { query: ListQuery<T>; loadingLabel: string; rows?: number; empty: ReactNode; children: (items: T[]) => ReactNode }) {
  if (query.isPending) return <LoadingRows rows={rows} label={loadingLabel} />;
  if (query.error || !query.data) return <QueryError error={query.error} onRetry={() => query.refetch()} />;
  if (query.data.length === 0) return <>{empty}</>;
  return <>{children(query.data)}</>;
}

/** A dashboard table: horizontal scroll, a screen-reader caption, the header row style, row dividers. */
export function TableShell({ testId, caption, head, busy, children }: { testId: string; caption: string; head: ReactNode; busy?: boolean; children: ReactNode }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm" data-testid={testId} aria-busy={busy || undefined}>
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr className="border-b border-slate-100 text-left text-xs font-medium uppercase tracking-wide text-slate-500">{head}</tr>
        </thead>
        <tbody className="divide-y divide-slate-100">{children}</tbody>
      </table>
    </div>
  );
}
