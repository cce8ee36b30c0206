/**
 * URL normalisation for the crawler and the sitemap writer. Pure: no I/O, no env, no clock.
 *
 * Parsing follows the WHATWG URL Standard (https://url.spec.whatwg.org/) through Node's global `URL`, which
 * already lower-cases the scheme and host, converts IDN hosts to punycode (UTS #46), canonicalises IPv4 hosts
 * written in decimal/hex/octal (`http://2130706433/` → `http://127.0.0.1/`), drops the default port (80 for
 * http, 443 for https) and percent-encodes characters that are not allowed in a path or query.
 * On top of that we drop the fragment (RFC 3986 §3.5: it is never sent to the server, so `/a#x` and `/a`
 * are the same resource) and reject credentials (OWASP SSRF guidance; sitemaps.org `<loc>` has none).
 * Path and query are otherwise kept as-is by `normalizeUrl`: no sorting of parameters, no case folding, no
 * trailing-slash changes, because servers may treat those as different resources.
 *
 * A sitemap's own URL policy (query strings, trailing slash) and the always-on session-id stripping are applied
 * on top by {@link createUrlPolicy}, which the crawler runs on every discovered link before deduplication.
 */

/**
 * Normalise `input` (absolute, or relative to `base`) to an absolute http(s) URL string without fragment.
 *
 * @param input URL or reference as written in a page, header or form; surrounding whitespace is ignored.
 * @param base  Absolute URL (string or `URL`) that relative references resolve against (RFC 3986 §5).
 * @returns the normalised `href`, or `null` when the input does not parse, is not `http:`/`https:`, or
 *          carries a username or password. Never throws.
 */
export function normalizeUrl(input: string, base?: string | URL): string | null {
  let u: URL;
  try {
    u = base === undefined ? new URL(input) : new URL(input, base);
  } catch {
    return null;
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") return null;
  if (u.username !== "" || u.password !== "") return null;
  // Setting "" nulls the fragment, so even a bare trailing "#" disappears from href.
  u.hash = "";
  return u.href;
}

/**
 * True when `a` and `b` have the same origin (scheme, host, port; RFC 6454 §5 / WHATWG "same origin"),
 * e.g. `http://Example.com:80/x` and `http://example.com/y`. False when either does not parse or is not http(s).
 */
export function sameOrigin(a: string | URL, b: string | URL): boolean {
  const oa = originOf(a);
  return oa !== null && oa === originOf(b);
}

/**
 * The serialised origin (`scheme://host[:port]`, no trailing slash) of an absolute http(s) URL, or null.
 * Every URL returned by {@link normalizeUrl} starts with `originOf(url) + "/"`, which lets hot paths test
 * same-origin with a string prefix instead of parsing again.
 */
export function originOf(url: string | URL): string | null {
  let u: URL;
  try {
    u = typeof url === "string" ? new URL(url) : url;
  } catch {
    return null;
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") return null;
  return u.origin;
}

/**
 * Query parameters and `;path-parameters` that carry a session id rather than content (case-insensitive names).
 * They are always stripped (Heritrix/Nutch practice): otherwise every visit mints new URLs for the same pages.
 * Java `;jsessionid=`, PHP `PHPSESSID`, ASP `ASPSESSIONIDxxxx`, ColdFusion `CFID`/`CFTOKEN`, osCommerce `osCsid`,
 * Zen Cart `zenid`, and the generic `sid`, `sessionid`, `session_id`, `sessid`.
 */
export const SESSION_ID_PARAMS: readonly string[] = [
  "jsessionid",
  "phpsessid",
  "sid",
  "sessionid",
  "session_id",
  "sessid",
  "cfid",
  "cftoken",
  "oscsid",
  "zenid",
];

/**
 * Query parameters that only tell analytics where a click came from (case-insensitive names): Google Analytics
 * `utm_*` campaign tags, ad click ids (Google `gclid`/`dclid`/`gbraid`/`wbraid`, Meta `fbclid`, Microsoft `msclkid`,
 * Yandex `yclid`, X `twclid`), Mailchimp `mc_cid`/`mc_eid`, HubSpot `_hsenc`/`_hsmi`, Instagram `igshid`. They never
 * select content (search engines fold them into the clean URL), so they are always stripped like session ids:
 * `/p?utm_source=nav` is `/p`, one fetch instead of one per campaign.
 */
export const TRACKING_PARAMS: readonly string[] = [
  "utm_source",
  "utm_medium",
  "utm_campaign",
  "utm_term",
  "utm_content",
  "utm_id",
  "utm_name",
  "gclid",
  "dclid",
  "gbraid",
  "wbraid",
  "fbclid",
  "msclkid",
  "yclid",
  "twclid",
  "mc_cid",
  "mc_eid",
  "_hsenc",
  "_hsmi",
  "igshid",
];
const SESSION_SET = new Set([...SESSION_ID_PARAMS, ...TRACKING_PARAMS]);
/** A session id or a tracking parameter: always dropped. */
const isSessionParam = (name: string): boolean => {
  const n = name.toLowerCase();
  return SESSION_SET.has(n) || n.startsWith("aspsessionid");
};
/** Cheap pre-test: could this URL carry a session id or tracking parameter at all? */
const SESSION_HINT =
  /[?&;](?:jsessionid|phpsessid|sid|sessionid|session_id|sessid|cfid|cftoken|oscsid|zenid|aspsessionid[a-z]*|utm_(?:source|medium|campaign|term|content|id|name)|gclid|dclid|gbraid|wbraid|fbclid|msclkid|yclid|twclid|mc_cid|mc_eid|_hsenc|_hsmi|igshid)=/i;
/** `;name=value` path parameters that are session ids. */
const SESSION_PATH_PARAM = /;(?:jsessionid|phpsessid|sid|sessionid|session_id|sessid|aspsessionid[a-z]*)=[^/;?]*/gi;

export type UrlPolicyOptions = {
  /** "keep" (default) | "strip" (drop the whole query) | "allowlist" (keep only `queryAllowlist` names). */
  queryPolicy?: "keep" | "strip" | "allowlist";
  /** Parameter names kept under "allowlist" (exact, case-sensitive, as written in the URL). */
  queryAllowlist?: readonly string[];
  /**
   * "keep" (default); "add": append "/" to a path whose last segment has no "." (a directory-like path, not
   * `/file.pdf`); "remove": drop one trailing "/" from any path but "/".
   */
  trailingSlash?: "keep" | "add" | "remove";
};

/**
 * Builds the URL policy of one sitemap: `(url) => url'` for URLs already normalised by {@link normalizeUrl}.
 * Order: session-id path parameters and session-id / tracking query parameters ({@link TRACKING_PARAMS}) are
 * removed; then the query policy; an empty query
 * loses its "?"; then the trailing-slash policy on the path. Parameter order and encoding are preserved.
 * Pure, never throws; URLs without "?" or ";" under keep/keep return unchanged without allocation (hot path).
 */
export function createUrlPolicy(opts: UrlPolicyOptions = {}): (url: string) => string {
  const queryPolicy = opts.queryPolicy ?? "keep";
  const allow = new Set(opts.queryAllowlist ?? []);
  const slash = opts.trailingSlash ?? "keep";
  return (url) => {
    const q = url.indexOf("?");
    const hasSemicolon = url.indexOf(";") >= 0;
    if (q < 0 && !hasSemicolon && slash === "keep") return url;
    if (queryPolicy === "keep" && slash === "keep" && !SESSION_HINT.test(url)) return url;
    let path = q >= 0 ? url.slice(0, q) : url;
    let query = q >= 0 ? url.slice(q + 1) : null;
    if (hasSemicolon && SESSION_HINT.test(url)) path = path.replace(SESSION_PATH_PARAM, "");
    if (query !== null) {
      if (queryPolicy === "strip") query = null;
      else if (queryPolicy === "allowlist" || SESSION_HINT.test("?" + query)) {
        const kept = query.split("&").filter((pair) => {
          if (pair === "") return false;
          const eq = pair.indexOf("=");
          const name = eq >= 0 ? pair.slice(0, eq) : pair;
          if (isSessionParam(name)) return false;
          return queryPolicy !== "allowlist" || allow.has(name);
        });
        query = kept.length > 0 ? kept.join("&") : null;
      }
    }
    if (slash !== "keep") {
      const pathStart = path.indexOf("/", path.indexOf("//") + 2);
      if (pathStart >= 0) {
        const pathname = path.slice(pathStart);
        if (slash === "add" && !pathname.endsWith("/")) {
          const last = pathname.slice(pathname.lastIndexOf("/") + 1);
          if (!last.includes(".")) path += "/";
        } else if (slash === "remove" && pathname.length > 1 && pathname.endsWith("/")) {
          path = path.slice(0, -1);
        }
      }
    }
    return query === null ? path : `${path}?${query}`;
  };
}
