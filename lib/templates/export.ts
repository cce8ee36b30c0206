/**
 * Templates in the export step: `applySitemapTemplate(dir, written, opts)` runs inside exportRun's
 * publishGeneration callback, after the built-in writer has written the generation into its temporary folder and
 * before the folder is renamed into place. So the built-in writer still decides the split (maxFileEntries,
 * maxFileSize, 50,000 URLs / 52,428,800 bytes) and writes the sitemap index, and publishing stays atomic: if a
 * template fails, the error aborts the generation, the temporary folder is discarded and the previous files stay
 * served.
 *
 * - kind "xml": each urlset part (`sitemap.xml`, `sitemap-N.xml`, `.xml.gz` too) is read back, its URLs (loc,
 *   lastmod, changefreq, priority, images, hreflang alternates — the built-in writer's normalised values) are passed
 *   to the template as `urls`, and the part is replaced by the template's output after validateUrlsetXml (well-formed,
 *   urlset in the sitemaps.org namespace, absolute locs ≤ 2,048 chars, ≤ 50,000 URLs, ≤ min(maxFileSize,
 *   52,428,800) bytes). The index and the TXT/JSON outputs are the built-in ones.
 * - kind "html": the HTML sitemap pages are rendered by the template instead of the built-in HTML format, 500 URLs a
 *   page, named like the built-in pages (`sitemap.html`, `sitemap-2.html`, …); built-in HTML pages, if any, are
 *   replaced.
 * - kind "rss" cannot render a sitemap: the export fails.
 *
 * Render time per file: 2,000 ms + 1 ms per URL in it (exportRenderMs); the other sandbox limits as in sandbox.ts.
 *
 * Output is a function of the template and the stored inventory, so a retried export rewrites identical bytes
 * (unless the template itself prints the current time).
 *
 * Errors: TemplateExportError (a NonRetriableError: retrying cannot fix a template) with a message naming the file
 * and the first validation errors; file system errors as thrown.
 */
import { createHash } from "node:crypto";
import { readFile, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { NonRetriableError } from "inngest";
import { loadTemplateById } from "@/lib/db/templates";
import type { WrittenFile } from "@/lib/sitemap/parts";
import type { TemplateUrl } from "./data";
import { parseTemplate, renderTemplate, TEMPLATE_LIMITS, TemplateRenderError, TemplateSyntaxError, type TemplateKind } from "./sandbox";
import { validateHtml, validateUrlsetXml, MAX_BYTES } from "./validate";
import { checkXml } from "./xml-check";

export const HTML_URLS_PER_PAGE = 500;

/** The export cannot use the sitemap's template; the run fails with this message, the previous files stay served. */
export class TemplateExportError extends NonRetriableError {
  constructor(message: string) {
    super(message);
    this.name = "TemplateExportError";
  }
}

export type SitemapTemplate = { id: string; name: string; kind: string; content: string; version: number };
export type ApplyTemplateOptions = {
  template: SitemapTemplate | null;
  sitemap: { name: string; fileName: string; maxFileSize: number };
  /** zlib level of the built-in writer's gzip (default 6), so a templated `.gz` part is written the same way. */
  gzipLevel?: number;
};

const localName = (q: string) => q.slice(q.indexOf(":") + 1);

/** The URLs of a urlset part as the built-in writer wrote them. */
export function readUrlsetEntries(xml: string): TemplateUrl[] {
  const urls: TemplateUrl[] = [];
  let cur: TemplateUrl | null = null;
  let image: { loc: string; title: string | null; caption: string | null } | null = null;
  const res = checkXml(xml, {
    open(name, attrs, depth) {
      const n = localName(name);
      if (depth === 1 && n === "url") cur = { loc: "", lastmod: null, changefreq: null, priority: null, images: [], alternates: [] };
      else if (cur && depth === 2 && n === "image") image = { loc: "", title: null, caption: null };
      else if (cur && depth === 2 && n === "link" && attrs.rel === "alternate" && attrs.hreflang && attrs.href) {
        cur.alternates.push({ hreflang: attrs.hreflang, href: attrs.href });
      }
    },
    close(name, text, depth) {
      const n = localName(name);
      const u = cur as TemplateUrl | null;
      if (!u) return;
      if (depth === 1 && n === "url") {
        urls.push(u);
        cur = null;
      } else if (depth === 2) {
        if (n === "loc") u.loc = text.trim();
        else if (n === "lastmod") u.lastmod = text.trim();
        else if (n === "changefreq") u.changefreq = text.trim();
        else if (n === "priority") u.priority = text.trim();
        else if (n === "image" && image) {
          u.images.push(image);
          image = null;
        }
      } else if (depth === 3 && image) {
        if (n === "loc") image.loc = text.trim();
        else if (n === "title") image.title = text;
        else if (n === "caption") image.caption = text;
      }
    },
  });
  if (!res.ok) throw new Error(`The built-in urlset part is not readable: ${res.error.message}`);
  return urls;
}

function describe(file: string, errors: string[]): string {
  return `The template's output for ${file} is not a valid sitemap, so nothing was published and the previous files stay served: ${errors.slice(0, 3).join(" ")}`;
}

async function writeOut(dir: string, name: string, kind: WrittenFile["kind"], text: string, urlCount: number, gzipLevel: number): Promise<WrittenFile> {
  const raw = Buffer.from(text, "utf8");
  const bytes = name.endsWith(".gz") ? gzipSync(raw, { level: gzipLevel }) : raw;
  await writeFile(path.join(dir, name), bytes);
  return { name, kind, bytes: bytes.length, uncompressedBytes: raw.length, urlCount, sha256: createHash("sha256").update(bytes).digest("hex") };
}

async function readText(dir: string, name: string): Promise<string> {
  const buf = await readFile(path.join(dir, name));
  return (name.endsWith(".gz") ? gunzipSync(buf) : buf).toString("utf8");
}

/** Render time allowed for a file of `urls` URLs: 2,000 ms + 1 ms per URL (a plain template needs ~0.1 ms per URL). */
export const exportRenderMs = (urls: number) => TEMPLATE_LIMITS.renderMs + TEMPLATE_LIMITS.renderMsPerUrl * urls;

async function render(parsed: ReturnType<typeof parseTemplate>, data: Record<string, unknown>, max: number, file: string, urlCount: number): Promise<string> {
  try {
    return await renderTemplate(parsed, data, { outputBytes: max, renderMs: exportRenderMs(urlCount) });
  } catch (err) {
    if (err instanceof TemplateRenderError) throw new TemplateExportError(`The template failed while rendering ${file}, so nothing was published and the previous files stay served: ${err.message}`);
    throw err;
  }
}

/**
 * See the module doc. Returns `written` with its `files` replaced (sizes and sha256 of the templated files);
 * `written` itself when there is no template.
 */
export async function applySitemapTemplate<T extends { files: WrittenFile[] }>(dir: string, written: T, opts: ApplyTemplateOptions): Promise<T> {
  const t = opts.template;
  if (!t) return written;
  const kind = t.kind as TemplateKind;
  if (kind !== "xml" && kind !== "html") {
    throw new TemplateExportError(`Template "${t.name}" is a ${t.kind} template; a sitemap needs an xml or html template.`);
  }
  let parsed;
  try {
    parsed = parseTemplate(t.content);
  } catch (err) {
    if (err instanceof TemplateSyntaxError) throw new TemplateExportError(`Template "${t.name}" does not parse: ${err.message}`);
    throw err;
  }
  const gzipLevel = opts.gzipLevel ?? 6;
  const sitemap = { name: opts.sitemap.name, fileName: opts.sitemap.fileName };
  const parts = written.files.filter((f) => f.kind === "urlset");
  const files = [...written.files];

  if (kind === "xml") {
    const maxBytes = Math.min(opts.sitemap.maxFileSize || MAX_BYTES, MAX_BYTES);
    for (const [i, f] of parts.entries()) {
      const urls = readUrlsetEntries(await readText(dir, f.name));
      // Render up to the cap + 1 byte so an oversize output is reported as a validation error with its limit.
      const out = await render(parsed, { urls, part: { number: i + 1, count: parts.length, name: f.name }, sitemap }, maxBytes + 1, f.name, urls.length);
      const v = validateUrlsetXml(out, { maxBytes });
      if (!v.ok) throw new TemplateExportError(describe(f.name, v.errors));
      files[files.indexOf(f)] = await writeOut(dir, f.name, "urlset", out, v.urlCount, gzipLevel);
    }
    return { ...written, files };
  }

  // kind "html": every URL in part order, 500 per page.
  const all: TemplateUrl[] = [];
  for (const f of parts) all.push(...readUrlsetEntries(await readText(dir, f.name)));
  for (const f of files.filter((x) => x.kind === "html")) {
    await unlink(path.join(dir, f.name)).catch(() => {});
    files.splice(files.indexOf(f), 1);
  }
  const count = Math.max(1, Math.ceil(all.length / HTML_URLS_PER_PAGE));
  const pageName = (n: number) => (n === 1 ? `${sitemap.fileName}.html` : `${sitemap.fileName}-${n}.html`);
  for (let n = 1; n <= count; n++) {
    const urls = all.slice((n - 1) * HTML_URLS_PER_PAGE, n * HTML_URLS_PER_PAGE);
    const page = { number: n, count, prev: n > 1 ? pageName(n - 1) : null, next: n < count ? pageName(n + 1) : null };
    const name = pageName(n);
    const out = await render(parsed, { urls, page, sitemap }, MAX_BYTES, name, urls.length);
    const v = validateHtml(out);
    if (!v.ok) throw new TemplateExportError(`The template's output for ${name} cannot be published: ${v.errors.join(" ")}`);
    files.push(await writeOut(dir, name, "html", out, urls.length, gzipLevel));
  }
  return { ...written, files };
}

/**
 * exportRun's one call: loads the sitemap's template (none → `written` unchanged) and applies it (see above).
 * `sm` is the Sitemap row (templateId, name, fileName, maxFileSize).
 */
export async function applySitemapTemplateOf<T extends { files: WrittenFile[] }>(
  dir: string,
  written: T,
  sm: { templateId: string | null; name: string; fileName: string; maxFileSize: number },
): Promise<T> {
  if (!sm.templateId) return written;
  const template = await loadTemplateById(sm.templateId);
  return applySitemapTemplate(dir, written, { template, sitemap: sm });
}
