"use client";
/**
 * Create / edit form of a sitemap (POST or PATCH /api/v1/sitemaps…), on react-hook-form with the zod form schema of
 * components/sitemap-form/model.ts (derived from ZCreateSitemapBody). The basics (name, start URL, file name) are
 * always visible; every other setting sits in a collapsed section (components/sitemap-form/*-section.tsx) with the
 * API's defaults, and a section opens by itself when one of its fields has an error (client check or the API's
 * 422 `field`, e.g. "crawl.rules.2.pattern", shown under the input it belongs to).
 *
 * Sections: Crawl, URL rules and normalisation, Indexing signals, Sitemap content, Output files and Staging access
 * (basic auth, headers, cookies: write-only; on edit, blank keeps what is stored).
 */
import { useState } from "react";
import { FormProvider, useForm, useFormContext, useWatch, type FieldErrors } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { ApiError, errorMessage } from "@/lib/client/api";
import { suggestFileName } from "@/lib/client/format";
import type { CreateSitemapBody, SitemapDto } from "@/lib/client/sitemaps";
import { Alert } from "./ui/alert";
import { Button, ButtonLink } from "./ui/button";
import { TextField } from "./ui/field";
import { AuthSection } from "./sitemap-form/auth-section";
import { ContentSection } from "./sitemap-form/content-section";
import { CrawlSection } from "./sitemap-form/crawl-section";
import { useFieldProps } from "./sitemap-form/fields";
import { DEFAULTS, SECTION_OF, ZSitemapForm, inputFor, toBody, valuesFromSitemap, type FieldName, type SectionId, type Values } from "./sitemap-form/model";
import { OutputSection } from "./sitemap-form/output-section";
import { RulesSection } from "./sitemap-form/rules-section";
import { SignalsSection } from "./sitemap-form/signals-section";

export { valuesFromSitemap };

/** The API prefixes messages with the field path ("\"crawl.maxPages\": …"); under the input that is redundant. */
const withoutFieldPrefix = (msg: string) => msg.replace(/^"[^"]+":\s*/, "");

/** Name, start URL and file name; the file name follows the name until the user types their own (new sitemaps only). */
function Basics({ editing }: { editing: boolean }) {
  const { text } = useFieldProps();
  const { register, setValue, formState, control } = useFormContext<Values>();
  const gzip = useWatch({ control, name: "gzip" });
  const [fileNameTyped, setFileNameTyped] = useState(editing);
  const name = register("name", {
    onChange: (e: React.ChangeEvent<HTMLInputElement>) => {
      if (!fileNameTyped) setValue("fileName", e.target.value ? suggestFileName(e.target.value) : "");
    },
  });
  const fileName = text("fileName");
  return (
    <div className="space-y-5">
      <TextField label="Name" placeholder="PostgreSQL manual" autoComplete="off" required autoFocus={!editing} {...name} error={formState.errors.name?.message} />
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
        trailing={gzip ? ".xml.gz" : ".xml"}
        required
        {...fileName}
        onChange={(e) => {
          // Clearing the field hands it back to the suggestion.
          setFileNameTyped(e.target.value !== "");
          return fileName.onChange(e);
        }}
      />
    </div>
  );
}

export type SitemapFormProps = {
  onSubmit: (body: CreateSitemapBody) => Promise<unknown>;
  submitLabel: string;
  cancelHref: string;
  /** Edit mode: the stored sitemap (its values fill the form; staging credentials show only which parts are set). */
  initial?: SitemapDto;
};

export function SitemapForm({ onSubmit, submitLabel, cancelHref, initial }: SitemapFormProps) {
  const form = useForm<Values>({ resolver: zodResolver(ZSitemapForm), defaultValues: initial ? valuesFromSitemap(initial) : DEFAULTS });
  const [submitting, setSubmitting] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [open, setOpen] = useState<Partial<Record<SectionId, boolean>>>({});

  const openFor = (fields: FieldName[]) =>
    setOpen((o) => {
      const next = { ...o };
      for (const f of fields) {
        const s = SECTION_OF[f];
        if (s) next[s] = true;
      }
      return next;
    });

  const submit = form.handleSubmit(
    async (values) => {
      setSubmitting(true);
      try {
        await onSubmit(toBody(values));
      } catch (err) {
        const target = err instanceof ApiError ? inputFor(err.field) : null;
        if (target) {
          const msg = withoutFieldPrefix(errorMessage(err));
          const rule = err instanceof ApiError ? /^crawl\.rules\.(\d+)/.exec(err.field ?? "") : null;
          form.setError(target, { type: "server", message: rule ? `Rule ${Number(rule[1]) + 1}: ${msg}` : msg });
          openFor([target]);
        } else {
          setFormError(errorMessage(err));
        }
        setSubmitting(false);
      }
    },
    (errors: FieldErrors<Values>) => openFor(Object.keys(errors) as FieldName[]),
  );

  const sectionProps = (id: SectionId) => ({ id, open: Boolean(open[id]), onToggle: (o: boolean) => setOpen((s) => ({ ...s, [id]: o })) });

  return (
    <FormProvider {...form}>
      <form
        onSubmit={(e) => {
          setFormError(null);
          return submit(e);
        }}
        noValidate
        className="space-y-6"
        data-testid="sitemap-form"
      >
        {formError && <Alert tone="error" testId="form-error">{formError}</Alert>}
        <Basics editing={Boolean(initial)} />
        <div className="space-y-3">
          <h2 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Settings</h2>
          <CrawlSection {...sectionProps("crawl")} />
          <RulesSection {...sectionProps("rules")} />
          <SignalsSection {...sectionProps("signals")} />
          <ContentSection {...sectionProps("content")} />
          <OutputSection {...sectionProps("output")} />
          <AuthSection {...sectionProps("auth")} stored={initial?.auth} editing={Boolean(initial)} />
        </div>
        <div className="flex items-center justify-end gap-3 border-t border-slate-100 pt-5">
          <ButtonLink href={cancelHref} variant="ghost">
            Cancel
          </ButtonLink>
          <Button type="submit" loading={submitting} data-testid="sitemap-submit">
            {submitLabel}
          </Button>
        </div>
      </form>
    </FormProvider>
  );
}
