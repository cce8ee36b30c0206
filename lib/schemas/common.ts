/**
 * Shapes shared by every /api/v1 endpoint.
 *
 * Success: `{ data }`; lists: `{ data: [...], next_cursor: string | null }` (pass `next_cursor` back as `?cursor=`).
 * Errors: `{ error: { type, code, message, field?, request_id, doc_url } }`; `code` is one of lib/core/errors.ts.
 * Every response carries `X-Request-Id` (= `request_id` in errors). Timestamps are ISO 8601 UTC strings.
 */
import { z } from "zod";
import { ERROR_CODES, type ErrorCode } from "@/lib/core/errors";

export const ZErrorBody = z.object({
  error: z.object({
    type: z.string(),
    code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]),
    message: z.string(),
    field: z.string().optional(),
    request_id: z.string(),
    doc_url: z.string(),
  }),
});
export type TErrorBody = z.infer<typeof ZErrorBody>;

export const ZListBody = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), next_cursor: z.string().nullable() });
export type TList<T> = { data: T[]; next_cursor: string | null };
