import { json } from "@/lib/api/response";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { AppError } from "@/lib/core/errors";
import { cancelRun } from "@/lib/db/runs";
import { enqueueFollowUp } from "@/lib/runs/follow-up";

// POST /api/v1/runs/{id}/cancel – a queued run: cancelled at once (200, claim released); a running run: cancel
// requested (202, cancelRequestedAt set; the crawl stops at its next check and the run ends `cancelled`, the published
// files untouched); a finished run: 409 conflict.
export const POST = withApiAuth<{ id: string }>(async ({ params, principal }) => {
  const r = await cancelRun({ runId: params.id, userId: principal.userId });
  if (r.outcome === "not_found") throw new AppError("not_found", `Run ${params.id} not found.`);
  if (r.outcome === "finished") throw new AppError("conflict", `Run ${params.id} already ended (${r.run.status}); nothing to cancel.`);
  if (r.outcome === "cancelled") await enqueueFollowUp(r.followUp);
  return json(r.run, { status: r.outcome === "cancelled" ? 200 : 202 });
}, { scope: "generate" });

export const { GET, PUT, PATCH, DELETE } = methodsNotAllowed(["POST"]);
