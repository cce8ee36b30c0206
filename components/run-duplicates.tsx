"use client";
/**
 * The duplicate clusters of a run on its page (GET /api/v1/runs/{id}/duplicates, docs/api-core.md "Duplicates"): URLs
 * whose main content is identical, largest cluster first, 10 clusters a page (server-side keyset pages, Previous /
 * Next), each with its first 10 URLs in the kept order (most inlinks, shortest, byte order). The first is the URL
 * `collapseDuplicates` lists: with the setting on it is marked *Listed, kept* and the others are left out as
 * duplicates; with it off every URL keeps its own result and the first is marked *Would be kept*. A cluster with more
 * URLs links to the URL table filtered by it (`?cluster=`).
 */
import Link from "next/link";
import { useState } from "react";
import { exclusionLabel, formatCount } from "@/lib/client/format";
import { runPageHref, RUN_DUPLICATE_MEMBERS, shortUrl, useRunDuplicates, type TDuplicateClusterDto } from "@/lib/client/run-urls";
import { LoadingRows, QueryError } from "./query-states";
import { Badge } from "./ui/badge";
import { Card, CardHeader } from "./ui/card";
import { CursorPager } from "./ui/cursor-pager";

/** The badge of one URL of a cluster: kept (or would be), listed, or its reason. */
function MemberResult({ m, kept, collapse }: { m: TDuplicateClusterDto["urls"][number]; kept: boolean; collapse: boolean }) {
  if (kept) return <Badge tone="green">{collapse ? "Listed, kept" : m.listed ? "Listed · would be kept" : "Would be kept"}</Badge>;
  if (m.listed) return <Badge tone="green">Listed</Badge>;
  return <Badge tone="gray">{m.reason ? exclusionLabel(m.reason).label : "Left out"}</Badge>;
}

/** One cluster: its size, how many the run lists, its URLs. */
function Cluster({ c, runId, origin, collapse }: { c: TDuplicateClusterDto; runId: string; origin: string | null; collapse: boolean }) {
  return (
    <li className="px-5 py-3" data-testid="run-duplicate-cluster" data-cluster={c.id} data-size={c.size}>
      <div className="flex flex-wrap items-baseline justify-between gap-2 text-sm">
        <span className="font-medium text-slate-800">
          {formatCount(c.size)} URLs with the same content
          <span className="ml-2 font-normal text-slate-500">
            {formatCount(c.listed)} listed · <span className="font-mono text-xs" title={`Cluster id (main-content sha256) ${c.id}`}>{c.id.slice(0, 12)}</span>
          </span>
        </span>
        {c.size > c.urls.length && (
          <Link href={runPageHref(runId, { cluster: c.id })} className="text-xs font-medium text-indigo-600 hover:text-indigo-500" data-testid="run-duplicate-all">
            All {formatCount(c.size)} in the URL table →
          </Link>
        )}
      </div>
      <ul className="mt-2 space-y-1">
        {c.urls.map((m) => (
          <li key={m.url} className="flex min-w-0 items-center gap-3 text-sm" data-testid="run-duplicate-url" data-url={m.url} data-kept={String(m.url === c.kept)}>
            <span className="w-40 shrink-0">
              <MemberResult m={m} kept={m.url === c.kept} collapse={collapse} />
            </span>
            <a href={m.url} target="_blank" rel="noreferrer" className="truncate font-mono text-[13px] text-slate-800 hover:text-indigo-600" title={m.url}>
              {shortUrl(m.url, origin)}
            </a>
            <span className="ml-auto shrink-0 text-xs tabular-nums text-slate-500">
              {formatCount(m.inlinks)} inlinks · depth {m.depth}
            </span>
          </li>
        ))}
      </ul>
    </li>
  );
}

/** The duplicates section of a run page. `collapse`: the sitemap's collapseDuplicates setting (null while unknown). */
export function RunDuplicates({ runId, origin, collapse }: { runId: string; origin: string | null; collapse: boolean | null }) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1];
  const q = useRunDuplicates(runId, cursor, true);
  const clusters = q.data?.data ?? [];
  const description =
    collapse === true
      ? "URLs whose main content is identical. Collapse duplicates is on: each cluster lists one URL (most inlinks, then the shortest); the others are left out as duplicates."
      : "URLs whose main content is identical. Collapse duplicates is off: all of them keep their own result. Turned on in the sitemap's settings, each cluster would list only the URL marked as kept.";

  return (
    <Card id="run-duplicates" aria-labelledby="run-duplicates-title" className="scroll-mt-20" data-testid="run-duplicates">
      <CardHeader id="run-duplicates-title" title="Duplicates" description={description} />
      {q.isPending ? (
        <LoadingRows rows={3} label="Loading duplicate clusters" />
      ) : q.error ? (
        <QueryError error={q.error} onRetry={() => q.refetch()} testId="run-duplicates-error" />
      ) : clusters.length === 0 && cursors.length === 1 ? (
        <p className="px-5 py-6 text-sm text-slate-500" data-testid="run-duplicates-empty">
          No duplicates: no two URLs of this run have the same main content.
        </p>
      ) : (
        <>
          <ul className="divide-y divide-slate-100" aria-busy={q.isFetching || undefined}>
            {clusters.map((c) => (
              <Cluster key={c.id} c={c} runId={runId} origin={origin} collapse={collapse === true} />
            ))}
          </ul>
          <p className="px-5 pb-1 text-xs text-slate-400">Largest clusters first; up to {RUN_DUPLICATE_MEMBERS} URLs of each, the kept one first.</p>
          <CursorPager
            page={cursors.length}
            hasNext={!!q.data?.next_cursor && !q.isPlaceholderData}
            onPrevious={() => setCursors((c) => c.slice(0, -1))}
            onNext={() => {
              const next = q.data?.next_cursor;
              if (next) setCursors((c) => [...c, next]);
            }}
            label="Duplicate cluster pages"
            testId="run-duplicates-page"
          />
        </>
      )}
    </Card>
  );
}
