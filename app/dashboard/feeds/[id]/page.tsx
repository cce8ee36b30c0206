"use client";
import Link from "next/link";
import { useParams, useRouter } from "next/navigation";
import { useState } from "react";
import { CopyButton } from "@/components/copy-button";
import { FeedForm } from "@/components/feed-form";
import { FeedStatusBadge } from "@/components/feed-status-badge";
import { ExternalIcon } from "@/components/icons";
import { PageHeader } from "@/components/page-header";
import { ResourceNotFound } from "@/components/not-found-state";
import { LoadingRows, QueryError } from "@/components/query-states";
import { Stat } from "@/components/stat";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { errorMessage, isNotFound } from "@/lib/client/api";
import { useDeleteFeed, useFeed, useFeedItems, useRefreshFeed, useUpdateFeed } from "@/lib/client/feeds";
import { formatCount, formatDateTime, formatRelative } from "@/lib/client/format";

/** One feed: refresh (polled while running), download and public URL, its items, settings, delete. */
export default function FeedPage() {
  const { id } = useParams<{ id: string }>();
  const router = useRouter();
  const feed = useFeed(id);
  const items = useFeedItems(id);
  const refresh = useRefreshFeed(id);
  const update = useUpdateFeed(id);
  const remove = useDeleteFeed();
  const [editing, setEditing] = useState(false);
  const [confirm, setConfirm] = useState(false);
  const f = feed.data;

  if (feed.isPending) return <Card><LoadingRows rows={5} label="Loading feed" /></Card>;
  if (isNotFound(feed.error)) return <ResourceNotFound what="feed" backHref="/dashboard/feeds" backLabel="Back to feeds" testId="feed-not-found" />;
  if (feed.error || !f) return <Card><QueryError error={feed.error} onRetry={() => feed.refetch()} /></Card>;
  const running = f.status === "running";
  const published = f.lastRefreshAt !== null && f.itemCount > 0;

  return (
    <div className="space-y-6">
      <PageHeader
        eyebrow={
          <Link href="/dashboard/feeds" className="hover:text-slate-700">
            ← Feeds
          </Link>
        }
        title={<span data-testid="feed-title">{f.name}</span>}
        description={
          <a href={f.foundUrl} target="_blank" rel="noreferrer" className="inline-flex items-center gap-1 hover:text-slate-700">
            {f.foundUrl} <ExternalIcon />
          </a>
        }
        actions={
          <>
            <Button variant="ghost" onClick={() => setConfirm(true)} data-testid="delete-feed">
              Delete
            </Button>
            <Button variant="secondary" onClick={() => setEditing((e) => !e)} aria-expanded={editing} data-testid="edit-feed">
              {editing ? "Close settings" : "Settings"}
            </Button>
            {published && (
              <a href={f.fileUrl} download className="inline-flex h-9 items-center rounded-lg bg-white px-4 text-sm font-medium text-slate-700 shadow-sm ring-1 ring-inset ring-slate-300 hover:bg-slate-50" data-testid="feed-download">
                Download
              </a>
            )}
            <Button onClick={() => refresh.mutate()} loading={refresh.isPending || running} disabled={!f.active} title={!f.active ? "Activate the feed to refresh it" : undefined} data-testid="refresh-feed">
              {running ? "Refreshing…" : "Refresh now"}
            </Button>
          </>
        }
      />
      {(refresh.error || remove.error) && <Alert testId="feed-action-error">{errorMessage(refresh.error ?? remove.error)}</Alert>}
      {f.status === "failed" && f.lastError && (
        <Alert tone="error" title="The last refresh failed" testId="feed-last-error">
          {f.lastError}
        </Alert>
      )}

      <Card className="grid gap-6 p-5 sm:grid-cols-4">
        <dl className="contents">
          <Stat label="Status" value={<FeedStatusBadge status={f.status} testId="feed-status" />} />
          <Stat label="Items" value={formatCount(f.itemCount)} testId="feed-item-count" />
          <Stat label="Last refresh" value={f.lastRefreshAt ? formatRelative(f.lastRefreshAt) : "Never"} sub={f.lastRefreshAt ? formatDateTime(f.lastRefreshAt) : undefined} />
          <Stat label="Last cost" value={`${formatCount(f.lastCost)} credit${f.lastCost === 1 ? "" : "s"}`} sub={`${f.format.toUpperCase()} · ${f.encoding}`} />
        </dl>
      </Card>

      <Card className="flex flex-wrap items-center gap-3 px-5 py-3.5">
        <span className="text-xs font-medium uppercase tracking-wide text-slate-500">Public feed URL</span>
        <a href={f.publicUrl} target="_blank" rel="noreferrer" className="min-w-0 flex-1 truncate font-mono text-[13px] text-indigo-700 hover:underline" data-testid="feed-public-url">
          {f.publicUrl}
        </a>
        <CopyButton value={f.publicUrl} label="Copy URL" />
      </Card>

      {editing && (
        <Card className="p-6" aria-label="Feed settings">
          <FeedForm
            initial={f}
            submitLabel="Save feed"
            cancelHref={`/dashboard/feeds/${id}`}
            onSubmit={async (body) => {
              await update.mutateAsync(body);
              setEditing(false);
            }}
          />
        </Card>
      )}

      <Card aria-labelledby="items-title">
        <CardHeader id="items-title" title="Items" description="In feed order. pubDate is stored when an item is first seen and never changes." />
        {items.isPending ? (
          <LoadingRows rows={3} label="Loading items" />
        ) : items.error ? (
          <QueryError error={items.error} onRetry={() => items.refetch()} />
        ) : items.data.data.length === 0 ? (
          <p className="px-5 py-6 text-sm text-slate-500" data-testid="feed-items-empty">
            No items yet. Refresh the feed to read the page.
          </p>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-sm" data-testid="feed-items-table">
              <caption className="sr-only">Feed items</caption>
              <thead>
                <tr className="border-b border-slate-100 text-left text-xs font-medium uppercase tracking-wide text-slate-500">
                  <th scope="col" className="px-5 py-2 font-medium">Title</th>
                  <th scope="col" className="px-4 py-2 font-medium">Published</th>
                  <th scope="col" className="py-2 pr-5 pl-4 font-medium">Date from</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {items.data.data.map((it) => (
                  <tr key={it.url} data-testid="feed-item-row">
                    <td className="max-w-xl px-5 py-2.5">
                      <a href={it.url} target="_blank" rel="noreferrer" className="font-medium text-slate-800 hover:text-indigo-600">
                        {it.title}
                      </a>
                      <div className="truncate text-xs text-slate-500">{it.url}</div>
                    </td>
                    <td className="px-4 py-2.5 whitespace-nowrap text-slate-600">{formatDateTime(it.pubDate)}</td>
                    <td className="py-2.5 pr-5 pl-4 text-slate-500">{it.datedBy === "source" ? "Page / server" : "First seen"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>

      <ConfirmDialog
        open={confirm}
        title={`Delete “${f.name}”?`}
        confirmLabel="Delete feed"
        busy={remove.isPending}
        onCancel={() => setConfirm(false)}
        onConfirm={() => remove.mutate(id, { onSuccess: () => router.push("/dashboard/feeds"), onSettled: () => setConfirm(false) })}
      >
        Its public URL stops working. This cannot be undone.
      </ConfirmDialog>
    </div>
  );
}
