/**
 * `<meta http-equiv="refresh" content="…">` as a redirect.
 *
 * The content value is read by the HTML Living Standard's "shared declarative refresh steps" (§4.2.5.3, refresh
 * state): optional whitespace, a delay (ASCII digits, optionally followed by digits and dots: `0`, `0.5`, `.5`), then
 * optionally `;` or `,`, then optionally `URL` (any case) with optional whitespace around `=`, then the URL, which may
 * be wrapped in `'` or `"` (the URL ends at the matching quote). A value with no delay is ignored by browsers and here.
 *
 * Which refreshes are redirects (Google Search Central, "Redirects and Google Search": an *instant* meta refresh is
 * interpreted as a permanent redirect, a *delayed* one as a temporary redirect): a refresh counts as a redirect when a
 * browser would follow it at once, i.e. when its delay is below {@link META_REFRESH_MAX_DELAY_SEC} + 1 seconds —
 * browsers use only the whole seconds of the delay, so `0`, `0.5` and `.9` all refresh immediately, `1` waits a
 * second. A delayed refresh (a page that shows something before moving on) is a page of its own and is listed as
 * usual. A refresh without a URL, or to the page itself, reloads the page and is not a redirect.
 */

/**
 * Largest delay, in whole seconds as browsers count them (the fraction is dropped), at which a meta refresh is a
 * redirect. 0: only an instant refresh (delays 0 ≤ d < 1 s), Google's "instant meta refresh".
 */
export const META_REFRESH_MAX_DELAY_SEC = 0;

/** A parsed refresh value: `delaySec` as written (decimal seconds), `url` as written (unresolved), or null for "reload". */
export type MetaRefresh = { delaySec: number; url: string | null };

const isWs = (c: string | undefined) => c === " " || c === "\t" || c === "\n" || c === "\f" || c === "\r";
const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";

/**
 * Parses a refresh `content` value (see module doc). Null when it has no delay (browsers ignore such a value).
 * Never throws.
 */
export function parseMetaRefresh(content: string): MetaRefresh | null {
  const s = content;
  let i = 0;
  while (isWs(s[i])) i++;
  const start = i;
  while (isDigit(s[i])) i++;
  if (i === start && s[i] !== ".") return null;
  while (isDigit(s[i]) || s[i] === ".") i++;
  const delay = Number.parseFloat(s.slice(start, i).replace(/^(\d*\.?\d*).*$/, "$1") || "0");
  const delaySec = Number.isFinite(delay) ? delay : 0;
  while (isWs(s[i])) i++;
  if (s[i] === ";" || s[i] === ",") i++;
  while (isWs(s[i])) i++;
  if (i >= s.length) return { delaySec, url: null };
  if (s.slice(i, i + 3).toLowerCase() === "url") {
    let j = i + 3;
    while (isWs(s[j])) j++;
    if (s[j] === "=") {
      j++;
      while (isWs(s[j])) j++;
      i = j;
    }
  }
  let quote: string | null = null;
  if (s[i] === "'" || s[i] === '"') quote = s[i++];
  let url = s.slice(i);
  if (quote !== null) {
    const end = url.indexOf(quote);
    if (end >= 0) url = url.slice(0, end);
  }
  url = url.trim();
  return { delaySec, url: url === "" ? null : url };
}

/** True when a refresh of `delaySec` seconds fires at once in a browser (whole seconds ≤ the threshold). */
export function isInstantRefresh(delaySec: number): boolean {
  return Math.floor(delaySec) <= META_REFRESH_MAX_DELAY_SEC;
}
