"use client";
import Link from "next/link";
import { useParams, useRouter } from "next/navigation";
import { useState } from "react";
import { CopyButton } from "@/components/copy-button";
import { EmptyState } from "@/components/empty-state";
import { ExternalIcon, PlayIcon, SitemapIcon } from "@/components/icons";
import { PageHeader } from "@/components/page-header";
import { LoadingRows, QueryError } from "@/components/query-states";
import { FilesTable } from "@/components/files-table";
import { RunInProgressNotice, useGenerateAction } from "@/components/generate-action";
import { ResourceNotFound } from "@/components/not-found-state";
import { RunHistory } from "@/components/run-history";
import { RunProgress } from "@/components/run-progress";
import { RunResult } from "@/components/run-result";
import { ScheduleEditor } from "@/components/schedule-editor";
import { SubmissionsPanel } from "@/components/submissions-panel";
import { SettingsSummary } from "@/components/settings-summary";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { errorMessage, isNotFound } from "@/lib/client/api";
import { useRun } from "@/lib/client/runs";
import { useDeleteSitemap, useSitemap, useSitemapFiles, useSitemapRuns, useUpdateSitemap } from "@/lib/client/sitemaps";
import { isActiveRun } from "@/lib/schemas/runs";

export default function SitemapPage() {
  const { id } = useParams<{ id: string }>();
  const router = useRouter();
  const sitemapQuery = useSitemap(id);
  const sitemap = sitemapQuery.data;
  const runQuery = useRun(sitemap?.lastRun?.id, sitemap?.lastRun);
  const run = runQuery.data ?? sitemap?.lastRun ?? null;
  const files = useSitemapFiles(id);
  const runs = useSitemapRuns(id);
  const generate = useGenerateAction(id);
  const update = useUpdateSitemap(id);
  const remove = useDeleteSitemap();
  const [confirmDelete, setConfirmDelete] = useState(false);

  if (sitemapQuery.isPending) {
    return (
      <Card>
        <LoadingRows rows={5} label="Loading sitemap" />
      </Card>
    );
  }
  if (isNotFound(sitemapQuery.error)) {
    return <ResourceNotFound what="sitemap" backHref="/dashboard" backLabel="Back to sitemaps" testId="sitemap-not-found" />;
  }
  if (sitemapQuery.error || !sitemap) {
    return (
      <Card>
        <QueryError error={sitemapQuery.error} onRetry={() => sitemapQuery.refetch()} testId="sitemap-error" />
        <div className="px-5 pb-5">
          <Link href="/dashboard" className="text-sm font-medium text-indigo-600 hover:text-indigo-500">
            ← Back to sitemaps
          </Link>
        </div>
      </Card>
    );
  }

  const active = run ? isActiveRun(run) : false;
  const actionError = generate.error ?? update.error ?? remove.error;

  return (
    <div className="space-y-6">
      <PageHeader
        eyebrow={
          <Link href="/dashboard" className="hover:text-slate-700">
            ← Sitemaps
          </Link>
        }
        title={<span data-testid="sitemap-title">{sitemap.name}</span>}
        description={
          <a href={sitemap.startUrl} target="_blank" rel="noreferrer" className="inline-flex items-center gap-1 hover:text-slate-700">
            {sitemap.startUrl} <ExternalIcon />
          </a>
        }
        actions={
          <>
            <Button variant="ghost" onClick={() => setConfirmDelete(true)} data-testid="delete-sitemap">
              Delete
            </Button>
            <Button
              onClick={() => generate.start()}
              loading={generate.pending}
              disabled={active || !sitemap.active}
              title={!sitemap.active ? "Resume the sitemap to generate it" : undefined}
              data-testid="generate-button"
            >
              {!generate.pending && <PlayIcon className="size-3.5" />}
              {active ? "Generating…" : "Generate"}
            </Button>
          </>
        }
      />

      {actionError && <Alert testId="action-error">{errorMessage(actionError)}</Alert>}
      {generate.conflict && <RunInProgressNotice activeRunId={generate.conflict.activeRunId} />}

      {sitemap.sitemapUrl && (
        <Card className="flex flex-wrap items-center gap-3 px-5 py-3.5">
          <span className="text-xs font-medium uppercase tracking-wide text-slate-500">Public sitemap URL</span>
          <a
            href={sitemap.sitemapUrl}
            target="_blank"
            rel="noreferrer"
            className="min-w-0 flex-1 truncate font-mono text-[13px] text-indigo-700 hover:underline"
            data-testid="public-sitemap-url"
          >
            {sitemap.sitemapUrl}
          </a>
          <CopyButton value={sitemap.sitemapUrl} label="Copy URL" />
        </Card>
      )}

      {run && active && <RunProgress run={run} />}
      {run && !active && <RunResult run={run} />}
      {!run && (
        <Card>
          <EmptyState
            testId="never-run"
            icon={<SitemapIcon />}
            title="Not generated yet"
            description="Generate crawls the site from its start URL and publishes the sitemap files here."
            action={
              <Button onClick={() => generate.start()} loading={generate.pending} disabled={!sitemap.active}>
                {!generate.pending && <PlayIcon className="size-3.5" />} Generate now
              </Button>
            }
          />
        </Card>
      )}

      <div className="grid items-start gap-6 lg:grid-cols-3">
        <div className="min-w-0 space-y-6 lg:col-span-2">
          <Card aria-labelledby="files-title">
            <CardHeader
              id="files-title"
              title="Published files"
              description="What search engines fetch now. A new run replaces them only once it has finished."
            />
            {files.isPending ? (
              <LoadingRows rows={2} label="Loading files" />
            ) : files.error ? (
              <QueryError error={files.error} onRetry={() => files.refetch()} />
            ) : files.data.length === 0 ? (
              <p className="px-5 py-6 text-sm text-slate-500" data-testid="files-empty">
                No files yet. They appear here when a run succeeds.
              </p>
            ) : (
              <FilesTable files={files.data} />
            )}
          </Card>
          <ScheduleEditor key={sitemap.id} sitemap={sitemap} />
        </div>
        <SettingsSummary
          sitemap={sitemap}
          onToggleActive={() => update.mutate({ active: !sitemap.active })}
          toggling={update.isPending}
        />
      </div>

      <SubmissionsPanel sitemap={sitemap} />

      <Card aria-labelledby="history-title">
        <CardHeader id="history-title" title="Run history" description="The most recent runs, newest first." />
        {runs.isPending ? (
          <LoadingRows rows={2} label="Loading runs" />
        ) : runs.error ? (
          <QueryError error={runs.error} onRetry={() => runs.refetch()} />
        ) : runs.data.data.length === 0 ? (
          <p className="px-5 py-6 text-sm text-slate-500">No runs yet.</p>
        ) : (
          <RunHistory
            // The history is fetched once; the polled current run keeps its row live.
            runs={runs.data.data.map((r) => (run && r.id === run.id ? run : r))}
            publishedRunId={sitemap.publishedRunId}
          />
        )}
      </Card>

      <ConfirmDialog
        open={confirmDelete}
        title={`Delete “${sitemap.name}”?`}
        confirmLabel="Delete sitemap"
        busy={remove.isPending}
        onCancel={() => setConfirmDelete(false)}
        onConfirm={() =>
          remove.mutate(id, {
            onSuccess: () => router.push("/dashboard"),
            onSettled: () => setConfirmDelete(false),
          })
        }
      >
        Its runs and published files are deleted too, and its public sitemap URL stops working. This cannot be undone.
      </ConfirmDialog>
    </div>
  );
}
