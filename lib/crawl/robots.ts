/**
 * robots.txt for one origin, per RFC 9309 (Robots Exclusion Protocol, https://www.rfc-editor.org/rfc/rfc9309).
 *
 * Fetching (§2.3.1), always through lib/crawl/fetch.ts so the SSRF guard applies to every hop:
 * - 2xx → parse the body (UTF-8, BOM stripped; the first {@link ROBOTS_MAX_BYTES} bytes, §2.5 asks for ≥ 500 KiB).
 * - 3xx → follow up to {@link ROBOTS_MAX_REDIRECTS} redirects, even to other hosts (§2.3.1.2); more → "unavailable".
 * - 4xx → "unavailable": everything allowed (§2.3.1.3). Exception: 429 is treated like 5xx, as Google does,
 *   because a rate-limited answer says nothing about what the site permits.
 * - 5xx, timeout, network or decoding error → "unreachable": complete disallow (§2.3.1.4); the crawler
 *   fetches no page at all.
 * - the origin itself refused by the SSRF guard → "blocked".
 *
 * Matching uses `robots-parser` (samclarke, a port of google/robotstxt's matcher): groups by user agent with
 * `*` as fallback, groups for the same agent merged, longest match wins, Allow wins a tie (§2.2.2), `*` and `$`
 * (§2.2.3). Two gaps are closed here before text and URLs reach it:
 * - percent-encoded unreserved characters are decoded on both sides, so `/%7Ejoe` matches `/~joe`
 *   (§2.2.2: they "MUST be unencoded prior to comparison");
 * - a user-agent line keeps only its first word (`User-agent: Foo Bar` is the group of `Foo`), as the
 *   product-token grammar of §2.2.1 implies and google/robotstxt does.
 * Our agent is matched by its product token (§2.2.1): `SitemapForgeBot` from `SitemapForgeBot/0.1 (+https://…)`,
 * case-insensitively.
 */
import robotsParser from "robots-parser";
import { normalizeUrl } from "@/lib/core/url";
import type { Fetcher } from "./fetch";

/** Bytes of robots.txt parsed at most (RFC 9309 §2.5: at least 500 KiB). */
export const ROBOTS_MAX_BYTES = 512 * 1024;
/** Redirect hops followed for robots.txt (RFC 9309 §2.3.1.2: at least five). */
export const ROBOTS_MAX_REDIRECTS = 5;

/**
 * - parsed: a 2xx body was parsed; its rules apply.
 * - unavailable: 4xx (or too many redirects): everything allowed.
 * - unreachable: 5xx/429/network/timeout: everything disallowed.
 * - blocked: the origin's address was refused by the SSRF guard; nothing was sent.
 * - disabled: robots.txt not consulted (`respectRobots: false`); everything allowed.
 */
export type RobotsOutcome = "parsed" | "unavailable" | "unreachable" | "blocked" | "disabled";

export type RobotsPolicy = {
  outcome: RobotsOutcome;
  /** Status of the last robots.txt response, or null when none arrived. */
  status: number | null;
  /** True when our user agent may fetch `url` (an absolute, normalised URL on this origin). */
  isAllowed(url: string): boolean;
  /** `Sitemap:` records (sitemaps.org: absolute URLs, independent of groups), normalised, deduplicated. */
  sitemaps: string[];
  /** Why robots.txt was unreachable or blocked (for logs). */
  error?: string;
};

/**
 * The product token of a User-Agent string (RFC 9309 §2.2.1 / RFC 9110 §10.1.5): the leading run of
 * `[A-Za-z_-]`, e.g. `SitemapForgeBot` from `SitemapForgeBot/0.1 (+https://…)`. Empty string when none.
 */
export function productToken(userAgent: string): string {
  return /^[A-Za-z_-]+/.exec(userAgent.trim())?.[0] ?? "";
}

/** RFC 3986 §2.3 unreserved characters, decoded when percent-encoded (RFC 3986 §6.2.2.2 equivalence). */
function decodeUnreserved(s: string): string {
  if (!s.includes("%")) return s;
  return s.replace(/%([0-9A-Fa-f]{2})/g, (m, hex: string) => {
    const c = String.fromCharCode(parseInt(hex, 16));
    return /[A-Za-z0-9\-._~]/.test(c) ? c : m;
  });
}

/** Keeps only the first word of each user-agent value (see module doc). */
function trimUserAgentLines(text: string): string {
  return text.replace(/^([ \t]*user-agent[ \t]*:[ \t]*)([^\s#]+)[^\r\n#]*/gim, "$1$2");
}

/**
 * Parses robots.txt `text` fetched for `origin` (e.g. `http://127.0.0.1:8081`) and returns a policy for
 * `userAgent` (full User-Agent string or bare product token). Pure; never throws.
 */
export function parseRobotsTxt(text: string, origin: string, userAgent: string): RobotsPolicy {
  const robotsUrl = `${origin}/robots.txt`;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const robot = robotsParser(robotsUrl, decodeUnreserved(trimUserAgentLines(body)));
  const token = productToken(userAgent) || "*";
  const sitemaps = [...new Set(robot.getSitemaps().map((s: string) => normalizeUrl(s.trim())).filter((s): s is string => s !== null))];
  return {
    outcome: "parsed",
    status: 200,
    // robots-parser answers undefined for another origin; the crawler only asks about its own.
    isAllowed: (url) => robot.isAllowed(decodeUnreserved(url), token) !== false,
    sitemaps,
  };
}

/** A policy that allows everything, for `outcome` "unavailable" or "disabled". */
export function allowAll(outcome: "unavailable" | "disabled", status: number | null = null): RobotsPolicy {
  return { outcome, status, isAllowed: () => true, sitemaps: [] };
}

function disallowAll(outcome: "unreachable" | "blocked", status: number | null, error: string): RobotsPolicy {
  return { outcome, status, isAllowed: () => false, sitemaps: [], error };
}

/**
 * Fetches and parses `${origin}/robots.txt` with `fetcher`, following RFC 9309's status rules (module doc).
 * Never rejects for HTTP or network failures; those become the outcome. `signal` aborts the fetch (the result
 * is then "unreachable"; the caller is expected to check its own signal).
 */
export async function fetchRobots(
  origin: string,
  opts: { fetcher: Fetcher; userAgent: string; signal?: AbortSignal },
): Promise<RobotsPolicy> {
  let url = `${origin}/robots.txt`;
  const seen = new Set<string>();
  for (let hop = 0; ; hop++) {
    seen.add(url);
    const res = await opts.fetcher.fetch(url, {
      signal: opts.signal,
      maxBodyBytes: ROBOTS_MAX_BYTES,
      accept: "text/plain,*/*;q=0.8",
      readBody: ({ status }) => status >= 200 && status < 300,
    });
    const status = res.status;
    if (res.error && res.error.code !== "body_too_large") {
      // Only the origin's own address being refused means "blocked"; a refused redirect hop is unreachable.
      if (res.error.code === "blocked_host" && hop === 0) return disallowAll("blocked", null, res.error.message);
      return disallowAll("unreachable", status, `${res.error.code}: ${res.error.message}`);
    }
    if (status === null) return disallowAll("unreachable", null, "no response");
    if (status >= 200 && status < 300) {
      let text = (res.body ?? Buffer.alloc(0)).toString("utf8");
      // Cut at the cap: drop the last, possibly partial line rather than misread it.
      if (res.error?.code === "body_too_large") text = text.slice(0, Math.max(0, text.lastIndexOf("\n")));
      const policy = parseRobotsTxt(text, origin, opts.userAgent);
      return { ...policy, status };
    }
    if (status >= 300 && status < 400) {
      const next = res.location;
      if (!next || seen.has(next) || hop + 1 > ROBOTS_MAX_REDIRECTS) return allowAll("unavailable", status);
      url = next;
      continue;
    }
    if (status === 429 || status >= 500) return disallowAll("unreachable", status, `HTTP ${status}`);
    if (status >= 400) return allowAll("unavailable", status);
    // 1xx cannot reach us; anything else unexpected is treated as a server problem.
    return disallowAll("unreachable", status, `HTTP ${status}`);
  }
}
