/**
 * Why a run failed and why a successful run may be incomplete: the one table of run failure codes (with their hint
 * texts) and run warning codes, and the pure functions that pick them. Shared by the job (lib/runs/execute.ts), the
 * API's run DTO, webhooks, the dashboard and the CLI (scripts/crawl.ts), so every surface says the same thing.
 * Pure: no I/O, no env.
 *
 * A failure is `{ code, message, hint, detail }`:
 * - code: one key of {@link RUN_ERROR_CODES} (snake_case, stable; clients branch on it);
 * - message: one sentence naming what happened, with the run's own values (host, status, target);
 * - hint: what to do about it;
 * - detail: the facts as JSON, per code: `{ url, host, port, cause }` for network causes, `{ status }` for
 *   start_url_http_error and robots_5xx, `{ target, suggestedStartUrl }` for start_url_redirect_off_origin,
 *   `{ urlsExcluded, topReasons: [{ reason, count }] }` for all_excluded (at most 3, largest first).
 *
 * Diagnosis of a crawl that listed nothing ({@link diagnoseEmptyCrawl}), first match wins:
 * 1. robots.txt refused by the SSRF guard → blocked_by_ssrf_guard; robots.txt without a response because the
 *    host name does not resolve, refuses connections or fails TLS → that cause (it is the site, not robots.txt);
 *    robots.txt answered 5xx (or 429) → robots_5xx; any other failure to fetch it → robots_unreachable. RFC 9309
 *    §2.3.1.4: both mean the whole site is disallowed, so no page was fetched.
 * 2. the start URL's own fetch failed → dns_not_found | connection_refused | tls_error | timeout |
 *    blocked_by_ssrf_guard | network_error ({@link fetchFailureCode});
 * 3. the start URL redirects to another origin → start_url_redirect_off_origin (the target offered as new start URL);
 * 4. the start URL answered 4xx/5xx → start_url_http_error (with the status);
 * 5. otherwise → all_excluded, with the top reasons and their counts.
 */
import type { ExclusionReason } from "./types";

/** A fetch error as lib/crawl/fetch.ts reports it (`code` its FetchErrorCode, `cause` a system/TLS error code). */
export type FetchFailure = { code: string; message: string; cause?: string };

type Detail = Record<string, unknown>;

/** Every failure code of a run, with its hint (a function of the failure's detail, for the run's own values). */
export const RUN_ERROR_CODES = {
  dns_not_found: {
    hint: (d: Detail) =>
      `Check the start URL for a typo in the host name${d.host ? ` "${d.host}"` : ""}: the server's DNS resolver found no address for it.`,
  },
  connection_refused: {
    hint: () => "Check that the site is up, and that the start URL's scheme and port are right (http or https, :8080, …).",
  },
  tls_error: {
    hint: () =>
      "Check the site's certificate (expired, self-signed, or issued for another host name), or use http:// if the site serves no HTTPS.",
  },
  timeout: {
    hint: () => "Check that the site answers from this server's network; if it is only slow, raise the request timeout (CLI: --timeout MS).",
  },
  network_error: {
    hint: () => "The connection failed after it was made (reset, malformed answer); run again, and check the site's server logs.",
  },
  blocked_by_ssrf_guard: {
    hint: (d: Detail) => {
      const hp = d.host && d.port ? `${d.host}:${d.port}` : "host:port";
      return `The crawler contacts only public addresses on allowed ports. To crawl a private or loopback site you run, add "${hp}" to CRAWL_ALLOW_HOSTS on the server (CLI: --allow-host ${hp}).`;
    },
  },
  robots_5xx: {
    hint: (d: Detail) =>
      `Make ${d.robotsUrl ?? "/robots.txt"} answer 200 (or 404 when the site has none) instead of a server error, then run again.`,
  },
  robots_unreachable: {
    hint: (d: Detail) => `Make ${d.robotsUrl ?? "/robots.txt"} answer (200, or 404 when the site has none) within the request timeout, then run again.`,
  },
  start_url_http_error: {
    hint: (d: Detail) => {
      const s = Number(d.status);
      if (s === 401 || s === 403) return "The site refuses the crawler: set staging credentials on the sitemap, or let SitemapForgeBot in.";
      if (s >= 500) return "The site's server failed on the start URL; check its logs and run again.";
      return "Check the start URL (a 404 is often a typo in the path): the crawl starts there and follows only links of pages that answer 200.";
    },
  },
  start_url_redirect_off_origin: {
    hint: (d: Detail) =>
      `The crawl stays on the start URL's origin (scheme, host and port). Use ${d.suggestedStartUrl ?? "the redirect target"} as the start URL.`,
  },
  all_excluded: {
    hint: (d: Detail) => {
      const top = (d.topReasons as { reason: string }[] | undefined)?.[0]?.reason;
      return (top && REASON_HINTS[top]) ?? "Each URL's reason is in the run's URL inventory; change the setting or page that leaves them out.";
    },
  },
  empty_output: {
    hint: () => "The output had no <url> to write (a template that renders nothing, or only unusable URLs): check the sitemap's template.",
  },
  template_invalid: {
    hint: () => "Fix the sitemap's template (the message names the problem) or remove it; the previously published files stay served.",
  },
  invalid_rules: { hint: () => "Edit the sitemap's rules: the one named cannot run safely." },
  crawl_cpu_budget_exceeded: {
    hint: () => "Simplify the sitemap's regular-expression rules, or lower maxPages; the server's limits are CRAWL_CPU_BUDGET_MS and CRAWL_STALL_MS.",
  },
  crawl_time_budget_exceeded: { hint: () => "Lower maxPages, or raise CRAWL_TIME_BUDGET_MS on the server." },
  crawl_memory_budget_exceeded: { hint: () => "Lower maxPages, or raise CRAWL_WORKER_HEAP_MB on the server." },
  crawl_step_limit_exceeded: {
    hint: () =>
      "The crawl needed more bounded steps than one job may run (1,000, Inngest's limit): raise CRAWL_STEP_SECONDS on the server (as far as its host allows), or lower maxPages.",
  },
  internal_error: { hint: () => "An unexpected error; the server log has its details. Run again, and report it if it persists." },
} as const satisfies Record<string, { hint: (d: Detail) => string }>;

export type RunErrorCode = keyof typeof RUN_ERROR_CODES;
export const RUN_ERROR_CODE_LIST = Object.keys(RUN_ERROR_CODES) as RunErrorCode[];

/** What to do about the most common reason of an all_excluded run. */
const REASON_HINTS: Partial<Record<ExclusionReason | string, string>> = {
  noindex_meta: "The pages say noindex in a robots meta tag; remove it, or turn off excludeNoindex to list them anyway.",
  noindex_header: "The pages send X-Robots-Tag: noindex; remove it, or turn off excludeNoindex to list them anyway.",
  canonical_elsewhere: "The pages name another URL as canonical (often another host or scheme); fix rel=canonical, or turn off respectCanonical.",
  robots_disallowed: "robots.txt disallows these URLs for SitemapForgeBot; allow them there, or turn off respectRobots.",
  excluded_by_rule: "The sitemap's own rules leave these URLs out; check its exclude and crawl_only rules.",
  http_error: "The pages answer 4xx/5xx; check the links and the server.",
  not_html: "The URLs answer with a non-HTML Content-Type; a sitemap lists HTML pages.",
  redirect: "The URLs redirect; the targets were crawled instead and none of them could be listed.",
  off_origin: "The URLs redirect to another origin; use that origin as the start URL.",
  fetch_error: "The pages could not be fetched (network errors, timeouts); check the site from this server.",
  blocked_host: "The SSRF guard refused the site's address; add its host:port to CRAWL_ALLOW_HOSTS (CLI: --allow-host).",
  max_depth: "Every URL lies deeper than maxDepth; raise it.",
  max_pages: "maxPages was spent before a listable page was met; raise it.",
};

/** Every warning a succeeded run can carry, with its message (a function of the count of URLs it concerns). */
export const RUN_WARNINGS = {
  max_pages_reached: {
    reason: "max_pages",
    message: (n: number) => `Stopped at maxPages: ${n} URL${n === 1 ? "" : "s"} found were not fetched, so the sitemap may be incomplete. Raise maxPages to crawl them.`,
  },
  max_depth_reached: {
    reason: "max_depth",
    message: (n: number) => `${n} URL${n === 1 ? " lies" : "s lie"} deeper than maxDepth and ${n === 1 ? "was" : "were"} not fetched. Raise maxDepth to crawl ${n === 1 ? "it" : "them"}.`,
  },
  crawl_trap_capped: {
    reason: "crawl_trap",
    message: (n: number) =>
      `${n} URL${n === 1 ? " was" : "s were"} left out by the crawl-trap caps (query variants per path, path segments, repeated segments).`,
  },
  time_budget_reached: {
    reason: null,
    message: () =>
      "Stopped by the crawl's time budget (CRAWL_TIME_BUDGET_MS): URLs still queued were not fetched (recorded max_pages), so the sitemap may be incomplete.",
  },
} as const satisfies Record<string, { reason: ExclusionReason | null; message: (n: number) => string }>;

export type RunWarning = keyof typeof RUN_WARNINGS;
export const RUN_WARNING_LIST = Object.keys(RUN_WARNINGS) as RunWarning[];
/** True for a known warning code (a stored value read back). */
export const isRunWarning = (s: unknown): s is RunWarning => typeof s === "string" && s in RUN_WARNINGS;

/** A run's failure cause, as stored on the run and shown everywhere. */
export type RunFailure = { code: RunErrorCode; message: string; hint: string; detail: Detail | null };

/** Builds a failure with the code's hint for `detail`. */
export function runFailure(code: RunErrorCode, message: string, detail: Detail | null = null): RunFailure {
  return { code, message, hint: RUN_ERROR_CODES[code].hint(detail ?? {}), detail };
}

/** An error that carries a run's failure cause (thrown by the job's steps, recorded by `failRun`). */
export class RunFailedError extends Error {
  readonly failure: RunFailure;
  constructor(failure: RunFailure) {
    super(failure.message);
    this.name = "RunFailedError";
    this.failure = failure;
  }
}

/** True for a known failure code (a stored value read back). */
export const isRunErrorCode = (s: unknown): s is RunErrorCode => typeof s === "string" && s in RUN_ERROR_CODES;

/**
 * The failure code of a fetch error: SSRF guard → blocked_by_ssrf_guard; deadline or connect timeout → timeout;
 * DNS (ENOTFOUND, EAI_AGAIN, EAI_NONAME, EAI_NODATA) → dns_not_found; ECONNREFUSED → connection_refused;
 * certificate/TLS/SSL errors → tls_error; anything else → network_error. Reads `cause` first, the message second.
 */
export function fetchFailureCode(err: FetchFailure): RunErrorCode {
  if (err.code === "blocked_host") return "blocked_by_ssrf_guard";
  if (err.code === "timeout") return "timeout";
  const text = `${err.cause ?? ""} ${err.message}`;
  if (/\b(ENOTFOUND|EAI_AGAIN|EAI_NONAME|EAI_NODATA|EAI_FAIL)\b/.test(text)) return "dns_not_found";
  if (/\bECONNREFUSED\b/.test(text)) return "connection_refused";
  if (/UND_ERR_CONNECT_TIMEOUT|ETIMEDOUT|Connect Timeout/i.test(text)) return "timeout";
  if (/CERT|ERR_TLS|ERR_SSL|EPROTO|\bSSL\b|\bTLS\b|self[- ]signed|certificate/i.test(text)) return "tls_error";
  return "network_error";
}

/** host and port of an absolute URL (default port by scheme), or nulls. */
function hostPort(url: string): { host: string | null; port: number | null } {
  try {
    const u = new URL(url);
    return { host: u.hostname, port: Number(u.port) || (u.protocol === "https:" ? 443 : 80) };
  } catch {
    return { host: null, port: null };
  }
}

/** The failure for a fetch of `url` that got no (complete) answer. */
export function fetchFailure(url: string, err: FetchFailure, opts: { what?: string; timeoutMs?: number } = {}): RunFailure {
  const code = fetchFailureCode(err);
  const { host, port } = hostPort(url);
  const what = opts.what ?? "The start URL";
  const detail: Detail = { url, host, port, cause: err.cause ?? err.code, error: err.message };
  const message = {
    dns_not_found: `DNS found no address for ${host}: the host name does not exist (${url}).`,
    connection_refused: `${host}:${port} refused the connection: nothing listens there (${url}).`,
    tls_error: `The TLS handshake with ${host}:${port} failed (${err.cause ?? err.message}).`,
    timeout: `${what} ${url} did not answer in time${opts.timeoutMs ? ` (${opts.timeoutMs} ms)` : ""}.`,
    blocked_by_ssrf_guard: `The SSRF guard refused to connect to ${host}:${port}: ${err.message.replace(/^Refused to connect to \S+ \([^)]*\): /, "")}.`,
    network_error: `${what} ${url} could not be fetched: ${err.message}.`,
  }[code as "dns_not_found"];
  return runFailure(code, message ?? `${what} ${url} could not be fetched: ${err.message}.`, detail);
}

/** Input of {@link diagnoseEmptyCrawl}: the crawl summary's parts (lib/crawl/crawl-options.ts) and the totals. */
export type EmptyCrawlFacts = {
  startUrl: string;
  robots?: { outcome: string; status: number | null; error: FetchFailure | null } | null;
  start?: { url: string; status: number | null; error: FetchFailure | null; offOriginTarget: string | null } | null;
  /** URLs left out, per reason (the run's totals). */
  excludedByReason: Partial<Record<string, number>>;
  /** The per-request deadline, ms (for the timeout message). */
  timeoutMs?: number;
};

/** The largest reasons of `byReason`, at most `n`, largest first (ties by name). */
export function topReasons(byReason: Partial<Record<string, number>>, n = 3): { reason: string; count: number }[] {
  return Object.entries(byReason)
    .filter((e): e is [string, number] => typeof e[1] === "number" && e[1] > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, n)
    .map(([reason, count]) => ({ reason, count }));
}

/** Why a crawl listed no URL (order in the module doc). */
export function diagnoseEmptyCrawl(f: EmptyCrawlFacts): RunFailure {
  let origin = f.startUrl;
  try {
    origin = new URL(f.startUrl).origin;
  } catch {
    /* keep the raw start URL */
  }
  const robotsUrl = `${origin}/robots.txt`;
  const r = f.robots;
  if (r && r.outcome === "blocked") {
    return fetchFailure(f.startUrl, r.error ?? { code: "blocked_host", message: "not a public unicast address and not on the allow-list" });
  }
  if (r && r.outcome === "unreachable") {
    if (r.status !== null) {
      const s = r.status;
      const code: RunErrorCode = s >= 500 ? "robots_5xx" : "robots_unreachable";
      return runFailure(
        code,
        `${robotsUrl} answered HTTP ${s}; under RFC 9309 a robots.txt that ${s >= 500 ? "fails with a server error" : "cannot be read"} disallows the whole site, so no page was crawled.`,
        { robotsUrl, status: s },
      );
    }
    const err = r.error ?? { code: "network", message: "no response" };
    const code = fetchFailureCode(err);
    if (code === "dns_not_found" || code === "connection_refused" || code === "tls_error" || code === "blocked_by_ssrf_guard") {
      return fetchFailure(f.startUrl, err, { timeoutMs: f.timeoutMs });
    }
    return runFailure(
      "robots_unreachable",
      `${robotsUrl} could not be fetched (${code === "timeout" ? "no answer in time" : err.message}); under RFC 9309 an unreachable robots.txt disallows the whole site, so no page was crawled.`,
      { robotsUrl, cause: err.cause ?? err.code, error: err.message },
    );
  }
  const s = f.start;
  if (s?.error) return fetchFailure(s.url, s.error, { timeoutMs: f.timeoutMs });
  if (s?.offOriginTarget) {
    return runFailure(
      "start_url_redirect_off_origin",
      `The start URL ${s.url === f.startUrl ? f.startUrl : `${f.startUrl} (via ${s.url})`} redirects (HTTP ${s.status}) to ${s.offOriginTarget}, on another origin.`,
      { url: s.url, status: s.status, target: s.offOriginTarget, suggestedStartUrl: s.offOriginTarget },
    );
  }
  if (s && s.status !== null && s.status >= 400) {
    return runFailure("start_url_http_error", `The start URL ${s.url} answered HTTP ${s.status}.`, { url: s.url, status: s.status });
  }
  const top = topReasons(f.excludedByReason);
  const total = Object.values(f.excludedByReason).reduce<number>((n, v) => n + (v ?? 0), 0);
  const list = top.map((t) => `${t.reason} (${t.count})`).join(", ");
  return runFailure(
    "all_excluded",
    total > 0
      ? `No URL could be listed: all ${total} URL${total === 1 ? "" : "s"} the crawl met ${total === 1 ? "was" : "were"} left out; top reasons: ${list}.`
      : "No URL could be listed: the crawl met no URL.",
    { urlsExcluded: total, topReasons: top },
  );
}

/**
 * Warnings of a crawl that stopped early, from its exclusion counts: max_pages_reached when URLs were left
 * "max_pages", max_depth_reached for "max_depth", crawl_trap_capped for "crawl_trap". In table order.
 */
export function runWarnings(excludedByReason: Partial<Record<string, number>>, extra: readonly RunWarning[] = []): RunWarning[] {
  return RUN_WARNING_LIST.filter((w) => {
    const reason = RUN_WARNINGS[w].reason;
    return extra.includes(w) || (reason !== null && (excludedByReason[reason] ?? 0) > 0);
  });
}

/** The message of a warning for a run with these exclusion counts (the count of the reason behind it). */
export function warningMessage(w: string, excludedByReason: Partial<Record<string, number>> = {}): string {
  const spec = (RUN_WARNINGS as Record<string, { reason: string | null; message: (n: number) => string }>)[w];
  if (!spec) return w;
  return spec.message(spec.reason ? (excludedByReason[spec.reason] ?? 0) : 0);
}
