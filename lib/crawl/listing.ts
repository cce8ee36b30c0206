/**
 * The listing decision of a fetched page: listed, or left out with its reason. One function for a page fetched now
 * (crawler settle) and for a 304 replay of a stored snapshot, so both follow the same policy and precedence.
 *
 * Policy (sitemaps.org lists canonical, indexable URLs; Google Search Central's robots meta tag, X-Robots-Tag and
 * rel=canonical docs), first hit wins: a rule `crawl_only` → "excluded_by_rule"; X-Robots-Tag noindex →
 * "noindex_header"; meta robots noindex → "noindex_meta" (both only with `excludeNoindex`); rel=canonical naming
 * another URL → "canonical_elsewhere" with `target` (only with `respectCanonical`); else listed.
 */
import type { CrawlSettings, ExclusionReason, PageSnapshot } from "@/lib/core/types";

/** What the page said about itself, after the crawl's URL policy (canonical normalised like any link). */
export type ListingSignals = {
  /** A rule says `crawl_only` for the page's URL. */
  crawlOnly: boolean;
  /** noindex in X-Robots-Tag (generic or scoped to our product token). */
  noindexHeader: boolean;
  /** noindex in a robots meta tag (generic or scoped to our product token). */
  noindexMeta: boolean;
  /** The rel=canonical URL, or null when the page names none. */
  canonical: string | null;
};

export type ListingDecision =
  | { included: true; reason: null }
  | { included: false; reason: "excluded_by_rule" | "noindex_header" | "noindex_meta" }
  | { included: false; reason: "canonical_elsewhere"; target: string };

type ListingSettings = Pick<Required<CrawlSettings>, "excludeNoindex" | "respectCanonical">;

const LISTED: ListingDecision = { included: true, reason: null };
const CRAWL_ONLY: ListingDecision = { included: false, reason: "excluded_by_rule" };
const NOINDEX_HEADER: ListingDecision = { included: false, reason: "noindex_header" };
const NOINDEX_META: ListingDecision = { included: false, reason: "noindex_meta" };

/** Listed or not, for the page at `url` (see module doc). The returned object is shared: spread it, never mutate. */
export function listingDecision(url: string, signals: ListingSignals, s: ListingSettings): ListingDecision {
  if (signals.crawlOnly) return CRAWL_ONLY;
  if (signals.noindexHeader && s.excludeNoindex) return NOINDEX_HEADER;
  if (signals.noindexMeta && s.excludeNoindex) return NOINDEX_META;
  if (signals.canonical !== null && signals.canonical !== url && s.respectCanonical) {
    return { included: false, reason: "canonical_elsewhere", target: signals.canonical };
  }
  return LISTED;
}

/**
 * The decision for a stored snapshot replayed on 304 Not Modified, under today's rules and settings (they may have
 * changed since the snapshot was taken). The snapshot keeps only its reason, so the signals are read back from it;
 * a snapshot left out by a rule that no longer applies stays left out (what else the page said is unknown).
 */
export function replayDecision(
  url: string,
  snap: Pick<PageSnapshot, "included" | "reason" | "target">,
  crawlOnly: boolean,
  s: ListingSettings,
): { included: boolean; reason: ExclusionReason | null; target: string | null } {
  const r = snap.included ? null : snap.reason;
  if (r !== null && r !== "noindex_header" && r !== "noindex_meta" && r !== "canonical_elsewhere") {
    return { included: false, reason: r, target: snap.target ?? null };
  }
  const d = listingDecision(
    url,
    {
      crawlOnly,
      noindexHeader: r === "noindex_header",
      noindexMeta: r === "noindex_meta",
      // "" stands for "another URL" when an old snapshot kept no target.
      canonical: r === "canonical_elsewhere" ? (snap.target ?? "") : null,
    },
    s,
  );
  return d.included ? { included: true, reason: null, target: null } : { included: false, reason: d.reason, target: "target" in d ? d.target || null : null };
}
