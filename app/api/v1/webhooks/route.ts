import { readListQuery } from "@/lib/api/list-query";
import { readJson } from "@/lib/api/request";
import { json, jsonList } from "@/lib/api/response";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { ZCreateWebhookBody } from "@/lib/schemas/webhooks";
import { WEBHOOK_LIST_SPEC } from "@/lib/submit/list";
import { createWebhook, listWebhooks } from "@/lib/webhooks/webhooks";

// GET /api/v1/webhooks – the account's webhooks (list grammar)
export const GET = withApiAuth(async ({ req, principal }) => {
  const q = readListQuery(req, WEBHOOK_LIST_SPEC);
  const page = await listWebhooks(principal.userId, q);
  return jsonList(page.items, page.nextCursor);
}, { scope: "read" });

// POST /api/v1/webhooks – create a webhook; 201 with its signing secret (shown once, so never stored for replay)
export const POST = withApiAuth(async ({ req, principal }) => {
  const body = await readJson(req, ZCreateWebhookBody);
  const created = await createWebhook(principal.userId, body);
  return json(created, { status: 201, headers: { Location: `/api/v1/webhooks/${created.id}` } });
}, { scope: "write", idempotent: false });

export const { PUT, PATCH, DELETE } = methodsNotAllowed(["GET", "POST"]);
