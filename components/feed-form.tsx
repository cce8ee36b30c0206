"use client";
/**
 * Create / edit form of an RSS/Atom feed built from one page's links (POST or PATCH /api/v1/feeds…): the page URL,
 * which links (mask as glob, regex or CSS selector), how many items, where pubDate comes from, format and encoding,
 * channel fields, an optional rss template, active (scheduled refreshes). API errors land under their field.
 */
import { useState } from "react";
import { ApiError, errorMessage } from "@/lib/client/api";
import type { CreateFeedBody, FeedDto } from "@/lib/client/feeds";
import { useTemplates } from "@/lib/client/templates";
import { Alert } from "./ui/alert";
import { Button, ButtonLink } from "./ui/button";
import { CheckboxField, SelectField, TextField } from "./ui/field";

type Values = {
  name: string;
  foundUrl: string;
  linkMask: string;
  maskSyntax: "glob" | "regex" | "css";
  itemsLimit: string;
  pubDateSource: "page" | "server" | "first_seen";
  format: "rss" | "atom";
  encoding: "utf-8" | "windows-1251";
  channelTitle: string;
  channelImage: string;
  webmaster: string;
  templateId: string;
  active: boolean;
};
type Errors = Partial<Record<keyof Values, string>>;

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

function validate(v: Values): Errors {
  const e: Errors = {};
  try {
    const u = new URL(v.foundUrl.trim());
    if (!/^https?:$/.test(u.protocol)) e.foundUrl = "Use an http:// or https:// URL.";
  } catch {
    e.foundUrl = "Enter the full URL of the page whose links become items.";
  }
  const n = Number(v.itemsLimit);
  if (!Number.isInteger(n) || n < 1 || n > 50) e.itemsLimit = "A whole number from 1 to 50.";
  if (v.channelImage.trim()) {
    try {
      new URL(v.channelImage.trim());
    } catch {
      e.channelImage = "A full image URL, or leave it empty.";
    }
  }
  return e;
}

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
  const [v, setV] = useState<Values>(initial ? fromFeed(initial) : DEFAULTS);
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const templates = useTemplates();
  const rss = (templates.data ?? []).filter((t) => t.kind === "rss");

  const field = (k: keyof Values) => ({
    name: k,
    value: v[k] as string,
    error: errors[k],
    onChange: (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => {
      setV((p) => ({ ...p, [k]: e.target.value }));
      if (errors[k]) setErrors((x) => ({ ...x, [k]: undefined }));
    },
  });

  return (
    <form
      noValidate
      className="space-y-5"
      data-testid="feed-form"
      onSubmit={async (e) => {
        e.preventDefault();
        setFormError(null);
        const found = validate(v);
        setErrors(found);
        if (Object.keys(found).length) return;
        setSaving(true);
        try {
          await onSubmit(toBody(v));
        } catch (err) {
          const key = err instanceof ApiError ? (err.field?.split(".")[0] as keyof Values | undefined) : undefined;
          if (key && key in DEFAULTS) setErrors({ [key]: errorMessage(err).replace(/^"[^"]+":\s*/, "") });
          else setFormError(errorMessage(err));
        } finally {
          setSaving(false);
        }
      }}
    >
      {formError && <Alert testId="feed-form-error">{formError}</Alert>}
      <TextField label="Page URL" type="url" placeholder="https://example.com/blog/" hint="The page whose links become the feed’s items." autoFocus={!initial} {...field("foundUrl")} />
      <TextField label="Feed name" placeholder="Defaults to the page’s host" autoComplete="off" {...field("name")} />
      <div className="grid gap-4 sm:grid-cols-3">
        <TextField
          className="sm:col-span-2"
          label="Link mask"
          placeholder={v.maskSyntax === "css" ? "article h2 a" : v.maskSyntax === "regex" ? "/blog/\\d{4}/" : "/blog/*"}
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
        <TextField label="Number of items" type="number" min={1} max={50} inputMode="numeric" hint="1 to 50." {...field("itemsLimit")} />
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
      <CheckboxField
        name="active"
        label="Active"
        description="Refreshed by the hourly scheduler; an inactive feed is neither refreshed nor refreshable."
        checked={v.active}
        onChange={(e) => setV((p) => ({ ...p, active: e.target.checked }))}
      />
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
