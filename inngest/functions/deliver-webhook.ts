/**
 * `deliver-webhook`: delivers one WebhookDelivery (lib/webhooks/deliver.ts). Triggered by
 * `webhook/delivery.requested {deliveryId}`.
 *
 * Attempts are explicit steps (`attempt-1`, `attempt-2`, …) separated by durable `step.sleep`s on the schedule of
 * WEBHOOK_RETRY_DELAYS_MS (default 10 s, 1 min, 10 min, 1 h, 6 h; Inngest's minimum sleep is 1 s), so each attempt
 * is recorded on the row, a restart resumes the schedule, and the local runner (which supports sleep) behaves as
 * Inngest does. The last attempt marks the row failed when it does not get a 2xx.
 */
import { inngest } from "@/lib/jobs/client";
import { webhookDeliveryRequested } from "@/lib/jobs/events";
import { attemptDelivery, retryDelaysMs } from "@/lib/webhooks/deliver";

export const deliverWebhook = inngest.createFunction(
  {
    id: "deliver-webhook",
    name: "Deliver webhook",
    triggers: [webhookDeliveryRequested],
    retries: 2,
  },
  async ({ event, step }) => {
    const { deliveryId } = event.data;
    const delays = retryDelaysMs();
    for (let i = 0; ; i++) {
      const final = i >= delays.length;
      const r = await step.run(`attempt-${i + 1}`, () => attemptDelivery(deliveryId, { final }));
      if (r.done) return { deliveryId, delivered: r.delivered, attempts: i + 1, status: r.status };
      await step.sleep(`backoff-${i + 1}`, Math.max(1000, delays[i]));
    }
  },
);
