/**
 * Reading a feed's source page and its item pages (pure: HTML in, values out; cheerio).
 *
 * - `compileMask(mask, syntax)` → a link filter, or throws MaskError (bad regex/selector, too long).
 *   glob: `*` any run of characters, `?` one character, everything else literal; anchored; matched against the
 *   absolute URL, or against path + query of links on the page's own host when the mask starts with "/".
 *   regex: JavaScript RegExp source (no flags), unanchored, tested on the absolute URL; a pattern that can
 *   backtrack catastrophically (exponential, or polynomial of degree ≥ 3, e.g. (a+)+$ or a.*b.*c; also a glob with
 *   that many `*`) is refused, see lib/core/regex-safety.ts. css: a selector; the links are the matched `a[href]` elements
 *   and the `a[href]` inside matched elements. Empty mask: every link on the page's own host (any syntax).
 * - `extractLinks(html, pageUrl, mask)` → [{ url, text }] in document order, absolute (resolved against <base href>
 *   and the page URL), fragment removed, http(s) only, first occurrence wins, the page itself excluded; at most
 *   5,000 anchors are examined and URLs over 2,048 characters are skipped.
 * - `extractItemMeta(html)` → { title, description, date }: title = og:title → <title> → first <h1>;
 *   description = og:description → meta description (≤ 1,000 characters); date = JSON-LD
 *   datePublished (any object, @graph included) → meta article:published_time / itemprop=datePublished /
 *   name=date|pubdate|dc.date → first <time datetime>. Dates that do not parse are ignored.
 */
import * as cheerio from "cheerio";
import { regexSafetyError, warmRegexChecks } from "@/lib/core/regex-safety";

export const MAX_ANCHORS = 5_000;
export const MAX_URL_CHARS = 2_048;
export const MAX_REGEX_CHARS = 500;

export type MaskSyntax = "glob" | "regex" | "css";
export type Mask = { syntax: MaskSyntax; test?: (url: URL) => boolean; selector?: string; sameHost?: boolean };

/**
 * A link mask that cannot be used: a bad regex or CSS selector, a regex over 500 characters, or one that can backtrack
 * catastrophically. The message says which.
 */
export class MaskError extends Error {}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The regular expression a glob or regex mask runs as (null for CSS masks and empty ones). */
export function maskRegexSource(mask: string, syntax: MaskSyntax): string | null {
  const m = mask.trim();
  if (m === "") return null;
  if (syntax === "glob") return `^${m.split("").map((c) => (c === "*" ? ".*" : c === "?" ? "." : escapeRe(c))).join("")}$`;
  return syntax === "regex" ? m : null;
}

/** Settles the backtracking check of a mask off the event loop (lib/core/regex-safety.ts warmRegexChecks). */
export async function warmMaskCheck(mask: string, syntax: MaskSyntax): Promise<void> {
  const source = maskRegexSource(mask, syntax);
  if (source !== null && source.length <= MAX_REGEX_CHARS) await warmRegexChecks([source]);
}

/**
 * The link filter of `mask` in `syntax` (rules in the module doc); an empty mask keeps every link on the page's own
 * host. Throws MaskError.
 */
export function compileMask(mask: string, syntax: MaskSyntax): Mask {
  const m = mask.trim();
  if (m === "") return { syntax };
  if (syntax === "glob") {
    const source = maskRegexSource(m, syntax)!;
    // Many `*` in one glob become `.*` in a row, which backtracks polynomially: the same check as for regex masks.
    const unsafe = regexSafetyError(source);
    if (unsafe) throw new MaskError(`The glob cannot be matched in bounded time (too many "*"): ${unsafe}`);
    const re = new RegExp(source, "s");
    const pathOnly = m.startsWith("/");
    return { syntax, test: (u) => re.test(pathOnly ? u.pathname + u.search : u.href), sameHost: pathOnly };
  }
  if (syntax === "regex") {
    if (m.length > MAX_REGEX_CHARS) throw new MaskError(`The regular expression is longer than ${MAX_REGEX_CHARS} characters.`);
    // JavaScript regexes cannot be interrupted: a mask that can backtrack catastrophically is refused
    // (lib/core/regex-safety.ts), both when it is saved and before a refresh runs it.
    const unsafe = regexSafetyError(m);
    if (unsafe) throw new MaskError(unsafe);
    const re = new RegExp(m);
    return { syntax, test: (u) => re.test(u.href) };
  }
  try {
    cheerio.load("<p></p>")(m);
  } catch (err) {
    throw new MaskError(`Not a valid CSS selector: ${(err as Error).message}`);
  }
  return { syntax, selector: m };
}

export type FoundLink = { url: string; text: string };

const clean = (s: string) => s.replace(/\s+/g, " ").trim();

/**
 * The links of a page that pass `mask`: `[{ url, text }]` with the link text's whitespace collapsed (rules and limits
 * in the module doc).
 */
export function extractLinks(html: string, pageUrl: string, mask: Mask): FoundLink[] {
  const $ = cheerio.load(html);
  let base: URL;
  try {
    base = new URL($("base[href]").first().attr("href") ?? pageUrl, pageUrl);
  } catch {
    base = new URL(pageUrl);
  }
  const page = new URL(pageUrl);
  page.hash = "";
  const anchors = mask.selector ? $(mask.selector).find("a[href]").add($(mask.selector).filter("a[href]")) : $("a[href]");
  const seen = new Set<string>([page.href]);
  const out: FoundLink[] = [];
  anchors.slice(0, MAX_ANCHORS).each((_, el) => {
    const href = $(el).attr("href")?.trim();
    if (!href) return;
    let u: URL;
    try {
      u = new URL(href, base);
    } catch {
      return;
    }
    if (u.protocol !== "http:" && u.protocol !== "https:") return;
    if (u.username || u.password) return;
    u.hash = "";
    if (u.href.length > MAX_URL_CHARS || seen.has(u.href)) return;
    if (mask.test ? !mask.test(u) || (mask.sameHost && u.host !== page.host) : !mask.selector && u.host !== page.host) return;
    seen.add(u.href);
    out.push({ url: u.href, text: clean($(el).text()) });
  });
  return out;
}

function parseDate(v: unknown): Date | null {
  if (typeof v !== "string" || v.trim() === "") return null;
  const t = Date.parse(v.trim());
  return Number.isNaN(t) ? null : new Date(t);
}

function jsonLdDate(node: unknown, depth = 0): Date | null {
  if (depth > 6 || node === null || typeof node !== "object") return null;
  if (Array.isArray(node)) {
    for (const n of node) {
      const d = jsonLdDate(n, depth + 1);
      if (d) return d;
    }
    return null;
  }
  const o = node as Record<string, unknown>;
  const d = parseDate(o.datePublished);
  if (d) return d;
  return jsonLdDate(o["@graph"], depth + 1) ?? jsonLdDate(o.mainEntity, depth + 1);
}

/**
 * An item page's title (≤ 500 characters), description (≤ 1,000) and publication date, each null when not found
 * (sources in the module doc).
 */
export function extractItemMeta(html: string): { title: string | null; description: string | null; date: Date | null } {
  const $ = cheerio.load(html);
  const title =
    clean($('meta[property="og:title"]').attr("content") ?? "") || clean($("title").first().text()) || clean($("h1").first().text()) || null;
  let date: Date | null = null;
  $('script[type="application/ld+json"]').each((_, el) => {
    if (date) return;
    try {
      date = jsonLdDate(JSON.parse($(el).text()));
    } catch {
      /* malformed JSON-LD is common; skip it */
    }
  });
  if (!date) {
    for (const sel of [
      'meta[property="article:published_time"]',
      'meta[itemprop="datePublished"]',
      'meta[name="pubdate"]',
      'meta[name="date"]',
      'meta[name="DC.date"]',
      'meta[name="dc.date"]',
    ]) {
      date = parseDate($(sel).attr("content"));
      if (date) break;
    }
  }
  if (!date) date = parseDate($("[itemprop=datePublished][datetime]").attr("datetime")) ?? parseDate($("time[datetime]").first().attr("datetime"));
  const description = clean($('meta[property="og:description"]').attr("content") ?? "") || clean($('meta[name="description"]').attr("content") ?? "") || null;
  return { title: title ? title.slice(0, 500) : null, description: description ? description.slice(0, 1000) : null, date };
}
