/**
 * Crawler-trap caps: bounds on URL spaces that grow without end (crawler literature; Heritrix's
 * PathologicalPathDecideRule and TooManyPathSegmentsDecideRule, Nutch's URL filters). A URL over a cap is
 * recorded "crawl_trap" and never fetched. Defaults (lib/core/types.ts DEFAULT_CRAWL_SETTINGS):
 *
 * | cap | default | catches |
 * |---|---|---|
 * | `maxQueryVariants` | 50 distinct query strings per path | calendars (`/events?month=2031-07`), faceted search, sort/filter permutations, endless `?page=N` |
 * | `maxPathSegments` | 30 segments | ever-growing relative paths that do not repeat |
 * | `maxSegmentRepeats` | 1 back-to-back repeat of a run of 1–3 segments | growing relative links (`/a/b/b/b/`, `/x/y/x/y/x/y/`) |
 * | `maxDepth` (crawler) | 50 links from a seed | path-based calendars (`/cal/2031/07/`) and endless "next" chains |
 * | redirect hops (crawler) | 5, loops detected | redirect loops |
 *
 * Session ids in URLs are not capped but removed before deduplication (lib/core/url.ts SESSION_ID_PARAMS), so
 * they never mint new URLs. Counting is per crawl and only for URLs that passed every other check, so a
 * disallowed or excluded variant does not use up a path's quota. Memory: one counter per path that has a query.
 */

/** Which cap a URL exceeds (all are recorded "crawl_trap"). */
export type TrapKind = "query_variants" | "path_segments" | "repeated_segments";
/** The caps of one crawl (CrawlSettings fields of the same names). */
export type TrapCaps = { maxQueryVariants: number; maxPathSegments: number; maxSegmentRepeats: number };

/**
 * A trap checker for one crawl. `check(url, pathStart)` returns the cap the URL exceeds, or null; a null answer
 * for a URL with a query counts it against its path's quota (so call it once per new URL, when about to crawl).
 * `pathStart` is the index of the path's "/" in the normalised absolute `url`.
 */
export function createTrapGuard(caps: TrapCaps): { check(url: string, pathStart: number): TrapKind | null } {
  const variants = new Map<string, number>();
  return {
    check(url, pathStart) {
      const q = url.indexOf("?", pathStart);
      const pathEnd = q >= 0 ? q : url.length;
      let segments = 0;
      for (let i = pathStart; i < pathEnd; i++) if (url.charCodeAt(i) === 47 /* / */) segments++;
      if (segments > caps.maxPathSegments) return "path_segments";
      if (segments >= caps.maxSegmentRepeats + 2 && hasRepeatedRun(url.slice(pathStart + 1, pathEnd).split("/"), caps.maxSegmentRepeats)) {
        return "repeated_segments";
      }
      if (q >= 0) {
        const key = url.slice(0, q);
        const n = (variants.get(key) ?? 0) + 1;
        if (n > caps.maxQueryVariants) return "query_variants";
        variants.set(key, n);
      }
      return null;
    },
  };
}

/**
 * True when some run of 1–3 non-empty segments is repeated back to back more than `maxRepeats` times, i.e. occurs
 * `maxRepeats + 2` or more times in a row. With 1: `a/b/b` passes, `a/b/b/b` (run "b" three times) and
 * `x/y/x/y/x/y` (run "x/y" three times) do not. Empty segments (`//`) are skipped.
 */
export function hasRepeatedRun(segs: string[], maxRepeats: number): boolean {
  const parts = segs.filter((s) => s !== "");
  const need = maxRepeats + 2; // occurrences in a row that make a trap
  for (let p = 1; p <= 3; p++) {
    for (let i = 0; i + p * need <= parts.length; i++) {
      let reps = 1;
      for (let j = i + p; j + p <= parts.length; j += p) {
        let same = true;
        for (let k = 0; k < p; k++) {
          if (parts[j + k] !== parts[i + k]) {
            same = false;
            break;
          }
        }
        if (!same) break;
        if (++reps >= need) return true;
      }
    }
  }
  return false;
}
