/**
 * The crawl frontier (URLs waiting to be fetched) and the seen-set (every normalised URL met so far), behind
 * one small interface so a later version can keep them in the database and resume a killed crawl.
 *
 * Contract the crawler relies on:
 * - `markSeen` is the only deduplication point: it returns true exactly once per URL.
 * - `push`/`shift` are FIFO. The crawler pushes depth d+1 only while processing depth d and waits for depth d
 *   to finish before starting d+1, so FIFO order is BFS order.
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

/** A URL waiting to be fetched, with its link distance from the start URL (start = 0). */
export type FrontierItem = { url: string; depth: number };

export type FrontierStore = {
  /** Marks a normalised URL as seen. True when it had not been seen before. */
  markSeen(url: string): boolean | Promise<boolean>;
  /** Appends an item to the queue. */
  push(item: FrontierItem): void | Promise<void>;
  /** Removes and returns the oldest queued item, or null when the queue is empty. */
  shift(): FrontierItem | null | Promise<FrontierItem | null>;
  /** Optional: the item's visit finished and its records were emitted (see module doc). */
  complete?(item: FrontierItem): void | Promise<void>;
  /** Optional: items queued now (for progress after a resume). */
  size?(): number | Promise<number>;
};

/** In-memory {@link FrontierStore}: a Set for the seen-set and an array queue with amortised O(1) shift. */
export function createMemoryFrontier(): FrontierStore & { seenCount(): number; queued(): number } {
  const seen = new Set<string>();
  let queue: FrontierItem[] = [];
  let head = 0;
  return {
    markSeen(url) {
      if (seen.has(url)) return false;
      seen.add(url);
      return true;
    },
    push(item) {
      queue.push(item);
    },
    shift() {
      if (head >= queue.length) return null;
      const item = queue[head];
      head++;
      // Drop the consumed prefix now and then so a long crawl does not keep every item ever queued.
      if (head >= 1024 && head * 2 >= queue.length) {
        queue = queue.slice(head);
        head = 0;
      }
      return item;
    },
    seenCount: () => seen.size,
    queued: () => queue.length - head,
    size: () => queue.length - head,
  };
}
