/**
 * Pure value encoders for sitemap output: XML 1.0 text escaping, `<loc>` URL encoding (RFC 3987 IRI → RFC 3986 URI)
 * and W3C Datetime (https://www.w3.org/TR/NOTE-datetime) for `<lastmod>`. No I/O, no clock, no env.
 *
 * - `escapeXml(s)`: strips characters XML 1.0 forbids, then escapes `& < > " '` exactly once.
 * - `encodeLoc(url)`: absolute http(s) URL → ASCII RFC 3986 string under 2,048 chars; throws `InvalidLocError`.
 * - `w3cDatetime(v)`: string | Date → `YYYY-MM-DD` or `YYYY-MM-DDThh:mm:ss(Z|±hh:mm)`; `null` when invalid.
 */
import { parseImfFixdate } from "@/lib/core/http-date";
import { InvalidLocError } from "./errors";

/**
 * sitemaps.org: `<loc>` "must be less than 2,048 characters", so the longest accepted URL has 2,047 characters
 * (counted on the encoded, unescaped URL). sitemap.xsd's own `maxLength` is 2,048; we follow the stricter prose.
 */
export const MAX_LOC_LENGTH = 2_047;
/** sitemap.xsd `tLoc`/`tLocSitemap` have `minLength` 12 (e.g. `http://a.bc/`); shorter URLs would fail the XSD. */
export const MIN_LOC_LENGTH = 12;

// XML 1.0 §2.2 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]. Without the `u` flag the
// regex sees UTF-16 code units, which is what makes the lone-surrogate lookarounds work.
const INVALID_XML_CHARS =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const NEEDS_WORK = /[&<>"'\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;
const SPECIAL = /[&<>"']/g;
const ENTITY: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };

/**
 * Removes characters that XML 1.0 forbids (U+0000–U+0008, U+000B, U+000C, U+000E–U+001F, lone surrogates,
 * U+FFFE, U+FFFF). Tab, LF, CR and valid surrogate pairs (emoji) are kept. For titles and other free text.
 */
export function stripInvalidXmlChars(s: string): string {
  return s.replace(INVALID_XML_CHARS, "");
}

/**
 * XML-escapes a text or attribute value (sitemaps.org "entity escaping"): strips invalid XML 1.0 characters (see
 * `stripInvalidXmlChars`), then replaces `&` `<` `>` `"` `'` with `&amp; &lt; &gt; &quot; &apos;`. The input is
 * treated as raw text, so escaping happens exactly once: `"&amp;"` becomes `"&amp;amp;"`, never left as is.
 * `]]>` becomes `]]&gt;`. Never throws.
 */
export function escapeXml(s: string): string {
  if (!NEEDS_WORK.test(s)) return s;
  return s.replace(INVALID_XML_CHARS, "").replace(SPECIAL, (c) => ENTITY[c]);
}

/**
 * XML-escapes a value `encodeLoc` returned (RFC 3986 characters only, so no `<`, `>` or `"`): `&` → `&amp;`,
 * `'` → `&apos;`. Much cheaper than {@link escapeXml}'s full scan on a million URLs; the one escape for `<loc>`
 * in urlsets and the sitemap index, and for the `<?xml-stylesheet?>` href.
 */
export const escapeEncodedLoc = (loc: string): string =>
  loc.includes("&") || loc.includes("'") ? loc.replace(/&/g, "&amp;").replace(/'/g, "&apos;") : loc;

// After WHATWG serialisation only ASCII is left; these are the characters RFC 3986 allows outside the authority
// (unreserved, reserved, and "%" when it starts a %XX triplet). Anything else ("|", "^", "`", "{", "}", "[", "]",
// "\\", a "%" not followed by two hex digits) is percent-encoded.
const NOT_RFC3986 = /[^A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]|%(?![0-9A-Fa-f]{2})/g;
// In the fragment a second "#" is not allowed either (RFC 3986 §3.5).
const NOT_RFC3986_FRAGMENT = /[^A-Za-z0-9\-._~:/?@!$&'()*+,;=%]|%(?![0-9A-Fa-f]{2})/g;
const HAS_NON_RFC3986 = /[^A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]|%(?![0-9A-Fa-f]{2})|#.*#/;

// Every character matched above is ASCII and not one encodeURIComponent leaves alone, so this gives "%XX".
const pctEncode = (c: string): string => encodeURIComponent(c);

// Fast path: most URLs reaching the writer are already in the exact form WHATWG would serialise (the crawler
// normalised them), and one regex test proves that parsing would change nothing. Anything unusual falls back to the
// full parse: upper case in scheme or host, punycode ("xn--"), a numeric or 0x last label (IPv4 parsing), a port,
// userinfo, "." / ".." / "%2e" path segments, a stray "%", characters WHATWG or RFC 3986 would encode, a fragment.
// xml.test.ts checks that both paths agree on a corpus of tricky and random URLs.
const HOST_LABEL = "(?!xn--)[a-z0-9-]+";
const LAST_LABEL = "(?!xn--|(?:\\d+|0x[0-9a-f]*)/)[a-z0-9-]+"; // not punycode, not a number (IPv4 parsing)
const PATH_SEGMENT = "/(?!\\.\\.?(?:[/?]|$))(?:[A-Za-z0-9\\-._~!$&'()*+,;=:@]|%(?!2[eE])[0-9A-Fa-f]{2})*";
const QUERY = "\\?(?:[A-Za-z0-9\\-._~!$&()*+,;=:@/?]|%[0-9A-Fa-f]{2})*"; // no "'": WHATWG encodes it in queries
const CANONICAL_HTTP_URL = new RegExp(
  `^https?://(?:${HOST_LABEL}\\.)*${LAST_LABEL}(?:${PATH_SEGMENT})+(?:${QUERY})?$`,
);

/**
 * Encodes a `<loc>`: parses `url` with the WHATWG URL parser and returns its ASCII serialisation, which follows
 * RFC 3987 §3.1 (IRI → URI): non-ASCII path/query/fragment characters are UTF-8 percent-encoded, an IDN host becomes
 * punycode. Characters WHATWG leaves raw but RFC 3986 forbids (`| ^ \` { } [ ]` outside the host, a stray `%`) are
 * percent-encoded too. Existing `%XX` triplets are kept as they are (never double-encoded), so the function is
 * idempotent. WHATWG normalisation applies: lower-case scheme and host, default port dropped, dot segments resolved.
 * The result is not XML-escaped (it may contain `&` and `'`); pass it through `escapeXml` for XML text.
 *
 * @throws InvalidLocError reason `not_absolute` (unparseable or relative), `not_http` (scheme other than http/https),
 *   `too_long` (encoded length ≥ 2,048 chars, sitemaps.org) or `too_short` (< 12 chars, sitemap.xsd minLength).
 */
export function encodeLoc(url: string): string {
  if (
    typeof url === "string" &&
    url.length >= MIN_LOC_LENGTH &&
    url.length <= MAX_LOC_LENGTH &&
    CANONICAL_HTTP_URL.test(url)
  ) {
    return url;
  }
  return encodeLocParsed(url);
}

/**
 * @internal The full-parse path of `encodeLoc`, exported so tests can check the fast path against it.
 * Same contract and errors as `encodeLoc`.
 */
export function encodeLocParsed(url: string): string {
  if (typeof url !== "string") throw new InvalidLocError("not_absolute", String(url), "loc must be a string.");
  // Cheap guard before parsing: percent-encoding only lengthens, and little can shrink a 32 KB input below the limit.
  if (url.length > 16 * (MAX_LOC_LENGTH + 1)) {
    throw new InvalidLocError("too_long", url, `URL is ${url.length} chars; sitemaps.org requires < 2,048.`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidLocError("not_absolute", url, "Not an absolute URL.");
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new InvalidLocError("not_http", url, `Scheme ${parsed.protocol} is not http(s).`);
  }
  let href = parsed.href;
  // Special (http/https) URLs always serialise a path starting with "/" right after the authority, and the
  // authority itself holds no raw "/" (userinfo is percent-encoded), so this splits off scheme + authority, which
  // keeps an IPv6 host's brackets out of the re-encoding below.
  const pathStart = href.indexOf("/", parsed.protocol.length + 2);
  const rest = href.slice(pathStart);
  if (HAS_NON_RFC3986.test(rest)) {
    const hashAt = rest.indexOf("#");
    const beforeHash = hashAt < 0 ? rest : rest.slice(0, hashAt);
    const fragment = hashAt < 0 ? "" : `#${rest.slice(hashAt + 1).replace(NOT_RFC3986_FRAGMENT, pctEncode)}`;
    href = href.slice(0, pathStart) + beforeHash.replace(NOT_RFC3986, pctEncode) + fragment;
  }
  if (href.length > MAX_LOC_LENGTH) {
    throw new InvalidLocError("too_long", url, `Encoded URL is ${href.length} chars; sitemaps.org requires < 2,048.`);
  }
  if (href.length < MIN_LOC_LENGTH) {
    throw new InvalidLocError("too_short", url, `Encoded URL is ${href.length} chars; sitemap.xsd requires ≥ 12.`);
  }
  return href;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const validDate = (y: number, m: number, d: number) =>
  y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= (m === 2 && isLeap(y) ? 29 : DAYS_IN_MONTH[m - 1]);

const RE_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// Date, "T" (or a space, RFC 3339 §5.6 note), hh:mm, optional :ss and fraction, optional zone (Z, ±hh, ±hhmm, ±hh:mm).
const RE_DATETIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));
const pad4 = (n: number) => String(n).padStart(4, "0");

// Hot path for what crawlers and `Date#toISOString` produce: `YYYY-MM-DDThh:mm:ss[.f+](Z|±hh:mm)` with every field
// range-checked in the regex itself (one test, no captures); only days 29–31 need a calendar check afterwards.
const RE_FAST_DATETIME =
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z|[+-](?:0\d|1[0-3]):[0-5]\d|[+-]14:00)$/;

/** `s` matched RE_FAST_DATETIME: returns it without fraction, or null for year 0000 / a day the month lacks. */
function fastDateTime(s: string): string | null {
  const dd = s.charCodeAt(8) === 51 || (s.charCodeAt(8) === 50 && s.charCodeAt(9) === 57); // day 29, 30 or 31
  if (dd || s.startsWith("0000")) {
    if (!validDate(Number(s.slice(0, 4)), Number(s.slice(5, 7)), Number(s.slice(8, 10)))) return null;
  }
  if (s.charCodeAt(19) !== 46) return s; // no fraction: already canonical
  return s.charCodeAt(s.length - 1) === 90 ? `${s.slice(0, 19)}Z` : s.slice(0, 19) + s.slice(-6);
}

function formatDateTime(y: number, mo: number, d: number, h: number, mi: number, s: number, tz: string): string | null {
  if (!validDate(y, mo, d) || h > 23 || mi > 59 || s > 59) return null;
  return `${pad4(y)}-${pad2(mo)}-${pad2(d)}T${pad2(h)}:${pad2(mi)}:${pad2(s)}${tz}`;
}

function normaliseZone(zone: string | undefined): string | null {
  if (zone === undefined || zone === "Z" || zone === "z") return "Z";
  const sign = zone[0];
  const digits = zone.slice(1).replace(":", "");
  const hh = Number(digits.slice(0, 2));
  const mm = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (hh > 14 || mm > 59 || (hh === 14 && mm > 0)) return null;
  return `${sign}${pad2(hh)}:${pad2(mm)}`;
}

/**
 * Formats a `<lastmod>` value as W3C Datetime in the subset sitemap.xsd accepts (`xsd:date` | `xsd:dateTime`):
 * - `Date` → UTC `YYYY-MM-DDThh:mm:ssZ` (milliseconds dropped).
 * - `"YYYY-MM-DD"` → unchanged (a date without time needs no timezone).
 * - `"YYYY-MM-DDThh:mm[:ss[.fff]]±hh:mm|Z"` → `YYYY-MM-DDThh:mm:ss` plus the same zone (`Z` or `±hh:mm`; `+0200` and
 *   `+02` are normalised to `+02:00`); seconds are added when missing, fractions dropped. A time written without a
 *   zone is taken as UTC (`Z`) so the output always carries one; never local time, so output is machine-independent.
 * - An RFC 9110 IMF-fixdate (`Last-Modified` form, `Sun, 06 Nov 1994 08:49:37 GMT`) → UTC `…Z`.
 * Returns `null` for anything else: unparseable text, impossible dates (Feb 30, hour 24, second 60), years outside
 * 0001–9999, and the W3C forms `YYYY` and `YYYY-MM`, which sitemap.xsd rejects. Never throws; no clock is read.
 */
export function w3cDatetime(value: string | Date | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) {
    const ms = value.getTime();
    if (Number.isNaN(ms)) return null;
    const y = value.getUTCFullYear();
    if (y < 1 || y > 9999) return null;
    return `${pad4(y)}-${pad2(value.getUTCMonth() + 1)}-${pad2(value.getUTCDate())}T${pad2(value.getUTCHours())}:${pad2(
      value.getUTCMinutes(),
    )}:${pad2(value.getUTCSeconds())}Z`;
  }
  if (typeof value !== "string") return null;
  if (RE_FAST_DATETIME.test(value)) return fastDateTime(value);
  const s = value.trim();
  let m = RE_DATE.exec(s);
  if (m) return validDate(+m[1], +m[2], +m[3]) ? s : null;
  m = RE_DATETIME.exec(s);
  if (m) {
    const tz = normaliseZone(m[7]);
    if (tz === null) return null;
    return formatDateTime(+m[1], +m[2], +m[3], +m[4], +m[5], m[6] === undefined ? 0 : +m[6], tz);
  }
  // RFC 9110 §5.6.7 IMF-fixdate, the Last-Modified header format (lib/core/http-date.ts).
  const f = parseImfFixdate(s);
  if (f) return formatDateTime(f[0], f[1], f[2], f[3], f[4], f[5], "Z");
  return null;
}

/**
 * Milliseconds since the epoch of a value returned by `w3cDatetime` (a date-only value counts as 00:00:00Z).
 * Used to pick the latest `<lastmod>` of a part; ECMAScript parses these ISO forms the same on every machine.
 */
export function w3cDatetimeToMs(value: string): number {
  return Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value);
}
