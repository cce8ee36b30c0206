/**
 * Template previews: render a template of any kind with the sample data of data.ts and validate the output the
 * way an export or a feed refresh would (validate.ts).
 *
 * `previewTemplate(kind, content)` → { output, contentType, validation: { ok, errors, urlCount, bytes } }.
 * Output is capped at 1,048,576 bytes for previews. Throws TemplateSyntaxError (bad source) — a render failure
 * (timeout, memory, output cap, runtime error) is reported as a failed validation, not thrown, so the caller can
 * show it next to the editor.
 */
import { sampleFeed, sampleSitemap, sampleUrls } from "./data";
import { parseTemplate, renderTemplate, TemplateRenderError, type TemplateKind } from "./sandbox";
import { validateFeedXml, validateHtml, validateUrlsetXml, type OutputValidation } from "./validate";

export const PREVIEW_MAX_BYTES = 1_048_576;

export type TemplatePreview = { output: string; contentType: string; validation: OutputValidation };

const CONTENT_TYPE: Record<TemplateKind, string> = {
  xml: "application/xml; charset=utf-8",
  html: "text/html; charset=utf-8",
  rss: "application/rss+xml; charset=utf-8",
};

/** The sample variables a template of `kind` gets in a preview (see data.ts for the shapes). */
export function sampleDataFor(kind: TemplateKind): Record<string, unknown> {
  if (kind === "rss") return sampleFeed("rss");
  const urls = sampleUrls();
  if (kind === "xml") return { urls, part: { number: 1, count: 1, name: "sitemap.xml" }, sitemap: sampleSitemap };
  return { urls, page: { number: 1, count: 1, prev: null, next: null }, sitemap: sampleSitemap };
}

/** Renders `content` with the sample data of `kind` and validates the output (module doc: shape, cap, what throws). */
export async function previewTemplate(kind: TemplateKind, content: string): Promise<TemplatePreview> {
  const parsed = parseTemplate(content);
  let output: string;
  try {
    output = await renderTemplate(parsed, sampleDataFor(kind), { outputBytes: PREVIEW_MAX_BYTES });
  } catch (err) {
    if (err instanceof TemplateRenderError) {
      return { output: "", contentType: CONTENT_TYPE[kind], validation: { ok: false, errors: [err.message], urlCount: 0, bytes: 0 } };
    }
    throw err;
  }
  const validation = kind === "xml" ? validateUrlsetXml(output) : kind === "rss" ? validateFeedXml(output) : validateHtml(output);
  return { output, contentType: CONTENT_TYPE[kind], validation };
}
