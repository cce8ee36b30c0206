/**
 * Typed application errors and the one table mapping error codes to HTTP statuses.
 * Pure: no Response objects here (lib/api/errors.ts renders the envelope
 * `{ error: { type, code, message, field?, details?, request_id, doc_url } }`).
 *
 * `type` groups codes the way clients branch on them: invalid_request (4xx the caller can fix), authentication,
 * permission, not_found, conflict, rate_limit, api_error (5xx).
 */
export const ERROR_CODES = {
  bad_request: { status: 400, type: "invalid_request" },
  syntax_error: { status: 400, type: "invalid_request" },
  invalid_value: { status: 422, type: "invalid_request" },
  invalid_format: { status: 422, type: "invalid_request" },
  missing: { status: 422, type: "invalid_request" },
  unknown_field: { status: 422, type: "invalid_request" },
  unknown_operation: { status: 400, type: "invalid_request" },
  duplicate_entry: { status: 409, type: "conflict" },
  idempotency_key_reused: { status: 422, type: "invalid_request" },
  idempotency_in_progress: { status: 409, type: "conflict" },
  unauthorized: { status: 401, type: "authentication" },
  forbidden: { status: 403, type: "permission" },
  quota_exceeded: { status: 403, type: "permission" },
  not_found: { status: 404, type: "not_found" },
  method_not_allowed: { status: 405, type: "invalid_request" },
  conflict: { status: 409, type: "conflict" },
  payload_too_large: { status: 413, type: "invalid_request" },
  unsupported_media_type: { status: 415, type: "invalid_request" },
  rate_limited: { status: 429, type: "rate_limit" },
  internal_error: { status: 500, type: "api_error" },
  service_unavailable: { status: 503, type: "api_error" },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An error meant for the API caller: its message is safe to show; `field` names the offending input. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly field?: string;
  readonly details?: Record<string, unknown>;
  constructor(code: ErrorCode, message: string, opts: { field?: string; details?: Record<string, unknown> } = {}) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.field = opts.field;
    this.details = opts.details;
  }
  get status(): number {
    return ERROR_CODES[this.code].status;
  }
  get type(): string {
    return ERROR_CODES[this.code].type;
  }
}

/** Whether `e` is an AppError (a type guard, by `instanceof`). */
export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
