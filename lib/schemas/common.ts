/**
 * Shapes shared by every /api/v1 endpoint.
 *
 * Success: `{ data }`; lists: `{ data: [...], next_cursor: string | null }` (pass `next_cursor` back as `?cursor=`).
 * Errors: `{ error: { type, code, message, field?, details?, request_id, doc_url } }`; `code` is one of lib/core/errors.ts;
 * `details` carries machine-readable context when there is some (409 `{ activeRunId }`, 403 `{ scope }`, 429 `{ retryAfter }`).
 * Every response carries `X-Request-Id` (= `request_id` in errors). Timestamps are ISO 8601 UTC strings.
 */
import { z } from "zod";
import { ERROR_CODES, type ErrorCode } from "@/lib/core/errors";
import { textProblem } from "@/lib/core/text";

export const ZErrorBody = z.object({
  error: z.object({
    type: z.string(),
    code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]),
    message: z.string(),
    field: z.string().optional(),
    details: z.record(z.string(), z.unknown()).optional(),
    request_id: z.string(),
    doc_url: z.string(),
  }),
});
export type TErrorBody = z.infer<typeof ZErrorBody>;

/** The zod schema of a list page whose items are `item`: `{ data: item[], next_cursor: string | null }`. */
export const ZListBody = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), next_cursor: z.string().nullable() });
export type TList<T> = { data: T[]; next_cursor: string | null };

/**
 * Single-line text (lib/core/text.ts): refuses NUL, every other C0 control character (TAB, LF and CR too), DEL and
 * lone surrogates with 422 `invalid_value` naming the field; nothing is stripped. Wrap every single-line string
 * field of a request body: `name: line(z.string().trim().min(1).max(200))`. Multi-line fields (template content)
 * stay plain `z.string()`: readJson already refuses NUL, the other controls but TAB/LF/CR, and lone surrogates in
 * every string of a body.
 */
export const line = <S extends z.ZodType<string, string>>(schema: S): S =>
  schema.superRefine((v, ctx) => {
    const problem = textProblem(v, "line");
    if (problem) ctx.addIssue({ code: "custom", message: `${problem}; a single line of text is expected.` });
  }) as unknown as S;
