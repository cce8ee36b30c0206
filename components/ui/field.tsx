import type { ComponentProps, ReactNode } from "react";
import { cn } from "./cn";

export const inputClass = (invalid?: boolean, className?: string) =>
  cn(
    "block w-full rounded-lg border-0 bg-white px-3 py-2 text-sm text-slate-900 shadow-sm ring-1 ring-inset",
    "placeholder:text-slate-400 focus:outline-none focus:ring-2 focus:ring-inset disabled:bg-slate-50 disabled:text-slate-500",
    invalid ? "ring-red-400 focus:ring-red-500" : "ring-slate-300 focus:ring-indigo-600",
    className,
  );

type FrameProps = { label: ReactNode; hint?: ReactNode; error?: string | null; name: string; inputId: string; className?: string; children: ReactNode };

/** The ARIA wiring of a field: the ids its control names in aria-describedby (error first, then hint). */
const describedByOf = (inputId: string, hint: ReactNode, error?: string | null) =>
  [error && `${inputId}-error`, hint && `${inputId}-hint`].filter(Boolean).join(" ") || undefined;

/** Label above, the control, then the error (which replaces the hint) — the layout every labelled field shares. */
function FieldFrame({ label, hint, error, name, inputId, className, children }: FrameProps) {
  return (
    <div className={className}>
      <label htmlFor={inputId} className="block text-sm font-medium text-slate-700">
        {label}
      </label>
      {children}
      {error ? (
        <p id={`${inputId}-error`} className="mt-1.5 text-sm text-red-600" data-testid={`error-${name}`}>
          {error}
        </p>
      ) : (
        hint && (
          <p id={`${inputId}-hint`} className="mt-1.5 text-xs text-slate-500">
            {hint}
          </p>
        )
      )}
    </div>
  );
}

/** A labelled input with an optional hint and an error (which also sets aria-invalid and aria-describedby). */
export function TextField({
  label,
  hint,
  error,
  id,
  name,
  className,
  inputClassName,
  trailing,
  ...rest
}: ComponentProps<"input"> & { label: ReactNode; hint?: ReactNode; error?: string | null; name: string; inputClassName?: string; trailing?: ReactNode }) {
  const inputId = id ?? `field-${name}`;
  return (
    <FieldFrame label={label} hint={hint} error={error} name={name} inputId={inputId} className={className}>
      <div className="relative mt-1.5">
        <input
          id={inputId}
          name={name}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedByOf(inputId, hint, error)}
          className={inputClass(Boolean(error), cn(trailing ? "pr-16" : undefined, inputClassName))}
          {...rest}
        />
        {trailing && <span className="pointer-events-none absolute inset-y-0 right-3 flex items-center text-sm text-slate-400">{trailing}</span>}
      </div>
    </FieldFrame>
  );
}

/** A labelled checkbox with a one-line description. */
export function CheckboxField({
  label,
  description,
  name,
  id,
  ...rest
}: ComponentProps<"input"> & { label: ReactNode; description?: ReactNode; name: string }) {
  const inputId = id ?? `field-${name}`;
  return (
    <div className="flex items-start gap-3">
      <input
        id={inputId}
        name={name}
        type="checkbox"
        className="mt-0.5 size-4 rounded border-slate-300 text-indigo-600 accent-indigo-600 focus:ring-indigo-600"
        aria-describedby={description ? `${inputId}-desc` : undefined}
        {...rest}
      />
      <div className="text-sm">
        <label htmlFor={inputId} className="font-medium text-slate-700">
          {label}
        </label>
        {description && (
          <p id={`${inputId}-desc`} className="text-slate-500">
            {description}
          </p>
        )}
      </div>
    </div>
  );
}

/** A labelled <select> with an optional hint and error (same layout and ARIA wiring as TextField). */
export function SelectField({
  label,
  hint,
  error,
  id,
  name,
  className,
  children,
  ...rest
}: ComponentProps<"select"> & { label: ReactNode; hint?: ReactNode; error?: string | null; name: string }) {
  const inputId = id ?? `field-${name}`;
  return (
    <FieldFrame label={label} hint={hint} error={error} name={name} inputId={inputId} className={className}>
      <select
        id={inputId}
        name={name}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedByOf(inputId, hint, error)}
        className={inputClass(Boolean(error), "mt-1.5 pr-8")}
        {...rest}
      >
        {children}
      </select>
    </FieldFrame>
  );
}

/** A labelled <textarea> with an optional hint and error. */
export function TextAreaField({
  label,
  hint,
  error,
  id,
  name,
  className,
  ...rest
}: ComponentProps<"textarea"> & { label: ReactNode; hint?: ReactNode; error?: string | null; name: string }) {
  const inputId = id ?? `field-${name}`;
  return (
    <FieldFrame label={label} hint={hint} error={error} name={name} inputId={inputId} className={className}>
      <textarea
        id={inputId}
        name={name}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedByOf(inputId, hint, error)}
        className={inputClass(Boolean(error), "mt-1.5 font-mono text-[13px]")}
        {...rest}
      />
    </FieldFrame>
  );
}
