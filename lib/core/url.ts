/**
 * URL normalisation for the crawler and the sitemap writer. Pure: no I/O, no env, no clock.
 *
 * Parsing follows the WHATWG URL Standard (https://url.spec.whatwg.org/) through Node's global `URL`, which
 * already lower-cases the scheme and host, converts IDN hosts to punycode (UTS #46), canonicalises IPv4 hosts
 * written in decimal/hex/octal (`http://2130706433/` → `http://127.0.0.1/`), drops the default port (80 for
 * http, 443 for https) and percent-encodes characters that are not allowed in a path or query.
 * On top of that we drop the fragment (RFC 3986 §3.5: it is never sent to the server, so `/a#x` and `/a`
 * are the same resource) and reject credentials (OWASP SSRF guidance; sitemaps.org `<loc>` has none).
 * Path and query are otherwise kept as-is: no sorting of parameters, no case folding, no trailing-slash
 * changes, because servers may treat those as different resources.
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
