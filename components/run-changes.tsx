"use client";
import { useState } from "react";
import { formatCount } from "@/lib/client/format";
import { shortUrl, useRunChanges, type ChangeKind } from "@/lib/client/run-urls";
import type { TRunDto } from "@/lib/schemas/runs";
import { LoadingRows, QueryError } from "./query-states";
import { CursorPager } from "./ui/cursor-pager";
import { Card, CardHeader } from "./ui/card";
import { cn } from "./ui/cn";

const KINDS: { kind: ChangeKind; label: string; hint: string }[] = [
  { kind: "added", label: "Added", hint: "Listed now, not in the previously published sitemap." },
  { kind: "removed", label: "Removed", hint: "In the previously published sitemap, not listed now." },
  { kind: "changed", label: "Changed", hint: "Listed in both; the page's main content differs." },
];

/**
 * The diff of a run against the sitemap that was published when it crawled (GET /api/v1/runs/{id}/changes): a tab per
 * kind (added, removed, changed) with its count from the run, and that kind's URLs in URL order, 20 per page.
 * A first run lists every URL as added. Nothing is fetched while the run is active (the diff is computed at its end).
 */
export function RunChanges({ run, origin }: { run: TRunDto; origin: string | null }) {
  const first = KINDS.find((k) => run.diff[k.kind] > 0)?.kind ?? "added";
  const [kind, setKind] = useState<ChangeKind>(first);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const active = run.status === "queued" || run.status === "running";
  const total = run.diff.added + run.diff.removed + run.diff.changed;
  const list = useRunChanges(run.id, kind, cursors[cursors.length - 1], !active && run.diff[kind] > 0);
  const current = KINDS.find((k) => k.kind === kind)!;

  return (
    <Card aria-labelledby="run-changes-title" data-testid="run-changes">
      <CardHeader id="run-changes-title" title="Changes" description="Compared with the sitemap that was published when this run crawled." />
      {active ? (
        <p className="px-5 py-6 text-sm text-slate-500">The changes are known when the run has finished.</p>
      ) : total === 0 ? (
        <p className="px-5 py-6 text-sm text-slate-500" data-testid="run-changes-none">
          {run.status === "succeeded" ? "No URL was added, removed or changed." : "No changes were recorded: the run ended before its crawl was compared."}
        </p>
      ) : (
        <>
          <div className="flex gap-1 border-b border-slate-100 px-3 pt-2" role="tablist" aria-label="Kind of change">
            {KINDS.map((k) => (
              <button
                key={k.kind}
                type="button"
                role="tab"
                aria-selected={k.kind === kind}
                data-testid={`run-changes-tab-${k.kind}`}
                className={cn(
                  "-mb-px border-b-2 px-3 py-2 text-sm font-medium",
                  k.kind === kind ? "border-indigo-600 text-indigo-700" : "border-transparent text-slate-500 hover:text-slate-800",
                )}
                onClick={() => {
                  setKind(k.kind);
                  setCursors([null]);
                }}
              >
                {k.label} <span className="tabular-nums text-slate-400" data-testid={`run-changes-count-${k.kind}`}>{formatCount(run.diff[k.kind])}</span>
              </button>
            ))}
          </div>
          <div role="tabpanel" aria-label={`${current.label} URLs`}>
            <p className="px-5 pt-3 text-xs text-slate-500">{current.hint}</p>
            {run.diff[kind] === 0 ? (
              <p className="px-5 py-6 text-sm text-slate-500">None.</p>
            ) : list.isPending ? (
              <LoadingRows rows={4} label="Loading changes" />
            ) : list.error ? (
              <QueryError error={list.error} onRetry={() => list.refetch()} />
            ) : (
              <ul className="divide-y divide-slate-100 px-5 py-2" data-testid="run-changes-list" aria-busy={list.isFetching || undefined}>
                {list.data.data.map((c) => (
                  <li key={c.url} className="truncate py-1.5 font-mono text-[13px]" data-testid="run-change" data-kind={c.kind} title={c.url}>
                    <a href={c.url} target="_blank" rel="noreferrer" className="text-slate-800 hover:text-indigo-600">
                      {shortUrl(c.url, origin)}
                    </a>
                  </li>
                ))}
              </ul>
            )}
            {run.diff[kind] > 0 && (
              <CursorPager
                page={cursors.length}
                hasNext={!!list.data?.next_cursor && !list.isPlaceholderData}
                onPrevious={() => setCursors((c) => c.slice(0, -1))}
                onNext={() => list.data?.next_cursor && setCursors((c) => [...c, list.data!.next_cursor])}
                label="Change pages"
                testId="run-changes-page"
              />
            )}
          </div>
        </>
      )}
    </Card>
  );
}
