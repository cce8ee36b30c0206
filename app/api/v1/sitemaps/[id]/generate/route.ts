import { json } from "@/lib/api/response";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { requestRun } from "@/lib/runs/request-run";

// POST /api/v1/sitemaps/{id}/generate – queue a run; 202 with the run, 409 when inactive or a run is active
export const POST = withApiAuth<{ id: string }>(async ({ params, principal }) => {
  const run = await requestRun({
    sitemapId: params.id,
    userId: principal.userId,
    trigger: principal.via === "key" ? "api" : "dashboard",
  });
  return json(run, { status: 202, headers: { Location: `/api/v1/runs/${run.id}` } });
});
