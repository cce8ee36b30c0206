"use client";
/**
 * What the sitemap form's sections share: `useFieldProps` (react-hook-form's register plus the field's error, shaped
 * for the TextField / SelectField / CheckboxField of components/ui/field.tsx), `useValues` and the collapsible `Section`.
 */
import { useFormContext, useWatch } from "react-hook-form";
import type { FieldName, SectionId, Values } from "./model";

/** `text(name)` for text inputs, selects and textareas (value + error); `check(name)` for checkboxes. */
export function useFieldProps() {
  const { register, formState } = useFormContext<Values>();
  const text = (k: FieldName) => ({ ...register(k), error: formState.errors[k]?.message });
  const check = (k: FieldName) => register(k);
  return { text, check };
}

/** The form's current values (re-renders the caller on every change; the sections' summaries read them). */
export function useValues(): Values {
  // defaultValues fill every field, so the watched object is complete (useWatch types it as deep-partial).
  return useWatch<Values>() as Values;
}

export type SectionProps = { id: SectionId; open: boolean; onToggle: (open: boolean) => void };

/** A collapsed settings group with a one-line summary of its values (data-testid `section-<id>`). */
export function Section({ id, title, summary, open, onToggle, children }: SectionProps & { title: string; summary: string; children: React.ReactNode }) {
  return (
    <details
      open={open}
      onToggle={(e) => onToggle((e.target as HTMLDetailsElement).open)}
      className="group rounded-lg border border-slate-200 bg-slate-50/50"
      data-testid={`section-${id}`}
    >
      <summary className="flex cursor-pointer list-none items-center justify-between gap-4 px-4 py-3 select-none">
        <span className="min-w-0">
          <span className="block text-sm font-medium text-slate-800">{title}</span>
          <span className="block truncate text-xs text-slate-500">{summary}</span>
        </span>
        <svg viewBox="0 0 20 20" fill="currentColor" className="size-4 shrink-0 text-slate-400 transition-transform group-open:rotate-180" aria-hidden="true">
          <path fillRule="evenodd" d="M5.2 7.2a.75.75 0 0 1 1.06 0L10 10.94l3.74-3.74a.75.75 0 1 1 1.06 1.06l-4.27 4.27a.75.75 0 0 1-1.06 0L5.2 8.26a.75.75 0 0 1 0-1.06Z" clipRule="evenodd" />
        </svg>
      </summary>
      <div className="space-y-4 border-t border-slate-200 bg-white/60 px-4 py-5">{children}</div>
    </details>
  );
}
