"use client";
import Link from "next/link";
import { useState } from "react";
import { PageHeader } from "@/components/page-header";
import { LoadingRows, QueryError, TableShell } from "@/components/query-states";
import { runTriggerLabel, TRIGGER_LABEL } from "@/components/run-history";
import { RunCauseLine, RunWarningsBadge } from "@/components/run-outcome";
import { RunStatusBadge } from "@/components/run-status-badge";
import { ScheduleOverviewCard } from "@/components/schedule-overview";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { CursorPager } from "@/components/ui/cursor-pager";
import { Card } from "@/components/ui/card";
import { inputClass } from "@/components/ui/field";
import { errorMessage } from "@/lib/client/api";
import { formatCount, formatDateTime, formatDuration, formatRelative, runDurationMs } from "@/lib/client/format";
import { runPageHref } from "@/lib/client/run-urls";
import { useCancelRun, useRunsLog, type RunFilters } from "@/lib/client/runs";
import { useSitemaps } from "@/lib/client/sitemaps";
import { isActiveRun, RUN_STATUSES, RUN_TRIGGERS } from "@/lib/schemas/runs";

const DEFAULT_FILTERS: RunFilters = { status: "", trigger: "", sitemapId: "", from: "", to: "", sort: "createdAt:desc", size: 20 };

/** A filter control with its label above; the label names the control by id (not by wrapping, which would add the options' text to its name). */
function Filter({ id, label, children }: { id: string; label: string; children: React.ReactNode }) {
  return (
    <div className="flex min-w-0 flex-col gap-1">
      <label htmlFor={id} className="text-xs font-medium text-slate-500">
        {label}
      </label>
      {children}
    </div>
  );
}

/**
 * The runs log of every sitemap (GET /api/v1/runs): filters by status, trigger, sitemap and creation date (UTC days),
 * sort, page size, cursor pagination (a stack of cursors for Previous), and Cancel for queued or running runs.
 */
export default function RunsPage() {
  const [filters, setFilters] = useState<RunFilters>(DEFAULT_FILTERS);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1];
  const log = useRunsLog(filters, cursor);
  const sitemaps = useSitemaps();
  const cancel = useCancelRun();
  const names = new Map((sitemaps.data ?? []).map((s) => [s.id, s.name]));

  const setFilter = <K extends keyof RunFilters>(k: K, v: RunFilters[K]) => {
    setFilters((f) => ({ ...f, [k]: v }));
    setCursors([null]); // a new filter starts at the first page
  };
  const filtered = JSON.stringify({ ...filters, sort: "", size: 0 }) !== JSON.stringify({ ...DEFAULT_FILTERS, sort: "", size: 0 });
  const select = inputClass(false, "pr-8");

  return (
    <>
      <PageHeader title="Runs" description="Every crawl and export of your sitemaps, newest first." />
      <Card className="mb-4 p-4">
        <form className="grid grid-cols-2 gap-3 sm:grid-cols-4" aria-label="Filter runs" onSubmit={(e) => e.preventDefault()}>
          <Filter id="runs-filter-status" label="Status">
            <select id="runs-filter-status" className={select} value={filters.status} onChange={(e) => setFilter("status", e.target.value)}>
              <option value="">Any status</option>
              {RUN_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </Filter>
          <Filter id="runs-filter-trigger" label="Trigger">
            <select id="runs-filter-trigger" className={select} value={filters.trigger} onChange={(e) => setFilter("trigger", e.target.value)}>
              <option value="">Any trigger</option>
              {RUN_TRIGGERS.map((t) => (
                <option key={t} value={t}>
                  {TRIGGER_LABEL[t] ?? t}
                </option>
              ))}
            </select>
          </Filter>
          <Filter id="runs-filter-sitemap" label="Sitemap">
            <select id="runs-filter-sitemap" className={select} value={filters.sitemapId} onChange={(e) => setFilter("sitemapId", e.target.value)}>
              <option value="">All sitemaps</option>
              {(sitemaps.data ?? []).map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          </Filter>
          <Filter id="runs-filter-from" label="From (UTC)">
            <input id="runs-filter-from" type="date" className={inputClass()} value={filters.from} max={filters.to || undefined} onChange={(e) => setFilter("from", e.target.value)} />
          </Filter>
          <Filter id="runs-filter-to" label="To (UTC)">
            <input id="runs-filter-to" type="date" className={inputClass()} value={filters.to} min={filters.from || undefined} onChange={(e) => setFilter("to", e.target.value)} />
          </Filter>
          <Filter id="runs-filter-order" label="Order">
            <select id="runs-filter-order" className={select} value={filters.sort} onChange={(e) => setFilter("sort", e.target.value as RunFilters["sort"])}>
              <option value="createdAt:desc">Newest first</option>
              <option value="createdAt:asc">Oldest first</option>
            </select>
          </Filter>
          <Filter id="runs-filter-size" label="Per page">
            <select id="runs-filter-size" className={select} value={filters.size} onChange={(e) => setFilter("size", Number(e.target.value))}>
              {[5, 10, 20, 50, 100].map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </Filter>
        </form>
        {filtered && (
          <button type="button" className="mt-3 text-xs font-medium text-indigo-600 hover:text-indigo-500" onClick={() => { setFilters((f) => ({ ...DEFAULT_FILTERS, sort: f.sort, size: f.size })); setCursors([null]); }}>
            Clear filters
          </button>
        )}
      </Card>

      {cancel.error && (
        <Alert className="mb-4" testId="cancel-error">
          {errorMessage(cancel.error)}
        </Alert>
      )}

      <Card>
        {log.isPending ? (
          <LoadingRows rows={5} label="Loading runs" />
        ) : log.error ? (
          <QueryError error={log.error} onRetry={() => log.refetch()} testId="runs-error" />
        ) : log.data.data.length === 0 ? (
          <p className="px-5 py-10 text-center text-sm text-slate-500" data-testid="runs-empty">
            {filtered ? "No runs match these filters." : "No runs yet. Generate a sitemap to see its runs here."}
          </p>
        ) : (
          <TableShell testId="runs-table" caption="Runs" busy={log.isFetching} head={<>
                  <th scope="col" className="px-5 py-3 font-medium">Run</th>
                  <th scope="col" className="px-4 py-3 font-medium">Sitemap</th>
                  <th scope="col" className="px-4 py-3 font-medium">Status</th>
                  <th scope="col" className="px-4 py-3 font-medium">Trigger</th>
                  <th scope="col" className="px-4 py-3 font-medium">Created</th>
                  <th scope="col" className="px-4 py-3 text-right font-medium">Duration</th>
                  <th scope="col" className="px-4 py-3 text-right font-medium">Pages</th>
                  <th scope="col" className="px-4 py-3 text-right font-medium">Listed</th>
                  <th scope="col" className="px-5 py-3"><span className="sr-only">Actions</span></th>
          </>}>
                {log.data.data.map((r) => (
                  <tr key={r.id} data-testid="run-row" data-run-id={r.id} data-status={r.status} data-trigger={r.trigger}>
                    <td className="px-5 py-3 tabular-nums">
                      <Link href={runPageHref(r.id)} className="font-medium text-indigo-700 hover:text-indigo-500 hover:underline" data-testid="run-link" aria-label={`Run #${r.number} details`}>
                        #{r.number}
                      </Link>
                    </td>
                    <td className="max-w-[14rem] truncate px-4 py-3">
                      <Link href={`/dashboard/sitemaps/${r.sitemapId}`} className="font-medium text-slate-800 hover:text-indigo-600" data-testid="run-sitemap">
                        {names.get(r.sitemapId) ?? r.sitemapId}
                      </Link>
                    </td>
                    <td className="px-4 py-3">
                      <span className="inline-flex items-center gap-2">
                        <RunStatusBadge status={r.status} />
                        <RunWarningsBadge run={r} />
                      </span>
                      {r.cancelRequestedAt && isActiveRun(r) && <div className="mt-1 text-xs text-amber-700">Cancel requested</div>}
                      <RunCauseLine run={r} />
                    </td>
                    <td className="px-4 py-3 text-slate-600">{runTriggerLabel(r)}</td>
                    <td className="px-4 py-3 whitespace-nowrap text-slate-600" title={formatDateTime(r.createdAt)}>
                      {formatRelative(r.createdAt)}
                    </td>
                    <td className="px-4 py-3 text-right tabular-nums text-slate-600">{r.finishedAt ? formatDuration(runDurationMs(r)) : "—"}</td>
                    <td className="px-4 py-3 text-right tabular-nums text-slate-700">{formatCount(r.progress.pagesFetched)}</td>
                    <td className="px-4 py-3 text-right tabular-nums text-slate-700">{formatCount(r.progress.urlsListed)}</td>
                    <td className="px-5 py-3 text-right">
                      {isActiveRun(r) && (
                        <Button
                          size="sm"
                          variant="secondary"
                          disabled={Boolean(r.cancelRequestedAt) || (cancel.isPending && cancel.variables === r.id)}
                          onClick={() => cancel.mutate(r.id)}
                          aria-label={`Cancel run #${r.number}`}
                          data-testid="cancel-run"
                        >
                          Cancel
                        </Button>
                      )}
                    </td>
                  </tr>
                ))}
          </TableShell>
        )}
        <CursorPager
          page={cursors.length}
          hasNext={!!log.data?.next_cursor && !log.isPlaceholderData}
          onPrevious={() => setCursors((c) => c.slice(0, -1))}
          onNext={() => log.data?.next_cursor && setCursors((c) => [...c, log.data!.next_cursor])}
          label="Pagination"
          testId="runs-page"
        />
      </Card>
      <ScheduleOverviewCard />
    </>
  );
}
