import { API_KEY_LIST_SPEC } from "@/lib/api/api-keys";
import { readListQuery } from "@/lib/api/list-query";
import { readJson } from "@/lib/api/request";
import { json, jsonList } from "@/lib/api/response";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { issueApiKey } from "@/lib/auth/issue-api-key";
import { listApiKeys } from "@/lib/db/api-keys";
import { ZCreateApiKeyBody } from "@/lib/schemas/api-keys";

// GET /api/v1/api-keys – your keys (no secrets) under the list grammar (default newest first); dashboard session only
export const GET = withApiAuth(
  async ({ req, principal }) => {
    const page = await listApiKeys({ userId: principal.userId, q: readListQuery(req, API_KEY_LIST_SPEC) });
    return jsonList(page.items, page.nextCursor);
  },
  { scope: "read", sessionOnly: true },
);

// POST /api/v1/api-keys – create a key ({ name, scopes? }, default all scopes); 201 with the plaintext `key`, shown this once
export const POST = withApiAuth(
  async ({ req, principal }) => {
    const body = await readJson(req, ZCreateApiKeyBody);
    const created = await issueApiKey({ userId: principal.userId, name: body.name, scopes: body.scopes });
    return json(created, { status: 201, headers: { "Cache-Control": "no-store" } });
  },
  // Never store a response that carries a key's plaintext, so Idempotency-Key is ignored here.
  { scope: "write", sessionOnly: true, idempotent: false },
);

export const { PUT, PATCH, DELETE } = methodsNotAllowed(["GET", "POST"]);
