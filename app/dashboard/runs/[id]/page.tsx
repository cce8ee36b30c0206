"use client";
import Link from "next/link";
import { useParams } from "next/navigation";
import { Suspense } from "react";
import { EmptyState } from "@/components/empty-state";
import { ExcludedTable } from "@/components/excluded-table";
import { SitemapIcon } from "@/components/icons";
import { PageHeader } from "@/components/page-header";
import { LoadingRows, QueryError } from "@/components/query-states";
import { RunAudit } from "@/components/run-audit";
import { RunChanges } from "@/components/run-changes";
import { RunDuplicates } from "@/components/run-duplicates";
import { RunProgress } from "@/components/run-progress";
import { RunStatusBadge } from "@/components/run-status-badge";
import { RunSummary } from "@/components/run-summary";
import { RunUrlTable } from "@/components/run-url-table";
import { ButtonLink } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { ApiError } from "@/lib/client/api";
import { formatDateTime } from "@/lib/client/format";
import { runPageHref } from "@/lib/client/run-urls";
import { useRun } from "@/lib/client/runs";
import { useSitemap } from "@/lib/client/sitemaps";
import { isActiveRun } from "@/lib/schemas/runs";

/** The origin of `url`, or null when it does not parse. */
const originOf = (url: string | undefined) => {
  try {
    return url ? new URL(url).origin : null;
  } catch {
    return null;
  }
};

/**
 * The run page (/dashboard/runs/{id}): the summary of one run (live while it works), its excluded URLs by reason
 * (each reason opens the URL table filtered by it), the changes against the previously published sitemap, the
 * URL table with its filters and CSV download, the duplicate clusters and the audit of the site's own sitemaps. An unknown id, or a run of another account, shows "Run not found"
 * (the API answers 404 for both).
 */
export default function RunPage() {
  const { id } = useParams<{ id: string }>();
  const runQuery = useRun(id);
  const run = runQuery.data;
  const sitemap = useSitemap(run?.sitemapId ?? "", Boolean(run));

  if (runQuery.isPending) {
    return (
      <Card>
        <LoadingRows rows={5} label="Loading run" />
      </Card>
    );
  }
  if (runQuery.error instanceof ApiError && runQuery.error.status === 404) {
    return (
      <Card>
        <EmptyState
          testId="run-not-found"
          icon={<SitemapIcon />}
          title="Run not found"
          description="There is no run with this id in your account. It may have been deleted with its sitemap."
          action={
            <ButtonLink href="/dashboard/runs" variant="secondary">
              ← All runs
            </ButtonLink>
          }
        />
      </Card>
    );
  }
  if (runQuery.error || !run) {
    return (
      <Card>
        <QueryError error={runQuery.error} onRetry={() => runQuery.refetch()} testId="run-load-error" />
      </Card>
    );
  }

  const active = isActiveRun(run);
  const origin = originOf(sitemap.data?.startUrl);
  const reasons = Object.entries(run.excludedByReason)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([r]) => r);
  const published = sitemap.data?.publishedRunId === run.id;

  return (
    <div className="space-y-6" data-testid="run-page" data-run-id={run.id}>
      <PageHeader
        eyebrow={
          <span className="flex flex-wrap gap-x-3">
            <Link href="/dashboard/runs" className="hover:text-slate-700">
              ← Runs
            </Link>
            <Link href={`/dashboard/sitemaps/${run.sitemapId}`} className="hover:text-slate-700" data-testid="run-sitemap-link">
              {sitemap.data?.name ?? "Sitemap"}
            </Link>
          </span>
        }
        title={
          <span className="flex items-center gap-3">
            <span data-testid="run-title">Run #{run.number}</span>
            <RunStatusBadge status={run.status} testId="run-status" />
            {published && (
              <span className="text-sm font-medium text-emerald-700" data-testid="run-published">
                Published
              </span>
            )}
          </span>
        }
        description={`Created ${formatDateTime(run.createdAt)}${sitemap.data ? ` · ${sitemap.data.startUrl}` : ""}`}
      />

      {active && <RunProgress run={run} />}
      <RunSummary run={run} />

      <div className="grid items-start gap-6 lg:grid-cols-2">
        <Card aria-labelledby="run-excluded-title">
          <CardHeader id="run-excluded-title" title="Excluded URLs" description="Why URLs were left out of the sitemap. Each reason opens its URLs in the table below." />
          <div className="pb-2">
            <ExcludedTable byReason={run.excludedByReason} reasonHref={(reason) => runPageHref(run.id, { reason })} />
          </div>
        </Card>
        {/* Remounted when the run ends, so the first tab is a kind that has URLs. */}
        <RunChanges key={`${run.id}:${active}`} run={run} origin={origin} />
      </div>

      {/* useSearchParams (the table's filters) needs a Suspense boundary in the app router. */}
      <Suspense fallback={<Card><LoadingRows rows={6} label="Loading URLs" /></Card>}>
        <RunUrlTable runId={run.id} active={active} reasons={reasons} origin={origin} />
      </Suspense>

      {/* URLs with identical main content (clusters are final once the crawl has ended). */}
      {!active && <RunDuplicates runId={run.id} origin={origin} collapse={sitemap.data ? sitemap.data.crawl.collapseDuplicates : null} />}

      {/* What the site's own sitemaps say against this crawl (stored when the crawl ends). */}
      {!active && <RunAudit runId={run.id} />}
    </div>
  );
}
