/**
 * What text the API accepts: the one policy for every string a request carries (JSON and form fields, path
 * parameters, query parameters), and strict percent-decoding. Pure: no I/O, no framework imports.
 *
 * Policy (docs/api.md, "Text and encodings"):
 * - Every text field: no NUL (U+0000), no other C0 control character except TAB, LF and CR, no DEL (U+007F), no lone
 *   surrogate (U+D800–U+DFFF not in a pair; it has no UTF-8 encoding). PostgreSQL can't store NUL in text at all.
 * - Single-line text (names, titles, file names, URLs, header values, path and query parameters): TAB, LF and CR are
 *   refused too. Only multi-line text (template content) keeps them.
 * - Nothing is stripped or replaced: a refused character is an error naming the field (422 `invalid_value` in a
 *   body, 400 `bad_request` in the path or the query string).
 *
 * Percent-decoding follows RFC 3986 §2.1 with UTF-8 (WHATWG URL's "percent-decode" + "UTF-8 decode without BOM or
 * fail"): a `%` not followed by two hex digits, or bytes that are not UTF-8 (`%ff`, the overlong `%c0%af`), fail,
 * where decoders that replace them with U+FFFD would silently change the value.
 */

/** `line`: a single-line field; `text`: multi-line text that may hold TAB, LF and CR. */
export type TextKind = "line" | "text";

// Lone surrogates: with the `u` flag a well-formed pair is one code point, so only unpaired halves match.
const LONE_SURROGATE = /\p{Cs}/u;
const CONTROL_LINE = /[\u0000-\u001f\u007f]/;
const CONTROL_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

const hex = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;

/**
 * Why `s` is not acceptable text of `kind`, as a phrase for an error message ("contains NUL (U+0000)"), or null when
 * it is acceptable.
 */
export function textProblem(s: string, kind: TextKind = "line"): string | null {
  const c = (kind === "line" ? CONTROL_LINE : CONTROL_TEXT).exec(s);
  if (c) {
    const ch = c[0];
    if (ch === "\u0000") return "contains NUL (U+0000)";
    if (ch === "\n" || ch === "\r") return `contains a line break (${hex(ch)})`;
    return `contains the control character ${hex(ch)}`;
  }
  const sur = LONE_SURROGATE.exec(s);
  if (sur) return `contains a lone surrogate (${hex(sur[0])}), which is not Unicode text`;
  return null;
}

/** A string in `value` that breaks the policy: its path (object keys and array indexes) and the problem. */
export type TextFinding = { path: (string | number)[]; problem: string };

/**
 * Walks a parsed JSON value (objects, arrays, strings; keys too) and returns the first string that is not acceptable
 * text of `kind`, or null. Depth-first in document order, so the field named is the first bad one a reader meets.
 */
export function findTextProblem(value: unknown, kind: TextKind = "text", path: (string | number)[] = []): TextFinding | null {
  if (typeof value === "string") {
    const problem = textProblem(value, kind);
    return problem ? { path, problem } : null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const f = findTextProblem(value[i], kind, [...path, i]);
      if (f) return f;
    }
    return null;
  }
  if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      const keyProblem = textProblem(k, "line");
      if (keyProblem) return { path: [...path, k], problem: `has a name that ${keyProblem}` };
      const f = findTextProblem(v, kind, [...path, k]);
      if (f) return f;
    }
  }
  return null;
}

/** A dotted path for error messages and the envelope's `field` ("rules.0.pattern"). */
export const fieldPath = (path: (string | number)[]): string => path.join(".");

/** Strict percent-decoding (see the module doc); null when `s` is not valid percent-encoded UTF-8. */
export function strictDecode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/**
 * Checks a raw query string (`url.search`, with or without "?") the way application/x-www-form-urlencoded is read
 * (`+` is a space), but strictly: every name and value must percent-decode to UTF-8 and be single-line text; a value
 * holding U+FFFD (the replacement character) is refused as undecodable too.
 * Returns the first offending parameter (its decoded name, or the raw one when the name itself is undecodable) and
 * the problem, or null.
 */
export function queryProblem(search: string): { name: string; problem: string } | null {
  const q = search.startsWith("?") ? search.slice(1) : search;
  if (q === "") return null;
  for (const pair of q.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const rawName = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? "" : pair.slice(eq + 1);
    const name = strictDecode(rawName.replaceAll("+", " "));
    if (name === null) return { name: rawName, problem: "has a name that is not valid percent-encoded UTF-8" };
    const nameProblem = textProblem(name, "line");
    if (nameProblem) return { name: JSON.stringify(name).slice(1, -1), problem: `has a name that ${nameProblem}` };
    const value = strictDecode(rawValue.replaceAll("+", " "));
    // Next decodes the query leniently before any of our code runs (`%ff` arrives as a valid `%EF%BF%BD`), so a
    // U+FFFD is taken for what it almost always is: bytes that were not UTF-8.
    if (value === null || value.includes("\ufffd")) return { name, problem: "is not valid percent-encoded UTF-8" };
    const valueProblem = textProblem(value, "line");
    if (valueProblem) return { name, problem: valueProblem };
  }
  return null;
}

/**
 * For the proxy: a URL path whose segments do not all percent-decode to UTF-8 (e.g. `/s/%ff/x.xml`,
 * `…/files/..%c0%af..`) would make the framework fail before any handler runs. Returns the same path with every
 * undecodable segment replaced by `%EF%BF%BD` (U+FFFD, what a lenient decoder would show; it holds no `%` once
 * decoded, and the framework decodes a rewritten path more than once), so it still matches the same route; null when
 * every segment decodes.
 */
export function escapeUndecodablePath(pathname: string): string | null {
  let changed = false;
  const out = pathname.split("/").map((seg) => {
    if (strictDecode(seg) !== null) return seg;
    changed = true;
    return "%EF%BF%BD";
  });
  return changed ? out.join("/") : null;
}

/**
 * Request header the proxy sets when the raw URL has an undecodable path segment or a bad query parameter (the
 * framework re-encodes the query before a handler sees it, turning `%ff` into a valid U+FFFD). Its value is the raw
 * path and query; the route wrappers re-check that value (assertRequestText) and answer 400 in their family's error
 * envelope. A client sending the header itself gains nothing: a value without a problem is ignored.
 */
export const RAW_URL_HEADER = "x-sf-raw-url";

/** What is wrong with a raw path + query (as in RAW_URL_HEADER), or null: the first undecodable part wins. */
export function rawUrlProblem(raw: string): { field?: string; message: string } | null {
  let u: URL;
  try {
    u = new URL(raw, "http://local");
  } catch {
    return { message: "The request URL could not be parsed." };
  }
  if (escapeUndecodablePath(u.pathname) !== null) return { message: "The request path is not valid percent-encoded UTF-8 (RFC 3986)." };
  const q = queryProblem(u.search);
  return q ? { field: q.name, message: `The query parameter "${q.name}" ${q.problem}.` } : null;
}
