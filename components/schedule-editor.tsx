"use client";
/**
 * Schedule editor of one sitemap: `exportPlan` hours (24 toggles, local hours in `timezone`), an optional 5-field
 * `exportCron` in the same time zone, and a preview of the next runs the hourly scheduler will start (computed in the
 * browser with croner, the library the scheduler uses; the scheduler checks once an hour, so a cron minute other
 * than :00 starts in that hour's slot). Saved with PATCH /api/v1/sitemaps/{id} { exportPlan, exportCron, timezone }.
 */
import { Cron } from "croner";
import { useMemo, useState } from "react";
import { errorMessage } from "@/lib/client/api";
import { useUpdateSitemap, type SitemapDto } from "@/lib/client/sitemaps";
import { cronError } from "@/lib/schemas/sitemaps";
import { Alert } from "./ui/alert";
import { Button } from "./ui/button";
import { Card, CardHeader } from "./ui/card";
import { cn } from "./ui/cn";
import { SelectField, TextField } from "./ui/field";

const HOURS = Array.from({ length: 24 }, (_, h) => h);
const hh = (h: number) => `${String(h).padStart(2, "0")}:00`;

function timeZones(): string[] {
  try {
    const list = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.("timeZone") ?? [];
    return list.includes("UTC") ? list : ["UTC", ...list];
  } catch {
    return ["UTC"];
  }
}

/** The next `n` planned runs (hours and cron merged, deduplicated by minute), or [] when nothing is planned. */
export function nextRuns(plan: { exportPlan: number[]; exportCron: string | null; timezone: string }, n: number, from = new Date()): Date[] {
  const exprs = [...(plan.exportPlan.length ? [`0 ${[...plan.exportPlan].sort((a, b) => a - b).join(",")} * * *`] : []), ...(plan.exportCron ? [plan.exportCron] : [])];
  const all = new Map<number, Date>();
  for (const e of exprs) {
    try {
      for (const d of new Cron(e, { timezone: plan.timezone, paused: true }).nextRuns(n, from)) all.set(d.getTime(), d);
    } catch {
      // An invalid cron shows its error next to the input instead.
    }
  }
  return [...all.values()].sort((a, b) => a.getTime() - b.getTime()).slice(0, n);
}

export function ScheduleEditor({ sitemap }: { sitemap: SitemapDto }) {
  const update = useUpdateSitemap(sitemap.id);
  const [hours, setHours] = useState<number[]>(sitemap.exportPlan);
  const [cron, setCron] = useState(sitemap.exportCron ?? "");
  const [tz, setTz] = useState(sitemap.timezone);
  const [saved, setSaved] = useState(false);
  const zones = useMemo(() => timeZones(), []);

  const cronErr = cron.trim() ? cronError(cron.trim()) : null;
  const plan = { exportPlan: hours, exportCron: cron.trim() || null, timezone: tz };
  const upcoming = cronErr ? [] : nextRuns(plan, 5);
  const dirty =
    hours.join(",") !== [...sitemap.exportPlan].sort((a, b) => a - b).join(",") || (cron.trim() || null) !== sitemap.exportCron || tz !== sitemap.timezone;

  const inZone = new Intl.DateTimeFormat("en-US", { timeZone: tz, weekday: "short", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const inUtc = new Intl.DateTimeFormat("en-US", { timeZone: "UTC", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

  const toggle = (h: number) => {
    setSaved(false);
    setHours((prev) => (prev.includes(h) ? prev.filter((x) => x !== h) : [...prev, h].sort((a, b) => a - b)));
  };

  return (
    <Card aria-labelledby="schedule-title" data-testid="schedule-editor">
      <CardHeader
        id="schedule-title"
        title="Schedule"
        description={
          sitemap.active
            ? "The hourly scheduler starts a run at each selected hour (and at each cron time) in the chosen time zone."
            : "Paused sitemaps are not scheduled; resume it to have these runs start."
        }
      />
      <div className="space-y-5 p-5">
        <fieldset>
          <legend className="text-sm font-medium text-slate-700">Export hours</legend>
          <div role="group" aria-label="Export hours" className="mt-2 grid grid-cols-6 gap-1.5 sm:grid-cols-12">
            {HOURS.map((h) => {
              const on = hours.includes(h);
              return (
                <button
                  key={h}
                  type="button"
                  aria-pressed={on}
                  aria-label={`Run at ${hh(h)}`}
                  onClick={() => toggle(h)}
                  data-testid="hour-toggle"
                  className={cn(
                    "rounded-md py-1.5 text-xs font-medium tabular-nums ring-1 ring-inset transition-colors",
                    on ? "bg-indigo-600 text-white ring-indigo-600 hover:bg-indigo-500" : "bg-white text-slate-600 ring-slate-200 hover:bg-slate-50",
                  )}
                >
                  {hh(h)}
                </button>
              );
            })}
          </div>
          <div className="mt-2 flex flex-wrap gap-2 text-xs">
            <button type="button" className="font-medium text-indigo-600 hover:text-indigo-500" onClick={() => { setSaved(false); setHours([]); }}>
              Clear hours
            </button>
            <span className="text-slate-300">·</span>
            <button type="button" className="font-medium text-indigo-600 hover:text-indigo-500" onClick={() => { setSaved(false); setHours([3]); }}>
              Daily at 03:00
            </button>
            <span className="text-slate-300">·</span>
            <button type="button" className="font-medium text-indigo-600 hover:text-indigo-500" onClick={() => { setSaved(false); setHours([0, 6, 12, 18]); }}>
              Every 6 hours
            </button>
          </div>
        </fieldset>

        <div className="grid gap-4 sm:grid-cols-2">
          <SelectField label="Time zone" name="timezone" value={tz} onChange={(e) => { setSaved(false); setTz(e.target.value); }} hint="Hours and cron are read in this zone (daylight saving included).">
            {zones.map((z) => (
              <option key={z} value={z}>
                {z}
              </option>
            ))}
          </SelectField>
          <TextField
            label="Cron expression"
            name="exportCron"
            placeholder="30 2 * * 1-5"
            value={cron}
            onChange={(e) => { setSaved(false); setCron(e.target.value); }}
            error={cronErr}
            hint="Optional, in addition to the hours: minute hour day-of-month month day-of-week."
            inputClassName="font-mono"
          />
        </div>

        <div>
          <h3 className="text-sm font-medium text-slate-700">Next runs</h3>
          {upcoming.length === 0 ? (
            <p className="mt-1 text-sm text-slate-500" data-testid="next-runs-empty">
              Not scheduled. Pick hours or enter a cron expression.
            </p>
          ) : (
            <ol className="mt-2 divide-y divide-slate-100 rounded-lg border border-slate-200 text-sm" data-testid="next-runs">
              {upcoming.map((d) => (
                <li key={d.getTime()} className="flex justify-between gap-4 px-3 py-2" data-testid="next-run" data-at={d.toISOString()}>
                  <span className="font-medium tabular-nums text-slate-800">{inZone.format(d)}</span>
                  <span className="tabular-nums text-slate-500">{inUtc.format(d)} UTC</span>
                </li>
              ))}
            </ol>
          )}
        </div>

        {update.error && <Alert testId="schedule-error">{errorMessage(update.error)}</Alert>}
        {saved && !dirty && (
          <Alert tone="success" testId="schedule-saved">
            Schedule saved.
          </Alert>
        )}
        <div className="flex justify-end gap-2">
          <Button
            variant="ghost"
            disabled={!dirty || update.isPending}
            onClick={() => {
              setHours(sitemap.exportPlan);
              setCron(sitemap.exportCron ?? "");
              setTz(sitemap.timezone);
            }}
          >
            Reset
          </Button>
          <Button
            disabled={!dirty || Boolean(cronErr)}
            loading={update.isPending}
            data-testid="save-schedule"
            onClick={() => update.mutate(plan, { onSuccess: () => setSaved(true) })}
          >
            Save schedule
          </Button>
        </div>
      </div>
    </Card>
  );
}
