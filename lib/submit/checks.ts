/**
 * Live checks on the site before and during submission, through the crawler's guarded fetcher (lib/crawl/fetch.ts:
 * SSRF guard, CRAWL_ALLOW_HOSTS, deadline, body cap):
 *
 * - `checkKeyFile`: GET the IndexNow key file at its keyLocation (following up to 5 redirects on the same host name);
 *   ok only for a 2xx whose body, trimmed, equals the key (what engines verify; a 403 from the engine otherwise).
 * - `checkRobots`: GET `<site origin>/robots.txt` (RFC 9309 rules, lib/crawl/robots.ts) and report whether it has a
 *   `Sitemap:` line naming this sitemap's public URL (sitemaps.org cross-submission), whether robots.txt disallows
 *   that URL for `*` (only meaningful when the sitemap is served on the site's own origin), and how many of the
 *   submitted URLs it disallows.
 * Neither throws for HTTP or network failures; they become the result.
 */
import { createFetcher, type Fetcher } from "@/lib/crawl/fetch";
import { fetchRobots } from "@/lib/crawl/robots";
import { normalizeUrl } from "@/lib/core/url";
import type { KeyInfo } from "./indexnow";
import { OUTBOUND_USER_AGENT } from "./http";

/** A fetcher for the checks: 15 s deadline, 512 KiB bodies. */
export function checksFetcher(): Fetcher {
  return createFetcher({ userAgent: OUTBOUND_USER_AGENT, timeoutMs: 15_000, maxBodyBytes: 512 * 1024 });
}

export type KeyFileCheck = { ok: boolean; httpStatus: number | null; durationMs: number; message: string };

/** Is the key file served at `info.keyLocation` with the key as content? */
export async function checkKeyFile(info: KeyInfo, fetcher: Fetcher): Promise<KeyFileCheck> {
  const started = Date.now();
  // Follow up to 5 redirects on the same host (e.g. http → https, a trailing-slash rule), as engines do.
  let url = info.keyLocation;
  let res = await fetcher.fetch(url, { accept: "text/plain,*/*;q=0.5", maxBodyBytes: 4096 });
  for (let hop = 0; hop < 5 && res.status !== null && res.status >= 300 && res.status < 400 && res.location; hop++) {
    if (new URL(res.location).hostname !== new URL(info.keyLocation).hostname) break;
    url = res.location;
    res = await fetcher.fetch(url, { accept: "text/plain,*/*;q=0.5", maxBodyBytes: 4096 });
  }
  const durationMs = Date.now() - started;
  const where = `Serve a UTF-8 text file at ${info.keyLocation} whose whole content is ${info.key}`;
  if (res.error && res.status === null) {
    return { ok: false, httpStatus: null, durationMs, message: `Key file not reachable (${res.error.code}: ${res.error.message}). ${where}.` };
  }
  if (res.status! < 200 || res.status! >= 300) {
    return { ok: false, httpStatus: res.status, durationMs, message: `Key file missing: GET ${info.keyLocation} answered ${res.status}. ${where}.` };
  }
  const content = (res.body ?? Buffer.alloc(0)).toString("utf8").replace(/^\uFEFF/, "").trim();
  if (content !== info.key) {
    return { ok: false, httpStatus: res.status, durationMs, message: `Key file content does not match the key. ${where}.` };
  }
  return { ok: true, httpStatus: res.status, durationMs, message: `Key file found at ${info.keyLocation}.` };
}

export type RobotsCheck = {
  /** robots.txt URL checked. */
  url: string;
  httpStatus: number | null;
  /** parsed | unavailable | unreachable | blocked (lib/crawl/robots.ts RobotsOutcome). */
  outcome: string;
  /** A `Sitemap:` line names `sitemapUrl`. */
  sitemapLinePresent: boolean;
  /** All `Sitemap:` lines found. */
  sitemapLines: string[];
  /** robots.txt disallows `sitemapUrl` for `*`; null when the sitemap is on another origin (this file doesn't govern it). */
  sitemapDisallowed: boolean | null;
  /** How many of the checked URLs robots.txt disallows for `*`. */
  disallowedUrls: number;
  durationMs: number;
  message: string;
};

/** Checks the live robots.txt of `siteUrl`'s origin for this sitemap (`sitemapUrl`, absolute) — module doc. */
export async function checkRobots(opts: { siteUrl: string; sitemapUrl: string; urls?: readonly string[]; fetcher: Fetcher }): Promise<RobotsCheck> {
  const origin = new URL(opts.siteUrl).origin;
  const started = Date.now();
  // "*": what any engine without its own group sees.
  const policy = await fetchRobots(origin, { fetcher: opts.fetcher, userAgent: "*" });
  const durationMs = Date.now() - started;
  const target = normalizeUrl(opts.sitemapUrl) ?? opts.sitemapUrl;
  const present = policy.outcome === "parsed" && policy.sitemaps.includes(target);
  const sameOrigin = new URL(target).origin === origin;
  const sitemapDisallowed = policy.outcome === "parsed" && sameOrigin ? !policy.isAllowed(target) : null;
  const disallowedUrls = policy.outcome === "parsed" ? (opts.urls ?? []).filter((u) => !policy.isAllowed(u)).length : 0;
  const url = `${origin}/robots.txt`;
  let message: string;
  if (policy.outcome !== "parsed") {
    message = `robots.txt not readable (${policy.outcome}${policy.status ? `, HTTP ${policy.status}` : ""}${policy.error ? `: ${policy.error}` : ""}); add the line "Sitemap: ${target}" to ${url}.`;
  } else if (present) {
    message = `robots.txt names this sitemap: "Sitemap: ${target}".`;
  } else {
    message = `robots.txt has no "Sitemap: ${target}" line${policy.sitemaps.length ? ` (it lists ${policy.sitemaps.length} other sitemap(s))` : ""}; add it so engines find the sitemap.`;
  }
  if (sitemapDisallowed) message += " robots.txt disallows the sitemap URL itself.";
  if (disallowedUrls > 0) message += ` ${disallowedUrls} submitted URL(s) are disallowed by robots.txt.`;
  return {
    url,
    httpStatus: policy.status,
    outcome: policy.outcome,
    sitemapLinePresent: present,
    sitemapLines: policy.sitemaps,
    sitemapDisallowed,
    disallowedUrls,
    durationMs,
    message,
  };
}
