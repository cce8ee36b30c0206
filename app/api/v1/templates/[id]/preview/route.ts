import { json } from "@/lib/api/response";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { AppError } from "@/lib/core/errors";
import { findTemplate } from "@/lib/db/templates";
import { previewResponse } from "@/lib/templates/api";

// POST /api/v1/templates/{id}/preview – render the stored template with sample data; output + validation
export const POST = withApiAuth<{ id: string }>(async ({ params, principal }) => {
  const row = await findTemplate({ userId: principal.userId, templateId: params.id });
  if (!row) throw new AppError("not_found", `Template ${params.id} not found.`);
  return json(await previewResponse(row.kind, row.content));
}, { scope: "read" });

export const { GET, PUT, PATCH, DELETE } = methodsNotAllowed(["POST"]);
