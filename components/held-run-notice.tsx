"use client";
import type { TRunDto } from "@/lib/schemas/runs";
import { usePublishRun } from "@/lib/client/runs";
import { formatCount } from "@/lib/client/format";
import { Alert } from "./ui/alert";
import { Button } from "./ui/button";

/**
 * A run the publish guard held (status held): why, with the counts it compared, and a "Publish anyway" button
 * (POST /api/v1/runs/{id}/publish). The previous files stay served until it is published.
 */
export function HeldRunNotice({ run }: { run: TRunDto }) {
  const publish = usePublishRun();
  const d = run.heldDetail;
  return (
    <Alert tone="warning" title="Held by the publish guard: not published" testId="run-held">
      <p data-testid="run-held-reason">{run.heldReason ?? "This run lists far fewer URLs than the published one."}</p>
      {d && (
        <p className="mt-1 text-xs" data-testid="run-held-counts">
          Published run: {formatCount(d.publishedCount)} URLs · this run: {formatCount(d.newCount)} URLs · drop {Math.round(d.dropRatio * 1000) / 10} % (guard{" "}
          {Math.round(d.publishGuard * 1000) / 10} %)
        </p>
      )}
      <div className="mt-3 flex items-center gap-3">
        <Button size="sm" variant="secondary" loading={publish.isPending} onClick={() => publish.mutate(run.id)} data-testid="publish-anyway">
          Publish anyway
        </Button>
        {publish.error && (
          <span className="text-xs text-red-700" data-testid="publish-anyway-error">
            {publish.error.message}
          </span>
        )}
      </div>
    </Alert>
  );
}
