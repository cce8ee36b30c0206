"use client";
/** Sitemap form, "Staging access" section: basic auth, extra headers, cookies (write-only; on edit, blank keeps what is stored). */
import type { SitemapDto } from "@/lib/client/sitemaps";
import { CheckboxField, TextAreaField, TextField } from "../ui/field";
import { Section, useFieldProps, type SectionProps } from "./fields";

export function AuthSection({ stored, editing, ...props }: SectionProps & { stored?: SitemapDto["auth"]; editing: boolean }) {
  const { text, check } = useFieldProps();
  const authSet = stored ? [stored.basicAuth && "basic auth", stored.headers.length && `${stored.headers.length} header(s)`, stored.cookies.length && `${stored.cookies.length} cookie(s)`].filter(Boolean) : [];
  return (
    <Section {...props} title="Staging access" summary={authSet.length ? `Stored: ${authSet.join(", ")}` : "None: for password-protected staging sites"}>
      <p className="text-xs text-slate-500">
        Stored encrypted and sent only to the start URL’s origin. Values are never shown again
        {editing ? "; leave the fields empty to keep what is stored." : "."}
      </p>
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField label="Basic auth user" autoComplete="off" {...text("basicUser")} />
        <TextField label="Basic auth password" type="password" autoComplete="new-password" {...text("basicPassword")} />
      </div>
      <TextAreaField label="Extra headers" rows={2} placeholder="X-Preview-Token: abc123" hint="One “Name: value” per line." {...text("headers")} />
      <TextAreaField label="Cookies" rows={2} placeholder="session=abc123" hint="One “name=value” per line." {...text("cookies")} />
      {editing && authSet.length > 0 && <CheckboxField label="Remove stored credentials" description={`Deletes ${authSet.join(", ")}.`} {...check("clearAuth")} />}
    </Section>
  );
}
