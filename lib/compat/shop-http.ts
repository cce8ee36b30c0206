/**
 * The shop API adapter's request and error plumbing (docs/compat.md).
 *
 * Error body: `{ error: { status, type, message, field?, request_id } }` where `type` is one of the document's types.
 * One table maps our error codes to their status and type (SHOP_ERRORS); the document answers 401 both for "not
 * logged in" and for "lacks the permission", 400 for every validation error (including duplicateEntry), 404, 409, 503.
 * Refinements the document asks for: a non-integer `size` and an unparsable filter value are `invalidCharacters`.
 */
import { readCapped } from "@/lib/api/request";
import type { AuthedContext } from "@/lib/api/with-api-auth";
import type { ApiScope } from "@/lib/auth/authenticate";
import { z } from "zod";
import { isAppError, type ErrorCode } from "@/lib/core/errors";
import { fieldPath, findTextProblem } from "@/lib/core/text";
import { compatRoute, shopBearerCredential, methodNotAllowed, type NativeError } from "./http";

export const SHOP_ERROR_TYPES = [
  "invalidValue",
  "invalidCharacters",
  "unknownDataField",
  "unknownOperation",
  "syntaxError",
  "invalidFormat",
  "missing",
  "duplicateEntry",
  "internalError",
  "serviceUnavailable",
  // statuses the document gives without a type name:
  "unauthorized",
  "notFound",
  "conflict",
  "tooManyRequests",
  "methodNotAllowed",
] as const;
export type ShopErrorType = (typeof SHOP_ERROR_TYPES)[number];

/** Our error code → [HTTP status, shop type]. */
export const SHOP_ERRORS: Record<ErrorCode, [number, ShopErrorType]> = {
  // bad_request is the wrappers' text check (undecodable path, NUL/controls in a path or query parameter).
  bad_request: [400, "invalidCharacters"],
  syntax_error: [400, "syntaxError"],
  invalid_value: [400, "invalidValue"],
  invalid_format: [400, "invalidFormat"],
  missing: [400, "missing"],
  unknown_field: [400, "unknownDataField"],
  unknown_operation: [400, "unknownOperation"],
  duplicate_entry: [400, "duplicateEntry"],
  idempotency_key_reused: [400, "invalidValue"],
  payload_too_large: [400, "syntaxError"],
  unsupported_media_type: [400, "syntaxError"],
  unauthorized: [401, "unauthorized"],
  forbidden: [401, "unauthorized"],
  not_found: [404, "notFound"],
  method_not_allowed: [405, "methodNotAllowed"],
  conflict: [409, "conflict"],
  idempotency_in_progress: [409, "conflict"],
  quota_exceeded: [429, "tooManyRequests"],
  rate_limited: [429, "tooManyRequests"],
  internal_error: [503, "internalError"],
  service_unavailable: [503, "serviceUnavailable"],
};

/** An error in the shop's own terms (thrown by the adapter's parsers). */
export class ShopError extends Error {
  constructor(readonly status: number, readonly type: ShopErrorType, message: string, readonly field?: string) {
    super(message);
  }
}

/** A shop API error answer: HTTP `status` with `{ error: { status, type, message, field?, request_id } }`. */
export function shopErrorResponse(status: number, type: ShopErrorType, message: string, requestId: string, field?: string): Response {
  return Response.json({ error: { status, type, message, ...(field ? { field } : {}), request_id: requestId } }, { status });
}

/** Field names of ours that the shop calls differently. */
const FIELD_NAMES: Record<string, string> = { subScopes: "subshopIds", subScope: "subshopId", number: "id", cursor: "pageToken" };
const shopField = (field?: string) => (field === undefined ? undefined : (FIELD_NAMES[field.split(".")[0]] ?? field.split(".")[0]) + field.slice(field.split(".")[0].length));

/** A native error (code, message, field) in the shop's terms. */
export function toShopError(err: { code: ErrorCode; message: string; field?: string }): ShopError {
  const [status, type] = SHOP_ERRORS[err.code] ?? [503, "internalError"];
  const field = shopField(err.field);
  if (err.code === "invalid_value" && field?.startsWith("filter[")) return new ShopError(400, "invalidCharacters", err.message, field);
  return new ShopError(status, type, err.message, field);
}

/** compatRoute translate: native envelopes from the wrapper (401, 429, 405 …) in the shop's shape. */
export function shopTranslate(err: NativeError): Response {
  const e = toShopError(err);
  return shopErrorResponse(e.status, e.type, e.message, err.request_id, e.field);
}

/**
 * A shop route: Bearer key (as for /api/v1), `scope`, and a handler whose ShopError / AppError are answered in the
 * shop's shape with the field context (anything else: the native 500 path).
 */
export function shopRoute<P extends Record<string, string>>(scope: ApiScope, handler: (ctx: AuthedContext<P>) => Promise<Response>) {
  return compatRoute<P>({
    credential: shopBearerCredential,
    scope,
    translate: shopTranslate,
    handler: async (ctx) => {
      try {
        return await handler(ctx);
      } catch (err) {
        const e = err instanceof ShopError ? err : isAppError(err) ? toShopError(err) : null;
        if (!e) throw err;
        return shopErrorResponse(e.status, e.type, e.message, ctx.requestId, e.field);
      }
    },
  });
}

/**
 * A route handler answering 405 in the shop's error envelope, naming the `allowed` methods (lib/compat/http.ts
 * methodNotAllowed).
 */
export const shopMethodsNotAllowed = (allowed: string[]) => methodNotAllowed(allowed, shopTranslate);

/**
 * The JSON object body; anything unreadable is 400 "Request body could not be loaded." (syntaxError); a string or key
 * with NUL, another C0 control but TAB/LF/CR, DEL or a lone surrogate is 400 invalidCharacters naming the field.
 */
export async function readShopBody(req: Request): Promise<Record<string, unknown>> {
  let input: unknown;
  try {
    const bytes = await readCapped(req);
    input = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new ShopError(400, "syntaxError", "Request body could not be loaded.");
  }
  if (input === null || typeof input !== "object" || Array.isArray(input)) throw new ShopError(400, "syntaxError", "Request body could not be loaded: a JSON object is expected.");
  const bad = findTextProblem(input, "text");
  if (bad) throw new ShopError(400, "invalidCharacters", `${fieldPath(bad.path)} ${bad.problem}.`, shopField(fieldPath(bad.path)));
  return input as Record<string, unknown>;
}

/** The `{id}` path parameter: a positive integer, else 400 invalidValue "id is invalid". */
export function shopId(raw: string, what = "id"): number {
  if (!/^\d{1,15}$/.test(raw) || Number(raw) < 1) throw new ShopError(400, "invalidValue", `${what} is invalid.`, what);
  return Number(raw);
}

/** A description of a value's JSON type in the document's words ("a string", "an integer" …), found on the schema. */
function typeWords(schema: z.ZodType, path: readonly PropertyKey[]): string | undefined {
  let node: z.ZodType | undefined = schema;
  let words: string | undefined;
  for (let i = 0; ; i++) {
    // Wrappers (optional, nullable) may carry the description or sit around the schema that does.
    while (node) {
      words = node.description ?? words;
      if (node instanceof z.ZodOptional || node instanceof z.ZodNullable) node = node.unwrap() as z.ZodType;
      else break;
    }
    if (i >= path.length || !(node instanceof z.ZodObject)) return words;
    node = (node.shape as Record<string, z.ZodType>)[String(path[i])];
    words = undefined;
  }
}

/**
 * Parses a shop request body with its zod schema (a strict object whose fields carry the document's type words in
 * `.describe()`) and answers the document's first error, in its order: unknown field → unknownDataField, required
 * field absent → missing, wrong JSON type → invalidFormat ("name is not a string"). An array element of the wrong
 * type names the array ("exportPlan is not an array of integers"). Value checks stay with the native schemas.
 * Throws ShopError (400).
 */
export function parseShopBody<S extends z.ZodObject>(schema: S, body: Record<string, unknown>): z.infer<S> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issues = r.error.issues;
  const unknown = issues.find((i) => i.code === "unrecognized_keys" && i.path.length === 0);
  if (unknown && unknown.code === "unrecognized_keys") {
    throw new ShopError(400, "unknownDataField", `Unknown field "${unknown.keys[0]}".`, unknown.keys[0]);
  }
  const missing = issues.find((i) => i.path.length === 1 && body[String(i.path[0])] === undefined);
  if (missing) throw new ShopError(400, "missing", `${String(missing.path[0])} is missing.`, String(missing.path[0]));
  const first = issues[0];
  if (first.code === "unrecognized_keys") {
    const field = [...first.path, first.keys[0]].join(".");
    throw new ShopError(400, "unknownDataField", `Unknown field "${field}".`, field);
  }
  const at = first.path.findIndex((seg) => typeof seg === "number");
  const path = at < 0 ? first.path : first.path.slice(0, at);
  const field = path.map(String).join(".");
  throw new ShopError(400, "invalidFormat", `${field} is not ${typeWords(schema, path) ?? "valid"}.`, field);
}
