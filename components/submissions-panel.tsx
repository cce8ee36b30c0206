"use client";
/**
 * Submission panel of a sitemap: the Submit button (IndexNow with the changed URLs of the published run, plus the
 * live robots.txt `Sitemap:` check), the IndexNow key instructions (key file URL and content, robots.txt line), and
 * the honest per-engine log (status, HTTP status, URLs, attempts, duration, message). Polls while a batch is pending.
 */
import { useState } from "react";
import { TableShell } from "./query-states";
import { errorMessage } from "@/lib/client/api";
import { formatCount, formatDateTime, formatDuration, formatRelative } from "@/lib/client/format";
import type { SitemapDto } from "@/lib/client/sitemaps";
import { useIndexNowInfo, useSubmissions, useSubmitSitemap, type SubmissionDto } from "@/lib/client/submissions";
import { CopyButton } from "./copy-button";
import { LoadingRows, QueryError } from "./query-states";
import { Alert } from "./ui/alert";
import { Badge, type BADGE_TONES } from "./ui/badge";
import { Button } from "./ui/button";
import { Card, CardHeader } from "./ui/card";

const STATUS_TONE: Record<SubmissionDto["status"], keyof typeof BADGE_TONES> = { ok: "green", failed: "red", skipped: "gray", pending: "blue" };

function engineLabel(engine: string) {
  if (engine === "batch") return "Summary";
  if (engine === "robots.txt") return "robots.txt check";
  if (engine === "indexnow-key") return "IndexNow key file";
  if (engine.startsWith("indexnow:")) return `IndexNow (${engine.slice(9)})`;
  return engine;
}

function IndexNowHelp({ sitemapId, publishedRunId }: { sitemapId: string; publishedRunId: string | null }) {
  const info = useIndexNowInfo(sitemapId, publishedRunId);
  if (info.isPending) return <LoadingRows rows={2} label="Loading IndexNow key" />;
  if (info.error) return <QueryError error={info.error} onRetry={() => info.refetch()} />;
  const d = info.data;
  return (
    <div className="space-y-3 text-sm" data-testid="indexnow-help">
      <p className="text-slate-600">
        IndexNow needs proof that you own <strong className="font-medium text-slate-800">{d.host}</strong>: host this key file on the site, with exactly
        this content.
      </p>
      <dl className="space-y-2">
        <div className="flex flex-wrap items-center gap-2">
          <dt className="w-28 shrink-0 text-slate-500">Key file URL</dt>
          <dd className="min-w-0 flex-1 truncate font-mono text-[13px] text-slate-800" data-testid="indexnow-key-location">
            {d.keyLocation}
          </dd>
          <CopyButton value={d.keyLocation} label="Copy URL" />
        </div>
        <div className="flex flex-wrap items-center gap-2">
          <dt className="w-28 shrink-0 text-slate-500">File content</dt>
          <dd className="min-w-0 flex-1 truncate font-mono text-[13px] text-slate-800" data-testid="indexnow-key">
            {d.fileContent}
          </dd>
          <CopyButton value={d.fileContent} label="Copy key" />
        </div>
        {d.robotsLine && (
          <div className="flex flex-wrap items-center gap-2">
            <dt className="w-28 shrink-0 text-slate-500">robots.txt line</dt>
            <dd className="min-w-0 flex-1 truncate font-mono text-[13px] text-slate-800" data-testid="indexnow-robots-line">
              {d.robotsLine}
            </dd>
            <CopyButton value={d.robotsLine} label="Copy line" />
          </div>
        )}
      </dl>
      <p className="text-xs text-slate-500">Submissions go to: {d.endpoints.join(", ")}. Search engines that support IndexNow share submissions.</p>
    </div>
  );
}

export function SubmissionsPanel({ sitemap }: { sitemap: SitemapDto }) {
  const log = useSubmissions(sitemap.id);
  const submit = useSubmitSitemap(sitemap.id);
  const [showHelp, setShowHelp] = useState(false);
  const entries = log.data?.data ?? [];
  const pending = entries.some((e) => e.status === "pending") || submit.isPending;

  return (
    <Card aria-labelledby="submissions-title" data-testid="submissions-panel">
      <CardHeader
        id="submissions-title"
        title="Search engine submission"
        description="Sends the URLs the last run added or changed to IndexNow and checks your robots.txt Sitemap: line."
        actions={
          <>
            <Button size="sm" variant="ghost" aria-expanded={showHelp} onClick={() => setShowHelp((s) => !s)} data-testid="indexnow-help-toggle">
              IndexNow key
            </Button>
            <Button
              size="sm"
              onClick={() => submit.mutate()}
              loading={pending}
              disabled={!sitemap.publishedRunId}
              title={!sitemap.publishedRunId ? "Generate the sitemap first" : undefined}
              data-testid="submit-button"
            >
              {pending ? "Submitting…" : "Submit"}
            </Button>
          </>
        }
      />
      {showHelp && (
        <div className="border-b border-slate-100 bg-slate-50/60 px-5 py-4">
          <IndexNowHelp sitemapId={sitemap.id} publishedRunId={sitemap.publishedRunId} />
        </div>
      )}
      {submit.error && (
        <Alert className="m-5" testId="submit-error">
          {errorMessage(submit.error)}
        </Alert>
      )}
      {log.isPending ? (
        <LoadingRows rows={2} label="Loading submissions" />
      ) : log.error ? (
        <QueryError error={log.error} onRetry={() => log.refetch()} />
      ) : entries.length === 0 ? (
        <p className="px-5 py-6 text-sm text-slate-500" data-testid="submissions-empty">
          {sitemap.publishedRunId ? "Not submitted yet." : "Nothing to submit until a run has published the sitemap."}
        </p>
      ) : (
        <TableShell testId="submissions-table" caption="Submission log" head={<>
                <th scope="col" className="px-5 py-2 font-medium">When</th>
                <th scope="col" className="px-4 py-2 font-medium">Step</th>
                <th scope="col" className="px-4 py-2 font-medium">Result</th>
                <th scope="col" className="px-4 py-2 text-right font-medium">HTTP</th>
                <th scope="col" className="px-4 py-2 text-right font-medium">URLs</th>
                <th scope="col" className="px-4 py-2 text-right font-medium">Time</th>
                <th scope="col" className="py-2 pr-5 pl-4 font-medium">Details</th>
        </>}>
              {entries.map((e) => (
                <tr key={e.id} data-testid="submission-row" data-engine={e.engine} data-status={e.status} className={e.engine === "batch" ? "bg-slate-50/60" : undefined}>
                  <td className="px-5 py-2.5 whitespace-nowrap text-slate-600" title={formatDateTime(e.createdAt)}>
                    {formatRelative(e.createdAt)}
                  </td>
                  <td className="px-4 py-2.5 whitespace-nowrap text-slate-800">{engineLabel(e.engine)}</td>
                  <td className="px-4 py-2.5">
                    <Badge tone={STATUS_TONE[e.status]}>{e.status}</Badge>
                  </td>
                  <td className="px-4 py-2.5 text-right tabular-nums text-slate-600">{e.httpStatus ?? "—"}</td>
                  <td className="px-4 py-2.5 text-right tabular-nums text-slate-600">{formatCount(e.urlCount)}</td>
                  <td className="px-4 py-2.5 text-right whitespace-nowrap tabular-nums text-slate-600">
                    {formatDuration(e.durationMs)}
                    {e.attempts > 1 && <span className="text-xs text-slate-400"> · {e.attempts} tries</span>}
                  </td>
                  <td className="max-w-xs truncate py-2.5 pr-5 pl-4 text-slate-500" title={e.message ?? undefined}>
                    {e.message ?? ""}
                  </td>
                </tr>
              ))}
        </TableShell>
      )}
    </Card>
  );
}
