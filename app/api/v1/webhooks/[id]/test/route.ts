import { json } from "@/lib/api/response";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { AppError } from "@/lib/core/errors";
import { findDelivery } from "@/lib/db/webhooks";
import { queueTestDelivery } from "@/lib/webhooks/emit";
import { findWebhook, toDeliveryDto } from "@/lib/webhooks/webhooks";

// POST /api/v1/webhooks/{id}/test – queue a signed `webhook.test` delivery (whatever the subscribed events); 202 with
// the delivery (follow it in /deliveries); 404 unknown webhook, 409 webhook inactive, 503 job queue unavailable
export const POST = withApiAuth<{ id: string }>(async ({ params, principal }) => {
  const w = await findWebhook(principal.userId, params.id);
  if (!w) throw new AppError("not_found", `Webhook ${params.id} not found.`);
  if (!w.active) throw new AppError("conflict", "The webhook is inactive; activate it to send a test delivery.");
  let id: string;
  try {
    id = await queueTestDelivery(w.id);
  } catch {
    throw new AppError("service_unavailable", "The job queue is unavailable; try again shortly.");
  }
  const d = await findDelivery(id);
  if (!d) throw new Error(`Delivery ${id} was queued but cannot be read back.`);
  return json(toDeliveryDto(d), { status: 202 });
}, { scope: "write" });

export const { GET, PUT, PATCH, DELETE } = methodsNotAllowed(["POST"]);
