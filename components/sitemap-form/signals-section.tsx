"use client";
/** Sitemap form, "Indexing signals" section: noindex, nofollow, canonical, duplicates. */
import { CheckboxField } from "../ui/field";
import { Section, useFieldProps, useValues, type SectionProps } from "./fields";

export function SignalsSection(props: SectionProps) {
  const { check } = useFieldProps();
  const v = useValues();
  return (
    <Section
      {...props}
      title="Indexing signals"
      summary={[v.excludeNoindex ? "noindex left out" : "noindex listed", v.followNofollow ? "nofollow followed" : "nofollow not followed", v.respectCanonical ? "canonical respected" : "canonical ignored", ...(v.collapseDuplicates ? ["duplicates collapsed"] : [])].join(" · ")}
    >
      <div className="grid gap-3 sm:grid-cols-2">
        <CheckboxField label="Leave out noindex pages" description="Pages with a robots meta tag or X-Robots-Tag noindex are not listed." {...check("excludeNoindex")} />
        <CheckboxField label="Follow nofollow links" description="Also crawl links marked rel=nofollow (or on nofollow pages)." {...check("followNofollow")} />
        <CheckboxField label="Respect canonical" description="Leave out pages whose rel=canonical names another URL." {...check("respectCanonical")} />
        <CheckboxField
          label="Collapse duplicates"
          description="Pages with identical main content (/ and /index.html, ?page=1) are listed once: the most linked, then the shortest URL."
          {...check("collapseDuplicates")}
        />
      </div>
    </Section>
  );
}
