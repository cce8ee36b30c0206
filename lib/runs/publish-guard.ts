/**
 * The publish guard: a run whose listed URL count dropped too far below the published run's is held instead of
 * published, so a broken deploy that empties a site never wipes its sitemap.
 *
 * Rule: with `publishGuard` g (0..1, Sitemap.publishGuard; null = off) the run is held when
 *   newCount < (1 − g) × publishedCount
 * i.e. when it lists more than g × 100 % fewer URLs than the published run (default 0.3: a drop of more than 30 %).
 * Counts are URLs listed by the crawl (Run.urlsListed; pushed URLs are not counted). A sitemap with nothing published
 * (its first run) is never held, and neither is a run when the published run listed nothing. A run that lists nothing
 * at all is not held either: it fails ("nothing indexable"; the previous files stay served just the same), because
 * there would be nothing to publish anyway. Pure: no I/O.
 */
import type { THeldDetail } from "@/lib/schemas/runs";

export { DEFAULT_PUBLISH_GUARD } from "@/lib/schemas/sitemaps";

export type PublishGuardInput = {
  /** The sitemap's guard, 0..1, or null when it is off. */
  publishGuard: number | null;
  /** The run published now, or null when nothing is published yet. */
  published: { runId: string; urlsListed: number } | null;
  /** URLs this run listed. */
  newCount: number;
};

/** Held (with the reason and the counts for the run DTO and webhook), or not. */
export type PublishGuardVerdict = { hold: false } | { hold: true; reason: string; detail: THeldDetail };

/** Applies the rule of the module doc. */
export function publishGuardVerdict(input: PublishGuardInput): PublishGuardVerdict {
  const { publishGuard: g, published, newCount } = input;
  if (g === null || published === null || published.urlsListed <= 0 || newCount <= 0) return { hold: false };
  if (!(newCount < (1 - g) * published.urlsListed)) return { hold: false };
  const drop = 1 - newCount / published.urlsListed;
  const dropRatio = Math.round(drop * 10_000) / 10_000;
  const pct = (x: number) => `${Math.round(x * 1000) / 10} %`;
  return {
    hold: true,
    reason:
      `This run lists ${newCount.toLocaleString("en-US")} URLs, ${pct(drop)} fewer than the ` +
      `${published.urlsListed.toLocaleString("en-US")} of the published run (the publish guard allows a drop of ${pct(g)}), ` +
      "so its files were not published; the previous files stay served. Publish it anyway, or turn the guard off for this sitemap.",
    detail: { publishedRunId: published.runId, publishedCount: published.urlsListed, newCount, dropRatio, publishGuard: g },
  };
}
