/**
 * Webhooks (table Webhook) and their deliveries (table WebhookDelivery): the queries of lib/webhooks/*, scoped to
 * the owner where a user asks (another account's webhook is "not found": null / false), and the one DTO mapper of
 * each entity (the secret is never in a DTO). Errors: database errors reject; `getWebhookSecretEncrypted` rejects
 * when the webhook is gone.
 */
import type { Prisma, Webhook, WebhookDelivery } from "@/generated/prisma/client";
import type { TWebhookDeliveryDto, TWebhookDto, WebhookEvent } from "@/lib/schemas/webhooks";
import { getDb } from "./client";

export type WebhookRow = Webhook;
export type DeliveryRow = WebhookDelivery;

/** API shape of a Webhook row (never the secret). */
export const toWebhookDto = (w: Pick<WebhookRow, "id" | "url" | "events" | "active" | "createdAt" | "updatedAt">): TWebhookDto => ({
  id: w.id,
  url: w.url,
  events: w.events as WebhookEvent[],
  active: w.active,
  createdAt: w.createdAt.toISOString(),
  updatedAt: w.updatedAt.toISOString(),
});

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

/** Stores a webhook (its signing secret already encrypted by the caller) and returns the row. */
export async function insertWebhook(data: { userId: string; url: string; events: string[]; active: boolean; secretEncrypted: string }): Promise<WebhookRow> {
  return getDb().webhook.create({ data });
}

/** The user's webhook row with that id (secret still encrypted), or null. */
export async function findWebhookRow(userId: string, id: string): Promise<WebhookRow | null> {
  return getDb().webhook.findFirst({ where: { id, userId } });
}

/** One page of the user's webhooks under a parsed list query (rows fetched = take). */
export async function queryWebhooks(opts: { userId: string; where: Prisma.WebhookWhereInput; orderBy: Prisma.WebhookOrderByWithRelationInput[]; take: number }): Promise<WebhookRow[]> {
  return getDb().webhook.findMany({ where: { AND: [{ userId: opts.userId }, opts.where] }, orderBy: opts.orderBy, take: opts.take });
}

/** Updates the user's webhook; false when it is not theirs. */
export async function updateWebhookRow(userId: string, id: string, data: { url?: string; events?: string[]; active?: boolean }): Promise<boolean> {
  return (await getDb().webhook.updateMany({ where: { id, userId }, data })).count > 0;
}

/** Deletes the user's webhook and (cascade) its deliveries; false when it is not theirs. */
export async function deleteWebhookRow(userId: string, id: string): Promise<boolean> {
  return (await getDb().webhook.deleteMany({ where: { id, userId } })).count > 0;
}

/** The ids of the user's active webhooks subscribed to `event`. */
export async function subscribedWebhookIds(userId: string, event: string): Promise<string[]> {
  const rows = await getDb().webhook.findMany({ where: { userId, active: true, events: { has: event } }, select: { id: true } });
  return rows.map((r) => r.id);
}

/** The encrypted signing secret of a webhook. */
export async function getWebhookSecretEncrypted(webhookId: string): Promise<string> {
  return (await getDb().webhook.findUniqueOrThrow({ where: { id: webhookId }, select: { secretEncrypted: true } })).secretEncrypted;
}

/** Inserts a pending delivery unless `id` exists. True when inserted. */
export async function insertDelivery(d: { id: string; webhookId: string; event: string; payload: object }): Promise<boolean> {
  const { count } = await getDb().webhookDelivery.createMany({ data: [{ ...d, payload: d.payload as Prisma.InputJsonValue, status: "pending" }], skipDuplicates: true });
  return count === 1;
}

/** A delivery with its webhook, or null. */
export async function findDeliveryWithWebhook(id: string) {
  return getDb().webhookDelivery.findUnique({ where: { id }, include: { webhook: true } });
}

/** A delivery, or null. */
export async function findDelivery(id: string): Promise<DeliveryRow | null> {
  return getDb().webhookDelivery.findUnique({ where: { id } });
}

/** Ends a delivery as failed with `lastError` (no attempt counted). */
export async function failDelivery(id: string, lastError: string): Promise<void> {
  await getDb().webhookDelivery.update({ where: { id }, data: { status: "failed", lastError } });
}

/** Records one attempt: attempts + 1, the answer, the new status (deliveredAt now when delivered). */
export async function recordDeliveryAttempt(id: string, r: { status: "delivered" | "failed" | "pending"; lastStatus: number | null; lastError: string | null }): Promise<void> {
  await getDb().webhookDelivery.update({
    where: { id },
    data: { attempts: { increment: 1 }, lastStatus: r.lastStatus, lastError: r.lastError, status: r.status, ...(r.status === "delivered" ? { deliveredAt: new Date() } : {}) },
  });
}

/** One page of a webhook's deliveries (only when the webhook is `userId`'s) under a parsed list query. */
export async function queryDeliveries(opts: {
  userId: string;
  webhookId: string;
  where: Prisma.WebhookDeliveryWhereInput;
  orderBy: Prisma.WebhookDeliveryOrderByWithRelationInput[];
  take: number;
}): Promise<DeliveryRow[]> {
  return getDb().webhookDelivery.findMany({
    where: { AND: [{ webhookId: opts.webhookId, webhook: { userId: opts.userId } }, opts.where] },
    orderBy: opts.orderBy,
    take: opts.take,
  });
}
