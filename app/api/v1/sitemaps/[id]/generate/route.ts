import { json } from "@/lib/api/response";
import { assertCredits } from "@/lib/api/runs";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { AppError } from "@/lib/core/errors";
import { requestRun } from "@/lib/runs/request-run";
import { FINAL_RUN_STATUSES, waitForRun } from "@/lib/runs/wait";

const MAX_WAIT_SECONDS = 120;

/** `?wait=0..120` seconds (422 invalid_value otherwise) and repeatable `?subScope=key`. */
function generateQuery(req: Request): { wait: number; subScopes: string[] } {
  const params = new URL(req.url).searchParams;
  const raw = params.get("wait");
  let wait = 0;
  if (raw !== null) {
    if (!/^\d{1,3}$/.test(raw) || Number(raw) > MAX_WAIT_SECONDS) {
      throw new AppError("invalid_value", `\`wait\` must be an integer number of seconds in 0..${MAX_WAIT_SECONDS}.`, { field: "wait" });
    }
    wait = Number(raw);
  }
  return { wait, subScopes: params.getAll("subScope") };
}

// POST /api/v1/sitemaps/{id}/generate[?wait=SECONDS][&subScope=key…] – queue a run; 202 with the run. With wait > 0
// the answer comes when the run has ended (200 with the final run) or when the time is up (202 with the run as it is).
// 409 when inactive or a run is active, 422 on an unknown sub-scope key or a bad wait, 403 quota_exceeded when the
// account has no crawl credits left (balance ≤ 0)
export const POST = withApiAuth<{ id: string }>(async ({ req, params, principal }) => {
  const q = generateQuery(req);
  await assertCredits(principal.userId);
  let run = await requestRun({
    sitemapId: params.id,
    userId: principal.userId,
    trigger: principal.via === "key" ? "api" : "dashboard",
    subScopes: q.subScopes,
  });
  if (q.wait > 0) run = await waitForRun(run.id, q.wait * 1000);
  const final = (FINAL_RUN_STATUSES as readonly string[]).includes(run.status);
  return json(run, { status: final ? 200 : 202, headers: { Location: `/api/v1/runs/${run.id}` } });
}, { scope: "generate" });

export const { GET, PUT, PATCH, DELETE } = methodsNotAllowed(["POST"]);
