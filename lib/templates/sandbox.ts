/**
 * The template sandbox: user templates are LiquidJS (https://liquidjs.com), configured so that a template can only
 * read the data it is given and write bounded text.
 *
 * - No file system: `include`, `render` and `layout` are refused when the template is parsed (a TemplateSyntaxError
 *   naming the tag), and the engine's partial lookup is an empty in-memory map, so nothing is ever read from disk.
 * - No code execution: Liquid has no eval; `ownPropertyOnly` hides prototype members (`constructor`, `__proto__`),
 *   `strictFilters` refuses unknown filters, and no custom filter or tag touches the process.
 * - Every `{{ output }}` is HTML/XML-escaped (`outputEscape: "escape"`: & < > " '), so a URL or title cannot break
 *   the markup; `| raw` opts out for a value the author escaped himself.
 * - Limits (TEMPLATE_LIMITS): source ≤ 262,144 bytes (UTF-8) and ≤ 1,000,000 characters parsed; render time
 *   ≤ 2,000 ms per render call (exports: + 1 ms per URL of the file); allocations ≤ 20,000,000 units (LiquidJS `memoryLimit`: loop ranges, joins, string
 *   filters — this is what bounds huge loops); output ≤ `outputBytes` (default 52,428,800 bytes of UTF-8; the render
 *   stops as soon as it is exceeded).
 *
 * Errors: parseTemplate → TemplateSyntaxError (message, 1-based line and column). renderTemplate →
 * TemplateSyntaxError for a bad source, TemplateRenderError with `reason` "timeout" | "memory" | "output_too_large" |
 * "error" (an undefined filter argument, a type error at runtime).
 */
import { Context, Liquid, Tag, toPromise, type Emitter, type TagToken, type TopLevelToken, type Template } from "liquidjs";

export const TEMPLATE_KINDS = ["xml", "html", "rss"] as const;
export type TemplateKind = (typeof TEMPLATE_KINDS)[number];

export const TEMPLATE_LIMITS = {
  /** Template source, UTF-8 bytes. */
  sourceBytes: 262_144,
  /** LiquidJS parseLimit, characters per parse call. */
  parseChars: 1_000_000,
  /** Wall time per render call, ms. */
  renderMs: 2_000,
  /** Extra wall time per URL when an export renders a sitemap file (lib/templates/export.ts), ms. */
  renderMsPerUrl: 1,
  /** LiquidJS memoryLimit units per render call. */
  memory: 20_000_000,
  /** Default output cap, UTF-8 bytes (the sitemaps.org per-file limit). */
  outputBytes: 52_428_800,
} as const;

/** The template does not parse; `line`/`column` are 1-based (0 when unknown). */
export class TemplateSyntaxError extends Error {
  constructor(message: string, readonly line: number, readonly column: number) {
    super(line ? `Template error on line ${line}, column ${column}: ${message}` : `Template error: ${message}`);
    this.name = "TemplateSyntaxError";
  }
}

export type RenderFailure = "timeout" | "memory" | "output_too_large" | "error";
/** The template parsed but rendering failed or went over a limit. */
export class TemplateRenderError extends Error {
  constructor(message: string, readonly reason: RenderFailure) {
    super(message);
    this.name = "TemplateRenderError";
  }
}

const FORBIDDEN_TAGS = ["include", "render", "layout"] as const;

function forbiddenTag(name: string) {
  return class extends Tag {
    constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid) {
      super(token, remain, liquid);
      throw new Error(`the {% ${name} %} tag is not available: templates cannot read files or other templates`);
    }
    *render(): Generator<unknown, void, unknown> {}
  };
}

function createEngine(): Liquid {
  const engine = new Liquid({
    templates: {}, // partial lookups never reach the file system
    ownPropertyOnly: true,
    strictFilters: true,
    strictVariables: false,
    outputEscape: "escape",
    parseLimit: TEMPLATE_LIMITS.parseChars,
    renderLimit: TEMPLATE_LIMITS.renderMs,
    memoryLimit: TEMPLATE_LIMITS.memory,
    cache: false,
    greedy: false,
  });
  for (const name of FORBIDDEN_TAGS) engine.registerTag(name, forbiddenTag(name));
  return engine;
}

const engine = createEngine();

/** 1-based line/column of a LiquidJS error, from its token or its message (", line:3, col:7"). */
function locate(err: unknown): { line: number; column: number; message: string } {
  const e = err as { message?: string; token?: { getPosition?: () => [number, number] }; originalError?: { message?: string } };
  const pos = e.token?.getPosition?.();
  const m = /line:(\d+), col:(\d+)/.exec(e.message ?? "");
  const line = pos?.[0] ?? (m ? Number(m[1]) : 0);
  const column = pos?.[1] ?? (m ? Number(m[2]) : 0);
  const message = (e.originalError?.message ?? e.message ?? String(err)).replace(/, line:\d+, col:\d+[\s\S]*$/, "").replace(/^\w*Error: /, "");
  return { line, column, message };
}

/**
 * Parses `source` in the sandbox; returns the parsed template (reusable for many renders).
 * Throws TemplateSyntaxError for an empty or over-long source, a Liquid syntax error, or a refused tag.
 */
export function parseTemplate(source: string): Template[] {
  if (source.trim() === "") throw new TemplateSyntaxError("the template is empty", 0, 0);
  if (Buffer.byteLength(source, "utf8") > TEMPLATE_LIMITS.sourceBytes) {
    throw new TemplateSyntaxError(`the template is longer than ${TEMPLATE_LIMITS.sourceBytes} bytes`, 0, 0);
  }
  try {
    return engine.parse(source);
  } catch (err) {
    const { line, column, message } = locate(err);
    throw new TemplateSyntaxError(message, line, column);
  }
}

class OutputTooLarge extends Error {}

/** Collects output and stops the render once it passes `max` UTF-8 bytes. */
class CappedEmitter implements Emitter {
  buffer = "";
  private bytes = 0;
  constructor(private readonly max: number) {}
  write(html: unknown): void {
    const s = html === null || html === undefined ? "" : typeof html === "string" ? html : String(html);
    this.bytes += Buffer.byteLength(s, "utf8");
    if (this.bytes > this.max) throw new OutputTooLarge();
    this.buffer += s;
  }
}

export type RenderOptions = { outputBytes?: number; renderMs?: number };

/**
 * Renders `template` (a source string or parseTemplate's result) with `data` as its variables.
 * `data` must be plain JSON-like values (dates as ISO strings). Returns the output string.
 * Throws TemplateSyntaxError or TemplateRenderError (see the module doc).
 */
export async function renderTemplate(template: string | Template[], data: Record<string, unknown>, opts: RenderOptions = {}): Promise<string> {
  const parsed = typeof template === "string" ? parseTemplate(template) : template;
  const max = opts.outputBytes ?? TEMPLATE_LIMITS.outputBytes;
  const emitter = new CappedEmitter(max);
  const ctx = new Context(data, engine.options, { ownPropertyOnly: true, renderLimit: opts.renderMs ?? TEMPLATE_LIMITS.renderMs, memoryLimit: TEMPLATE_LIMITS.memory });
  try {
    await toPromise(engine.renderer.renderTemplates(parsed, ctx, emitter));
  } catch (err) {
    const cause = (err as { originalError?: unknown }).originalError ?? err;
    if (cause instanceof OutputTooLarge || err instanceof OutputTooLarge) {
      throw new TemplateRenderError(`The template's output is larger than ${max} bytes.`, "output_too_large");
    }
    const msg = String((cause as Error)?.message ?? cause);
    if (/template render limit exceeded/i.test(msg)) {
      throw new TemplateRenderError(`The template took longer than ${opts.renderMs ?? TEMPLATE_LIMITS.renderMs} ms to render.`, "timeout");
    }
    if (/memory alloc limit exceeded/i.test(msg)) {
      throw new TemplateRenderError(`The template allocated too much (loops or strings over the sandbox limit of ${TEMPLATE_LIMITS.memory}).`, "memory");
    }
    const { line, column, message } = locate(err);
    throw new TemplateRenderError(line ? `Render error on line ${line}, column ${column}: ${message}` : `Render error: ${message}`, "error");
  }
  return emitter.buffer;
}
