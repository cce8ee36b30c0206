"use client";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useMemo, useState } from "react";
import { exclusionLabel, formatCount, formatDateTime } from "@/lib/client/format";
import {
  reasonDetail,
  runUrlFiltersFrom,
  runUrlFiltersSearch,
  runUrlsCsvHref,
  RUN_URL_SORTS,
  shortUrl,
  useRunUrls,
  type RunUrlFilters,
} from "@/lib/client/run-urls";
import { ExternalIcon } from "./icons";
import { LoadingRows, QueryError, TableShell } from "./query-states";
import { Badge } from "./ui/badge";
import { buttonClass } from "./ui/button";
import { CursorPager } from "./ui/cursor-pager";
import { Card, CardHeader } from "./ui/card";
import { inputClass } from "./ui/field";

/** Typing in the text filters updates the table (and the page URL) after this pause, in ms. */
const TYPE_DEBOUNCE_MS = 300;

/** The select value of the "Result" filter: "", "listed", "excluded" or "reason:<reason>". */
const resultValue = (f: RunUrlFilters) => (f.reason ? `reason:${f.reason}` : f.listed);

/**
 * The URL inventory of a run (GET /api/v1/runs/{id}/urls): server-side pages of 50 (Previous / Next over keyset
 * cursors), in URL order or by inlinks, depth or status; filters (result: listed, left out or one reason; HTTP
 * status; URL contains) kept, with the order, in the page's query string so that links can open it filtered; a
 * "found on" link per row (filters the table to that page's URL); a duplicate's "same content" link (filters the
 * table to its duplicate cluster, `?cluster=`); the CSV download of every URL under the same
 * filters. `reasons` lists the run's exclusion reasons (for the
 * filter's options); `origin` shortens same-origin URLs for display.
 */
export function RunUrlTable({ runId, active, reasons, origin }: { runId: string; active: boolean; reasons: string[]; origin: string | null }) {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const filters = useMemo(() => runUrlFiltersFrom(new URLSearchParams(searchParams.toString())), [searchParams]);
  const filterKey = runUrlFiltersSearch(filters);

  // Text inputs are local while typing and reach the URL after a pause; a URL change from elsewhere (a link, Back)
  // replaces what was typed (state adjusted during render, React's pattern for props-derived state).
  const [typed, setTyped] = useState({ q: filters.q, status: filters.status });
  const [seenKey, setSeenKey] = useState(filterKey);
  if (seenKey !== filterKey) {
    setSeenKey(filterKey);
    if (typed.q.trim() !== filters.q || typed.status !== filters.status) setTyped({ q: filters.q, status: filters.status });
  }
  const { q, status } = typed;
  const statusInvalid = status !== "" && !/^\d{3}$/.test(status);

  const apply = (next: RunUrlFilters) => router.replace(`${pathname}${runUrlFiltersSearch(next)}`, { scroll: false });
  useEffect(() => {
    if ((q.trim() === filters.q && status === filters.status) || statusInvalid) return; // wait for a whole status code
    const t = setTimeout(() => apply({ ...filters, q, status }), TYPE_DEBOUNCE_MS);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `apply` is rebuilt each render; filters/q/status decide
  }, [q, status, statusInvalid, filters]);

  // Cursor stack for Previous; a new filter starts at the first page.
  const [pages, setPages] = useState<{ key: string; cursors: (string | null)[] }>({ key: filterKey, cursors: [null] });
  const cursors = pages.key === filterKey ? pages.cursors : [null];
  const cursor = cursors[cursors.length - 1];
  const list = useRunUrls(runId, filters, cursor, active);
  const filtered = runUrlFiltersSearch({ ...filters, sort: "" }) !== "";
  const select = inputClass(false, "pr-8");

  return (
    <Card id="run-urls" aria-labelledby="run-urls-title" className="scroll-mt-20">
      <CardHeader
        id="run-urls-title"
        title="URLs"
        description="Every URL this run met: listed in the sitemap, or left out with the reason."
        actions={
          <a href={runUrlsCsvHref(runId, filters)} className={buttonClass("secondary", "sm")} download data-testid="run-urls-csv">
            Download CSV
          </a>
        }
      />
      <form className="grid grid-cols-1 gap-3 border-b border-slate-100 px-5 py-4 sm:grid-cols-5" aria-label="Filter URLs" onSubmit={(e) => e.preventDefault()}>
        <div className="flex min-w-0 flex-col gap-1">
          <label htmlFor="run-urls-result" className="text-xs font-medium text-slate-500">
            Result
          </label>
          <select
            id="run-urls-result"
            className={select}
            value={resultValue(filters)}
            onChange={(e) => {
              const v = e.target.value;
              apply({ ...filters, q, status: statusInvalid ? "" : status, listed: v.startsWith("reason:") ? "excluded" : (v as RunUrlFilters["listed"]), reason: v.startsWith("reason:") ? v.slice(7) : "" });
            }}
          >
            <option value="">All URLs</option>
            <option value="listed">Listed</option>
            <option value="excluded">Left out (any reason)</option>
            <optgroup label="Left out because">
              {[...new Set([...reasons, ...(filters.reason ? [filters.reason] : [])])].map((r) => (
                <option key={r} value={`reason:${r}`}>
                  {exclusionLabel(r).label}
                </option>
              ))}
            </optgroup>
          </select>
        </div>
        <div className="flex min-w-0 flex-col gap-1">
          <label htmlFor="run-urls-status" className="text-xs font-medium text-slate-500">
            HTTP status
          </label>
          <input
            id="run-urls-status"
            inputMode="numeric"
            maxLength={3}
            placeholder="e.g. 404"
            className={inputClass(statusInvalid)}
            aria-invalid={statusInvalid || undefined}
            value={status}
            onChange={(e) => setTyped((t) => ({ ...t, status: e.target.value.trim() }))}
          />
        </div>
        <div className="flex min-w-0 flex-col gap-1">
          <label htmlFor="run-urls-sort" className="text-xs font-medium text-slate-500">
            Order
          </label>
          <select id="run-urls-sort" className={select} value={filters.sort || "url:asc"} onChange={(e) => apply({ ...filters, q, status: statusInvalid ? "" : status, sort: e.target.value as RunUrlFilters["sort"] })}>
            {RUN_URL_SORTS.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
        <div className="flex min-w-0 flex-col gap-1 sm:col-span-2">
          <label htmlFor="run-urls-q" className="text-xs font-medium text-slate-500">
            URL contains
          </label>
          <input id="run-urls-q" type="search" placeholder="/tutorial" className={inputClass()} value={q} onChange={(e) => setTyped((t) => ({ ...t, q: e.target.value }))} />
        </div>
      </form>
      {filtered && (
        <div className="flex items-center justify-between border-b border-slate-100 px-5 py-2 text-xs">
          <span className="text-slate-500" data-testid="run-urls-filtered">
            Filtered{filters.reason ? `: ${exclusionLabel(filters.reason).label}` : ""}
            {filters.cluster ? ` · duplicate cluster ${filters.cluster.slice(0, 12)}…` : ""}
          </span>
          <button type="button" className="font-medium text-indigo-600 hover:text-indigo-500" onClick={() => apply({ listed: "", reason: "", status: "", q: "", sort: filters.sort })}>
            Clear filters
          </button>
        </div>
      )}

      {list.isPending ? (
        <LoadingRows rows={6} label="Loading URLs" />
      ) : list.error ? (
        <QueryError error={list.error} onRetry={() => list.refetch()} testId="run-urls-error" />
      ) : list.data.data.length === 0 ? (
        <p className="px-5 py-10 text-center text-sm text-slate-500" data-testid="run-urls-empty">
          {filtered ? "No URLs match these filters." : active ? "No URLs recorded yet; they appear as the crawl goes." : "This run recorded no URLs."}
        </p>
      ) : (
        <TableShell
          testId="run-urls-table"
          caption="URLs of the run"
          busy={list.isFetching}
          head={
            <>
              <th scope="col" className="px-5 py-3 font-medium">URL</th>
              <th scope="col" className="px-4 py-3 text-right font-medium">Status</th>
              <th scope="col" className="px-4 py-3 font-medium">Result</th>
              <th scope="col" className="px-4 py-3 text-right font-medium">Depth</th>
              <th scope="col" className="px-4 py-3 font-medium">Found on</th>
              <th scope="col" className="px-4 py-3 text-right font-medium">Inlinks</th>
              <th scope="col" className="px-5 py-3 font-medium">Lastmod</th>
            </>
          }
        >
          {list.data.data.map((row) => {
            const detail = reasonDetail(row.detail);
            return (
              <tr key={row.url} data-testid="run-url-row" data-url={row.url} data-listed={String(row.listed)} data-reason={row.reason ?? ""} data-inlinks={row.inlinks}>
                <td className="max-w-[22rem] px-5 py-2.5">
                  <a href={row.url} target="_blank" rel="noreferrer" className="group inline-flex max-w-full items-center gap-1 font-mono text-[13px] text-slate-800 hover:text-indigo-600" title={row.url}>
                    <span className="truncate">{shortUrl(row.url, origin)}</span>
                    <ExternalIcon className="size-3 shrink-0 opacity-0 group-hover:opacity-100" />
                  </a>
                  {row.contentType && <div className="text-xs text-slate-400">{row.contentType}</div>}
                </td>
                <td className="px-4 py-2.5 text-right tabular-nums text-slate-700" data-testid="run-url-status">
                  {row.status ?? "—"}
                </td>
                <td className="max-w-[16rem] px-4 py-2.5">
                  {row.listed ? (
                    <Badge tone="green">Listed</Badge>
                  ) : (
                    <Badge tone="gray">{row.reason ? exclusionLabel(row.reason).label : "Left out"}</Badge>
                  )}
                  {detail && (
                    <div className="mt-0.5 truncate text-xs text-slate-500" title={detail} data-testid="run-url-detail">
                      {detail}
                    </div>
                  )}
                  {row.cluster && (
                    <Link
                      href={`${pathname}${runUrlFiltersSearch({ listed: "", reason: "", status: "", q: "", sort: filters.sort, cluster: row.cluster })}#run-urls`}
                      className="mt-0.5 block text-xs text-amber-700 hover:underline"
                      title={`Duplicate cluster ${row.cluster}: show its URLs`}
                      data-testid="run-url-duplicate"
                    >
                      Same content as other URLs
                    </Link>
                  )}
                </td>
                <td className="px-4 py-2.5 text-right tabular-nums text-slate-600">{row.depth}</td>
                <td className="max-w-[14rem] px-4 py-2.5">
                  {row.foundOn ? (
                    <div className="flex min-w-0 items-center gap-1">
                      {/* Filtering by the page's URL puts its own row first: every other match is longer. */}
                      <Link
                        href={`${pathname}${runUrlFiltersSearch({ listed: "", reason: "", status: "", q: row.foundOn })}#run-urls`}
                        className="truncate font-mono text-[13px] text-indigo-700 hover:underline"
                        title={`Found on ${row.foundOn}: show its row`}
                        data-testid="run-url-found-on"
                      >
                        {shortUrl(row.foundOn, origin)}
                      </Link>
                      <a href={row.foundOn} target="_blank" rel="noreferrer" className="shrink-0 text-slate-400 hover:text-indigo-600" aria-label={`Open ${row.foundOn}`}>
                        <ExternalIcon className="size-3" />
                      </a>
                    </div>
                  ) : (
                    <span className="text-slate-400">{row.depth === 0 ? "start URL" : "—"}</span>
                  )}
                </td>
                <td className="px-4 py-2.5 text-right tabular-nums text-slate-600">{formatCount(row.inlinks)}</td>
                <td className="px-5 py-2.5 whitespace-nowrap text-slate-600">
                  {row.lastmod ? formatDateTime(row.lastmod) : "—"}
                  {row.lastmod && row.lastmodSource && <div className="text-xs text-slate-400">from {row.lastmodSource}</div>}
                </td>
              </tr>
            );
          })}
        </TableShell>
      )}
      <CursorPager
        page={cursors.length}
        hasNext={!!list.data?.next_cursor && !list.isPlaceholderData}
        onPrevious={() => setPages({ key: filterKey, cursors: cursors.slice(0, -1) })}
        onNext={() => list.data?.next_cursor && setPages({ key: filterKey, cursors: [...cursors, list.data.next_cursor] })}
        label="URL pages"
        testId="run-urls-page"
      />
    </Card>
  );
}
