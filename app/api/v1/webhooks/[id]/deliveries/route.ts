import { readListQuery } from "@/lib/api/list-query";
import { jsonList } from "@/lib/api/response";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { AppError } from "@/lib/core/errors";
import { DELIVERY_LIST_SPEC } from "@/lib/submit/list";
import { findWebhook, listDeliveries } from "@/lib/webhooks/webhooks";

// GET /api/v1/webhooks/{id}/deliveries – the webhook's deliveries with attempts and last answer (list grammar)
export const GET = withApiAuth<{ id: string }>(async ({ req, params, principal }) => {
  const q = readListQuery(req, DELIVERY_LIST_SPEC);
  if (!(await findWebhook(principal.userId, params.id))) throw new AppError("not_found", `Webhook ${params.id} not found.`);
  const page = await listDeliveries(principal.userId, params.id, q);
  return jsonList(page.items, page.nextCursor);
}, { scope: "read" });

export const { POST, PUT, PATCH, DELETE } = methodsNotAllowed(["GET"]);
