/**
 * Webhook storage (Webhook, WebhookDelivery): CRUD scoped to the owner (another account's webhook is "not found"),
 * the signing secret encrypted at rest (lib/auth/secrets.ts, purpose "webhook-secret").
 *
 * Errors (AppError): not_found; invalid_value on `url` when the SSRF guard refuses it (not http(s), credentials, an
 * address that is not public unicast and not allow-listed, or localhost).
 */
import type { WebhookDeliveryList, WebhookList } from "@/lib/db/list-models";
import { decryptSecret, encryptSecret } from "@/lib/auth/secrets";
import { AppError } from "@/lib/core/errors";
import { getDb } from "@/lib/db/client";
import type { ListQuery } from "@/lib/api/list-query";
import type { TCreateWebhookBody, TUpdateWebhookBody, TWebhookDeliveryDto, TWebhookDto, WebhookEvent } from "@/lib/schemas/webhooks";
import { checkOutboundUrl } from "@/lib/submit/http";
import { generateWebhookSecret } from "./sign";

export const WEBHOOK_SECRET_PURPOSE = "webhook-secret";

type WebhookRow = { id: string; url: string; events: string[]; active: boolean; createdAt: Date; updatedAt: Date };

/** API shape of a Webhook row (never the secret). */
export const toWebhookDto = (w: WebhookRow): TWebhookDto => ({
  id: w.id,
  url: w.url,
  events: w.events as WebhookEvent[],
  active: w.active,
  createdAt: w.createdAt.toISOString(),
  updatedAt: w.updatedAt.toISOString(),
});

type DeliveryRow = {
  id: string;
  webhookId: string;
  event: string;
  status: string;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  deliveredAt: Date | null;
  createdAt: Date;
  payload: unknown;
};

/** API shape of a WebhookDelivery row (timestamps as ISO 8601 UTC). */
export const toDeliveryDto = (d: DeliveryRow): TWebhookDeliveryDto => ({
  id: d.id,
  webhookId: d.webhookId,
  event: d.event,
  status: d.status as TWebhookDeliveryDto["status"],
  attempts: d.attempts,
  lastStatus: d.lastStatus,
  lastError: d.lastError,
  deliveredAt: d.deliveredAt?.toISOString() ?? null,
  createdAt: d.createdAt.toISOString(),
  payload: d.payload,
});

function assertReceiverUrl(url: string): void {
  const reason = checkOutboundUrl(url);
  if (reason) throw new AppError("invalid_value", `Webhook URL refused: ${reason}.`, { field: "url" });
}

/** Creates a webhook; returns it with its plaintext secret (the only time it is shown). */
export async function createWebhook(userId: string, body: TCreateWebhookBody): Promise<TWebhookDto & { secret: string }> {
  assertReceiverUrl(body.url);
  const secret = generateWebhookSecret();
  const row = await getDb().webhook.create({
    data: { userId, url: body.url, events: [...new Set(body.events)], active: body.active ?? true, secretEncrypted: encryptSecret(secret, WEBHOOK_SECRET_PURPOSE) },
  });
  return { ...toWebhookDto(row), secret };
}

/** The user's webhook `id`, or null (unknown or another account's). */
export async function findWebhook(userId: string, id: string): Promise<TWebhookDto | null> {
  const row = await getDb().webhook.findFirst({ where: { id, userId } });
  return row ? toWebhookDto(row) : null;
}

/** A page of the user's webhooks under the list grammar `q` (lib/api/list-query.ts). */
export async function listWebhooks(userId: string, q: ListQuery<WebhookList>): Promise<{ items: TWebhookDto[]; nextCursor: string | null }> {
  const rows = await getDb().webhook.findMany({ where: { AND: [{ userId }, q.where] }, orderBy: q.orderBy, take: q.take });
  const page = q.page(rows);
  return { items: page.rows.map(toWebhookDto), nextCursor: page.nextCursor };
}

/** Applies a partial update; null when the webhook is not the user's. Throws AppError invalid_value for a refused url. */
export async function updateWebhook(userId: string, id: string, body: TUpdateWebhookBody): Promise<TWebhookDto | null> {
  if (body.url !== undefined) assertReceiverUrl(body.url);
  const r = await getDb().webhook.updateMany({
    where: { id, userId },
    data: { ...(body.url !== undefined ? { url: body.url } : {}), ...(body.events ? { events: [...new Set(body.events)] } : {}), ...(body.active !== undefined ? { active: body.active } : {}) },
  });
  return r.count ? findWebhook(userId, id) : null;
}

/** Deletes the webhook and (cascade) its deliveries; false when it is not the user's. */
export async function deleteWebhook(userId: string, id: string): Promise<boolean> {
  return (await getDb().webhook.deleteMany({ where: { id, userId } })).count > 0;
}

/** A page of one webhook's deliveries (only when the webhook is the user's) under the list grammar `q`. */
export async function listDeliveries(userId: string, webhookId: string, q: ListQuery<WebhookDeliveryList>) {
  const rows = await getDb().webhookDelivery.findMany({
    where: { AND: [{ webhookId, webhook: { userId } }, q.where] },
    orderBy: q.orderBy,
    take: q.take,
  });
  const page = q.page(rows);
  return { items: page.rows.map(toDeliveryDto), nextCursor: page.nextCursor };
}

/** The plaintext secret of a webhook (for signing). Throws SecretsKeyError when the key changed. */
export async function webhookSecret(webhookId: string): Promise<string> {
  const w = await getDb().webhook.findUniqueOrThrow({ where: { id: webhookId }, select: { secretEncrypted: true } });
  return decryptSecret(w.secretEncrypted, WEBHOOK_SECRET_PURPOSE);
}
