/**
 * Turns anything a handler throws into the one error envelope:
 * `{ error: { type, code, message, field?, details?, request_id, doc_url } }` with the status from lib/core/errors.ts;
 * `details` is the AppError's machine-readable context when it has one (e.g. 409 `{ activeRunId }`, 403 `{ scope }`).
 *
 * AppError → as is. ZodError → 422 (see zodToAppError). Prisma P2002 → 409 duplicate_entry, P2025 → 404.
 * Anything else → 500 internal_error with a generic message; the error itself goes to the server log only.
 */
import { dbErrorToAppError } from "@/lib/db/errors";
import { AppError, type ErrorCode } from "@/lib/core/errors";
import { getEnv } from "@/lib/env";
import { z } from "zod";

/** Where an error code is explained: this instance's API reference (APP_URL/docs/api, the error table's row). */
export const docUrl = (code: ErrorCode): string => `${getEnv().APP_URL.replace(/\/+$/, "")}/docs/api#${code}`;

/**
 * The error envelope of an AppError: `{ error: { type, code, message, field?, details?, request_id, doc_url } }`,
 * `field` and `details` only when the error has them, `doc_url` from {@link docUrl}. The status is the caller's
 * (`err.status`).
 */
export function errorBody(err: AppError, requestId: string) {
  return {
    error: {
      type: err.type,
      code: err.code,
      message: err.message,
      ...(err.field !== undefined ? { field: err.field } : {}),
      ...(err.details !== undefined ? { details: err.details } : {}),
      request_id: requestId,
      doc_url: docUrl(err.code),
    },
  };
}

const valueAt = (input: unknown, path: PropertyKey[]): unknown =>
  path.reduce<unknown>((v, k) => (v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[k] : undefined), input);

/**
 * The first zod issue as an AppError with `field` = the dotted path:
 * unknown key → unknown_field; absent required value → missing; URL/email/pattern → invalid_format; else invalid_value.
 * `input` (what was parsed) tells an absent value from a wrongly typed one; without it (`inputKnown` false) both are
 * invalid_value.
 */
export function zodToAppError(error: z.ZodError, input: unknown, inputKnown = true): AppError {
  const issue = error.issues[0];
  if (!issue) return new AppError("invalid_value", "Invalid input.");
  if (issue.code === "unrecognized_keys") {
    const field = [...issue.path, issue.keys[0]].join(".");
    return new AppError("unknown_field", `Unknown field "${field}".`, { field });
  }
  const field = issue.path.length ? issue.path.join(".") : undefined;
  const name = field ? `"${field}"` : "The request body";
  // zod 4 reports an absent enum as invalid_value (not invalid_type): absent is `missing` either way.
  if ((issue.code === "invalid_type" || issue.code === "invalid_value") && inputKnown && valueAt(input, issue.path) === undefined) {
    return new AppError("missing", `${name} is required.`, { field });
  }
  const code: ErrorCode =
    issue.code === "invalid_format" || (issue.code === "custom" && issue.params?.code === "invalid_format")
      ? "invalid_format"
      : "invalid_value";
  return new AppError(code, `${name}: ${issue.message}`, { field });
}

function toAppError(err: unknown): AppError | null {
  if (err instanceof AppError) return err;
  if (err instanceof z.ZodError) return zodToAppError(err, undefined, false);
  return dbErrorToAppError(err);
}

/**
 * A JSON Response with the error envelope of `err` and its status, mapped as the module doc says (AppError as is,
 * ZodError → 422, Prisma errors through lib/db/errors.ts). Anything else is logged to the server's console with the
 * request id and answered 500 `internal_error` with a generic message.
 */
export function toErrorResponse(err: unknown, requestId: string): Response {
  let appError = toAppError(err);
  if (!appError) {
    console.error(`[api] ${requestId} unhandled error`, err);
    appError = new AppError("internal_error", "Something went wrong on our side; try again later.");
  }
  return Response.json(errorBody(appError, requestId), { status: appError.status });
}
