"use client";
/**
 * Create / edit form of a sitemap (POST or PATCH /api/v1/sitemaps…). The basics (name, start URL, file name) are
 * always visible; every other setting sits in a collapsed section with the API's defaults, and a section opens by
 * itself when one of its fields has an error (client check or the API's `field`, e.g. "crawl.rules.2.pattern").
 *
 * Sections: Crawl (limits, user agent, robots.txt, Crawl-delay, robots Sitemap: import, JS rendering), URL rules and
 * normalisation (rules, query policy + allow-list, trailing slash, max URL length), Indexing signals (noindex,
 * nofollow, canonical), Sitemap content (priority, changefreq, lastmod and its source, image/hreflang/video/news),
 * Output files (split limits, gzip, template, charset, robots.txt check, export after import) and Staging access
 * (basic auth, headers, cookies: write-only; on edit, blank keeps what is stored).
 */
import { useState } from "react";
import { ApiError, errorMessage } from "@/lib/client/api";
import { suggestFileName } from "@/lib/client/format";
import type { CreateSitemapBody, SitemapDto } from "@/lib/client/sitemaps";
import { useTemplates } from "@/lib/client/templates";
import { CHANGEFREQS, EXPORT_CHARSETS, FILE_NAME_RE, type TAuthInput } from "@/lib/schemas/sitemaps";
import { DEFAULT_CRAWL_SETTINGS, DEFAULT_USER_AGENT, MAX_BYTES_PER_FILE, MAX_URLS_PER_FILE, RULE_ACTIONS, type RuleAction } from "@/lib/core/types";
import { Alert } from "./ui/alert";
import { Button, ButtonLink } from "./ui/button";
import { cn } from "./ui/cn";
import { CheckboxField, SelectField, TextAreaField, TextField, inputClass } from "./ui/field";

const MIB = 1024 * 1024;

type Rule = { action: RuleAction; syntax: "glob" | "regex"; pattern: string };

type Values = {
  name: string;
  startUrl: string;
  fileName: string;
  // crawl
  maxPages: string;
  maxDepth: string;
  concurrency: string;
  userAgent: string;
  respectRobots: boolean;
  respectCrawlDelay: boolean;
  importRobotsSitemaps: boolean;
  renderJs: "off" | "auto" | "always";
  // rules and normalisation
  rules: Rule[];
  queryPolicy: "keep" | "strip" | "allowlist";
  queryAllowlist: string;
  trailingSlash: "keep" | "add" | "remove";
  maxUrlLength: string;
  // indexing signals
  excludeNoindex: boolean;
  followNofollow: boolean;
  respectCanonical: boolean;
  // content
  priorityMode: "off" | "fixed" | "depth";
  defaultPriority: string;
  defaultChangefreq: string;
  lastmod: boolean;
  lastmodSource: "content" | "server";
  images: boolean;
  imageHosts: string;
  hreflang: boolean;
  video: boolean;
  news: boolean;
  newsPublicationName: string;
  newsLanguage: string;
  // output
  maxFileEntries: string;
  maxFileSizeMiB: string;
  gzip: boolean;
  formatHtml: boolean;
  formatJson: boolean;
  formatTxt: boolean;
  xslStylesheet: boolean;
  templateId: string;
  exportCharset: (typeof EXPORT_CHARSETS)[number];
  writeIntoRobots: boolean;
  exportAfterImport: boolean;
  // staging access (write-only)
  basicUser: string;
  basicPassword: string;
  headers: string;
  cookies: string;
  clearAuth: boolean;
};
type FieldName = keyof Values;
type Errors = Partial<Record<FieldName, string>>;

type SectionId = "crawl" | "rules" | "signals" | "content" | "output" | "auth";
const SECTION_OF: Partial<Record<FieldName, SectionId>> = {
  maxPages: "crawl", maxDepth: "crawl", concurrency: "crawl", userAgent: "crawl", renderJs: "crawl",
  rules: "rules", queryPolicy: "rules", queryAllowlist: "rules", trailingSlash: "rules", maxUrlLength: "rules",
  excludeNoindex: "signals", followNofollow: "signals", respectCanonical: "signals",
  priorityMode: "content", defaultPriority: "content", defaultChangefreq: "content", lastmodSource: "content",
  imageHosts: "content", newsPublicationName: "content", newsLanguage: "content",
  maxFileEntries: "output", maxFileSizeMiB: "output", templateId: "output", exportCharset: "output",
  basicUser: "auth", basicPassword: "auth", headers: "auth", cookies: "auth",
};

const DEFAULTS: Values = {
  name: "",
  startUrl: "",
  fileName: "",
  maxPages: String(DEFAULT_CRAWL_SETTINGS.maxPages),
  maxDepth: String(DEFAULT_CRAWL_SETTINGS.maxDepth),
  concurrency: String(DEFAULT_CRAWL_SETTINGS.concurrency),
  userAgent: "",
  respectRobots: true,
  respectCrawlDelay: false,
  importRobotsSitemaps: true,
  renderJs: "off",
  rules: [],
  queryPolicy: "keep",
  queryAllowlist: "",
  trailingSlash: "keep",
  maxUrlLength: "2047",
  excludeNoindex: true,
  followNofollow: false,
  respectCanonical: true,
  priorityMode: "off",
  defaultPriority: "0.5",
  defaultChangefreq: "",
  lastmod: true,
  lastmodSource: "content",
  images: true,
  imageHosts: "",
  hreflang: true,
  video: false,
  news: false,
  newsPublicationName: "",
  newsLanguage: "",
  maxFileEntries: String(MAX_URLS_PER_FILE),
  maxFileSizeMiB: String(MAX_BYTES_PER_FILE / MIB),
  gzip: false,
  formatHtml: false,
  formatJson: false,
  formatTxt: false,
  xslStylesheet: false,
  templateId: "",
  exportCharset: "utf-8",
  writeIntoRobots: false,
  exportAfterImport: false,
  basicUser: "",
  basicPassword: "",
  headers: "",
  cookies: "",
  clearAuth: false,
};

/** Form values of a stored sitemap (edit). Staging credentials are write-only, so their inputs start empty. */
export function valuesFromSitemap(s: SitemapDto): Values {
  return {
    ...DEFAULTS,
    name: s.name,
    startUrl: s.startUrl,
    fileName: s.fileName,
    maxPages: String(s.crawl.maxPages),
    maxDepth: String(s.crawl.maxDepth),
    concurrency: String(s.crawl.concurrency),
    userAgent: s.crawl.userAgent ?? "",
    respectRobots: s.crawl.respectRobots,
    respectCrawlDelay: s.crawl.respectCrawlDelay,
    importRobotsSitemaps: s.crawl.importRobotsSitemaps,
    renderJs: s.crawl.renderJs,
    rules: s.crawl.rules.map((r) => ({ ...r })),
    queryPolicy: s.crawl.queryPolicy,
    queryAllowlist: s.crawl.queryAllowlist.join(", "),
    trailingSlash: s.crawl.trailingSlash,
    maxUrlLength: String(s.crawl.maxUrlLength),
    excludeNoindex: s.crawl.excludeNoindex,
    followNofollow: s.crawl.followNofollow,
    respectCanonical: s.crawl.respectCanonical,
    priorityMode: s.output.priorityMode,
    defaultPriority: s.output.defaultPriority === null ? "0.5" : String(s.output.defaultPriority),
    defaultChangefreq: s.output.defaultChangefreq ?? "",
    lastmod: s.output.lastmod,
    lastmodSource: s.output.lastmodSource,
    images: s.extensions.images,
    imageHosts: s.extensions.imageHosts.join(", "),
    hreflang: s.extensions.hreflang,
    video: s.extensions.video,
    news: s.extensions.news,
    newsPublicationName: s.extensions.newsPublicationName ?? "",
    newsLanguage: s.extensions.newsLanguage ?? "",
    maxFileEntries: String(s.maxFileEntries),
    maxFileSizeMiB: String(Number((s.maxFileSize / MIB).toFixed(3))),
    gzip: s.gzip,
    formatHtml: s.output.extraFormats.includes("html"),
    formatJson: s.output.extraFormats.includes("json"),
    formatTxt: s.output.extraFormats.includes("txt"),
    xslStylesheet: s.output.xslStylesheet,
    templateId: s.templateId ?? "",
    exportCharset: s.options.exportCharset,
    writeIntoRobots: s.writeIntoRobots,
    exportAfterImport: s.exportAfterImport,
  };
}

/** The input an API error's `field` path belongs to ("crawl.rules.2.pattern" → rules, "maxFileSize" → maxFileSizeMiB). */
function inputFor(field: string | undefined): FieldName | null {
  if (!field) return null;
  const parts = field.split(".");
  if (parts[0] === "auth") return parts[1] === "headers" ? "headers" : parts[1] === "cookies" ? "cookies" : "basicUser";
  if (parts[0] === "crawl" && parts[1] === "rules") return "rules";
  if (parts[0] === "options") return "exportCharset";
  const named = [...parts].reverse().find((p) => !/^\d+$/.test(p));
  if (!named) return null;
  if (named === "maxFileSize") return "maxFileSizeMiB";
  return named in DEFAULTS ? (named as FieldName) : null;
}

/** Users often type "sitemap.xml"; the API wants the base name. */
const baseFileName = (v: string) => v.trim().toLowerCase().replace(/\.xml(\.gz)?$/, "").replace(/\.gz$/, "");

/** The API prefixes messages with the field path ("\"crawl.maxPages\": …"); under the input that is redundant. */
const withoutFieldPrefix = (msg: string) => msg.replace(/^"[^"]+":\s*/, "");

const intOrUndefined = (v: string) => (v.trim() === "" ? undefined : Number(v));
const list = (v: string) =>
  v
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);

/** "Name: value" lines → record; "name=value" for cookies. Returns an error message for a malformed line. */
function pairs(text: string, sep: ":" | "="): Record<string, string> | string {
  const out: Record<string, string> = {};
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (!line) continue;
    const at = line.indexOf(sep);
    if (at <= 0) return `Line ${i + 1}: write ${sep === ":" ? "Name: value" : "name=value"}.`;
    out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
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
    ["maxUrlLength", 64, 2047],
    ["maxFileEntries", 1, MAX_URLS_PER_FILE],
  ];
  for (const [k, min, max] of ints) {
    const n = intOrUndefined(v[k] as string);
    if (n !== undefined && (!Number.isInteger(n) || n < min || n > max)) e[k] = `A whole number from ${min.toLocaleString("en-US")} to ${max.toLocaleString("en-US")}.`;
  }
  const mib = intOrUndefined(v.maxFileSizeMiB);
  if (mib !== undefined && (!Number.isFinite(mib) || mib * MIB < 4096 || mib > MAX_BYTES_PER_FILE / MIB))
    e.maxFileSizeMiB = "From 0.004 (4 KiB) to 50 MiB (the sitemaps.org limit).";
  if (v.priorityMode === "fixed") {
    const p = Number(v.defaultPriority);
    if (v.defaultPriority.trim() === "" || !Number.isFinite(p) || p < 0 || p > 1) e.defaultPriority = "A number from 0.0 to 1.0.";
  }
  const badRule = v.rules.findIndex((r) => !r.pattern.trim());
  if (badRule >= 0) e.rules = `Rule ${badRule + 1}: enter a pattern (or remove the rule).`;
  if (v.queryPolicy === "allowlist" && list(v.queryAllowlist).length === 0) e.queryAllowlist = "Name at least one parameter to keep, or pick another policy.";
  if (v.news && !v.newsPublicationName.trim()) e.newsPublicationName = "News sitemaps need the publication name.";
  if (v.news && !v.newsLanguage.trim()) e.newsLanguage = "News sitemaps need the publication language (en, de, …).";
  if (v.basicPassword && !v.basicUser.trim()) e.basicUser = "Enter the user name for basic auth.";
  const h = pairs(v.headers, ":");
  if (typeof h === "string") e.headers = h;
  const c = pairs(v.cookies, "=");
  if (typeof c === "string") e.cookies = c;
  return e;
}

/** Staging credentials for the body: null removes all; undefined (nothing typed) keeps what is stored. */
function authBody(v: Values): TAuthInput | undefined {
  if (v.clearAuth) return null;
  const auth: NonNullable<TAuthInput> = {};
  if (v.basicUser.trim()) auth.basicAuth = { username: v.basicUser.trim(), password: v.basicPassword };
  const h = pairs(v.headers, ":");
  if (typeof h !== "string" && Object.keys(h).length) auth.headers = h;
  const c = pairs(v.cookies, "=");
  if (typeof c !== "string" && Object.keys(c).length) auth.cookies = c;
  return Object.keys(auth).length ? auth : undefined;
}

function toBody(v: Values): CreateSitemapBody {
  const mib = intOrUndefined(v.maxFileSizeMiB);
  const auth = authBody(v);
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
      userAgent: v.userAgent.trim() || null,
      respectRobots: v.respectRobots,
      respectCrawlDelay: v.respectCrawlDelay,
      importRobotsSitemaps: v.importRobotsSitemaps,
      renderJs: v.renderJs,
      rules: v.rules.map((r) => ({ ...r, pattern: r.pattern.trim() })),
      queryPolicy: v.queryPolicy,
      queryAllowlist: v.queryPolicy === "allowlist" ? list(v.queryAllowlist) : [],
      trailingSlash: v.trailingSlash,
      maxUrlLength: intOrUndefined(v.maxUrlLength),
      excludeNoindex: v.excludeNoindex,
      followNofollow: v.followNofollow,
      respectCanonical: v.respectCanonical,
    },
    extensions: {
      images: v.images,
      imageHosts: list(v.imageHosts),
      hreflang: v.hreflang,
      video: v.video,
      news: v.news,
      newsPublicationName: v.newsPublicationName.trim() || null,
      newsLanguage: v.newsLanguage.trim().toLowerCase() || null,
    },
    output: {
      priorityMode: v.priorityMode,
      defaultPriority: v.priorityMode === "fixed" ? Number(v.defaultPriority) : null,
      defaultChangefreq: (v.defaultChangefreq || null) as (typeof CHANGEFREQS)[number] | null,
      lastmod: v.lastmod,
      lastmodSource: v.lastmodSource,
      extraFormats: ([["html", v.formatHtml], ["json", v.formatJson], ["txt", v.formatTxt]] as const).filter(([, on]) => on).map(([f]) => f),
      xslStylesheet: v.xslStylesheet,
    },
    templateId: v.templateId || null,
    options: { exportCharset: v.exportCharset },
    writeIntoRobots: v.writeIntoRobots,
    exportAfterImport: v.exportAfterImport,
    ...(auth !== undefined ? { auth } : {}),
  };
}

function Section({
  id,
  title,
  summary,
  open,
  onToggle,
  children,
}: {
  id: SectionId;
  title: string;
  summary: string;
  open: boolean;
  onToggle: (open: boolean) => void;
  children: React.ReactNode;
}) {
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
            <select
              aria-label={`Rule ${i + 1} action`}
              className={inputClass(false, "pr-8")}
              value={r.action}
              onChange={(e) => set(i, { action: e.target.value as RuleAction })}
            >
              {RULE_ACTIONS.map((a) => (
                <option key={a} value={a}>
                  {RULE_LABEL[a]}
                </option>
              ))}
            </select>
            <select
              aria-label={`Rule ${i + 1} syntax`}
              className={inputClass(false, "pr-8")}
              value={r.syntax}
              onChange={(e) => set(i, { syntax: e.target.value as Rule["syntax"] })}
            >
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
        disabled={rules.length >= 200}
        onClick={() => onChange([...rules, { action: "exclude", syntax: "glob", pattern: "" }])}
        data-testid="add-rule"
      >
        Add rule
      </Button>
    </fieldset>
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
  const [values, setValues] = useState<Values>(() => (initial ? valuesFromSitemap(initial) : DEFAULTS));
  // The file name follows the display name until the user types their own (new sitemaps only).
  const [fileNameTouched, setFileNameTouched] = useState(Boolean(initial));
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [open, setOpen] = useState<Partial<Record<SectionId, boolean>>>({});
  const templates = useTemplates();
  const xmlTemplates = (templates.data ?? []).filter((t) => t.kind === "xml");

  const openFor = (fields: FieldName[]) =>
    setOpen((o) => {
      const next = { ...o };
      for (const f of fields) {
        const s = SECTION_OF[f];
        if (s) next[s] = true;
      }
      return next;
    });

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
    onChange: (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>) => set(k, e.target.value as never),
  });
  const check = (k: FieldName) => ({
    name: k,
    checked: values[k] as boolean,
    onChange: (e: React.ChangeEvent<HTMLInputElement>) => set(k, e.target.checked as never),
  });

  async function handleSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setFormError(null);
    const found = validate(values);
    setErrors(found);
    if (Object.keys(found).length) {
      openFor(Object.keys(found) as FieldName[]);
      return;
    }
    setSubmitting(true);
    try {
      await onSubmit(toBody(values));
    } catch (err) {
      const target = err instanceof ApiError ? inputFor(err.field) : null;
      if (target) {
        const msg = withoutFieldPrefix(errorMessage(err));
        const rule = err instanceof ApiError ? /^crawl\.rules\.(\d+)/.exec(err.field ?? "") : null;
        setErrors({ [target]: rule ? `Rule ${Number(rule[1]) + 1}: ${msg}` : msg });
        openFor([target]);
      } else {
        setFormError(errorMessage(err));
      }
      setSubmitting(false);
    }
  }

  const v = values;
  const sectionProps = (id: SectionId) => ({ id, open: Boolean(open[id]), onToggle: (o: boolean) => setOpen((s) => ({ ...s, [id]: o })) });
  const storedAuth = initial?.auth;
  const authSet = storedAuth ? [storedAuth.basicAuth && "basic auth", storedAuth.headers.length && `${storedAuth.headers.length} header(s)`, storedAuth.cookies.length && `${storedAuth.cookies.length} cookie(s)`].filter(Boolean) : [];

  return (
    <form onSubmit={handleSubmit} noValidate className="space-y-6" data-testid="sitemap-form">
      {formError && <Alert tone="error" testId="form-error">{formError}</Alert>}

      <div className="space-y-5">
        <TextField label="Name" placeholder="PostgreSQL manual" autoComplete="off" required autoFocus={!initial} {...text("name")} />
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
          trailing={v.gzip ? ".xml.gz" : ".xml"}
          required
          {...text("fileName")}
          onChange={(e) => {
            // Clearing the field hands it back to the suggestion.
            setFileNameTouched(e.target.value !== "");
            set("fileName", e.target.value);
          }}
        />
      </div>

      <div className="space-y-3">
        <h2 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Settings</h2>

        <Section
          {...sectionProps("crawl")}
          title="Crawl"
          summary={`${Number(v.maxPages).toLocaleString("en-US")} pages, depth ${v.maxDepth}, ${v.concurrency} in parallel · robots.txt ${v.respectRobots ? "respected" : "ignored"} · JS rendering ${v.renderJs}`}
        >
          <div className="grid gap-4 sm:grid-cols-3">
            <TextField label="Max pages" type="number" min={1} inputMode="numeric" hint="Stop after fetching this many pages." {...text("maxPages")} />
            <TextField label="Max depth" type="number" min={0} max={100} inputMode="numeric" hint="Clicks away from the start URL." {...text("maxDepth")} />
            <TextField label="Concurrency" type="number" min={1} max={32} inputMode="numeric" hint="Parallel requests to the site." {...text("concurrency")} />
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

        <Section
          {...sectionProps("rules")}
          title="URL rules and normalisation"
          summary={`${v.rules.length} rule${v.rules.length === 1 ? "" : "s"} · query strings: ${v.queryPolicy} · trailing slash: ${v.trailingSlash} · max ${v.maxUrlLength} characters`}
        >
          <RulesEditor rules={v.rules} onChange={(r) => set("rules", r)} error={errors.rules} />
          <div className="grid gap-4 sm:grid-cols-2">
            <SelectField label="Query strings" {...text("queryPolicy")}>
              <option value="keep">Keep all parameters</option>
              <option value="strip">Strip all parameters</option>
              <option value="allowlist">Keep only listed parameters</option>
            </SelectField>
            {v.queryPolicy === "allowlist" && (
              <TextField label="Parameters to keep" placeholder="page, lang" hint="Comma-separated, exact names." {...text("queryAllowlist")} />
            )}
            <SelectField label="Trailing slash" {...text("trailingSlash")}>
              <option value="keep">Keep as linked</option>
              <option value="add">Add to every path</option>
              <option value="remove">Remove from every path</option>
            </SelectField>
            <TextField label="Max URL length" type="number" min={64} max={2047} inputMode="numeric" trailing="chars" hint="Longer URLs are left out (sitemaps.org: under 2,048)." {...text("maxUrlLength")} />
          </div>
        </Section>

        <Section
          {...sectionProps("signals")}
          title="Indexing signals"
          summary={[v.excludeNoindex ? "noindex left out" : "noindex listed", v.followNofollow ? "nofollow followed" : "nofollow not followed", v.respectCanonical ? "canonical respected" : "canonical ignored"].join(" · ")}
        >
          <div className="grid gap-3 sm:grid-cols-2">
            <CheckboxField label="Leave out noindex pages" description="Pages with a robots meta tag or X-Robots-Tag noindex are not listed." {...check("excludeNoindex")} />
            <CheckboxField label="Follow nofollow links" description="Also crawl links marked rel=nofollow (or on nofollow pages)." {...check("followNofollow")} />
            <CheckboxField label="Respect canonical" description="Leave out pages whose rel=canonical names another URL." {...check("respectCanonical")} />
          </div>
        </Section>

        <Section
          {...sectionProps("content")}
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
            {v.priorityMode === "fixed" && (
              <TextField label="Priority value" type="number" min={0} max={1} step={0.1} inputMode="decimal" hint="0.0 to 1.0." {...text("defaultPriority")} />
            )}
            <SelectField label="Change frequency" hint="Written as <changefreq> for crawled URLs." {...text("defaultChangefreq")}>
              <option value="">Omit &lt;changefreq&gt;</option>
              {CHANGEFREQS.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </SelectField>
            <SelectField label="Last modified source" hint="Content: when the page’s main content hash first appeared (else Last-Modified)." disabled={!v.lastmod} {...text("lastmodSource")}>
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

        <Section
          {...sectionProps("output")}
          title="Output files"
          summary={[
            `${Number(v.maxFileEntries).toLocaleString("en-US")} URLs / ${v.maxFileSizeMiB} MiB per file`,
            v.gzip ? "gzip" : "plain XML",
            ...(["html", "json", "txt"] as const).filter((f) => v[`format${f[0].toUpperCase()}${f.slice(1)}` as "formatHtml"]).map((f) => f.toUpperCase()),
            v.templateId ? "custom template" : "built-in writer",
            v.exportCharset,
          ].join(" · ")}
        >
          <div className="grid gap-4 sm:grid-cols-2">
            <TextField label="Max URLs per file" type="number" min={1} max={MAX_URLS_PER_FILE} inputMode="numeric" hint="Up to 50,000 (sitemaps.org)." {...text("maxFileEntries")} />
            <TextField label="Max file size" type="number" min={1} max={50} step="any" inputMode="decimal" trailing="MiB" hint="Uncompressed; up to 50 MiB." {...text("maxFileSizeMiB")} />
            <SelectField
              label="XML template"
              hint={templates.isPending ? "Loading your templates…" : xmlTemplates.length === 0 ? "No XML templates yet: create one under Templates." : "A LiquidJS template renders the urlset; its output is validated before publishing."}
              {...text("templateId")}
            >
              <option value="">Built-in writer</option>
              {xmlTemplates.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
              {v.templateId && !xmlTemplates.some((t) => t.id === v.templateId) && <option value={v.templateId}>Current template</option>}
            </SelectField>
            <SelectField label="Charset of HTML and template outputs" hint="XML sitemaps are always UTF-8." {...text("exportCharset")}>
              {EXPORT_CHARSETS.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </SelectField>
          </div>
          <div className="grid gap-3 sm:grid-cols-2">
            <CheckboxField label="Gzip files" description="Publish .xml.gz files (smaller downloads; search engines accept them)." {...check("gzip")} />
            <CheckboxField label="XSL stylesheet" description="Browsers show the XML files as a readable table." {...check("xslStylesheet")} />
            <CheckboxField label="HTML sitemap" description="Paginated pages grouped by path, for visitors." {...check("formatHtml")} />
            <CheckboxField label="JSON sitemap" description="The listed URLs with lastmod, for scripts." {...check("formatJson")} />
            <CheckboxField label="TXT sitemap" description="One URL per line (sitemaps.org text format)." {...check("formatTxt")} />
            <CheckboxField label="Check robots.txt Sitemap: line" description="On submission, verify the live robots.txt names this sitemap." {...check("writeIntoRobots")} />
            <CheckboxField label="Export after import" description="Regenerated by POST /api/v1/sitemaps/generate/import after a content import." {...check("exportAfterImport")} />
          </div>
        </Section>

        <Section
          {...sectionProps("auth")}
          title="Staging access"
          summary={authSet.length ? `Stored: ${authSet.join(", ")}` : "None: for password-protected staging sites"}
        >
          <p className="text-xs text-slate-500">
            Stored encrypted and sent only to the start URL’s origin. Values are never shown again
            {initial ? "; leave the fields empty to keep what is stored." : "."}
          </p>
          <div className="grid gap-4 sm:grid-cols-2">
            <TextField label="Basic auth user" autoComplete="off" {...text("basicUser")} />
            <TextField label="Basic auth password" type="password" autoComplete="new-password" {...text("basicPassword")} />
          </div>
          <TextAreaField label="Extra headers" rows={2} placeholder="X-Preview-Token: abc123" hint="One “Name: value” per line." {...text("headers")} />
          <TextAreaField label="Cookies" rows={2} placeholder="session=abc123" hint="One “name=value” per line." {...text("cookies")} />
          {initial && authSet.length > 0 && (
            <CheckboxField label="Remove stored credentials" description={`Deletes ${authSet.join(", ")}.`} {...check("clearAuth")} />
          )}
        </Section>
      </div>

      <div className={cn("flex items-center justify-end gap-3 border-t border-slate-100 pt-5")}>
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
