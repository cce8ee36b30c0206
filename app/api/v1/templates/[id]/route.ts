import { readJson } from "@/lib/api/request";
import { json, noContent } from "@/lib/api/response";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { AppError } from "@/lib/core/errors";
import { deleteTemplate, findTemplate, toTemplateDto, updateTemplate } from "@/lib/db/templates";
import { ZUpdateTemplateBody } from "@/lib/schemas/templates";

const notFound = (id: string) => new AppError("not_found", `Template ${id} not found.`);

// GET /api/v1/templates/{id} – one template with its source and usage
export const GET = withApiAuth<{ id: string }>(async ({ params, principal }) => {
  const row = await findTemplate({ userId: principal.userId, templateId: params.id });
  if (!row) throw notFound(params.id);
  return json(toTemplateDto(row));
}, { scope: "read" });

// PATCH /api/v1/templates/{id} – rename or change the content (parsed; version + 1 when it changes)
export const PATCH = withApiAuth<{ id: string }>(async ({ req, params, principal }) => {
  const body = await readJson(req, ZUpdateTemplateBody);
  const row = await updateTemplate({ userId: principal.userId, templateId: params.id, data: body });
  if (!row) throw notFound(params.id);
  return json(toTemplateDto(row));
}, { scope: "templates" });

// DELETE /api/v1/templates/{id} – 204; 409 while a sitemap or feed uses it
export const DELETE = withApiAuth<{ id: string }>(async ({ params, principal }) => {
  const outcome = await deleteTemplate({ userId: principal.userId, templateId: params.id });
  if (outcome === "not_found") throw notFound(params.id);
  if (outcome === "in_use") throw new AppError("conflict", "A sitemap or feed uses this template; point them to another template (or none) first.");
  return noContent();
}, { scope: "templates" });

export const { POST, PUT } = methodsNotAllowed(["GET", "PATCH", "DELETE"]);
