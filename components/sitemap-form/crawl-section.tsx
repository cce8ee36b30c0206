"use client";
/** Sitemap form, "Crawl" section: page, depth and concurrency limits, user agent, robots.txt, JS rendering. */
import { DEFAULT_USER_AGENT } from "@/lib/core/types";
import { CheckboxField, SelectField, TextField } from "../ui/field";
import { Section, useFieldProps, useValues, type SectionProps } from "./fields";
import { LIMITS } from "./model";

export function CrawlSection(props: SectionProps) {
  const { text, check } = useFieldProps();
  const v = useValues();
  return (
    <Section
      {...props}
      title="Crawl"
      summary={`${Number(v.maxPages).toLocaleString("en-US")} pages, depth ${v.maxDepth}, ${v.concurrency} in parallel · robots.txt ${v.respectRobots ? "respected" : "ignored"} · JS rendering ${v.renderJs}`}
    >
      <div className="grid gap-4 sm:grid-cols-3">
        <TextField label="Max pages" type="number" min={LIMITS.maxPages.min} inputMode="numeric" hint="Stop after fetching this many pages." {...text("maxPages")} />
        <TextField label="Max depth" type="number" {...LIMITS.maxDepth} inputMode="numeric" hint="Clicks away from the start URL." {...text("maxDepth")} />
        <TextField label="Concurrency" type="number" {...LIMITS.concurrency} inputMode="numeric" hint="Parallel requests to the site." {...text("concurrency")} />
      </div>
      <TextField label="User agent" placeholder={DEFAULT_USER_AGENT} hint="Leave empty for the default. Its product token is matched against robots.txt." {...text("userAgent")} />
      <SelectField
        label="JavaScript rendering"
        hint="Auto renders only pages whose HTML looks like an empty shell (slower: a headless Chromium per page)."
        {...text("renderJs")}
      >
        <option value="off">Off: read the HTML as served</option>
        <option value="auto">Auto: render empty-shell pages</option>
        <option value="always">Always: render every page</option>
      </SelectField>
      <div className="grid gap-3 sm:grid-cols-2">
        <CheckboxField label="Respect robots.txt" description="Skip URLs that robots.txt disallows for this user agent." {...check("respectRobots")} />
        <CheckboxField label="Honour Crawl-delay" description="Wait the robots.txt Crawl-delay between requests." {...check("respectCrawlDelay")} />
        <CheckboxField label="Import robots.txt Sitemap: lines" description="Read the sitemaps robots.txt names and crawl their URLs too." {...check("importRobotsSitemaps")} />
      </div>
    </Section>
  );
}
