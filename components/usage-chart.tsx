"use client";
/**
 * API calls per UTC day as CSS bars against the daily quota (a dashed line). Scale "quota" draws the bars relative to
 * the quota (usage against the plan); "fit" zooms to the busiest day so small numbers stay readable. Each bar is a
 * list item with an aria-label ("Dec 2: 42 calls"), and a visually hidden table repeats the numbers for screen readers.
 */
import { useState } from "react";
import type { TUsageDayDto } from "@/lib/schemas/usage";
import { formatCount } from "@/lib/client/format";
import { cn } from "./ui/cn";

const dayLabel = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", timeZone: "UTC" });
const weekday = new Intl.DateTimeFormat("en-US", { weekday: "short", timeZone: "UTC" });
const asDate = (d: string) => new Date(`${d}T00:00:00Z`);

export function UsageChart({ history, dailyQuota }: { history: TUsageDayDto[]; dailyQuota: number | null }) {
  const [scale, setScale] = useState<"quota" | "fit">("quota");
  const busiest = Math.max(0, ...history.map((d) => d.calls));
  const quotaScale = dailyQuota !== null && scale === "quota";
  const max = Math.max(1, quotaScale ? Math.max(dailyQuota, busiest) : Math.ceil(busiest * 1.15));
  const quotaPct = dailyQuota !== null && dailyQuota <= max ? (dailyQuota / max) * 100 : null;
  const total = history.reduce((n, d) => n + d.calls, 0);

  return (
    <div>
      <div className="mb-4 flex flex-wrap items-center justify-between gap-3 text-sm text-slate-600">
        <p>
          <span className="font-semibold tabular-nums text-slate-900" data-testid="usage-total-calls">{formatCount(total)}</span> calls in{" "}
          {history.length} days · busiest day <span className="tabular-nums">{formatCount(busiest)}</span>
        </p>
        {dailyQuota !== null && (
          <div role="group" aria-label="Chart scale" className="inline-flex rounded-lg bg-slate-100 p-0.5 text-xs font-medium">
            {(["quota", "fit"] as const).map((s) => (
              <button
                key={s}
                type="button"
                aria-pressed={scale === s}
                onClick={() => setScale(s)}
                className={cn("rounded-md px-2.5 py-1", scale === s ? "bg-white text-slate-900 shadow-sm" : "text-slate-500 hover:text-slate-800")}
              >
                {s === "quota" ? "Against quota" : "Zoom to usage"}
              </button>
            ))}
          </div>
        )}
      </div>

      <div className="relative h-56 pl-12">
        {/* y axis */}
        <div className="pointer-events-none absolute inset-y-0 left-0 flex w-10 flex-col justify-between text-right text-[11px] tabular-nums text-slate-400" aria-hidden="true">
          <span>{formatCount(max)}</span>
          <span>{formatCount(Math.round(max / 2))}</span>
          <span>0</span>
        </div>
        <div className="relative h-full border-b border-l border-slate-200">
          <div className="pointer-events-none absolute inset-x-0 top-1/2 border-t border-dashed border-slate-100" aria-hidden="true" />
          {quotaPct !== null && (
            <div
              className="pointer-events-none absolute inset-x-0 z-10 border-t-2 border-dashed border-amber-500"
              style={{ bottom: `${quotaPct}%` }}
              data-testid="usage-quota-line"
            >
              <span className="absolute -top-5 right-0 rounded bg-amber-50 px-1.5 text-[11px] font-medium text-amber-800">
                Daily quota {formatCount(dailyQuota)}
              </span>
            </div>
          )}
          <ol className="absolute inset-0 flex items-end gap-1.5 px-1.5" aria-label="API calls per day" data-testid="usage-chart">
            {history.map((d, i) => {
              const pct = (d.calls / max) * 100;
              const over = dailyQuota !== null && d.calls >= dailyQuota;
              const today = i === history.length - 1;
              const label = `${dayLabel.format(asDate(d.date))}: ${formatCount(d.calls)} call${d.calls === 1 ? "" : "s"}`;
              return (
                <li
                  key={d.date}
                  className="group relative flex h-full flex-1 flex-col items-center justify-end"
                  aria-label={label}
                  title={label}
                  data-testid="usage-bar"
                  data-date={d.date}
                  data-calls={d.calls}
                >
                  {d.calls > 0 && (
                    <span className="mb-0.5 text-[10px] tabular-nums text-slate-500 opacity-0 group-hover:opacity-100 sm:opacity-100">
                      {formatCount(d.calls)}
                    </span>
                  )}
                  <div
                    className={cn(
                      "w-full max-w-9 rounded-t",
                      over ? "bg-red-500" : today ? "bg-indigo-600" : "bg-indigo-400/80 group-hover:bg-indigo-500",
                    )}
                    style={{ height: d.calls > 0 ? `max(${pct}%, 2px)` : 0 }}
                  />
                </li>
              );
            })}
          </ol>
        </div>
      </div>
      <ol className="mt-1.5 flex gap-1.5 pr-1.5 pl-[3.375rem] text-center text-[10px] text-slate-400" aria-hidden="true">
        {history.map((d, i) => (
          <li key={d.date} className={cn("flex-1 truncate", i === history.length - 1 && "font-semibold text-slate-700")}>
            {history.length <= 16 ? weekday.format(asDate(d.date)) : ""}
            <br />
            {history.length <= 16 || i % 5 === 0 || i === history.length - 1 ? dayLabel.format(asDate(d.date)) : ""}
          </li>
        ))}
      </ol>

      <table className="sr-only">
        <caption>API calls and credits debited per UTC day</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            <th scope="col">Calls</th>
            <th scope="col">Credits debited</th>
          </tr>
        </thead>
        <tbody>
          {history.map((d) => (
            <tr key={d.date}>
              <td>{d.date}</td>
              <td>{d.calls}</td>
              <td>{d.creditsDebited}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
