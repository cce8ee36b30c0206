import { readJson } from "@/lib/api/request";
import { json, noContent } from "@/lib/api/response";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { AppError } from "@/lib/core/errors";
import { ZUpdateWebhookBody } from "@/lib/schemas/webhooks";
import { deleteWebhook, findWebhook, updateWebhook } from "@/lib/webhooks/webhooks";

const notFound = (id: string) => new AppError("not_found", `Webhook ${id} not found.`);

// GET /api/v1/webhooks/{id} – one webhook (never its secret)
export const GET = withApiAuth<{ id: string }>(async ({ params, principal }) => {
  const w = await findWebhook(principal.userId, params.id);
  if (!w) throw notFound(params.id);
  return json(w);
}, { scope: "read" });

// PATCH /api/v1/webhooks/{id} – change url, events or active
export const PATCH = withApiAuth<{ id: string }>(async ({ req, params, principal }) => {
  const body = await readJson(req, ZUpdateWebhookBody);
  const w = await updateWebhook(principal.userId, params.id, body);
  if (!w) throw notFound(params.id);
  return json(w);
}, { scope: "write" });

// DELETE /api/v1/webhooks/{id} – delete it and its delivery log; 204
export const DELETE = withApiAuth<{ id: string }>(async ({ params, principal }) => {
  if (!(await deleteWebhook(principal.userId, params.id))) throw notFound(params.id);
  return noContent();
}, { scope: "write" });

export const { POST, PUT } = methodsNotAllowed(["GET", "PATCH", "DELETE"]);
