"use client";
/**
 * Starting a run from the dashboard: one request per click however fast the clicks come, and a 409 "run already
 * active" shown as what it is — a run in progress, with a link to it — instead of an error.
 */
import Link from "next/link";
import { useCallback, useRef, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { runConflictOf } from "@/lib/client/api";
import { useGenerateSitemap } from "@/lib/client/sitemaps";

/** The dashboard page of a run. */
export const runHref = (runId: string) => `/dashboard/runs/${encodeURIComponent(runId)}`;

/**
 * POST …/generate for `sitemapId` behind a synchronous in-flight guard: a second click before the first answer is
 * ignored (the mutation's own pending flag reaches React only a tick later, after a double click's second event).
 * Returns `start` (optional `onError` gets the failure of that click), `pending` (disable the button while true),
 * `conflict` (the 409 `{ activeRunId }` when a run was already queued or running, else null) and `error` (any other
 * failure, else null).
 */
export function useGenerateAction(sitemapId: string) {
  const generate = useGenerateSitemap();
  const inFlight = useRef(false);
  const [sending, setSending] = useState(false);
  const { mutate } = generate;
  const start = useCallback(
    (opts: { onError?: (err: unknown) => void } = {}) => {
      if (inFlight.current) return;
      inFlight.current = true;
      setSending(true);
      mutate(sitemapId, {
        onError: opts.onError,
        onSettled: () => {
          inFlight.current = false;
          setSending(false);
        },
      });
    },
    [mutate, sitemapId],
  );
  const conflict = runConflictOf(generate.error);
  return { start, pending: sending || generate.isPending, conflict, error: conflict ? null : generate.error };
}

/** The info box for a 409 "run already active": not an error; links to the active run when the answer named it. */
export function RunInProgressNotice({ activeRunId, sitemapName, className }: { activeRunId: string | null; sitemapName?: string; className?: string }) {
  return (
    <Alert tone="info" title="A run is already in progress" className={className} testId="run-in-progress">
      {sitemapName ? <>{sitemapName}: </> : null}
      {activeRunId ? (
        <>
          {sitemapName ? "it" : "It"} keeps going; no second run was started.{" "}
          <Link href={runHref(activeRunId)} className="font-medium underline hover:text-indigo-700" data-testid="run-in-progress-link">
            View the run
          </Link>
        </>
      ) : (
        <>{sitemapName ? "it" : "It"} ended a moment ago; its result shows here once the page refreshes.</>
      )}
    </Alert>
  );
}
