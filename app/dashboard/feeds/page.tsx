"use client";
import Link from "next/link";
import { EmptyState } from "@/components/empty-state";
import { PlusIcon, SitemapIcon } from "@/components/icons";
import { PageHeader } from "@/components/page-header";
import { ListStates, TableShell } from "@/components/query-states";
import { FeedStatusBadge } from "@/components/feed-status-badge";
import { ButtonLink } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { formatCount, formatDateTime, formatRelative } from "@/lib/client/format";
import { useFeeds } from "@/lib/client/feeds";

/** The account's RSS/Atom feeds (GET /api/v1/feeds). */
export default function FeedsPage() {
  const query = useFeeds();
  const { data } = query;
  const add = (
    <ButtonLink href="/dashboard/feeds/new" data-testid="add-feed">
      <PlusIcon /> New feed
    </ButtonLink>
  );
  return (
    <>
      <PageHeader title="Feeds" description="RSS and Atom feeds built from the links of a page, refreshed every hour." actions={data && data.length > 0 ? add : undefined} />
      <Card>
        <ListStates query={query} rows={3} loadingLabel="Loading feeds" empty={
          <EmptyState
            testId="feeds-empty"
            icon={<SitemapIcon />}
            title="No feeds yet"
            description="Point a feed at a blog or news index page; its links become the items."
            action={add}
          />
        }>
          {(data) => (
            <TableShell testId="feeds-table" caption="Your feeds" head={<>
                  <th scope="col" className="px-5 py-3 font-medium">Feed</th>
                  <th scope="col" className="px-4 py-3 font-medium">Status</th>
                  <th scope="col" className="px-4 py-3 font-medium">Format</th>
                  <th scope="col" className="px-4 py-3 text-right font-medium">Items</th>
                  <th scope="col" className="px-5 py-3 font-medium">Last refresh</th>
            </>}>
                {data.map((f) => (
                  <tr key={f.id} data-testid="feed-row" className="hover:bg-slate-50/60">
                    <td className="max-w-md px-5 py-3">
                      <Link href={`/dashboard/feeds/${f.id}`} className="font-medium text-slate-900 hover:text-indigo-600">
                        {f.name}
                      </Link>
                      {!f.active && <span className="ml-2 text-xs font-medium text-amber-700">Inactive</span>}
                      <div className="truncate text-xs text-slate-500">{f.foundUrl}</div>
                    </td>
                    <td className="px-4 py-3">
                      <FeedStatusBadge status={f.status} />
                    </td>
                    <td className="px-4 py-3 text-slate-600 uppercase">{f.format}</td>
                    <td className="px-4 py-3 text-right tabular-nums text-slate-700" data-testid="feed-items">
                      {formatCount(f.itemCount)}
                    </td>
                    <td className="px-5 py-3 whitespace-nowrap text-slate-500" title={formatDateTime(f.lastRefreshAt)}>
                      {f.lastRefreshAt ? formatRelative(f.lastRefreshAt) : "Never"}
                    </td>
                  </tr>
                ))}
            </TableShell>
          )}
        </ListStates>
      </Card>
    </>
  );
}
