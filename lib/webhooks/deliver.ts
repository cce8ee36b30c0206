/**
 * One delivery attempt of a WebhookDelivery: sign (lib/webhooks/sign.ts), POST under the SSRF guard
 * (lib/submit/http.ts, 10 s deadline), record the attempt on the row (attempts + 1, lastStatus, lastError).
 * A 2xx answer delivers; anything else is retried by `deliver-webhook` on the schedule of `retryDelaysMs`
 * (env WEBHOOK_RETRY_DELAYS_MS, comma-separated ms; default 10 s, 1 min, 10 min, 1 h, 6 h → 6 attempts in ~7 h),
 * after which the row is `failed`. A deleted or deactivated webhook ends the delivery as failed at once.
 */
import { failDelivery, findDeliveryWithWebhook, recordDeliveryAttempt } from "@/lib/db/webhooks";
import { guardedPost } from "@/lib/submit/http";
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signPayload } from "./sign";
import { webhookSecret } from "./webhooks";

export const DEFAULT_RETRY_DELAYS_MS = [10_000, 60_000, 600_000, 3_600_000, 21_600_000];

/** Delays between attempts, ms (env WEBHOOK_RETRY_DELAYS_MS or the default). */
export function retryDelaysMs(env: Record<string, string | undefined> = process.env): number[] {
  const raw = env.WEBHOOK_RETRY_DELAYS_MS?.trim();
  if (!raw) return DEFAULT_RETRY_DELAYS_MS;
  const list = raw.split(",").map((s) => Number(s.trim()));
  return list.every((n) => Number.isInteger(n) && n >= 0) ? list : DEFAULT_RETRY_DELAYS_MS;
}

export type AttemptResult = { done: boolean; delivered: boolean; status: number | null; error: string | null };

/** Makes one attempt; `final`: no retry follows, so a failure marks the row failed. */
export async function attemptDelivery(deliveryId: string, opts: { final: boolean }): Promise<AttemptResult> {
  const d = await findDeliveryWithWebhook(deliveryId);
  if (!d) return { done: true, delivered: false, status: null, error: "delivery deleted" };
  if (d.status !== "pending") return { done: true, delivered: d.status === "delivered", status: d.lastStatus, error: d.lastError };
  if (!d.webhook.active) {
    await failDelivery(d.id, "The webhook is inactive.");
    return { done: true, delivered: false, status: null, error: "The webhook is inactive." };
  }
  const body = JSON.stringify(d.payload);
  const secret = await webhookSecret(d.webhookId);
  const res = await guardedPost(d.webhook.url, {
    body,
    timeoutMs: 10_000,
    maxBodyBytes: 1024,
    headers: {
      "content-type": "application/json; charset=utf-8",
      [SIGNATURE_HEADER.toLowerCase()]: signPayload(secret, body, Math.floor(Date.now() / 1000)),
      [EVENT_HEADER.toLowerCase()]: d.event,
      [DELIVERY_HEADER.toLowerCase()]: d.id,
    },
  });
  const delivered = res.status !== null && res.status >= 200 && res.status < 300;
  const error = delivered ? null : res.error ? `${res.error.code}: ${res.error.message}` : `HTTP ${res.status}${res.body ? `: ${res.body.slice(0, 200)}` : ""}`;
  const status = delivered ? "delivered" : opts.final ? "failed" : "pending";
  await recordDeliveryAttempt(d.id, { status, lastStatus: res.status, lastError: error });
  return { done: delivered || opts.final, delivered, status: res.status, error };
}
