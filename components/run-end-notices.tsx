import type { TRunDto } from "@/lib/schemas/runs";
import { HeldRunNotice } from "./held-run-notice";
import { RunOutcomeAlerts } from "./run-outcome";
import { Alert } from "./ui/alert";

/**
 * How a finished run ended, when there is something to say, each in a padded block above a run's counts: why it
 * failed or the warnings of a truncated crawl (RunOutcomeAlerts), the publish guard's notice with "Publish anyway"
 * (HeldRunNotice), or that it was cancelled. Shared by the sitemap page's last run and the run page's summary.
 */
export function RunEndNotices({ run }: { run: TRunDto }) {
  return (
    <>
      {(run.status === "failed" || (run.status === "succeeded" && run.warnings.length > 0)) && (
        <div className="px-5 pt-4">
          <RunOutcomeAlerts run={run} />
        </div>
      )}
      {run.status === "held" && (
        <div className="px-5 pt-4">
          <HeldRunNotice run={run} />
        </div>
      )}
      {run.status === "cancelled" && (
        <div className="px-5 pt-4">
          <Alert tone="warning" title="The run was cancelled">
            {run.error ?? "The previously published files are still served."}
          </Alert>
        </div>
      )}
    </>
  );
}
