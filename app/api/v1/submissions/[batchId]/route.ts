import { json } from "@/lib/api/response";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { AppError } from "@/lib/core/errors";
import { getBatch } from "@/lib/submit/submit";

// GET /api/v1/submissions/{batchId} – one submission batch: its status and every entry; 404 unknown batch
export const GET = withApiAuth<{ batchId: string }>(async ({ params, principal }) => {
  const batch = await getBatch({ userId: principal.userId, batchId: params.batchId });
  if (!batch) throw new AppError("not_found", `Submission batch ${params.batchId} not found.`);
  return json(batch);
}, { scope: "read" });

export const { POST, PUT, PATCH, DELETE } = methodsNotAllowed(["GET"]);
