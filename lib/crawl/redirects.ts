/**
 * Redirect chains of the crawler: 301/302/303/307/308 with a Location are followed hop by hop (each hop is a page
 * request through the guarded fetcher). Every redirecting URL gets a "redirect" record (target = Location); a target
 * on another origin turns the hop into "off_origin" (never fetched, so staging credentials never leave the origin);
 * more than {@link MAX_REDIRECTS} hops or a loop turns the whole chain into "redirect_limit". An instant meta
 * refresh (./meta-refresh) is a hop of the same chain, of kind "meta_refresh"; the crawler passes its target as the
 * response's `location`.
 */
import type { CrawlRecord, RedirectKind } from "@/lib/core/types";
import { httpDateToIso } from "@/lib/core/http-date";
import { headerValue, type FetchResult } from "./fetch";

export type { RedirectKind };

/** Redirect hops followed per URL before the chain is "redirect_limit" (same cap as RFC 9309 for robots.txt). */
export const MAX_REDIRECTS = 5;

/** True when `res` is a redirect the crawler follows: a 3xx with a Location and no fetch error. */
export function isRedirect(res: FetchResult): boolean {
  return res.status !== null && res.status >= 300 && res.status < 400 && !res.error && !!res.location;
}

/**
 * Adds the hop `url` → `res.location` (of `kind`) to `chain` and says what comes next: "follow" (fetch the target, when it is
 * new and passes the crawl's checks), "off_origin" or "limit" (the chain ends; its records are final).
 * `policy` is the crawl's URL policy, applied to same-origin targets (`originPrefix` = origin + "/") unless that
 * would undo the server's own redirect (/a → /a/ under trailing slash "remove" would loop forever).
 */
export function addRedirectHop(
  chain: CrawlRecord[],
  url: string,
  res: FetchResult,
  depth: number,
  originPrefix: string,
  policy: (url: string) => string,
  kind: RedirectKind = "http",
): { hop: CrawlRecord; next: "follow" | "off_origin" | "limit" } {
  const raw = res.location!;
  let target = raw.startsWith(originPrefix) ? policy(raw) : raw;
  if (target !== raw && (target === url || chain.some((r) => r.url === target))) target = raw;
  const lastmod = httpDateToIso(headerValue(res.headers, "last-modified"));
  const hop: CrawlRecord = { url, status: res.status, included: false, reason: "redirect", lastmod, depth, target, redirectKind: kind };
  chain.push(hop);
  if (!target.startsWith(originPrefix)) {
    hop.reason = "off_origin";
    return { hop, next: "off_origin" };
  }
  if (chain.some((r) => r.url === target) || chain.length > MAX_REDIRECTS) {
    for (const r of chain) r.reason = "redirect_limit";
    return { hop, next: "limit" };
  }
  return { hop, next: "follow" };
}
