"use client";
import Link from "next/link";
import { useState } from "react";
import { PageHeader } from "@/components/page-header";
import { LoadingRows, QueryError, TableShell } from "@/components/query-states";
import { Stat } from "@/components/stat";
import { UsageChart } from "@/components/usage-chart";
import { Badge } from "@/components/ui/badge";
import { Card, CardHeader } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { formatCount, formatDateTime, formatRelative } from "@/lib/client/format";
import { useUsage, type UsageDto } from "@/lib/client/usage";

const PLAN_LABEL: Record<UsageDto["plan"], string> = { starter: "Starter", professional: "Professional", enterprise: "Enterprise" };
const SPANS = [7, 14, 30, 90] as const;

function QuotaBar({ used, quota }: { used: number; quota: number | null }) {
  if (quota === null) return <p className="mt-2 text-xs text-slate-500">Unlimited on your plan.</p>;
  const pct = Math.min(100, (used / Math.max(1, quota)) * 100);
  return (
    <div className="mt-3">
      <div
        className="h-2 overflow-hidden rounded-full bg-slate-100"
        role="progressbar"
        aria-label="Daily quota used"
        aria-valuemin={0}
        aria-valuemax={quota}
        aria-valuenow={used}
        data-testid="quota-bar"
      >
        <div className={cn("h-full rounded-full", pct >= 90 ? "bg-red-500" : pct >= 70 ? "bg-amber-500" : "bg-indigo-600")} style={{ width: `${pct}%` }} />
      </div>
      <p className="mt-1.5 text-xs text-slate-500">{pct < 1 && used > 0 ? "<1" : Math.round(pct)}% of today’s quota</p>
    </div>
  );
}

export default function UsagePage() {
  const [days, setDays] = useState<(typeof SPANS)[number]>(14);
  const { data, error, isPending, refetch } = useUsage(days);

  return (
    <div className="space-y-6">
      <PageHeader
        title="Usage"
        description="Your plan’s limits and what you have used. Only API-key calls count against the quota; the dashboard does not."
        actions={data ? <Badge tone="indigo" testId="usage-plan">{PLAN_LABEL[data.plan]} plan</Badge> : undefined}
      />

      {isPending ? (
        <Card>
          <LoadingRows rows={5} label="Loading usage" />
        </Card>
      ) : error ? (
        <Card>
          <QueryError error={error} onRetry={() => refetch()} testId="usage-error" />
        </Card>
      ) : (
        <>
          <dl className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
            <Card className="p-5">
              <Stat
                label="API calls today"
                testId="usage-calls-today"
                value={formatCount(data.callsToday)}
                sub={data.dailyQuota === null ? "No daily quota" : `of ${formatCount(data.dailyQuota)} · ${formatCount(data.remainingToday)} left`}
              />
              <QuotaBar used={data.callsToday} quota={data.dailyQuota} />
            </Card>
            <Card className="p-5">
              <Stat label="Rate limit" testId="usage-rate-limit" value={`${formatCount(data.ratePerMinute)} / min`} sub="Per API key; over it: 429 with Retry-After." />
            </Card>
            <Card className="p-5">
              <Stat
                label="Crawl credits"
                testId="usage-credit-balance"
                value={formatCount(data.credits.balance)}
                sub={`1 credit per ${formatCount(data.credits.pagesPerCredit)} pages fetched, at least 1 per run.`}
              />
              {data.credits.balance <= 0 && <p className="mt-2 text-xs font-medium text-red-600">No credits left: new runs are refused.</p>}
            </Card>
            <Card className="p-5">
              <Stat
                label="Last run cost"
                testId="usage-last-cost"
                value={data.credits.lastCost ? `${formatCount(data.credits.lastCost.credits)} credit${data.credits.lastCost.credits === 1 ? "" : "s"}` : "—"}
                sub={
                  data.credits.lastCost ? (
                    <span title={formatDateTime(data.credits.lastCost.at)}>{formatRelative(data.credits.lastCost.at)}</span>
                  ) : (
                    "No run yet"
                  )
                }
              />
            </Card>
          </dl>

          <Card aria-labelledby="chart-title">
            <CardHeader
              id="chart-title"
              title={`API calls per day, last ${days} days`}
              description={`UTC days. The quota resets at ${formatDateTime(data.quotaResetsAt)}.`}
              actions={
                <label className="flex items-center gap-2 text-sm text-slate-600">
                  <span>Period</span>
                  <select
                    className="rounded-lg border-0 py-1.5 pr-8 pl-2.5 text-sm ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600"
                    value={days}
                    onChange={(e) => setDays(Number(e.target.value) as (typeof SPANS)[number])}
                  >
                    {SPANS.map((d) => (
                      <option key={d} value={d}>
                        {d} days
                      </option>
                    ))}
                  </select>
                </label>
              }
            />
            <div className="p-5">
              <UsageChart history={data.history} dailyQuota={data.dailyQuota} />
            </div>
          </Card>

          <div className="grid items-start gap-6 lg:grid-cols-5">
            <Card aria-labelledby="debits-title" className="lg:col-span-3">
              <CardHeader id="debits-title" title="Recent credit debits" description="Each finished run is debited when it ends." />
              {data.recentDebits.length === 0 ? (
                <p className="px-5 py-6 text-sm text-slate-500" data-testid="debits-empty">
                  No debits yet. Generating a sitemap costs credits when its run finishes.
                </p>
              ) : (
                <TableShell testId="debits-table" caption="Recent credit debits" head={<>
                        <th scope="col" className="px-5 py-2 font-medium">When</th>
                        <th scope="col" className="px-4 py-2 font-medium">Sitemap</th>
                        <th scope="col" className="px-4 py-2 font-medium">Run</th>
                        <th scope="col" className="py-2 pr-5 pl-4 text-right font-medium">Credits</th>
                </>}>
                      {data.recentDebits.map((d, i) => (
                        <tr key={`${d.at}-${i}`} data-testid="debit-row">
                          <td className="px-5 py-2.5 whitespace-nowrap text-slate-600" title={formatDateTime(d.at)}>
                            {formatRelative(d.at)}
                          </td>
                          <td className="max-w-[14rem] truncate px-4 py-2.5">
                            {d.sitemapId ? (
                              <Link href={`/dashboard/sitemaps/${d.sitemapId}`} className="font-medium text-slate-800 hover:text-indigo-600">
                                {d.sitemapName}
                              </Link>
                            ) : (
                              <span className="text-slate-400">{d.reason === "run" ? "Deleted sitemap" : d.reason}</span>
                            )}
                          </td>
                          <td className="px-4 py-2.5 tabular-nums text-slate-600">{d.runNumber !== null ? `#${d.runNumber}` : "—"}</td>
                          <td
                            className={cn("py-2.5 pr-5 pl-4 text-right font-medium tabular-nums", d.credits < 0 ? "text-slate-900" : "text-emerald-700")}
                            data-testid="debit-credits"
                          >
                            {d.credits > 0 ? "+" : "−"}
                            {formatCount(Math.abs(d.credits))}
                          </td>
                        </tr>
                      ))}
                </TableShell>
              )}
            </Card>

            <Card aria-labelledby="plans-title" className="lg:col-span-2">
              <CardHeader id="plans-title" title="Plans" description="Limits on this instance." />
              <TableShell testId="plans-table" caption="Plans and their limits" head={<>
                    <th scope="col" className="px-5 py-2 font-medium">Plan</th>
                    <th scope="col" className="px-4 py-2 text-right font-medium">Per minute</th>
                    <th scope="col" className="py-2 pr-5 pl-4 text-right font-medium">Per day</th>
              </>}>
                  {data.plans.map((p) => {
                    const current = p.plan === data.plan;
                    return (
                      <tr key={p.plan} className={cn(current && "bg-indigo-50/50")} data-testid="plan-row" aria-current={current ? "true" : undefined}>
                        <td className="px-5 py-2.5 font-medium text-slate-800">
                          {PLAN_LABEL[p.plan]}
                          {current && <span className="ml-2 text-xs font-medium text-indigo-700">Your plan</span>}
                        </td>
                        <td className="px-4 py-2.5 text-right tabular-nums text-slate-700">{formatCount(p.ratePerMinute)}</td>
                        <td className="py-2.5 pr-5 pl-4 text-right tabular-nums text-slate-700">{p.dailyQuota === null ? "Unlimited" : formatCount(p.dailyQuota)}</td>
                      </tr>
                    );
                  })}
              </TableShell>
            </Card>
          </div>
        </>
      )}
    </div>
  );
}
