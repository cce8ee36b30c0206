/**
 * The audit of a site's own sitemaps: what the site tells search engines (its urlset and sitemapindex files) compared
 * with what the crawl found. Two halves:
 *
 * 1. {@link createAuditCollector}, used inside one crawl (lib/crawl/crawler.ts, option `audit`): holds the page URLs
 *    of the site's sitemaps (normalised with the crawl's URL policy, at most {@link MAX_AUDIT_URLS}), marks those a
 *    crawled page links to with a followable link, and notes the crawl's verdict for each of them. Memory: one map
 *    entry per sitemap URL (≈ 200 bytes each), nothing per crawled page.
 * 2. {@link auditFindings}, run after the crawl: turns that result, the run's inventory (looked up by URL) and its
 *    listed URLs into findings, one per URL and problem:
 *    - `sitemap_error`: a sitemap file that could not be read whole (reason = lib/crawl/sitemaps.ts SITEMAP_PROBLEMS
 *      code: http_error, doctype, too_large, not_sitemap, nested_too_deep, too_many_urls, …; `url` is the file);
 *    - `not_indexable`: a URL of their sitemap that the crawl left out (reason = the exclusion reason of the run's
 *      inventory: noindex_meta, noindex_header, redirect, http_error, canonical_elsewhere, robots_disallowed,
 *      not_html, …; detail = status and the redirect or canonical target), or one on another origin (off_origin);
 *    - `not_crawled`: a URL of their sitemap the crawl never met (not linked, not imported as a seed, or past a crawl
 *      bound). It is not fetched by the audit: a crawl with robots.txt sitemap import on fetches them as seeds;
 *    - `missing_from_sitemap`: a page the crawl listed (indexable) that none of their sitemaps holds;
 *    - `orphan`: a URL of their sitemap that no crawled page links to with a followable link (the start URL is
 *      never an orphan).
 *
 * Where the sitemaps come from: robots.txt `Sitemap:` lines, else `/sitemap.xml` of the start URL's origin (a 404 or
 * 410 there, or an HTML page, means the site publishes none: no finding). Reading goes through the crawl's paced,
 * SSRF-guarded fetcher with sitemaps.ts's bounds (decompressed size, `<loc>`s per file, files, index nesting, no DTD).
 * Pure apart from the callbacks; no I/O of its own.
 */
import type { CrawlRecord } from "@/lib/core/types";
import type { SitemapImportError, SitemapImportResult } from "./sitemaps";

/** Page URLs of a site's sitemaps the audit keeps per crawl; beyond, the audit reports `too_many_urls` and stops. */
export const MAX_AUDIT_URLS = 200_000;

export const AUDIT_FINDING_KINDS = ["sitemap_error", "not_indexable", "not_crawled", "missing_from_sitemap", "orphan"] as const;
export type AuditFindingKind = (typeof AUDIT_FINDING_KINDS)[number];

/** One finding: `url` is a page URL, or the sitemap file's URL for `sitemap_error`. */
export type AuditFinding = {
  url: string;
  kind: AuditFindingKind;
  /** Exclusion reason (not_indexable) or sitemap problem code (sitemap_error); null for the other kinds. */
  reason: string | null;
  /** Extra facts: { status, target } for not_indexable, { message } for sitemap_error, { sitemap } … ; or null. */
  detail: Record<string, string | number | null> | null;
};

/** What the crawl decided about a URL (a RunUrl row's fields). */
export type AuditVerdict = { included: boolean; reason: string | null; status: number | null; target: string | null };

/** The crawl's half of the audit, structured-clone safe (it crosses the crawl worker's thread boundary). */
export type SiteSitemapAudit = {
  /** Where the sitemaps came from: robots.txt `Sitemap:` lines, the default `/sitemap.xml`, or none tried. */
  source: "robots" | "default" | null;
  /** At least one file was read as a urlset or sitemapindex: the site publishes sitemaps. */
  found: boolean;
  /** Files fetched: URL, root element, `<loc>`s held. */
  files: SitemapImportResult["read"];
  problems: SitemapImportError[];
  /** The sitemaps' page URLs (policy-normalised, first {@link MAX_AUDIT_URLS}); `verdict` as the crawl recorded it. */
  urls: { url: string; linked: boolean; offOrigin: boolean; verdict: AuditVerdict | null }[];
  /** More than {@link MAX_AUDIT_URLS} URLs: the rest was not read. */
  truncated: boolean;
  /** The start URL (never an orphan). */
  startUrl: string;
};

type Entry = { linked: boolean; offOrigin: boolean; verdict: AuditVerdict | null };

const verdictOf = (r: CrawlRecord): AuditVerdict => ({ included: r.included, reason: r.reason, status: r.status, target: r.target ?? null });

/**
 * The collector one crawl feeds (see module doc). `normalize` turns a `<loc>` into the crawl's form of the URL (WHATWG
 * normalisation, then the URL policy for same-origin URLs), or null when it is not an absolute http(s) URL.
 */
export function createAuditCollector(o: { originPrefix: string; startUrl: string; normalize: (loc: string) => string | null; maxUrls?: number }) {
  const max = o.maxUrls ?? MAX_AUDIT_URLS;
  const entries = new Map<string, Entry>();
  let truncated = false;
  let reading = true;
  // Records emitted while the sitemaps are still being read (the start URL, imported seeds); merged when reading ends.
  const early = new Map<string, AuditVerdict>();
  let source: SiteSitemapAudit["source"] = null;
  let found = false;
  let files: SiteSitemapAudit["files"] = [];
  let problems: SitemapImportError[] = [];

  return {
    /** Adds a `<loc>` of the site's sitemap; false once the cap is reached (stop reading). */
    add(loc: string): boolean {
      const url = o.normalize(loc);
      if (url === null || entries.has(url)) return true;
      if (entries.size >= max) {
        truncated = true;
        return false;
      }
      entries.set(url, { linked: false, offOrigin: !url.startsWith(o.originPrefix), verdict: null });
      return true;
    },
    /** Whether the audit still takes URLs. */
    accepting: () => !truncated,
    /** A followable same-origin link of a crawled page, policy-normalised. */
    link(url: string): void {
      const e = entries.get(url);
      if (e) e.linked = true;
    },
    /** Every record the crawl emits. */
    record(r: CrawlRecord): void {
      const e = entries.get(r.url);
      if (e) e.verdict = verdictOf(r);
      else if (reading) early.set(r.url, verdictOf(r));
    },
    /** Ends the reading of the sitemaps: what was read, from where. */
    doneReading(read: { source: SiteSitemapAudit["source"]; result: SitemapImportResult | null }): void {
      reading = false;
      source = read.source;
      if (read.result) {
        files = read.result.read;
        problems = read.result.errors.filter(
          // The default location missing (or answering the site's HTML page) means the site publishes no sitemap.
          (p) => !(read.source === "default" && ((p.code === "http_error" && /^HTTP 40[34]|^HTTP 410/.test(p.error)) || (p.code === "not_sitemap" && /root element html\)/.test(p.error)))),
        );
        const bad = new Set(read.result.errors.filter((p) => p.code === "doctype").map((p) => p.url));
        found = files.some((f) => (f.root === "urlset" || f.root === "sitemapindex") && !bad.has(f.url));
      }
      for (const [url, v] of early) {
        const e = entries.get(url);
        if (e) e.verdict = v;
      }
      early.clear();
    },
    /** The crawl's half of the audit. */
    result(): SiteSitemapAudit {
      return {
        source,
        found,
        files,
        problems,
        urls: [...entries].map(([url, e]) => ({ url, linked: e.linked, offOrigin: e.offOrigin, verdict: e.verdict })),
        truncated,
        startUrl: o.startUrl,
      };
    },
  };
}
export type AuditCollector = ReturnType<typeof createAuditCollector>;

/** URLs looked up per `verdicts` call. */
const LOOKUP_BATCH = 500;

/**
 * The findings of an audit (see module doc), in this order: sitemap errors, then per sitemap URL (not_indexable or
 * not_crawled, then orphan), then missing_from_sitemap in the order of `listed`.
 * - `verdicts(urls)`: the run's inventory rows of those URLs (absent = never met). Default: the verdicts the crawl
 *   noted (`audit.urls[].verdict`), enough for one uninterrupted crawl; the job passes its stored inventory.
 * - `listed`: every URL the run listed (any order). Skipped when the site publishes no readable sitemap or the audit
 *   was truncated (every page would look missing).
 * - `orphans: false` leaves orphans out (a resumed crawl did not see the links of the pages fetched before it).
 */
export async function* auditFindings(
  audit: SiteSitemapAudit,
  opts: {
    verdicts?: (urls: string[]) => Promise<Map<string, AuditVerdict>>;
    listed: AsyncIterable<string> | Iterable<string>;
    orphans?: boolean;
  },
): AsyncGenerator<AuditFinding> {
  for (const p of audit.problems) yield { url: p.url, kind: "sitemap_error", reason: p.code, detail: { message: p.error } };
  if (audit.truncated) {
    yield {
      url: audit.files[0]?.url ?? audit.startUrl,
      kind: "sitemap_error",
      reason: "too_many_urls",
      detail: { message: `the sitemaps hold more than ${audit.urls.length} URLs; the audit read the first ${audit.urls.length}` },
    };
  }
  const noted = new Map<string, AuditVerdict>();
  for (const u of audit.urls) if (u.verdict) noted.set(u.url, u.verdict);
  const lookup = opts.verdicts ?? (async () => noted);
  for (let i = 0; i < audit.urls.length; i += LOOKUP_BATCH) {
    const batch = audit.urls.slice(i, i + LOOKUP_BATCH);
    const found = await lookup(batch.filter((u) => !u.offOrigin).map((u) => u.url));
    for (const u of batch) {
      if (u.offOrigin) {
        yield { url: u.url, kind: "not_indexable", reason: "off_origin", detail: null };
        continue;
      }
      const v = found.get(u.url);
      if (!v) yield { url: u.url, kind: "not_crawled", reason: null, detail: null };
      else if (!v.included) yield { url: u.url, kind: "not_indexable", reason: v.reason, detail: { status: v.status, target: v.target } };
      if (opts.orphans !== false && !u.linked && u.url !== audit.startUrl) yield { url: u.url, kind: "orphan", reason: null, detail: null };
    }
  }
  if (!audit.found || audit.truncated) return;
  const inSitemap = new Set(audit.urls.map((u) => u.url));
  for await (const url of opts.listed) {
    if (!inSitemap.has(url)) yield { url, kind: "missing_from_sitemap", reason: null, detail: null };
  }
}

/** Findings counted by kind (every kind present). */
export function countFindings(findings: Iterable<Pick<AuditFinding, "kind">>): Record<AuditFindingKind, number> {
  const counts = Object.fromEntries(AUDIT_FINDING_KINDS.map((k) => [k, 0])) as Record<AuditFindingKind, number>;
  for (const f of findings) counts[f.kind]++;
  return counts;
}
