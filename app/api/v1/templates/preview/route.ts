import { readJson } from "@/lib/api/request";
import { json } from "@/lib/api/response";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { ZPreviewTemplateBody } from "@/lib/schemas/templates";
import { previewResponse } from "@/lib/templates/api";

// POST /api/v1/templates/preview – render inline template source with sample data (nothing is stored)
export const POST = withApiAuth(async ({ req }) => {
  const body = await readJson(req, ZPreviewTemplateBody);
  return json(await previewResponse(body.kind, body.content));
}, { scope: "read" });

export const { GET, PUT, PATCH, DELETE } = methodsNotAllowed(["POST"]);
