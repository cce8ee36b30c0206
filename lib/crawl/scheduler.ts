/**
 * Frontier scheduling of one crawl: which queued URL runs next, at which depth, and when. Breadth-first without a
 * level barrier, with exact depths (see {@link createScheduler} run()). The crawler (lib/crawl/crawler.ts) owns the
 * checks and the visits; this module owns the queue bookkeeping and the dispatch loop.
 *
 * In:  a {@link FrontierStore} (lib/crawl/frontier.ts: lowest depth first, FIFO within a depth), the crawl's caps
 *      and callbacks ({@link SchedulerDeps}). Counters live in a shared {@link CrawlCounters} object, since redirect
 *      hops spend page requests too.
 * Errors: run() rejects with the first error of a visit or callback (running visits are awaited first), or with
 *      `signal.reason` when aborted.
 */
import type { ExclusionReason } from "@/lib/core/types";
import type { FrontierItem, FrontierStore } from "./frontier";

/** Counters shared by the scheduler and the crawler. */
export type CrawlCounters = {
  /** Page requests made (redirect hops included), counted against maxPages. */
  pagesFetched: number;
  /** Items in the frontier store (may briefly lag a pre-filled store; shown as ≥ 0). */
  queued: number;
};

/** What the scheduler needs from the crawl. */
export type SchedulerDeps = {
  frontier: FrontierStore;
  counters: CrawlCounters;
  maxDepth: number;
  maxPages: number;
  /**
   * True once the crawl must stop fetching although `maxPages` is not spent (its time budget): from then on every item
   * that comes out is recorded "max_pages", as when the page budget is spent. Asked only while pages remain.
   */
  stopped?: () => boolean;
  /**
   * True once this call of the crawl must pause (the end of a bounded job step, lib/runs/execute.ts): no new visit
   * starts, the visits under way finish, and what is still queued stays queued (no record), for the next step to
   * resume. Asked before each item is taken from the store, once at least one visit started (each call advances).
   */
  paused?: () => boolean;
  /** Visits running at once (≥ 1). */
  concurrency: number;
  signal?: AbortSignal;
  /**
   * The checks a URL beyond maxDepth skipped (trap caps, list_only, extensions), run when a shorter path brings it
   * back under the cap: a reason, "list" for list_only, or null to fetch it.
   */
  recheck(url: string): ExclusionReason | "list" | null;
  /** Records a URL settled without a fetch: "list" lists it, a reason leaves it out. */
  settle(url: string, depth: number, verdict: ExclusionReason | "list"): void | Promise<void>;
  /** Fetches one item (its records emitted before it resolves). */
  visit(item: FrontierItem): Promise<void>;
  /** Called after each visit completed (progress reporting). */
  afterVisit(): void | Promise<void>;
};

export type Scheduler = {
  /** Queues a newly seen URL at `depth`. */
  push(item: FrontierItem): void | Promise<void>;
  /** A seen URL met again at `depth`: lowers its depth in place when it is still queued deeper (see module doc). */
  lower(url: string, depth: number): void | Promise<void>;
  /** Items a pre-filled store holds already (a resume): made known so a shorter path can still move them up. */
  knowInStore(items: readonly FrontierItem[]): void;
  /**
   * Runs visits until the frontier is empty (see below), or until `paused()` and the visits under way have finished.
   * Resolves true when it paused with URLs still queued (the crawl is not done), false when the frontier is empty.
   */
  run(): Promise<boolean>;
  /**
   * Queued URLs whose depth a shorter path lowered in place (see module doc), with their lowered depth: a durable
   * store still holds them at the depth they were queued with, so a paused crawl hands these on to be stored.
   */
  lowered(): { url: string; depth: number }[];
};

/** `pending` value of a queued URL already recorded (its item is skipped when it comes out). */
const DONE = -1;

/**
 * Creates the scheduler of one crawl.
 *
 * Why depths stay exact: an item of depth d is dispatched only while every running visit has depth ≥ d-1. The
 * store hands out the lowest depth first, so nothing queued is shallower than d either, and every page that runs
 * from now on has depth ≥ d-1 and links at depth ≥ d: none can reach the item through a shorter path. While
 * a visit of depth ≤ d-2 still runs, the item waits (`held`); levels overlap by one, so the pipeline stays full
 * except behind a rare straggler two levels up. A queued URL that a shorter path reaches later gets the lower
 * depth in place (`lower`; by the argument above that is one level at most, so it still comes out before any
 * item two levels deeper; queued items so moved are also checked, `movedAtOrBelow`), and a URL beyond `maxDepth` gets
 * its "max_depth" record only when it is dispatched, i.e. once no shorter path can turn up. With a store that is
 * not lowest-depth-first, or after a resume, the same checks hold items back instead; when nothing runs, the
 * held item goes (exactness then rests on the store's order). Once `maxPages` requests are spent, every item that
 * comes out is recorded "max_pages".
 */
export function createScheduler(deps: SchedulerDeps): Scheduler {
  const { frontier, counters, maxDepth, signal } = deps;
  /**
   * URL → depth, for every URL this crawl queued (or was told is queued) and has not dispatched yet. A shorter path
   * found later lowers the depth here, in place: the store keeps the item where it is and run() dispatches it with
   * the lowered depth. `moved` holds the queued URLs so lowered, and `movedAt[d]` how many of them are at depth d
   * (usually none or a few), for run()'s check without scanning them; DONE marks a queued URL recorded early.
   */
  const pending = new Map<string, number>();
  const moved = new Map<string, number>();
  const movedAt: number[] = [];
  const unmove = (url: string) => {
    const d = moved.get(url);
    if (d === undefined) return;
    moved.delete(url);
    movedAt[d]--;
  };

  const push = (item: FrontierItem): void | Promise<void> => {
    counters.queued++;
    pending.set(item.url, item.depth);
    return frontier.push(item);
  };

  const lower = (url: string, depth: number): void | Promise<void> => {
    if (pending.size === 0) return;
    const current = pending.get(url);
    if (current === undefined || current === DONE || depth >= current) return;
    if (current > maxDepth && depth <= maxDepth) {
      const verdict = deps.recheck(url);
      if (verdict !== null) {
        pending.set(url, DONE);
        unmove(url);
        return settleEarly(url, depth, current, verdict);
      }
    }
    pending.set(url, depth);
    unmove(url);
    moved.set(url, depth);
    movedAt[depth] = (movedAt[depth] ?? 0) + 1;
  };
  const settleEarly = async (url: string, depth: number, queuedDepth: number, verdict: ExclusionReason | "list") => {
    await deps.settle(url, depth, verdict);
    // Its queue item is dead: a durable store may drop it now that the URL has its record.
    if (frontier.complete) await frontier.complete({ url, depth: queuedDepth });
  };

  const knowInStore = (items: readonly FrontierItem[]) => {
    for (const item of items) {
      const known = pending.get(item.url);
      if (known === undefined || item.depth < known) pending.set(item.url, item.depth);
    }
  };

  async function run(): Promise<boolean> {
    let inFlight = 0;
    let pausing = false;
    let dispatched = 0;
    /** Running visits per depth, and a lower bound of the smallest depth with one. */
    const runningAt: number[] = [];
    let lowRunning = 0;
    const minRunning = (): number => {
      if (inFlight === 0) return Infinity;
      while (!runningAt[lowRunning]) lowRunning++;
      return lowRunning;
    };
    /** True when a queued URL lowered in place, other than `url` itself, has a depth ≤ `max`. */
    const movedAtOrBelow = (max: number, url: string): boolean => {
      const own = moved.get(url);
      for (let d = 0; d <= max; d++) if ((movedAt[d] ?? 0) - (own === d ? 1 : 0) > 0) return true;
      return false;
    };
    const finish = async (item: FrontierItem, reason: ExclusionReason) => {
      await deps.settle(item.url, item.depth, reason);
      if (frontier.complete) await frontier.complete(item);
    };
    let held: FrontierItem | null = null;
    let failure: { error: unknown } | null = null;
    let wake: (() => void) | null = null;
    const running = new Set<Promise<void>>();

    while (!failure && !signal?.aborted) {
      while (inFlight < deps.concurrency && !failure) {
        // At least one visit per call, so a crawl resumed step after step always advances (a slow start-up).
        if (!pausing && dispatched > 0 && deps.paused?.()) pausing = true;
        if (pausing) break;
        let item: FrontierItem | null = held;
        held = null;
        if (item === null) {
          item = await frontier.shift();
          if (item === null) break;
          counters.queued--;
        }
        const known = pending.get(item.url);
        if (known === DONE) {
          pending.delete(item.url); // recorded when a shorter path brought it under maxDepth
          continue;
        }
        if (known !== undefined && known < item.depth) item = { url: item.url, depth: known }; // lowered in place
        // Wait while a running page, or a queued one moved up, is two or more levels shallower (see above).
        if (item.depth - 1 > minRunning() || (moved.size > 0 && movedAtOrBelow(item.depth - 2, item.url))) {
          if (inFlight > 0) {
            held = item;
            break;
          }
        }
        if (known !== undefined) {
          pending.delete(item.url);
          unmove(item.url);
        }
        if (item.depth > maxDepth) {
          await finish(item, "max_depth");
          continue;
        }
        if (counters.pagesFetched >= deps.maxPages || deps.stopped?.()) {
          await finish(item, "max_pages");
          continue;
        }
        counters.pagesFetched++;
        dispatched++;
        inFlight++;
        const current = item;
        const d = current.depth;
        runningAt[d] = (runningAt[d] ?? 0) + 1;
        if (d < lowRunning) lowRunning = d;
        const task: Promise<void> = deps
          .visit(current)
          // An aborted visit left no record: its item must stay queued in a durable store.
          .then(() => (frontier.complete && !signal?.aborted ? frontier.complete(current) : undefined))
          .then(() => deps.afterVisit())
          .catch((error: unknown) => {
            failure ??= { error };
          })
          .finally(() => {
            inFlight--;
            runningAt[d]--;
            running.delete(task);
            wake?.();
          });
        running.add(task);
      }
      if (inFlight === 0) {
        if (held !== null && !pausing) continue;
        break;
      }
      await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
    }
    await Promise.allSettled(running);
    if (failure) throw (failure as { error: unknown }).error;
    signal?.throwIfAborted();
    // A held item was taken from the store's memory but not visited: a durable store still holds its row.
    return pausing && (held !== null || (await frontier.size?.()) !== 0);
  }

  const lowered = () => [...moved].map(([url, depth]) => ({ url, depth }));

  return { push, lower, knowInStore, run, lowered };
}
