"use client";
/** Sitemap form, "Sitemap content" section: priority, changefreq, lastmod and its source, image/hreflang/video/news. */
import { CHANGEFREQS } from "@/lib/schemas/sitemaps";
import { CheckboxField, SelectField, TextField } from "../ui/field";
import { Section, useFieldProps, useValues, type SectionProps } from "./fields";
import { LIMITS } from "./model";

export function ContentSection(props: SectionProps) {
  const { text, check } = useFieldProps();
  const v = useValues();
  return (
    <Section
      {...props}
      title="Sitemap content"
      summary={[
        `priority ${v.priorityMode}`,
        v.defaultChangefreq ? `changefreq ${v.defaultChangefreq}` : "no changefreq",
        v.lastmod ? `lastmod from ${v.lastmodSource}` : "no lastmod",
        [v.images && "images", v.hreflang && "hreflang", v.video && "video", v.news && "news"].filter(Boolean).join(", ") || "no extensions",
      ].join(" · ")}
    >
      <div className="grid gap-4 sm:grid-cols-2">
        <SelectField label="Priority" hint="Google ignores <priority>; other engines may use it." {...text("priorityMode")}>
          <option value="off">Omit &lt;priority&gt;</option>
          <option value="fixed">Same value for every URL</option>
          <option value="depth">By depth (1.0 → 0.1 per level)</option>
        </SelectField>
        {v.priorityMode === "fixed" && <TextField label="Priority value" type="number" {...LIMITS.defaultPriority} step={0.1} inputMode="decimal" hint="0.0 to 1.0." {...text("defaultPriority")} />}
        <SelectField label="Change frequency" hint="Written as <changefreq> for crawled URLs." {...text("defaultChangefreq")}>
          <option value="">Omit &lt;changefreq&gt;</option>
          {CHANGEFREQS.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </SelectField>
        <SelectField label="Last modified source" hint="Content: when the page’s main content hash first appeared (else Last-Modified)." {...text("lastmodSource")} disabled={!v.lastmod}>
          <option value="content">Content changes (recommended)</option>
          <option value="server">Last-Modified header only</option>
        </SelectField>
      </div>
      <CheckboxField label="Write lastmod" description="Add <lastmod> where a truthful date is known; omitted otherwise." {...check("lastmod")} />
      <fieldset className="space-y-3 border-t border-slate-100 pt-4">
        <legend className="sr-only">Sitemap extensions</legend>
        <div className="grid gap-3 sm:grid-cols-2">
          <CheckboxField label="Images" description="<image:loc> entries, up to 1,000 per URL." {...check("images")} />
          <CheckboxField label="hreflang alternates" description="xhtml:link clusters, with reciprocity problems reported." {...check("hreflang")} />
          <CheckboxField label="Video" description="When the page’s structured data has the required fields." {...check("video")} />
          <CheckboxField label="News" description="News articles of the last two days." {...check("news")} />
        </div>
        {v.images && <TextField label="Image CDN hosts" placeholder="cdn.example.com, *.imgix.net" hint="Other hosts whose images may be listed; comma-separated." {...text("imageHosts")} />}
        {v.news && (
          <div className="grid gap-4 sm:grid-cols-2">
            <TextField label="Publication name" placeholder="The Example Times" {...text("newsPublicationName")} />
            <TextField label="Publication language" placeholder="en" hint="ISO 639 code, or zh-cn / zh-tw." {...text("newsLanguage")} />
          </div>
        )}
      </fieldset>
    </Section>
  );
}
