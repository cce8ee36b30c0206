/**
 * hreflang for sitemaps (Google, "Tell Google about localized versions of your page",
 * https://developers.google.com/search/docs/specialty/international/localized-versions, sitemap method):
 * each `<url>` lists every language/region variant of its cluster as
 * `<xhtml:link rel="alternate" hreflang="…" href="…"/>`, **itself included**, and the annotations must be
 * reciprocal (if A lists B, B lists A). Pure: no I/O, no clock.
 *
 * - `normaliseHreflang(code)`: `x-default`, or an ISO 639-1 language, optionally followed by an ISO 15924 script
 *   (4 letters, e.g. `zh-Hant`) and/or an ISO 3166-1 alpha-2 region (`en-GB`; `en-UK`, `es-419`, `en_US` are refused).
 *   Returns the canonical case (`en-GB`, `zh-Hant-TW`) or null.
 * - `HreflangCollector`: fed one page at a time (streaming, in output order) by the writer. `add()` turns a page's raw
 *   alternates into the cluster to write (valid codes, encoded hrefs, deduplicated, one href per code, sorted by code,
 *   self-reference added when its code can be known) and records intra-page problems; `report()` then checks
 *   reciprocity and code consistency across all pages. Memory is proportional to the hreflang data only (interned
 *   URLs plus 12 bytes per alternate); pages without alternates cost nothing.
 * - `checkHreflangReciprocity(entries)`: the same check over an iterable of entries.
 *
 * Problem kinds (`HreflangProblem.kind`), each about the page `url`:
 * - `invalid_code`: an hreflang value that is not a valid code (the alternate is dropped).
 * - `invalid_href`: an alternate href that is not an absolute http(s) URL < 2,048 chars (dropped).
 * - `conflicting_codes`: one code names two different URLs on the page (the page itself, else the first, is kept), or
 *   the page lists B under a code B does not use for itself.
 * - `missing_self`: the page's alternates do not include the page. The sitemap adds the self-reference when another
 *   page seen earlier names this one with a single code ("added as …"); otherwise it cannot know the code.
 * - `missing_return_link`: the page lists B but B does not list the page; or B (same origin) is not in this sitemap
 *   with alternates (not listed, redirected, noindex, or no annotations). Alternates on another origin cannot be
 *   checked and are not reported.
 */
import type { SitemapEntry } from "@/lib/core/types";
import { encodeLoc } from "./xml";

/** ISO 639-1 two-letter language codes (the 183 current ones; deprecated iw/in/ji/jw/mo/sh are not accepted). */
const ISO_639_1 = new Set(
  (
    "aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee el en " +
    "eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv " +
    "ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne " +
    "ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st " +
    "su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu"
  ).split(" "),
);

/** ISO 3166-1 alpha-2 country codes (the 249 officially assigned ones; "UK", "EU", "419" are not among them). */
const ISO_3166_1 = new Set(
  (
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
    "CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR " +
    "GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO " +
    "JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR " +
    "MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO " +
    "RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV " +
    "TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"
  ).split(" "),
);

/** @internal For tests: sizes of the code lists. */
export const HREFLANG_CODE_LISTS = { languages: ISO_639_1, regions: ISO_3166_1 } as const;

const RE_CODE = /^([A-Za-z]{2})(?:-([A-Za-z]{4}))?(?:-([A-Za-z]{2}))?$/;

/**
 * Validates an hreflang value and returns its canonical form: `x-default`, `ll`, `ll-RR`, `ll-Ssss` or `ll-Ssss-RR`
 * (ll = ISO 639-1, Ssss = ISO 15924 script, RR = ISO 3166-1 alpha-2), compared case-insensitively. Returns null for
 * anything else (unknown language or region, `_` separators, 3-letter languages, UN M.49 regions like `419`). Pure.
 */
export function normaliseHreflang(code: unknown): string | null {
  if (typeof code !== "string") return null;
  const c = code.trim();
  if (c.length > 16) return null;
  if (c.toLowerCase() === "x-default") return "x-default";
  const m = RE_CODE.exec(c);
  if (!m) return null;
  const lang = m[1].toLowerCase();
  if (!ISO_639_1.has(lang)) return null;
  let out = lang;
  if (m[2] !== undefined) out += `-${m[2][0].toUpperCase()}${m[2].slice(1).toLowerCase()}`;
  if (m[3] !== undefined) {
    const region = m[3].toUpperCase();
    if (!ISO_3166_1.has(region)) return null;
    out += `-${region}`;
  }
  return out;
}

export type HreflangProblemKind =
  | "missing_return_link"
  | "missing_self"
  | "invalid_code"
  | "invalid_href"
  | "conflicting_codes";

export const HREFLANG_PROBLEM_KINDS: readonly HreflangProblemKind[] = [
  "missing_return_link",
  "missing_self",
  "invalid_code",
  "invalid_href",
  "conflicting_codes",
];

/** One problem, about the page `url` (its encoded `<loc>`); `details` is a human sentence (URLs cut to 200 chars). */
export type HreflangProblem = { url: string; kind: HreflangProblemKind; details: string };

/**
 * Result of a check. `counts` are complete; `problems` holds at most `maxProblemsPerKind` of each kind (the first
 * ones in input order), sorted by url, then kind, then details; `truncated` tells whether any were left out.
 */
export type HreflangReport = {
  /** Pages that had at least one alternate (valid or not). */
  pagesWithAlternates: number;
  /** Alternates written across all pages (self-references included). */
  alternatesWritten: number;
  problemCount: number;
  counts: Record<HreflangProblemKind, number>;
  problems: HreflangProblem[];
  truncated: boolean;
};

/** One alternate as written: canonical code and encoded (not XML-escaped) absolute URL. */
export type HreflangAlternate = { code: string; href: string };

export type HreflangCollectorOptions = {
  /** Problems kept per kind in the report (counts stay complete). Default 1,000. */
  maxProblemsPerKind?: number;
};

const shown = (u: string): string => (u.length > 200 ? `${u.slice(0, 200)}…` : u);
const originOf = (u: string): string => {
  const i = u.indexOf("/", u.indexOf("//") + 2);
  return i < 0 ? u : u.slice(0, i);
};

/** Ids must fit 26 bits so that `from * 2^26 + to` is an exact double (67 million URLs). */
const ID_BITS = 2 ** 26;

/** Growable Int32 column. */
class IntColumn {
  data = new Int32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

/**
 * Streaming hreflang normaliser and reciprocity checker (see the module doc). Call `add` once per page, in output
 * order, with the page's encoded loc; then `report()` once.
 */
export class HreflangCollector {
  private readonly maxPerKind: number;
  private readonly ids = new Map<string, number>();
  private readonly urls: string[] = [];
  private readonly codeIds = new Map<string, number>();
  private readonly codes: string[] = [];
  /** Page id → the codes the page lists itself under (pages with a written cluster only). */
  private readonly selfCodes = new Map<number, number[]>();
  /** Target id → the code earlier pages gave it, or -1 when they disagreed (for the self-reference). */
  private readonly given = new Map<number, number>();
  private readonly edgeFrom = new IntColumn();
  private readonly edgeTo = new IntColumn();
  private readonly edgeCode = new IntColumn();
  private overflow = false;
  private readonly problems: HreflangProblem[] = [];
  private readonly counts: Record<HreflangProblemKind, number> = {
    missing_return_link: 0,
    missing_self: 0,
    invalid_code: 0,
    invalid_href: 0,
    conflicting_codes: 0,
  };
  private truncated = false;
  private pages = 0;
  private written = 0;
  private reported = false;

  constructor(opts: HreflangCollectorOptions = {}) {
    this.maxPerKind = opts.maxProblemsPerKind ?? 1_000;
  }

  private problem(url: string, kind: HreflangProblemKind, details: string): void {
    if (this.counts[kind]++ < this.maxPerKind) this.problems.push({ url, kind, details });
    else this.truncated = true;
  }

  private idOf(url: string): number {
    let id = this.ids.get(url);
    if (id === undefined) {
      id = this.urls.length;
      if (id >= ID_BITS) {
        this.overflow = true;
        return -1;
      }
      this.ids.set(url, id);
      this.urls.push(url);
    }
    return id;
  }

  private codeId(code: string): number {
    let id = this.codeIds.get(code);
    if (id === undefined) {
      id = this.codes.length;
      this.codeIds.set(code, id);
      this.codes.push(code);
    }
    return id;
  }

  /**
   * Normalises the alternates of the page `loc` (already `encodeLoc`-encoded) into the cluster to write, and records
   * the page for the reciprocity check. Invalid items are dropped and reported, never thrown. Returns [] when nothing
   * valid is left. The result is sorted by code (then href), so the output does not depend on attribute order.
   */
  add(loc: string, alternates: readonly { hreflang: string; href: string }[] | null | undefined): HreflangAlternate[] {
    if (!alternates || !Array.isArray(alternates) || alternates.length === 0) return [];
    this.pages++;
    const byCode = new Map<string, string>();
    for (const alt of alternates) {
      const rawCode = alt && typeof alt === "object" ? (alt as { hreflang?: unknown }).hreflang : undefined;
      const rawHref = alt && typeof alt === "object" ? (alt as { href?: unknown }).href : undefined;
      const code = normaliseHreflang(rawCode);
      if (code === null) {
        this.problem(loc, "invalid_code", `hreflang ${JSON.stringify(shown(String(rawCode)))} is not a valid code; the alternate was dropped.`);
        continue;
      }
      let href: string;
      try {
        href = encodeLoc(rawHref as string);
      } catch {
        this.problem(loc, "invalid_href", `The "${code}" alternate ${JSON.stringify(shown(String(rawHref)))} is not an absolute http(s) URL; dropped.`);
        continue;
      }
      const prev = byCode.get(code);
      if (prev === undefined) {
        byCode.set(code, href);
      } else if (prev !== href) {
        const keep = href === loc ? href : prev;
        this.problem(loc, "conflicting_codes", `"${code}" names both ${shown(prev)} and ${shown(href)}; kept ${shown(keep)}.`);
        byCode.set(code, keep);
      }
    }
    if (byCode.size === 0) return [];

    const pageId = this.idOf(loc);
    const self: number[] = [];
    for (const [code, href] of byCode) if (href === loc) self.push(this.codeId(code));
    if (self.length === 0) {
      const g = pageId >= 0 ? this.given.get(pageId) : undefined;
      if (g !== undefined && g >= 0 && !byCode.has(this.codes[g])) {
        byCode.set(this.codes[g], loc);
        self.push(g);
        this.problem(loc, "missing_self", `The page does not list itself; added as "${this.codes[g]}", the code other pages use for it.`);
      } else {
        this.problem(loc, "missing_self", "The page does not list itself among its alternates, and its own code is not known; not added.");
      }
    }

    const cluster: HreflangAlternate[] = [];
    for (const [code, href] of byCode) cluster.push({ code, href });
    cluster.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : a.href < b.href ? -1 : a.href > b.href ? 1 : 0));
    this.written += cluster.length;

    if (pageId >= 0 && !this.overflow) {
      this.selfCodes.set(pageId, self);
      for (const { code, href } of cluster) {
        if (href === loc) continue;
        const to = this.idOf(href);
        if (to < 0) break;
        const c = this.codeId(code);
        this.edgeFrom.push(pageId);
        this.edgeTo.push(to);
        this.edgeCode.push(c);
        const g = this.given.get(to);
        if (g === undefined) this.given.set(to, c);
        else if (g !== c) this.given.set(to, -1);
      }
    }
    return cluster;
  }

  /** Runs the cross-page checks and returns the report. Call once, after the last `add`. */
  report(): HreflangReport {
    if (!this.reported) {
      this.reported = true;
      this.checkEdges();
    }
    const problems = [...this.problems].sort((a, b) =>
      a.url !== b.url ? (a.url < b.url ? -1 : 1) : a.kind !== b.kind ? (a.kind < b.kind ? -1 : 1) : a.details < b.details ? -1 : a.details > b.details ? 1 : 0,
    );
    let problemCount = 0;
    for (const k of HREFLANG_PROBLEM_KINDS) problemCount += this.counts[k];
    return {
      pagesWithAlternates: this.pages,
      alternatesWritten: this.written,
      problemCount,
      counts: { ...this.counts },
      problems,
      truncated: this.truncated || this.overflow,
    };
  }

  private checkEdges(): void {
    const n = this.edgeFrom.length;
    const from = this.edgeFrom.data;
    const to = this.edgeTo.data;
    const code = this.edgeCode.data;
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = from[i] * ID_BITS + to[i];
    keys.sort();
    const has = (key: number): boolean => {
      let lo = 0;
      let hi = n - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const v = keys[mid];
        if (v === key) return true;
        if (v < key) lo = mid + 1;
        else hi = mid - 1;
      }
      return false;
    };
    // Edges of one page are contiguous (pushed together), so one "already reported" set per page suffices.
    let page = -1;
    let reportedTargets = new Set<number>();
    for (let i = 0; i < n; i++) {
      const f = from[i];
      const t = to[i];
      if (f !== page) {
        page = f;
        reportedTargets = new Set<number>();
      }
      const pageUrl = this.urls[f];
      const targetUrl = this.urls[t];
      const codeName = this.codes[code[i]];
      const targetSelf = this.selfCodes.get(t);
      if (targetSelf === undefined) {
        if (originOf(targetUrl) === originOf(pageUrl) && !reportedTargets.has(t)) {
          reportedTargets.add(t);
          this.problem(
            pageUrl,
            "missing_return_link",
            `Lists ${shown(targetUrl)} as "${codeName}", which is not in this sitemap with hreflang alternates (not listed, or no annotations), so no return link.`,
          );
        }
        continue;
      }
      if (!has(t * ID_BITS + f) && !reportedTargets.has(t)) {
        reportedTargets.add(t);
        this.problem(pageUrl, "missing_return_link", `Lists ${shown(targetUrl)} as "${codeName}", but that page does not list this one.`);
      }
      if (targetSelf.length > 0 && !targetSelf.includes(code[i])) {
        const own = targetSelf.map((c) => `"${this.codes[c]}"`).join(", ");
        this.problem(pageUrl, "conflicting_codes", `Lists ${shown(targetUrl)} as "${codeName}", but that page lists itself as ${own}.`);
      }
    }
  }
}

/**
 * Checks the hreflang annotations of `entries` (in order) without writing anything: the same normalisation and
 * problems as the writer's report. Entries with an invalid `loc` are ignored. Pure; memory as `HreflangCollector`.
 */
export function checkHreflangReciprocity(
  entries: Iterable<SitemapEntry>,
  opts: HreflangCollectorOptions = {},
): HreflangReport {
  const c = new HreflangCollector(opts);
  let prev: string | null = null;
  for (const e of entries) {
    if (!e.alternates || e.alternates.length === 0) continue;
    let loc: string;
    try {
      loc = encodeLoc(e.loc);
    } catch {
      continue;
    }
    if (loc === prev) continue;
    prev = loc;
    c.add(loc, e.alternates);
  }
  return c.report();
}
