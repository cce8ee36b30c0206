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
import {
  deleteWebhookRow,
  findWebhookRow,
  getWebhookSecretEncrypted,
  insertWebhook,
  queryDeliveries,
  queryWebhooks,
  toDeliveryDto,
  toWebhookDto,
  updateWebhookRow,
} from "@/lib/db/webhooks";
import type { ListQuery } from "@/lib/api/list-query";
import type { TCreateWebhookBody, TUpdateWebhookBody, TWebhookDto } from "@/lib/schemas/webhooks";
import { checkOutboundUrl } from "@/lib/submit/http";
import { generateWebhookSecret } from "./sign";

export const WEBHOOK_SECRET_PURPOSE = "webhook-secret";

/** The DTO mappers live with the queries (lib/db/webhooks.ts). */
export { toDeliveryDto, toWebhookDto };

function assertReceiverUrl(url: string): void {
  const reason = checkOutboundUrl(url);
  if (reason) throw new AppError("invalid_value", `Webhook URL refused: ${reason}.`, { field: "url" });
}

/** Creates a webhook; returns it with its plaintext secret (the only time it is shown). */
export async function createWebhook(userId: string, body: TCreateWebhookBody): Promise<TWebhookDto & { secret: string }> {
  assertReceiverUrl(body.url);
  const secret = generateWebhookSecret();
  const row = await insertWebhook({ userId, url: body.url, events: [...new Set(body.events)], active: body.active ?? true, secretEncrypted: encryptSecret(secret, WEBHOOK_SECRET_PURPOSE) });
  return { ...toWebhookDto(row), secret };
}

/** The user's webhook `id`, or null (unknown or another account's). */
export async function findWebhook(userId: string, id: string): Promise<TWebhookDto | null> {
  const row = await findWebhookRow(userId, id);
  return row ? toWebhookDto(row) : null;
}

/** A page of the user's webhooks under the list grammar `q` (lib/api/list-query.ts). */
export async function listWebhooks(userId: string, q: ListQuery<WebhookList>): Promise<{ items: TWebhookDto[]; nextCursor: string | null }> {
  const rows = await queryWebhooks({ userId, where: q.where, orderBy: q.orderBy, take: q.take });
  const page = q.page(rows);
  return { items: page.rows.map(toWebhookDto), nextCursor: page.nextCursor };
}

/** Applies a partial update; null when the webhook is not the user's. Throws AppError invalid_value for a refused url. */
export async function updateWebhook(userId: string, id: string, body: TUpdateWebhookBody): Promise<TWebhookDto | null> {
  if (body.url !== undefined) assertReceiverUrl(body.url);
  const updated = await updateWebhookRow(userId, id, {
    ...(body.url !== undefined ? { url: body.url } : {}),
    ...(body.events ? { events: [...new Set(body.events)] } : {}),
    ...(body.active !== undefined ? { active: body.active } : {}),
  });
  return updated ? findWebhook(userId, id) : null;
}

/** Deletes the webhook and (cascade) its deliveries; false when it is not the user's. */
export async function deleteWebhook(userId: string, id: string): Promise<boolean> {
  return deleteWebhookRow(userId, id);
}

/** A page of one webhook's deliveries (only when the webhook is the user's) under the list grammar `q`. */
export async function listDeliveries(userId: string, webhookId: string, q: ListQuery<WebhookDeliveryList>) {
  const rows = await queryDeliveries({ userId, webhookId, where: q.where, orderBy: q.orderBy, take: q.take });
  const page = q.page(rows);
  return { items: page.rows.map(toDeliveryDto), nextCursor: page.nextCursor };
}

/** The plaintext secret of a webhook (for signing). Throws SecretsKeyError when the key changed. */
export async function webhookSecret(webhookId: string): Promise<string> {
  return decryptSecret(await getWebhookSecretEncrypted(webhookId), WEBHOOK_SECRET_PURPOSE);
}
