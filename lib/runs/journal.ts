/**
 * The crawl journal: buffers what the crawler reports (records, queued URLs, finished visits, page links) and writes
 * it in batches. It is what makes a killed crawl resumable without losing URLs (lib/db/frontier.ts) and without
 * refetching much ("crash mid-crawl → resume refetches ≤ 5 % of already-fetched pages").
 *
 * Nothing is lost: every batch is a prefix of the event stream (a cut takes everything buffered), and a batch is
 * written in one transaction. The crawler reports a visit's end (`FrontierStore.complete`) only after the visit's
 * records and all its links (queued or recorded) were reported, so a frontier row is deleted in the same transaction
 * as, or after, everything its page led to. A kill leaves every unfinished visit in the frontier; the resumed crawl
 * visits those again and rediscovers whatever their links led to.
 *
 * Little is refetched: what a kill costs is the visits not yet written as finished. Two things keep that small.
 * 1. Batches are cut only in a fresh macrotask (a setImmediate/setTimeout callback), never inside a crawler callback.
 *    The crawler handles a fetched page as "emit its record, report its links, queue or record each link, report the
 *    visit complete", and the only suspension points in that sequence are awaits on our own hooks, which never wait
 *    for I/O (they append to arrays and return). Those awaits resume within the same microtask drain, and a timer or
 *    setImmediate callback runs only when the microtask queue is empty, so at a cut no visit is half-reported: the
 *    batch holds whole visits. Only visits waiting on real I/O (fetch, robots.txt, the revalidation lookup) are
 *    unfinished, and those have reported nothing yet.
 * 2. Batch size adapts to the crawl: a batch is cut when it holds `max(minBatch, min(maxBatch, fraction × records so
 *    far))` records, or `intervalMs` after its first event. Fetched-but-unwritten pages are about one batch plus what
 *    arrives during one write, so ~2 % of the crawl plus the visits in flight; the floor keeps early batches from
 *    being one row each, the cap bounds a write. Measured on this 2-core machine (500-page site, concurrency
 *    4, SIGKILL after 250 and 400 pages): see lib/runs/durability.test.ts; the job path crawls a 3,000-page loopback
 *    site at ~1,600 pages/s on PostgreSQL and ~700 on PGlite (whose writes share the crawl's thread), against
 *    ~1,500 for the CLI's in-memory sink.
 * If the crawler ever did I/O in the middle of that sequence, nothing would be lost (the prefix rule above), but a
 * kill could cost a few more refetches; lib/runs/durability.test.ts measures the refetch rate after a SIGKILL.
 *
 * Back-pressure: when more than `maxBuffered` events wait (the database is slower than the crawl), `waitForRoom()` —
 * called by the frontier before handing out the next URL, never inside a visit — holds new fetches until the buffer
 * is written. Memory stays bounded by `maxBuffered` plus what the visits in flight report.
 *
 * Errors: a failed write is kept; the next hook call or `waitForRoom()`/`flushed()`/`drain()` throws it, which aborts
 * the crawl (the step fails and is retried, resuming from what was written).
 */
import type { CrawlRecord } from "@/lib/core/types";
import type { FrontierItem, FrontierStore } from "@/lib/crawl/frontier";
import { createMemoryFrontier } from "@/lib/crawl/frontier";

/** A link as the crawler reports it for a fully fetched page (`onPageLinks`). */
export type JournalLink = { url: string; nofollow: boolean };

export type JournalBatch = {
  /** Records in emission order. */
  records: CrawlRecord[];
  /** When each record was received (same index as `records`), ms since the epoch. */
  receivedAt: number[];
  /** Frontier pushes in queue order. */
  queued: FrontierItem[];
  /** Frontier items whose visit finished (all their records and links are in this batch or an earlier one). */
  completed: FrontierItem[];
  /** Links of the fully fetched pages of this batch, by page URL. */
  links: Map<string, JournalLink[]>;
};

export type JournalOptions = {
  /** Persists one batch (awaited; batches are written one at a time, in order). */
  write(batch: JournalBatch): Promise<void>;
  /** ms from a batch's first event to its cut. Default 50. */
  intervalMs?: number;
  /** Records per batch: floor. Default 4. */
  minBatch?: number;
  /** Records per batch: cap. Default 500. */
  maxBatch?: number;
  /**
   * Records per batch as a fraction of the records so far. Default 0.02: every batch has a fixed cost (on PGlite,
   * ~10–15 ms of the server thread each, bench/generate-phases.ts); 0.01 cut a 10k-page crawl into ~480 batches.
   */
  fraction?: number;
  /** Buffered events (records + pushes) above which `waitForRoom()` waits. Default 5,000. */
  maxBuffered?: number;
  /** Clock for `receivedAt` (tests). */
  now?: () => number;
  /**
   * Foreground gate (lib/runs/foreground.ts yieldToForeground): awaited before each batch is written ("write") and
   * before the journaled frontier hands out the next URL ("fetch"), so both step aside while HTTP requests are being
   * served. null = go on. Default: none. Deferring a write never reorders batches (the next cut waits for it).
   */
  yieldTo?: (step: "write" | "fetch") => Promise<void> | null;
};

export type CrawlJournal = {
  /** Buffers a record (synchronous by design; see module doc). */
  record(r: CrawlRecord): void;
  /** Buffers a frontier push. */
  queued(item: FrontierItem): void;
  /** Buffers the end of a frontier item's visit (FrontierStore.complete). */
  completed(item: FrontierItem): void;
  /** Buffers a fully fetched page's links. */
  pageLinks(url: string, links: readonly JournalLink[]): void;
  /** null when there is room; else a promise that resolves once a batch has been written. */
  waitForRoom(): Promise<void> | null;
  /** Resolves when everything buffered before the call has been written. */
  flushed(): Promise<void>;
  /** Writes everything still buffered and stops the timer; call after the crawl has settled. */
  drain(): Promise<void>;
  /** Stops the timer without writing (the crawl failed or was cancelled). */
  close(): void;
  /** Events buffered now (records + pushes). */
  buffered(): number;
  /** The foreground gate of JournalOptions.yieldTo: null = go on, else wait for the promise. */
  yieldToForeground(step: "write" | "fetch"): Promise<void> | null;
};

/**
 * A crawl journal writing through `opts` (batching and the no-loss rules in the module doc). Defaults: a batch is cut
 * 50 ms after its first event or at max(4, min(500, 2 % of the records so far)) records; `waitForRoom()` waits above
 * 5,000 buffered events. A failed batch write is thrown by every later call but close() (waiters are rejected with it).
 */
export function createCrawlJournal(opts: JournalOptions): CrawlJournal {
  const intervalMs = opts.intervalMs ?? 50;
  const minBatch = opts.minBatch ?? 4;
  const maxBatch = opts.maxBatch ?? 500;
  const fraction = opts.fraction ?? 0.02;
  const maxBuffered = opts.maxBuffered ?? 5_000;
  const now = opts.now ?? Date.now;

  let records: CrawlRecord[] = [];
  let receivedAt: number[] = [];
  let queued: FrontierItem[] = [];
  let completed: FrontierItem[] = [];
  let links = new Map<string, JournalLink[]>();
  let total = 0;
  let failure: { error: unknown } | null = null;
  let writing: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let immediate: NodeJS.Immediate | null = null;
  let closed = false;
  /** Batches cut so far, and batches written so far. */
  let cutSeq = 0;
  let doneSeq = 0;
  /** Callers waiting until batch number `target` is written. */
  let waiters: { target: number; resolve: () => void; reject: (e: unknown) => void }[] = [];

  const threshold = () => Math.max(minBatch, Math.min(maxBatch, Math.floor(total * fraction)));
  const size = () => records.length + queued.length + completed.length;
  const empty = () => size() === 0 && links.size === 0;
  const check = () => {
    if (failure) throw failure.error;
  };

  const settleWaiters = () => {
    const keep: typeof waiters = [];
    for (const w of waiters) {
      if (failure) w.reject(failure.error);
      else if (w.target <= doneSeq) w.resolve();
      else keep.push(w);
    }
    waiters = keep;
  };

  /** Runs only in a setImmediate/setTimeout callback: the one place a batch is cut (see the module doc). */
  const cut = () => {
    immediate = null;
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    if (writing || failure || empty()) return; // a running write re-schedules when it ends
    const batch: JournalBatch = { records, receivedAt, queued, completed, links };
    records = [];
    receivedAt = [];
    queued = [];
    completed = [];
    links = new Map();
    cutSeq++;
    const gate = opts.yieldTo?.("write");
    writing = (gate ? gate.then(() => opts.write(batch)) : opts.write(batch))
      .then(
        () => {
          doneSeq++;
        },
        (error: unknown) => {
          failure ??= { error };
        },
      )
      .finally(() => {
        writing = null;
        settleWaiters();
        // Cut the next batch in a fresh macrotask: this continuation may run inside a microtask drain.
        if (!failure && !empty()) schedule(records.length >= threshold() || waiters.length > 0);
      });
  };

  function schedule(soon: boolean) {
    if (closed) return;
    if (soon) {
      if (!immediate) immediate = setImmediate(cut);
    } else if (!timer && !immediate) {
      timer = setTimeout(cut, intervalMs);
    }
  }

  /** Waits until everything buffered now is written. */
  const waitForCurrent = (): Promise<void> => {
    check();
    const target = empty() ? cutSeq : cutSeq + 1;
    if (target <= doneSeq) return Promise.resolve();
    schedule(true);
    return new Promise<void>((resolve, reject) => waiters.push({ target, resolve, reject }));
  };

  const stop = () => {
    closed = true;
    if (timer) clearTimeout(timer);
    if (immediate) clearImmediate(immediate);
    timer = immediate = null;
  };

  return {
    record(r) {
      check();
      records.push(r);
      receivedAt.push(now());
      total++;
      schedule(records.length >= threshold());
    },
    queued(item) {
      check();
      queued.push(item);
      schedule(false);
    },
    completed(item) {
      check();
      completed.push(item);
      schedule(false);
    },
    pageLinks(url, l) {
      check();
      links.set(url, l.map((x) => ({ url: x.url, nofollow: x.nofollow })));
      schedule(false);
    },
    waitForRoom() {
      check();
      return size() <= maxBuffered ? null : waitForCurrent();
    },
    flushed: waitForCurrent,
    async drain() {
      while (!failure && (writing || !empty())) {
        if (writing) await writing;
        else await new Promise<void>((resolve) => setImmediate(() => (cut(), resolve())));
      }
      stop();
      settleWaiters();
      check();
    },
    close() {
      stop();
      const list = waiters;
      waiters = [];
      for (const w of list) w.reject(failure?.error ?? new Error("crawl journal closed"));
    },
    buffered: size,
    yieldToForeground: (step) => opts.yieldTo?.(step) ?? null,
  };
}

/**
 * A {@link FrontierStore} that journals its pushes and completions (so they are written with the records they came
 * with), and waits for the journal before handing out the next URL when too much is buffered. Queue and seen-set are
 * the crawler's in-memory store, seeded from a checkpoint (lib/db/frontier.ts `loadCrawlCheckpoint`): `recorded`
 * URLs are seen and never queued again; `queue` items are seen and queued in that order (their pushes are already
 * stored, so they are not journaled again).
 */
export function createJournaledFrontier(
  journal: CrawlJournal,
  seed: { recorded?: Iterable<string>; queue?: readonly FrontierItem[] } = {},
): FrontierStore & { queued(): number } {
  const inner = createMemoryFrontier();
  for (const url of seed.recorded ?? []) inner.markSeen(url);
  for (const item of seed.queue ?? []) {
    inner.markSeen(item.url);
    inner.push(item);
  }
  return {
    markSeen: (url) => inner.markSeen(url),
    push(item) {
      journal.queued(item);
      inner.push(item);
    },
    shift() {
      // Before the next fetch (and the parse that follows it): let HTTP requests in flight go first (bounded).
      const gate = journal.yieldToForeground("fetch");
      if (gate) return gate.then(() => journal.waitForRoom()).then(() => inner.shift());
      const wait = journal.waitForRoom();
      return wait ? wait.then(() => inner.shift()) : inner.shift();
    },
    complete(item) {
      journal.completed(item);
    },
    size: () => inner.queued(),
    queued: () => inner.queued(),
  };
}
