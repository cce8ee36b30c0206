/**
 * Webhook DTOs and bodies (/api/v1/webhooks). A webhook receives HMAC-signed POSTs for the events it subscribes to
 * (lib/webhooks/sign.ts documents the signature). The signing secret (`whsec_` + 48 hex chars) is returned once, by
 * the create call, and stored encrypted (lib/auth/secrets.ts).
 */
import { z } from "zod";
import { line } from "./common";

export const WEBHOOK_EVENTS = ["run.succeeded", "run.failed", "run.held", "submission.completed"] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
export const ZWebhookEvent = z.enum(WEBHOOK_EVENTS);

const ZUrl = line(z.string()).max(2000).url().describe("http(s) receiver URL; private and loopback addresses are refused (SSRF guard)");

export const ZCreateWebhookBody = z.strictObject({
  url: ZUrl,
  events: z.array(ZWebhookEvent).min(1).max(WEBHOOK_EVENTS.length),
  active: z.boolean().optional(),
});
export type TCreateWebhookBody = z.infer<typeof ZCreateWebhookBody>;

export const ZUpdateWebhookBody = z
  .strictObject({ url: ZUrl.optional(), events: z.array(ZWebhookEvent).min(1).max(WEBHOOK_EVENTS.length).optional(), active: z.boolean().optional() })
  .refine((b) => Object.keys(b).length > 0, { message: "Send at least one of url, events, active." });
export type TUpdateWebhookBody = z.infer<typeof ZUpdateWebhookBody>;

export const ZWebhookDto = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(ZWebhookEvent),
  active: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TWebhookDto = z.infer<typeof ZWebhookDto>;

/** The create answer: the webhook and its signing secret (shown this once). */
export const ZCreatedWebhookDto = ZWebhookDto.extend({ secret: z.string() });

export const DELIVERY_STATUSES = ["pending", "delivered", "failed"] as const;

export const ZWebhookDeliveryDto = z.object({
  id: z.string(),
  webhookId: z.string(),
  event: z.string(),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number().int(),
  lastStatus: z.number().int().nullable().describe("HTTP status of the last attempt; null when no response arrived"),
  lastError: z.string().nullable(),
  deliveredAt: z.string().nullable(),
  createdAt: z.string(),
  payload: z.unknown(),
});
export type TWebhookDeliveryDto = z.infer<typeof ZWebhookDeliveryDto>;
