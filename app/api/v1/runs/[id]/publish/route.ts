import { json } from "@/lib/api/response";
import { publishRunAnyway } from "@/lib/api/runs";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";

// POST /api/v1/runs/{id}/publish – publishes a run the publish guard held (status held): its files are written and
// served, the run becomes succeeded (200 with the run). 409 conflict when the run is not held, or a newer run has been
// published since; 404 when it is not yours.
export const POST = withApiAuth<{ id: string }>(async ({ params, principal }) => {
  return json(await publishRunAnyway({ runId: params.id, userId: principal.userId }));
}, { scope: "generate" });

export const { GET, PUT, PATCH, DELETE } = methodsNotAllowed(["POST"]);
