import { issueApiKey } from "@/lib/auth/issue-api-key";
import { decodeCursor, encodeCursor } from "@/lib/api/pagination";
import { readJson, readQuery } from "@/lib/api/request";
import { json, jsonList } from "@/lib/api/response";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { listApiKeys } from "@/lib/db/api-keys";
import { ZCreateApiKeyBody } from "@/lib/schemas/api-keys";
import { ZListQuery } from "@/lib/schemas/common";

// GET /api/v1/api-keys – your keys (no secrets), newest first; dashboard session only
export const GET = withApiAuth(
  async ({ req, principal }) => {
    const q = readQuery(req, ZListQuery);
    const page = await listApiKeys({ userId: principal.userId, limit: q.limit, after: decodeCursor(q.cursor) });
    return jsonList(page.items, encodeCursor(page.next));
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
