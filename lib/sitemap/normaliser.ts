/**
 * The first stage of the part writers (lib/sitemap/parts.ts): each entry normalised once for every format of a pass
 * (`encodeLoc`, `w3cDatetime`, changefreq/priority checks, consecutive-duplicate skip, extension fragment).
 * Errors: InvalidLocError / InvalidEntryError (with `index`) for an invalid entry under `invalid: "throw"`.
 */
import type { ChangeFreq, SitemapEntry } from "@/lib/core/types";
import { InvalidEntryError, InvalidLocError } from "./errors";
import type { ExtensionRenderer } from "./extensions";
import type { NormalisedEntry } from "./parts";
import { encodeLoc, w3cDatetime } from "./xml";

const CHANGEFREQS: ReadonlySet<string> = new Set(["always", "hourly", "daily", "weekly", "monthly", "yearly", "never"]);


const NON_ASCII = /[^\x00-\x7f]/;

/**
 * Formats a priority (sitemaps.org: 0.0–1.0) as an xsd:decimal with 1–3 decimals ("0.5", "1.0", "0.85").
 * @throws InvalidEntryError when not a finite number in [0, 1].
 */
export function formatPriority(p: number): string {
  if (typeof p !== "number" || !Number.isFinite(p) || p < 0 || p > 1) {
    throw new InvalidEntryError("priority", `priority must be a number from 0.0 to 1.0, got ${String(p)}.`);
  }
  const s = String(Number(p.toFixed(3)));
  return s.includes(".") ? s : `${s}.0`;
}

export type NormaliserOptions = {
  /** Validate changefreq/priority (some format renders them). */
  usesExtras: boolean;
  invalid: "throw" | "skip";
  /** Renders the extension fragment; null = no extensions. */
  ext: ExtensionRenderer | null;
  /** Copy `title` (for the HTML sitemap). */
  titles: boolean;
};

/**
 * Normalises entries once for every writer of a pass. Keeps one `NormalisedEntry` object and overwrites it per call
 * (no allocation per URL): safe because the caller finishes every writer's push of an entry before the next one.
 */
export class EntryNormaliser {
  /** Entries seen so far (the 0-based position of the next one). */
  inputIndex = 0;
  skippedDuplicates = 0;
  skippedInvalid = 0;
  private prevLoc: string | null = null;
  private readonly current: NormalisedEntry = {
    loc: "",
    lastmod: null,
    changefreq: null,
    priority: null,
    ext: null,
    extExtraBytes: 0,
    news: false,
    title: null,
  };

  constructor(private readonly o: NormaliserOptions) {}

  /**
   * The normalised entry, or null when it is skipped (an exact repeat of the previous encoded loc, or invalid with
   * `invalid: "skip"`). @throws InvalidLocError / InvalidEntryError (with `index`) when invalid and `invalid: "throw"`.
   */
  next(e: SitemapEntry): NormalisedEntry | null {
    const position = this.inputIndex++;
    let loc: string;
    let changefreq: ChangeFreq | null = null;
    let priority: string | null = null;
    try {
      loc = encodeLoc(e.loc);
      if (this.o.usesExtras) {
        if (e.changefreq !== undefined && e.changefreq !== null) {
          if (!CHANGEFREQS.has(e.changefreq)) {
            throw new InvalidEntryError("changefreq", `changefreq ${JSON.stringify(String(e.changefreq))} is not valid.`);
          }
          changefreq = e.changefreq;
        }
        if (e.priority !== undefined && e.priority !== null) priority = formatPriority(e.priority);
      }
    } catch (err) {
      if (err instanceof InvalidLocError || err instanceof InvalidEntryError) {
        if (this.o.invalid === "skip") {
          this.skippedInvalid++;
          return null;
        }
        err.index = position;
      }
      throw err;
    }
    // Callers pass unique URLs; this only catches the cheap case of an exact repeat of the previous one.
    if (loc === this.prevLoc) {
      this.skippedDuplicates++;
      return null;
    }
    this.prevLoc = loc;
    const cur = this.current;
    cur.loc = loc;
    cur.lastmod = e.lastmod === undefined || e.lastmod === null ? null : w3cDatetime(e.lastmod);
    cur.changefreq = changefreq;
    cur.priority = priority;
    if (this.o.ext !== null) {
      const ext = this.o.ext.render(e, loc);
      cur.ext = ext;
      cur.extExtraBytes = ext === null || !NON_ASCII.test(ext) ? 0 : Buffer.byteLength(ext) - ext.length;
      cur.news = this.o.ext.lastHadNews;
    }
    if (this.o.titles) cur.title = typeof e.title === "string" ? e.title : null;
    return cur;
  }
}
