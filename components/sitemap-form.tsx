"use client";
import { useState } from "react";
import { ApiError, errorMessage } from "@/lib/client/api";
import { suggestFileName } from "@/lib/client/format";
import type { CreateSitemapBody } from "@/lib/client/sitemaps";
import { FILE_NAME_RE } from "@/lib/schemas/sitemaps";
import { DEFAULT_CRAWL_SETTINGS, DEFAULT_USER_AGENT, MAX_BYTES_PER_FILE, MAX_URLS_PER_FILE } from "@/lib/core/types";
import { Alert } from "./ui/alert";
import { Button, ButtonLink } from "./ui/button";
import { CheckboxField, TextField } from "./ui/field";

const MIB = 1024 * 1024;

type Values = {
  name: string;
  startUrl: string;
  fileName: string;
  maxPages: string;
  maxDepth: string;
  concurrency: string;
  userAgent: string;
  respectRobots: boolean;
  maxFileEntries: string;
  maxFileSizeMiB: string;
  gzip: boolean;
};
type FieldName = keyof Values;
type Errors = Partial<Record<FieldName, string>>;

const DEFAULTS: Values = {
  name: "",
  startUrl: "",
  fileName: "",
  maxPages: String(DEFAULT_CRAWL_SETTINGS.maxPages),
  maxDepth: String(DEFAULT_CRAWL_SETTINGS.maxDepth),
  concurrency: String(DEFAULT_CRAWL_SETTINGS.concurrency),
  userAgent: "",
  respectRobots: true,
  maxFileEntries: String(MAX_URLS_PER_FILE),
  maxFileSizeMiB: String(MAX_BYTES_PER_FILE / MIB),
  gzip: false,
};

/** API field paths ("crawl.maxPages", "maxFileSize") → the input that shows the error. */
function inputFor(field: string | undefined): FieldName | null {
  const last = field?.split(".").pop();
  if (!last) return null;
  if (last === "maxFileSize") return "maxFileSizeMiB";
  return last in DEFAULTS ? (last as FieldName) : null;
}

/** Users often type "sitemap.xml"; the API wants the base name. */
const baseFileName = (v: string) => v.trim().toLowerCase().replace(/\.xml(\.gz)?$/, "").replace(/\.gz$/, "");

/** The API prefixes messages with the field path ("\"crawl.maxPages\": …"); under the input that is redundant. */
const withoutFieldPrefix = (msg: string) => msg.replace(/^"[^"]+":\s*/, "");

function intOrUndefined(v: string) {
  return v.trim() === "" ? undefined : Number(v);
}

function validate(v: Values): Errors {
  const e: Errors = {};
  if (!v.name.trim()) e.name = "Give the sitemap a name.";
  try {
    const u = new URL(v.startUrl.trim());
    if (u.protocol !== "http:" && u.protocol !== "https:") e.startUrl = "Use an http:// or https:// URL.";
  } catch {
    e.startUrl = "Enter a full URL, such as https://example.com/.";
  }
  const base = baseFileName(v.fileName);
  if (!FILE_NAME_RE.test(base) || base.includes(".."))
    e.fileName = "Lower-case letters, digits, '.', '-' and '_', starting with a letter or digit (at most 100).";
  const ints: [FieldName, number, number][] = [
    ["maxPages", 1, 1_000_000],
    ["maxDepth", 0, 100],
    ["concurrency", 1, 32],
    ["maxFileEntries", 1, MAX_URLS_PER_FILE],
  ];
  for (const [k, min, max] of ints) {
    const n = intOrUndefined(v[k] as string);
    if (n !== undefined && (!Number.isInteger(n) || n < min || n > max)) e[k] = `A whole number from ${min.toLocaleString("en-US")} to ${max.toLocaleString("en-US")}.`;
  }
  const mib = intOrUndefined(v.maxFileSizeMiB);
  if (mib !== undefined && (!Number.isFinite(mib) || mib * MIB < 4096 || mib > MAX_BYTES_PER_FILE / MIB))
    e.maxFileSizeMiB = "From 0.004 (4 KiB) to 50 MiB (the sitemaps.org limit).";
  return e;
}

function toBody(v: Values): CreateSitemapBody {
  const mib = intOrUndefined(v.maxFileSizeMiB);
  return {
    name: v.name.trim(),
    startUrl: v.startUrl.trim(),
    fileName: baseFileName(v.fileName),
    maxFileEntries: intOrUndefined(v.maxFileEntries),
    maxFileSize: mib === undefined ? undefined : Math.min(MAX_BYTES_PER_FILE, Math.floor(mib * MIB)),
    gzip: v.gzip,
    crawl: {
      maxPages: intOrUndefined(v.maxPages),
      maxDepth: intOrUndefined(v.maxDepth),
      concurrency: intOrUndefined(v.concurrency),
      userAgent: v.userAgent.trim() || undefined,
      respectRobots: v.respectRobots,
    },
  };
}

export function SitemapForm({ onSubmit, submitLabel, cancelHref }: { onSubmit: (body: CreateSitemapBody) => Promise<unknown>; submitLabel: string; cancelHref: string }) {
  const [values, setValues] = useState<Values>(DEFAULTS);
  // The file name follows the display name until the user types their own.
  const [fileNameTouched, setFileNameTouched] = useState(false);
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [advancedOpen, setAdvancedOpen] = useState(false);

  const set = <K extends FieldName>(k: K, val: Values[K]) => {
    setValues((prev) => {
      const next = { ...prev, [k]: val };
      if (k === "name" && !fileNameTouched) next.fileName = val ? suggestFileName(String(val)) : "";
      return next;
    });
    if (errors[k]) setErrors((e) => ({ ...e, [k]: undefined }));
  };
  const text = (k: FieldName) => ({
    name: k,
    value: values[k] as string,
    error: errors[k],
    onChange: (e: React.ChangeEvent<HTMLInputElement>) => set(k, e.target.value as never),
  });

  async function handleSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setFormError(null);
    const found = validate(values);
    setErrors(found);
    if (Object.keys(found).length) {
      if (Object.keys(found).some((k) => !["name", "startUrl", "fileName"].includes(k))) setAdvancedOpen(true);
      return;
    }
    setSubmitting(true);
    try {
      await onSubmit(toBody(values));
    } catch (err) {
      const target = err instanceof ApiError ? inputFor(err.field) : null;
      if (target) {
        setErrors({ [target]: withoutFieldPrefix(errorMessage(err)) });
        if (!["name", "startUrl", "fileName"].includes(target)) setAdvancedOpen(true);
      } else {
        setFormError(errorMessage(err));
      }
      setSubmitting(false);
    }
  }

  return (
    <form onSubmit={handleSubmit} noValidate className="space-y-6" data-testid="sitemap-form">
      {formError && <Alert tone="error" testId="form-error">{formError}</Alert>}

      <div className="space-y-5">
        <TextField label="Name" placeholder="PostgreSQL manual" autoComplete="off" required autoFocus {...text("name")} />
        <TextField
          label="Start URL"
          type="url"
          inputMode="url"
          placeholder="https://example.com/"
          hint="The crawl starts here and stays on this origin (scheme, host and port)."
          required
          {...text("startUrl")}
        />
        <TextField
          label="File name"
          placeholder="sitemap"
          hint="Published as <file name>.xml (or <file name>-1.xml, … plus an index when split)."
          trailing={values.gzip ? ".xml.gz" : ".xml"}
          required
          {...text("fileName")}
          onChange={(e) => {
            // Clearing the field hands it back to the suggestion.
            setFileNameTouched(e.target.value !== "");
            set("fileName", e.target.value);
          }}
        />
      </div>

      <details
        open={advancedOpen}
        onToggle={(e) => setAdvancedOpen((e.target as HTMLDetailsElement).open)}
        className="group rounded-lg border border-slate-200 bg-slate-50/50"
      >
        <summary className="flex cursor-pointer list-none items-center justify-between px-4 py-3 text-sm font-medium text-slate-700 select-none">
          <span>Advanced settings</span>
          <svg viewBox="0 0 20 20" fill="currentColor" className="size-4 text-slate-400 transition-transform group-open:rotate-180" aria-hidden="true">
            <path fillRule="evenodd" d="M5.2 7.2a.75.75 0 0 1 1.06 0L10 10.94l3.74-3.74a.75.75 0 1 1 1.06 1.06l-4.27 4.27a.75.75 0 0 1-1.06 0L5.2 8.26a.75.75 0 0 1 0-1.06Z" clipRule="evenodd" />
          </svg>
        </summary>
        <div className="space-y-6 border-t border-slate-200 px-4 py-5">
          <fieldset>
            <legend className="text-xs font-semibold uppercase tracking-wide text-slate-500">Crawl</legend>
            <div className="mt-3 grid gap-4 sm:grid-cols-3">
              <TextField label="Max pages" type="number" min={1} inputMode="numeric" hint="Stop after fetching this many pages." {...text("maxPages")} />
              <TextField label="Max depth" type="number" min={0} max={100} inputMode="numeric" hint="Clicks away from the start URL." {...text("maxDepth")} />
              <TextField label="Concurrency" type="number" min={1} max={32} inputMode="numeric" hint="Parallel requests to the site." {...text("concurrency")} />
            </div>
            <TextField className="mt-4" label="User agent" placeholder={DEFAULT_USER_AGENT} hint="Leave empty for the default. Its product token is matched against robots.txt." {...text("userAgent")} />
            <div className="mt-4">
              <CheckboxField
                name="respectRobots"
                label="Respect robots.txt"
                description="Skip URLs that robots.txt disallows for this user agent."
                checked={values.respectRobots}
                onChange={(e) => set("respectRobots", e.target.checked)}
              />
            </div>
          </fieldset>
          <fieldset>
            <legend className="text-xs font-semibold uppercase tracking-wide text-slate-500">Output</legend>
            <div className="mt-3 grid gap-4 sm:grid-cols-2">
              <TextField label="Max URLs per file" type="number" min={1} max={MAX_URLS_PER_FILE} inputMode="numeric" hint="Up to 50,000 (sitemaps.org)." {...text("maxFileEntries")} />
              <TextField label="Max file size" type="number" min={1} max={50} step="any" inputMode="decimal" trailing="MiB" hint="Uncompressed; up to 50 MiB." {...text("maxFileSizeMiB")} />
            </div>
            <div className="mt-4">
              <CheckboxField name="gzip" label="Gzip files" description="Publish .xml.gz files (smaller downloads; search engines accept them)." checked={values.gzip} onChange={(e) => set("gzip", e.target.checked)} />
            </div>
          </fieldset>
        </div>
      </details>

      <div className="flex items-center justify-end gap-3 border-t border-slate-100 pt-5">
        <ButtonLink href={cancelHref} variant="ghost">
          Cancel
        </ButtonLink>
        <Button type="submit" loading={submitting} data-testid="sitemap-submit">
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}
