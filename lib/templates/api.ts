/**
 * The preview endpoints' logic: previewTemplate (preview.ts) with a syntax error turned into 422 invalid_value on
 * `content` (message with line and column). Render failures are part of the 200 answer (`validation.ok` false).
 */
import { AppError } from "@/lib/core/errors";
import type { TTemplatePreviewDto } from "@/lib/schemas/templates";
import { previewTemplate } from "./preview";
import { TemplateSyntaxError, type TemplateKind } from "./sandbox";

/**
 * previewTemplate of `content` as a template of `kind`; a syntax error becomes AppError 422 `invalid_value` (field
 * `content`, `details: { line, column }`).
 */
export async function previewResponse(kind: string, content: string): Promise<TTemplatePreviewDto> {
  try {
    return await previewTemplate(kind as TemplateKind, content);
  } catch (err) {
    if (err instanceof TemplateSyntaxError) throw new AppError("invalid_value", err.message, { field: "content", details: { line: err.line, column: err.column } });
    throw err;
  }
}
