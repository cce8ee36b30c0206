/**
 * Display formatting for the dashboard: counts, bytes, dates, durations, and human labels for exclusion reasons.
 * Pure; the locale is fixed to en-US so server and client render the same strings.
 */
import { EXCLUSION_REASONS, type ExclusionReason } from "@/lib/core/types";

const num = new Intl.NumberFormat("en-US");
/** A count with en-US digit grouping ("12,345"); "—" for null or undefined. */
export const formatCount = (n: number | null | undefined) => (n == null ? "—" : num.format(n));

/** Binary units (KiB = 1,024 bytes), as the sitemaps.org 50 MiB limit is. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes == null) return "—";
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB"];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 ? Math.round(v) : Number(v.toFixed(1))} ${units[i]}`;
}

const dateTime = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "short" });
/** An ISO 8601 time as en-US medium date + short time in the browser's time zone; "—" when absent. */
export const formatDateTime = (iso: string | null | undefined) => (iso ? dateTime.format(new Date(iso)) : "—");

const rtf = new Intl.RelativeTimeFormat("en-US", { numeric: "auto" });
/** "just now", "3 minutes ago", "yesterday", … */
export function formatRelative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "—";
  const sec = Math.round((new Date(iso).getTime() - now) / 1000);
  const abs = Math.abs(sec);
  if (abs < 45) return "just now";
  if (abs < 3600) return rtf.format(Math.round(sec / 60), "minute");
  if (abs < 86_400) return rtf.format(Math.round(sec / 3600), "hour");
  if (abs < 30 * 86_400) return rtf.format(Math.round(sec / 86_400), "day");
  return dateTime.format(new Date(iso));
}

/** "850 ms", "42 s", "3 min 05 s", "1 h 02 min". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
}

/** Wall time of a run: finished − started, or started → now while it runs. */
export function runDurationMs(run: { startedAt: string | null; finishedAt: string | null }, now = Date.now()) {
  if (!run.startedAt) return null;
  const end = run.finishedAt ? new Date(run.finishedAt).getTime() : now;
  return end - new Date(run.startedAt).getTime();
}

/** Short labels and one-line explanations of why a URL was left out (see EXCLUSION_REASONS in lib/core/types). */
export const EXCLUSION_LABELS: Record<ExclusionReason, { label: string; hint: string }> = {
  robots_disallowed: { label: "Blocked by robots.txt", hint: "robots.txt disallows it for our user agent; never fetched." },
  robots_unavailable: { label: "robots.txt unavailable", hint: "robots.txt answered 5xx or was unreachable, so nothing is fetched." },
  noindex_meta: { label: "noindex (meta tag)", hint: 'The page has <meta name="robots" content="noindex">.' },
  noindex_header: { label: "noindex (X-Robots-Tag)", hint: "The response has an X-Robots-Tag: noindex header." },
  canonical_elsewhere: { label: "Canonical points elsewhere", hint: "rel=canonical names another URL; its links were still followed." },
  redirect: { label: "Redirect", hint: "The URL answered 3xx; its target was crawled instead." },
  redirect_limit: { label: "Too many redirects", hint: "More than 5 redirect hops, or a redirect loop." },
  http_error: { label: "HTTP error", hint: "The final status was not 200 (4xx, 5xx, 204, …)." },
  not_html: { label: "Not an HTML page", hint: "Answered 200 with a non-HTML Content-Type (PDF, image, …)." },
  fetch_error: { label: "Fetch failed", hint: "Network error, timeout, or a body over the size cap." },
  off_origin: { label: "Different origin", hint: "A redirect or link left the sitemap's origin." },
  max_depth: { label: "Max depth reached", hint: "Further from the start URL than the max depth setting." },
  max_pages: { label: "Max pages reached", hint: "The max pages limit was reached before it was fetched." },
  excluded_by_rule: { label: "Excluded by a rule", hint: "A rule excluded it, or a crawl-only rule kept it out of the sitemap." },
  blocked_host: { label: "Blocked host", hint: "The address is private or loopback and not on the allow-list." },
  url_too_long: { label: "URL too long", hint: "Longer than the sitemap's max URL length (sitemaps.org: under 2,048 characters)." },
  crawl_trap: {
    label: "Crawler trap",
    hint: "Over a trap cap: too many query variants of one path, too many path segments, or a repeating path.",
  },
  duplicate: {
    label: "Duplicate",
    hint: "Same main content as another URL, which is listed instead (the sitemap collapses duplicates).",
  },
};

/**
 * The dashboard's label and hint for an exclusion reason (lib/core/types.ts EXCLUSION_REASONS); a reason this build
 * does not know shows as its code with spaces for underscores and no hint.
 */
export function exclusionLabel(reason: string): { label: string; hint: string } {
  return (EXCLUSION_REASONS as readonly string[]).includes(reason)
    ? EXCLUSION_LABELS[reason as ExclusionReason]
    : { label: reason.replace(/_/g, " "), hint: "" };
}

/** A safe default file name from a display name: "PostgreSQL Docs" → "postgresql-docs". */
export function suggestFileName(name: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/, "");
  return slug || "sitemap";
}
