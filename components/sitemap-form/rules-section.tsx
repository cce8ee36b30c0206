"use client";
/**
 * Sitemap form, "URL rules and normalisation" section: the ordered crawl rules (first match wins), query-string
 * policy and allow-list, trailing slash, max URL length. The rules list is one react-hook-form field ("rules");
 * its error (client or API, "Rule 2: …") shows under the list.
 */
import { Controller, useFormContext } from "react-hook-form";
import { RULE_ACTIONS, type RuleAction } from "@/lib/core/types";
import { Button } from "../ui/button";
import { SelectField, TextField, inputClass } from "../ui/field";
import { Section, useFieldProps, useValues, type SectionProps } from "./fields";
import { LIMITS, type Rule, type Values } from "./model";

/** At most this many rules (crawl.rules of lib/schemas/sitemaps.ts). */
const MAX_RULES = 200;

const RULE_LABEL: Record<RuleAction, string> = {
  crawl_list: "Crawl and list",
  crawl_only: "Crawl, don’t list",
  list_only: "List without fetching",
  exclude: "Exclude",
};

function RulesEditor({ rules, onChange, error }: { rules: Rule[]; onChange: (rules: Rule[]) => void; error?: string }) {
  const set = (i: number, patch: Partial<Rule>) => onChange(rules.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <fieldset aria-describedby="rules-help">
      <legend className="text-sm font-medium text-slate-700">URL rules</legend>
      <p id="rules-help" className="mt-0.5 text-xs text-slate-500">
        Checked in order; the first match wins. A glob starts with “/”, “*” or “http(s)://” (<code>*</code> = any characters); no match: crawl and list.
      </p>
      <ol className="mt-3 space-y-2" data-testid="rules-list">
        {rules.map((r, i) => (
          <li key={i} className="grid grid-cols-[1.25rem_minmax(0,11rem)_minmax(0,6rem)_minmax(0,1fr)_auto] items-center gap-2" data-testid="rule-row">
            <span className="w-5 text-right text-xs tabular-nums text-slate-400">{i + 1}.</span>
            <select aria-label={`Rule ${i + 1} action`} className={inputClass(false, "pr-8")} value={r.action} onChange={(e) => set(i, { action: e.target.value as RuleAction })}>
              {RULE_ACTIONS.map((a) => (
                <option key={a} value={a}>
                  {RULE_LABEL[a]}
                </option>
              ))}
            </select>
            <select aria-label={`Rule ${i + 1} syntax`} className={inputClass(false, "pr-8")} value={r.syntax} onChange={(e) => set(i, { syntax: e.target.value as Rule["syntax"] })}>
              <option value="glob">Glob</option>
              <option value="regex">Regex</option>
            </select>
            <input
              aria-label={`Rule ${i + 1} pattern`}
              className={inputClass(Boolean(error) && !r.pattern.trim(), "font-mono text-[13px]")}
              placeholder={r.syntax === "glob" ? "/blog/*" : "^/tag/.+"}
              value={r.pattern}
              onChange={(e) => set(i, { pattern: e.target.value })}
            />
            <Button size="sm" variant="ghost" aria-label={`Remove rule ${i + 1}`} onClick={() => onChange(rules.filter((_, j) => j !== i))}>
              Remove
            </Button>
          </li>
        ))}
      </ol>
      {error && (
        <p className="mt-2 text-sm text-red-600" data-testid="error-rules">
          {error}
        </p>
      )}
      <Button
        size="sm"
        variant="secondary"
        className="mt-3"
        disabled={rules.length >= MAX_RULES}
        onClick={() => onChange([...rules, { action: "exclude", syntax: "glob", pattern: "" }])}
        data-testid="add-rule"
      >
        Add rule
      </Button>
    </fieldset>
  );
}

export function RulesSection(props: SectionProps) {
  const { text } = useFieldProps();
  const { control } = useFormContext<Values>();
  const v = useValues();
  return (
    <Section
      {...props}
      title="URL rules and normalisation"
      summary={`${v.rules.length} rule${v.rules.length === 1 ? "" : "s"} · query strings: ${v.queryPolicy} · trailing slash: ${v.trailingSlash} · max ${v.maxUrlLength} characters`}
    >
      <Controller
        control={control}
        name="rules"
        render={({ field, fieldState }) => <RulesEditor rules={field.value} onChange={field.onChange} error={fieldState.error?.message ?? fieldState.error?.root?.message} />}
      />
      <div className="grid gap-4 sm:grid-cols-2">
        <SelectField label="Query strings" {...text("queryPolicy")}>
          <option value="keep">Keep all parameters</option>
          <option value="strip">Strip all parameters</option>
          <option value="allowlist">Keep only listed parameters</option>
        </SelectField>
        {v.queryPolicy === "allowlist" && <TextField label="Parameters to keep" placeholder="page, lang" hint="Comma-separated, exact names." {...text("queryAllowlist")} />}
        <SelectField label="Trailing slash" {...text("trailingSlash")}>
          <option value="keep">Keep as linked</option>
          <option value="add">Add to every path</option>
          <option value="remove">Remove from every path</option>
        </SelectField>
        <TextField label="Max URL length" type="number" {...LIMITS.maxUrlLength} inputMode="numeric" trailing="chars" hint="Longer URLs are left out (sitemaps.org: under 2,048)." {...text("maxUrlLength")} />
      </div>
    </Section>
  );
}
