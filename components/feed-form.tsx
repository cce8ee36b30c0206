"use client";
/**
 * Create / edit form of an RSS/Atom feed built from one page's links (POST or PATCH /api/v1/feeds…): the page URL,
 * which links (mask as glob, regex or CSS selector), how many items, where pubDate comes from, format and encoding,
 * channel fields, an optional rss template, active (scheduled refreshes). react-hook-form with a zod form schema whose
 * checks are the API's field schemas (lib/schemas/feeds.ts); API errors (422 `field`) land under their field.
 */
import { useState } from "react";
import { useForm, useWatch } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { z } from "zod";
import { ApiError, errorMessage } from "@/lib/client/api";
import type { CreateFeedBody, FeedDto } from "@/lib/client/feeds";
import { useTemplates } from "@/lib/client/templates";
import { FEED_ENCODINGS, FEED_FORMATS, MASK_SYNTAXES, PUBDATE_SOURCES, ZUpdateFeedBody } from "@/lib/schemas/feeds";
import { Alert } from "./ui/alert";
import { Button, ButtonLink } from "./ui/button";
import { CheckboxField, SelectField, TextField } from "./ui/field";

const api = ZUpdateFeedBody.shape;
/** itemsLimit's API schema: its bounds are the input's min/max and hint. */
const ITEMS = api.itemsLimit.unwrap();

/** The form's values: text inputs hold strings, selects the API's enum values, the checkbox a boolean. */
const ZFeedFormShape = z.object({
  name: z.string(),
  foundUrl: z.string(),
  linkMask: z.string(),
  maskSyntax: z.enum(MASK_SYNTAXES),
  itemsLimit: z.string(),
  pubDateSource: z.enum(PUBDATE_SOURCES),
  format: z.enum(FEED_FORMATS),
  encoding: z.enum(FEED_ENCODINGS),
  channelTitle: z.string(),
  channelImage: z.string(),
  webmaster: z.string(),
  templateId: z.string(),
  active: z.boolean(),
});
type Values = z.infer<typeof ZFeedFormShape>;

/**
 * The form schema: each input checked by the API field schema of lib/schemas/feeds.ts (ZUpdateFeedBody) its value is
 * sent to; only the wording of the common mistakes is the form's. The page URL's port policy (CRAWL_ALLOWED_PORTS)
 * is server configuration, so that check stays with the API and its 422 shows under the field.
 */
const ZFeedForm = ZFeedFormShape.superRefine((v, ctx) => {
  const check = (field: keyof Values, schema: z.ZodType, value: unknown, message?: string) => {
    const r = schema.safeParse(value);
    if (!r.success) ctx.addIssue({ code: "custom", path: [field], message: message ?? r.error.issues[0]?.message ?? "Invalid value." });
  };
  let url: URL | null = null;
  try {
    url = new URL(v.foundUrl.trim());
  } catch {
    ctx.addIssue({ code: "custom", path: ["foundUrl"], message: "Enter the full URL of the page whose links become items." });
  }
  if (url && !/^https?:$/.test(url.protocol)) ctx.addIssue({ code: "custom", path: ["foundUrl"], message: "Use an http:// or https:// URL." });
  if (v.name.trim()) check("name", api.name, v.name.trim());
  check("linkMask", api.linkMask, v.linkMask.trim());
  check("itemsLimit", ITEMS, v.itemsLimit.trim() === "" ? NaN : Number(v.itemsLimit), `A whole number from ${ITEMS.minValue} to ${ITEMS.maxValue}.`);
  check("channelTitle", api.channelTitle, v.channelTitle.trim() || null);
  check("channelImage", api.channelImage, v.channelImage.trim() || null, "A full image URL, or leave it empty.");
  check("webmaster", api.webmaster, v.webmaster.trim() || null);
});

const DEFAULTS: Values = {
  name: "",
  foundUrl: "",
  linkMask: "",
  maskSyntax: "glob",
  itemsLimit: "20",
  pubDateSource: "page",
  format: "rss",
  encoding: "utf-8",
  channelTitle: "",
  channelImage: "",
  webmaster: "",
  templateId: "",
  active: true,
};

const fromFeed = (f: FeedDto): Values => ({
  name: f.name,
  foundUrl: f.foundUrl,
  linkMask: f.linkMask,
  maskSyntax: f.maskSyntax,
  itemsLimit: String(f.itemsLimit),
  pubDateSource: f.pubDateSource,
  format: f.format,
  encoding: f.encoding,
  channelTitle: f.channelTitle ?? "",
  channelImage: f.channelImage ?? "",
  webmaster: f.webmaster ?? "",
  templateId: f.templateId ?? "",
  active: f.active,
});

const toBody = (v: Values): CreateFeedBody => ({
  ...(v.name.trim() ? { name: v.name.trim() } : {}),
  foundUrl: v.foundUrl.trim(),
  linkMask: v.linkMask.trim(),
  maskSyntax: v.maskSyntax,
  itemsLimit: Number(v.itemsLimit),
  pubDateSource: v.pubDateSource,
  format: v.format,
  encoding: v.encoding,
  channelTitle: v.channelTitle.trim() || null,
  channelImage: v.channelImage.trim() || null,
  webmaster: v.webmaster.trim() || null,
  templateId: v.templateId || null,
  active: v.active,
});

export function FeedForm({ initial, submitLabel, cancelHref, onSubmit }: { initial?: FeedDto; submitLabel: string; cancelHref: string; onSubmit: (b: CreateFeedBody) => Promise<unknown> }) {
  const { register, handleSubmit, setError, control, formState } = useForm<Values>({ resolver: zodResolver(ZFeedForm), defaultValues: initial ? fromFeed(initial) : DEFAULTS });
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const templates = useTemplates();
  const rss = (templates.data ?? []).filter((t) => t.kind === "rss");
  const maskSyntax = useWatch({ control, name: "maskSyntax" });

  const field = (k: keyof Values) => ({ ...register(k), error: formState.errors[k]?.message });

  return (
    <form
      noValidate
      className="space-y-5"
      data-testid="feed-form"
      onSubmit={(e) => {
        setFormError(null);
        return handleSubmit(async (v) => {
          setSaving(true);
          try {
            await onSubmit(toBody(v));
          } catch (err) {
            const key = err instanceof ApiError ? (err.field?.split(".")[0] as keyof Values | undefined) : undefined;
            if (key && key in DEFAULTS) setError(key, { type: "server", message: errorMessage(err).replace(/^"[^"]+":\s*/, "") });
            else setFormError(errorMessage(err));
          } finally {
            setSaving(false);
          }
        })(e);
      }}
    >
      {formError && <Alert testId="feed-form-error">{formError}</Alert>}
      <TextField label="Page URL" type="url" placeholder="https://example.com/blog/" hint="The page whose links become the feed’s items." autoFocus={!initial} {...field("foundUrl")} />
      <TextField label="Feed name" placeholder="Defaults to the page’s host" autoComplete="off" {...field("name")} />
      <div className="grid gap-4 sm:grid-cols-3">
        <TextField
          className="sm:col-span-2"
          label="Link mask"
          placeholder={maskSyntax === "css" ? "article h2 a" : maskSyntax === "regex" ? "/blog/\\d{4}/" : "/blog/*"}
          hint="Empty: every link on the page’s own host."
          inputClassName="font-mono"
          {...field("linkMask")}
        />
        <SelectField label="Mask syntax" {...field("maskSyntax")}>
          <option value="glob">Glob</option>
          <option value="regex">Regex</option>
          <option value="css">CSS selector</option>
        </SelectField>
      </div>
      <div className="grid gap-4 sm:grid-cols-3">
        <TextField label="Number of items" type="number" min={ITEMS.minValue ?? undefined} max={ITEMS.maxValue ?? undefined} inputMode="numeric" hint={`${ITEMS.minValue} to ${ITEMS.maxValue}.`} {...field("itemsLimit")} />
        <SelectField label="Format" {...field("format")}>
          <option value="rss">RSS 2.0</option>
          <option value="atom">Atom</option>
        </SelectField>
        <SelectField label="Encoding" {...field("encoding")}>
          <option value="utf-8">UTF-8</option>
          <option value="windows-1251">windows-1251</option>
        </SelectField>
      </div>
      <SelectField label="Publication date" hint="Stored when an item is first seen and never moved to “now” on later refreshes." {...field("pubDateSource")}>
        <option value="page">Page date → Last-Modified → first seen</option>
        <option value="server">Last-Modified → first seen</option>
        <option value="first_seen">When first seen</option>
      </SelectField>
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField label="Channel title" placeholder="The page’s title" {...field("channelTitle")} />
        <TextField label="Webmaster" placeholder="ops@example.com (Ops)" {...field("webmaster")} />
        <TextField label="Channel image URL" type="url" placeholder="https://example.com/logo.png" {...field("channelImage")} />
        <SelectField label="Feed template" hint={rss.length === 0 ? "No RSS templates yet." : undefined} {...field("templateId")}>
          <option value="">Built-in writer</option>
          {rss.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </SelectField>
      </div>
      <CheckboxField label="Active" description="Refreshed by the hourly scheduler; an inactive feed is neither refreshed nor refreshable." {...register("active")} />
      <div className="flex justify-end gap-3 border-t border-slate-100 pt-5">
        <ButtonLink href={cancelHref} variant="ghost">
          Cancel
        </ButtonLink>
        <Button type="submit" loading={saving} data-testid="feed-submit">
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}
