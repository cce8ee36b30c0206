"use client";
import Link from "next/link";
import { useState } from "react";
import { EmptyState } from "@/components/empty-state";
import { RunInProgressNotice, useGenerateAction } from "@/components/generate-action";
import { PlayIcon, PlusIcon, SitemapIcon } from "@/components/icons";
import { PageHeader } from "@/components/page-header";
import { ListStates, TableShell } from "@/components/query-states";
import { RunCauseLine, RunWarningsBadge } from "@/components/run-outcome";
import { RunStatusBadge } from "@/components/run-status-badge";
import { Alert } from "@/components/ui/alert";
import { Button, ButtonLink } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { errorMessage, runConflictOf } from "@/lib/client/api";
import { formatCount, formatDateTime, formatRelative } from "@/lib/client/format";
import { useSitemaps, type SitemapDto } from "@/lib/client/sitemaps";
import { isActiveRun } from "@/lib/schemas/runs";

/** What the last Generate click of the list led to, when it did not simply start a run. */
type ActionNotice = { kind: "error"; message: string } | { kind: "in_progress"; sitemapName: string; activeRunId: string | null };

function GenerateButton({ sitemap, onNotice }: { sitemap: SitemapDto; onNotice: (n: ActionNotice | null) => void }) {
  const generate = useGenerateAction(sitemap.id);
  const active = sitemap.lastRun ? isActiveRun(sitemap.lastRun) : false;
  return (
    <Button
      size="sm"
      variant="secondary"
      loading={generate.pending}
      disabled={active || !sitemap.active}
      title={!sitemap.active ? "This sitemap is paused" : active ? "A run is in progress" : undefined}
      data-testid="generate-button"
      onClick={() => {
        onNotice(null);
        generate.start({
          onError: (err) => {
            const conflict = runConflictOf(err);
            onNotice(
              conflict
                ? { kind: "in_progress", sitemapName: sitemap.name, activeRunId: conflict.activeRunId }
                : { kind: "error", message: `${sitemap.name}: ${errorMessage(err)}` },
            );
          },
        });
      }}
    >
      {!generate.pending && <PlayIcon className="size-3.5" />}
      {active ? "Running…" : "Generate"}
    </Button>
  );
}

export default function SitemapsPage() {
  const query = useSitemaps();
  const { data } = query;
  const [notice, setNotice] = useState<ActionNotice | null>(null);

  return (
    <>
      <PageHeader
        title="Sitemaps"
        description="Each sitemap crawls one site and publishes its XML files."
        actions={
          data && data.length > 0 ? (
            <ButtonLink href="/dashboard/sitemaps/new" data-testid="add-sitemap">
              <PlusIcon /> Add a sitemap
            </ButtonLink>
          ) : undefined
        }
      />
      {notice?.kind === "error" && (
        <Alert tone="error" className="mb-4" testId="list-action-error">
          {notice.message}
        </Alert>
      )}
      {notice?.kind === "in_progress" && <RunInProgressNotice className="mb-4" sitemapName={notice.sitemapName} activeRunId={notice.activeRunId} />}
      <Card>
        <ListStates query={query} rows={4} loadingLabel="Loading sitemaps" empty={
          <EmptyState
            testId="sitemaps-empty"
            icon={<SitemapIcon />}
            title="No sitemaps yet"
            description="Add a site by its start URL. Sitemap Forge crawls it and publishes a sitemap you can submit to search engines."
            action={
              <ButtonLink href="/dashboard/sitemaps/new" data-testid="add-sitemap">
                <PlusIcon /> Add a sitemap
              </ButtonLink>
            }
          />
        }>
          {(data) => (
            <TableShell testId="sitemaps-table" caption="Your sitemaps" head={<>
                  <th scope="col" className="px-5 py-3 font-medium">Sitemap</th>
                  <th scope="col" className="px-5 py-3 font-medium">Last run</th>
                  <th scope="col" className="px-5 py-3 text-right font-medium">URLs listed</th>
                  <th scope="col" className="px-5 py-3 font-medium">Last run time</th>
                  <th scope="col" className="px-5 py-3"><span className="sr-only">Actions</span></th>
            </>}>
                {data.map((s) => {
                  const run = s.lastRun;
                  const when = run ? (run.finishedAt ?? run.startedAt ?? run.createdAt) : null;
                  return (
                    <tr key={s.id} className="group hover:bg-slate-50/60" data-testid="sitemap-row" data-sitemap-id={s.id}>
                      <td className="max-w-md px-5 py-3.5">
                        <Link href={`/dashboard/sitemaps/${s.id}`} className="font-medium text-slate-900 hover:text-indigo-600" data-testid="sitemap-name">
                          {s.name}
                        </Link>
                        {!s.active && <span className="ml-2 text-xs font-medium text-amber-700">Paused</span>}
                        <div className="truncate text-xs text-slate-500" title={s.startUrl}>
                          {s.startUrl}
                        </div>
                      </td>
                      <td className="px-5 py-3.5">
                        <span className="inline-flex items-center gap-2">
                          <RunStatusBadge status={run?.status} testId="sitemap-status" />
                          {run && <RunWarningsBadge run={run} />}
                        </span>
                        {run && <RunCauseLine run={run} />}
                      </td>
                      <td className="px-5 py-3.5 text-right tabular-nums text-slate-700">
                        <span data-testid="sitemap-urls" title={s.publishedUrlsListed !== null ? "URLs in the published sitemap" : undefined}>
                          {s.publishedUrlsListed !== null ? formatCount(s.publishedUrlsListed) : "—"}
                        </span>
                        {run && isActiveRun(run) && (
                          <div className="text-xs text-slate-500" data-testid="sitemap-urls-running" title="URLs the run in progress has listed so far">
                            {run.status === "queued" ? "next run queued" : `${formatCount(run.progress.urlsListed)} so far in this run`}
                          </div>
                        )}
                      </td>
                      <td className="whitespace-nowrap px-5 py-3.5 text-slate-500" title={when ? formatDateTime(when) : undefined}>
                        {when ? formatRelative(when) : "—"}
                      </td>
                      <td className="px-5 py-3.5 text-right">
                        <GenerateButton sitemap={s} onNotice={setNotice} />
                      </td>
                    </tr>
                  );
                })}
            </TableShell>
          )}
        </ListStates>
      </Card>
    </>
  );
}
