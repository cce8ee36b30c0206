/**
 * Templates API DTOs (/api/v1/templates). A template is LiquidJS source (lib/templates/sandbox.ts) of one kind:
 * "xml" (renders one urlset part of a sitemap), "html" (one HTML sitemap page), "rss" (one RSS/Atom feed).
 * `content` is at most 262,144 bytes; it is parsed on create and update (a syntax error is 422 invalid_value on
 * `content` with the line in the message). `version` starts at 1 and grows by one on every content change.
 */
import { z } from "zod";
import { line } from "./common";
import { TEMPLATE_KINDS } from "@/lib/templates/sandbox";

export const ZTemplateKind = z.enum(TEMPLATE_KINDS).describe("xml: a urlset part; html: an HTML sitemap page; rss: an RSS 2.0 or Atom feed.");

const ZName = line(z.string()).trim().min(1).max(200);
const ZContent = z.string().max(262_144).describe("LiquidJS source (sandboxed; see docs/templates-feeds.md).");

export const ZCreateTemplateBody = z.strictObject({ name: ZName, kind: ZTemplateKind, content: ZContent });
export type TCreateTemplateBody = z.infer<typeof ZCreateTemplateBody>;

/** The kind of a template cannot change (sitemaps and feeds rely on it): create a new template instead. */
export const ZUpdateTemplateBody = z.strictObject({ name: ZName.optional(), content: ZContent.optional() });
export type TUpdateTemplateBody = z.infer<typeof ZUpdateTemplateBody>;

export const ZTemplateDto = z.object({
  id: z.string(),
  number: z.number().int(),
  name: z.string(),
  kind: ZTemplateKind,
  content: z.string(),
  version: z.number().int(),
  /** How many sitemaps and feeds use it (DELETE is refused while either is > 0). */
  usedBy: z.object({ sitemaps: z.number().int(), feeds: z.number().int() }),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TTemplateDto = z.infer<typeof ZTemplateDto>;

/** POST /api/v1/templates/preview: render inline source with sample data. */
export const ZPreviewTemplateBody = z.strictObject({ kind: ZTemplateKind, content: ZContent });

export const ZTemplatePreviewDto = z.object({
  output: z.string().describe("The rendered sample (at most 1,048,576 bytes)."),
  contentType: z.string(),
  validation: z.object({
    ok: z.boolean(),
    errors: z.array(z.string()),
    urlCount: z.number().int().describe("URLs (xml), links (html) or items (rss) in the output."),
    bytes: z.number().int(),
  }),
});
export type TTemplatePreviewDto = z.infer<typeof ZTemplatePreviewDto>;
