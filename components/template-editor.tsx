"use client";
/**
 * Template editor: name, kind (fixed once created), LiquidJS source, and a live preview pane. The preview renders the
 * unsaved source with sample data through POST /api/v1/templates/preview, 400 ms after the last keystroke, and shows
 * the validation the exporter applies before publishing (well-formed XML in the sitemaps.org namespace, absolute
 * locs, size caps): `ok` or the errors, the URL/item count and bytes. A syntax error shows the API's message.
 */
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { errorMessage } from "@/lib/client/api";
import { formatBytes, formatCount } from "@/lib/client/format";
import { previewTemplate, type TemplateDto, type TemplatePreviewDto } from "@/lib/client/templates";
import { Alert } from "./ui/alert";
import { Badge } from "./ui/badge";
import { Button, ButtonLink } from "./ui/button";
import { cn } from "./ui/cn";
import { SelectField, TextAreaField, TextField } from "./ui/field";
import { Spinner } from "./ui/spinner";

type Kind = TemplateDto["kind"];

export const KIND_LABEL: Record<Kind, string> = { xml: "XML sitemap", html: "HTML sitemap", rss: "RSS / Atom feed" };

/** Starting points that pass validation, one per kind (see lib/templates/data.ts for the variables). */
export const STARTERS: Record<Kind, string> = {
  xml: `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{% for u in urls -%}
  <url>
    <loc>{{ u.loc }}</loc>{% if u.lastmod %}
    <lastmod>{{ u.lastmod }}</lastmod>{% endif %}
  </url>
{% endfor -%}
</urlset>
`,
  html: `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ sitemap.name }} – page {{ page.number }} of {{ page.count }}</title></head>
<body>
  <h1>{{ sitemap.name }}</h1>
  <ul>
  {% for u in urls -%}
    <li><a href="{{ u.loc }}">{{ u.loc }}</a></li>
  {% endfor -%}
  </ul>
  {% if page.next %}<a rel="next" href="{{ page.next }}">Next page</a>{% endif %}
</body>
</html>
`,
  rss: `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
  <channel>
    <title>{{ channel.title }}</title>
    <link>{{ channel.link }}</link>
    <description>{{ channel.description }}</description>
    {% for item in items -%}
    <item>
      <title>{{ item.title }}</title>
      <link>{{ item.link }}</link>
      <guid>{{ item.guid }}</guid>
      <pubDate>{{ item.pubDate }}</pubDate>
    </item>
    {% endfor -%}
  </channel>
</rss>
`,
};

const PREVIEW_DEBOUNCE_MS = 400;

/** `value`, once it has stayed the same for `ms`. */
function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}

/** The preview of the source as it was 400 ms after the last keystroke; an older answer is dropped (query key). */
function usePreview(kind: Kind, content: string): { data: TemplatePreviewDto | null; error: string | null; loading: boolean } {
  const settled = useDebounced(content, PREVIEW_DEBOUNCE_MS);
  const enabled = settled.trim() !== "";
  const q = useQuery({
    queryKey: ["template-preview", kind, settled],
    queryFn: ({ signal }) => previewTemplate(kind, settled, signal),
    enabled,
    retry: false,
    staleTime: Infinity,
  });
  if (!content.trim()) return { data: null, error: null, loading: false };
  return {
    data: enabled && !q.isError ? (q.data ?? null) : null,
    error: enabled && q.isError ? errorMessage(q.error) : null,
    loading: settled !== content || (enabled && q.isFetching),
  };
}

export type TemplateEditorValues = { name: string; kind: Kind; content: string };

export function TemplateEditor({
  initial,
  kindLocked,
  submitLabel,
  onSubmit,
  cancelHref,
  extraActions,
}: {
  initial: TemplateEditorValues;
  kindLocked?: boolean;
  submitLabel: string;
  onSubmit: (v: TemplateEditorValues) => Promise<unknown>;
  cancelHref: string;
  extraActions?: React.ReactNode;
}) {
  const [v, setV] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [view, setView] = useState<"source" | "rendered">("source");
  const preview = usePreview(v.kind, v.content);
  const dirty = v.name !== initial.name || v.content !== initial.content || v.kind !== initial.kind;

  return (
    <form
      className="grid gap-6 lg:grid-cols-2"
      data-testid="template-editor"
      noValidate
      onSubmit={async (e) => {
        e.preventDefault();
        setError(null);
        if (!v.name.trim()) return setError("Give the template a name.");
        setSaving(true);
        try {
          await onSubmit({ ...v, name: v.name.trim() });
        } catch (err) {
          setError(errorMessage(err));
        } finally {
          setSaving(false);
        }
      }}
    >
      <div className="min-w-0 space-y-4">
        {error && <Alert testId="template-error">{error}</Alert>}
        <div className="grid gap-4 sm:grid-cols-2">
          <TextField label="Template name" name="templateName" value={v.name} onChange={(e) => setV({ ...v, name: e.target.value })} autoComplete="off" />
          <SelectField
            label="Kind"
            name="kind"
            value={v.kind}
            disabled={kindLocked}
            hint={kindLocked ? "Fixed once created." : undefined}
            onChange={(e) => {
              const kind = e.target.value as Kind;
              // Swap the starter too, unless the user has written their own source.
              setV((p) => ({ ...p, kind, content: p.content === STARTERS[p.kind] ? STARTERS[kind] : p.content }));
            }}
          >
            {(Object.keys(KIND_LABEL) as Kind[]).map((k) => (
              <option key={k} value={k}>
                {KIND_LABEL[k]}
              </option>
            ))}
          </SelectField>
        </div>
        <TextAreaField
          label="Source (LiquidJS)"
          name="content"
          rows={22}
          spellCheck={false}
          value={v.content}
          onChange={(e) => setV({ ...v, content: e.target.value })}
          hint="Sandboxed: no file system or includes; render time and output size are capped. {{ }} escapes values."
        />
        <div className="flex items-center justify-between gap-3">
          <div>{extraActions}</div>
          <div className="flex items-center gap-3">
            <ButtonLink href={cancelHref} variant="ghost">
              Cancel
            </ButtonLink>
            <Button type="submit" loading={saving} disabled={!dirty && kindLocked} data-testid="template-save">
              {submitLabel}
            </Button>
          </div>
        </div>
      </div>

      <section aria-labelledby="preview-title" className="flex min-w-0 flex-col rounded-xl border border-slate-200 bg-white shadow-sm" data-testid="template-preview">
        <div className="flex flex-wrap items-center justify-between gap-2 border-b border-slate-100 px-4 py-3">
          <div className="flex items-center gap-2">
            <h2 id="preview-title" className="text-sm font-semibold text-slate-900">
              Preview with sample data
            </h2>
            {preview.loading && <Spinner className="size-3.5 text-slate-400" />}
          </div>
          {v.kind === "html" && (
            <div role="group" aria-label="Preview view" className="inline-flex rounded-lg bg-slate-100 p-0.5 text-xs font-medium">
              {(["source", "rendered"] as const).map((s) => (
                <button key={s} type="button" aria-pressed={view === s} onClick={() => setView(s)} className={cn("rounded-md px-2.5 py-1 capitalize", view === s ? "bg-white text-slate-900 shadow-sm" : "text-slate-500")}>
                  {s}
                </button>
              ))}
            </div>
          )}
        </div>
        <div className="flex flex-wrap items-center gap-2 px-4 py-2.5 text-xs" data-testid="preview-status" aria-live="polite">
          {preview.error ? (
            <Badge tone="red" testId="preview-invalid">Error</Badge>
          ) : preview.data ? (
            <>
              {preview.data.validation.ok ? <Badge tone="green" testId="preview-valid">Valid</Badge> : <Badge tone="red" testId="preview-invalid">Invalid</Badge>}
              <span className="text-slate-500" data-testid="preview-count">
                {formatCount(preview.data.validation.urlCount)} {v.kind === "rss" ? "items" : v.kind === "html" ? "links" : "URLs"}
              </span>
              <span className="text-slate-400">·</span>
              <span className="text-slate-500">{formatBytes(preview.data.validation.bytes)}</span>
            </>
          ) : (
            <span className="text-slate-400">Type some source to see it rendered.</span>
          )}
        </div>
        {(preview.error || (preview.data && !preview.data.validation.ok)) && (
          <ul className="mx-4 mb-2 list-disc space-y-0.5 rounded-lg bg-red-50 py-2 pr-3 pl-7 text-xs text-red-800" data-testid="preview-errors">
            {preview.error ? <li>{preview.error}</li> : preview.data!.validation.errors.map((e, i) => <li key={i}>{e}</li>)}
          </ul>
        )}
        {preview.data && v.kind === "html" && view === "rendered" ? (
          <iframe title="Rendered HTML preview" sandbox="" srcDoc={preview.data.output} className="m-4 mt-1 h-[28rem] rounded-lg border border-slate-200 bg-white" />
        ) : (
          <pre className="m-4 mt-1 max-h-[32rem] min-h-40 flex-1 overflow-auto rounded-lg bg-slate-900 p-3 font-mono text-xs leading-relaxed text-slate-100" data-testid="preview-output">
            {preview.data?.output ?? ""}
          </pre>
        )}
      </section>
    </form>
  );
}
