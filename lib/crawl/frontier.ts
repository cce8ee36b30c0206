/**
 * The crawl frontier (URLs waiting to be fetched) and the seen-set (every normalised URL met so far), behind
 * one small interface so a later version can keep them in the database and resume a killed crawl.
 *
 * Contract the crawler relies on:
 * - `markSeen` is the only deduplication point: it returns true exactly once per URL.
 * - `shift` returns an item of the LOWEST depth queued, first in, first out within one depth (the in-memory store
 *   does). The crawler's scheduler (lib/crawl/scheduler.ts run()) uses this to know that nothing shallower than the
 *   item just shifted is waiting; a plain FIFO store still gives exact depths, only with less parallelism.
 * - A URL is pushed once. When the crawler finds a shorter path to a queued URL it lowers the depth in its own
 *   bookkeeping and dispatches the item with that depth when it comes out; stores never see the change (a durable
 *   store keeps the first depth, which a resumed crawl corrects the same way: `CrawlOptions.seed.inStore`).
 * - `complete(item)`, when present, is called once the item's records have been handed to `onRecord` (so a
 *   durable store can drop it from its queue only then: a worker killed mid-visit refetches at most the items
 *   in flight, i.e. ≤ concurrency pages).
 * Methods may return promises (a DB-backed store); the in-memory store answers synchronously.
 * Memory of the in-memory store: the seen-set's strings plus queued items; no page bodies.
 *
 * Resuming a killed crawl: give the crawler a store whose seen-set already holds every URL met (recorded or
 * queued) and whose queue holds the URLs not yet recorded — either a store of your own (DB-backed) or the
 * in-memory one filled through `CrawlOptions.seed`. A URL already seen is never queued again (the start URL
 * included), so nothing recorded before is fetched again.
 */

/**
 * A URL waiting to be fetched, with its link distance from the start URL (start = 0) and, when a page's link queued
 * it, that page (`from`: the record's "found on"; a durable store keeps it so a resumed crawl still knows it).
 */
export type FrontierItem = { url: string; depth: number; from?: string | null };

export type FrontierStore = {
  /** Marks a normalised URL as seen. True when it had not been seen before. */
  markSeen(url: string): boolean | Promise<boolean>;
  /** Appends an item to the queue of its depth. */
  push(item: FrontierItem): void | Promise<void>;
  /** Removes and returns the oldest item of the lowest depth queued, or null when the queue is empty. */
  shift(): FrontierItem | null | Promise<FrontierItem | null>;
  /** Optional: the item's visit finished and its records were emitted (see module doc). */
  complete?(item: FrontierItem): void | Promise<void>;
  /** Optional: items queued now (for progress after a resume). */
  size?(): number | Promise<number>;
};

/** One depth's FIFO queue: an array with a moving head (amortised O(1) shift). */
type Bucket = { items: FrontierItem[]; head: number };

/**
 * In-memory {@link FrontierStore}: a Set for the seen-set and one FIFO queue per depth; `shift` serves the lowest
 * non-empty depth (O(1) amortised: depths only grow while a level drains, and a lower push moves the cursor back).
 */
export function createMemoryFrontier(): FrontierStore & { seenCount(): number; queued(): number } {
  const seen = new Set<string>();
  const buckets: (Bucket | undefined)[] = [];
  let low = 0;
  let count = 0;
  return {
    markSeen(url) {
      if (seen.has(url)) return false;
      seen.add(url);
      return true;
    },
    push(item) {
      const d = item.depth;
      let b = buckets[d];
      if (b === undefined) b = buckets[d] = { items: [], head: 0 };
      b.items.push(item);
      count++;
      if (d < low) low = d;
    },
    shift() {
      if (count === 0) return null;
      for (;;) {
        const b = buckets[low];
        if (b !== undefined && b.head < b.items.length) {
          const item = b.items[b.head];
          b.head++;
          count--;
          if (b.head === b.items.length) {
            b.items = [];
            b.head = 0;
          } else if (b.head >= 1024 && b.head * 2 >= b.items.length) {
            // Drop the consumed prefix now and then so a long crawl does not keep every item ever queued.
            b.items = b.items.slice(b.head);
            b.head = 0;
          }
          return item;
        }
        low++;
      }
    },
    seenCount: () => seen.size,
    queued: () => count,
    size: () => count,
  };
}
