import { json } from "@/lib/api/response";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { AppError } from "@/lib/core/errors";
import { getRunForUser } from "@/lib/db/runs";

// GET /api/v1/runs/{id} – status, progress and counts of a run
export const GET = withApiAuth<{ id: string }>(async ({ params, principal }) => {
  const run = await getRunForUser({ runId: params.id, userId: principal.userId });
  if (!run) throw new AppError("not_found", `Run ${params.id} not found.`);
  return json(run);
}, { scope: "read" });

export const { POST, PUT, PATCH, DELETE } = methodsNotAllowed(["GET"]);
