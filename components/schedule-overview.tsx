"use client";
/** The runs page's schedule card: upcoming scheduled runs per sitemap and missed scheduler hours (GET /api/v1/schedule). */
import Link from "next/link";
import { formatDateTime, formatRelative } from "@/lib/client/format";
import { useScheduleOverview } from "@/lib/client/schedule";
import { LoadingRows, QueryError } from "./query-states";
import { Alert } from "./ui/alert";
import { Card, CardHeader } from "./ui/card";

const planText = (hours: number[], cron: string | null) =>
  [hours.length ? `at ${hours.map((h) => `${String(h).padStart(2, "0")}:00`).join(", ")}` : null, cron ? `cron ${cron}` : null].filter(Boolean).join(" · ");

export function ScheduleOverviewCard() {
  const q = useScheduleOverview();
  return (
    <Card aria-labelledby="scheduled-title" className="mt-6" data-testid="schedule-overview">
      <CardHeader id="scheduled-title" title="Scheduled" description="Runs the hourly scheduler will start. Edit a sitemap’s schedule on its page." />
      {q.isPending ? (
        <LoadingRows rows={2} label="Loading schedule" />
      ) : q.error ? (
        <QueryError error={q.error} onRetry={() => q.refetch()} />
      ) : (
        <>
          {q.data.missedSlots.length > 0 && (
            <Alert tone="warning" className="mx-5 mt-4" testId="missed-slots">
              The scheduler missed {q.data.missedSlots.length} hour{q.data.missedSlots.length === 1 ? "" : "s"} in the last 30 days (the app was not running),
              most recently {formatDateTime(q.data.missedSlots[0].slot)} UTC. Each sitemap planned in a missed hour got one catch-up run when the scheduler ran again.
            </Alert>
          )}
          {q.data.upcoming.length === 0 ? (
            <p className="px-5 py-4 text-sm text-slate-500" data-testid="scheduled-empty">
              No sitemap is scheduled.
            </p>
          ) : (
            <ul className="divide-y divide-slate-100 text-sm">
              {q.data.upcoming.map((u) => (
                <li key={u.sitemapId} className="flex flex-wrap items-center justify-between gap-3 px-5 py-3" data-testid="scheduled-row">
                  <div className="min-w-0">
                    <Link href={`/dashboard/sitemaps/${u.sitemapId}`} className="font-medium text-slate-800 hover:text-indigo-600">
                      {u.name}
                    </Link>
                    <div className="text-xs text-slate-500">
                      {planText(u.exportPlan, u.exportCron)} ({u.timezone})
                    </div>
                  </div>
                  <span className="tabular-nums text-slate-600" title={u.nextRunAt ? formatDateTime(u.nextRunAt) : undefined} data-testid="scheduled-next">
                    {u.nextRunAt ? `Next ${formatRelative(u.nextRunAt)}` : "—"}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </Card>
  );
}
