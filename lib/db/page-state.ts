/**
 * What was last seen of each page of a sitemap, across runs (table PageState, key `(sitemapId, url)`): the hash of
 * its main content, when that hash was first seen (the page's truthful `lastmod`), the validators of the last full
 * fetch (ETag, Last-Modified) and a snapshot of what that fetch found, replayed when the server answers 304.
 *
 * Truthful lastmod: a hash of each page's main content; lastmod is the time that hash was first seen; else the
 * Last-Modified header; else omitted. Rules, applied per page with a content hash:
 * - Hash equal to the stored one → `hashFirstSeenAt` is kept. Two runs over unchanged content therefore give
 *   identical lastmod values, whatever the server's clock or headers do meanwhile.
 * - Hash never seen for this sitemap+URL (first run, or a new page) → the page's `Last-Modified` header when it is
 *   present and not in the future, else the time the hash was seen. We take the header on first sight because it is
 *   the server's own statement of when this content appeared, and it is older (so truer) than our first visit;
 *   without it, the only fact we have is "this content existed when we saw it".
 * - Hash differs from the stored one → the `Last-Modified` header when it is newer than the stored first-seen time
 *   (the server says when the change happened), else the time the new hash was seen (the change happened between
 *   our two visits; we report the visit that proved it).
 * Pages without a hash (the crawler computes it for HTML pages answered 200) keep the header (`CrawlRecord.lastmod`)
 * or no lastmod at all; PageState has no row for them.
 * Times are whole seconds (the sitemap's W3C Datetime shows seconds), stored as UTC `timestamp(3)`.
 *
 * Writes are batched: `upsertPageStatesSql` stores a whole batch of pages in one statement (two when the batch mixes
 * full fetches and 304 replays), as parts of the crawl journal's one statement per batch (lib/db/frontier.ts). Reads for conditional requests are batched too: `createRevalidator`
 * coalesces the lookups of the pages about to be fetched into one query per event-loop turn.
 *
 * Errors: database errors propagate (the crawl step fails and is retried).
 */
import { createHash } from "node:crypto";
import { Prisma } from "@/generated/prisma/client";
import type { PageSnapshot } from "@/lib/core/types";
import { getDb } from "./client";

/** A transaction client or the process client. */
type Tx = Prisma.TransactionClient | ReturnType<typeof getDb>;

/** One page observed by a crawl, as stored in PageState. */
export type PageObservation = {
  /** Normalised absolute URL (the record's `url`). */
  url: string;
  /** hex sha256 of the page's main content (CrawlRecord.contentHash). */
  contentHash: string;
  /** Validators of the response, verbatim (CrawlRecord.etag / lastModifiedHeader); null when absent. */
  etag: string | null;
  lastModified: string | null;
  /** ISO 8601 form of the Last-Modified header (CrawlRecord.lastmod), or null. */
  lastModifiedIso: string | null;
  /** When the crawl saw the page (any precision; stored truncated to whole seconds). */
  seenAt: Date;
  /**
   * What the full fetch found, for a later 304 replay; null when unknown (then no replay is offered next time,
   * which costs one full fetch and is always safe). Ignored for `replayed` pages (their stored snapshot stays).
   */
  snapshot: StoredSnapshot | null;
  /** The server answered 304 and the crawler replayed the stored snapshot: keep the snapshot, refresh validators. */
  replayed: boolean;
};

/** Truncates to whole seconds: what the sitemap shows is what we store, so reruns compare equal. */
export const toWholeSeconds = (d: Date): Date => new Date(Math.floor(d.getTime() / 1000) * 1000);

/** `Last-Modified` as a first-seen candidate: a valid date not after `seenAt`, in whole seconds; else null. */
function headerTime(iso: string | null, seenAt: Date): Date | null {
  if (!iso) return null;
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms) || ms > seenAt.getTime()) return null;
  return toWholeSeconds(new Date(ms));
}

const utc = (d: Date) => d.toISOString();

/**
 * Stores a batch of observed pages and returns each page's `hashFirstSeenAt` (its lastmod), by URL.
 * Rules in the module doc. Idempotent: storing the same observation again changes nothing but `updatedAt`, so a
 * retried or resumed crawl never moves a lastmod.
 * @param tx a transaction or the process client.
 */
export async function upsertPageStates(tx: Tx, sitemapId: string, pages: PageObservation[]): Promise<Map<string, Date>> {
  const out = new Map<string, Date>();
  const returning = Prisma.sql`RETURNING s.url AS url, to_char(s."hashFirstSeenAt", 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS first`;
  for (const statement of upsertPageStatesSql(sitemapId, pages, returning)) {
    for (const r of await tx.$queryRaw<{ url: string; first: string }[]>(statement)) out.set(r.url, new Date(r.first));
  }
  return out;
}

/**
 * The statements that store a batch of observed pages (rules in the module doc), each ending in `returning`: none for
 * no pages, one per kind present (full fetches, 304 replays; a statement may not update a row twice, so each URL
 * appears once, its last observation). lib/db/frontier.ts persistCrawlBatch runs them as parts of its one statement
 * per journal batch; {@link upsertPageStates} runs them on their own.
 */
export function upsertPageStatesSql(sitemapId: string, pages: PageObservation[], returning: Prisma.Sql): Prisma.Sql[] {
  if (!pages.length) return [];
  // One row per URL: ON CONFLICT DO UPDATE may not touch a row twice in one statement (the last observation wins).
  const unique = [...new Map(pages.map((p) => [p.url, p])).values()];
  const rows = unique.map((p) => {
    const seen = toWholeSeconds(p.seenAt);
    return {
      url: p.url,
      hash: p.contentHash,
      // The value for a hash new to this URL; the ON CONFLICT branch decides whether it applies.
      first: utc(headerTime(p.lastModifiedIso, seen) ?? seen),
      seen: utc(seen),
      etag: p.etag,
      lm: p.lastModified,
      snap: p.replayed || !p.snapshot ? null : compactSnapshot(p.snapshot),
      replayed: p.replayed,
    };
  });
  const fresh = rows.filter((r) => !r.replayed);
  const replayed = rows.filter((r) => r.replayed);
  // In the CASE: `first` > stored first-seen can only come from a newer Last-Modified header or from `seen` itself;
  // when the header is older than what we knew, the change is dated by our visit (`updatedAt` = seen) instead.
  const firstSeen = Prisma.sql`CASE
        WHEN s."contentHash" = EXCLUDED."contentHash" THEN s."hashFirstSeenAt"
        WHEN EXCLUDED."hashFirstSeenAt" > s."hashFirstSeenAt" THEN EXCLUDED."hashFirstSeenAt"
        ELSE EXCLUDED."updatedAt" END`;
  const insert = (list: typeof rows) => Prisma.sql`
    INSERT INTO "PageState" AS s ("sitemapId", "url", "contentHash", "hashFirstSeenAt", "etag", "lastModified", "snapshot", "updatedAt")
    SELECT ${sitemapId}, r.url, r.hash, (r.first AT TIME ZONE 'UTC'), r.etag, r.lm, r.snap, (r.seen AT TIME ZONE 'UTC')
    FROM jsonb_to_recordset(${JSON.stringify(list)}::jsonb)
      AS r(url text, hash text, first timestamptz, seen timestamptz, etag text, lm text, snap jsonb)`;
  const out: Prisma.Sql[] = [];
  if (fresh.length) {
    // A full fetch replaces validators and snapshot (null = links unknown: no replay next time).
    out.push(Prisma.sql`${insert(fresh)}
        ON CONFLICT ("sitemapId", "url") DO UPDATE SET
          "hashFirstSeenAt" = ${firstSeen}, "contentHash" = EXCLUDED."contentHash", "etag" = EXCLUDED."etag",
          "lastModified" = EXCLUDED."lastModified", "snapshot" = EXCLUDED."snapshot", "updatedAt" = EXCLUDED."updatedAt"
        ${returning}`);
  }
  if (replayed.length) {
    // A 304 replay keeps the stored snapshot, and the stored validators unless the 304 repeats them (RFC 9110
    // §15.4.5: a 304 carries only the validators a 200 would have sent, so it may omit some).
    out.push(Prisma.sql`${insert(replayed)}
        ON CONFLICT ("sitemapId", "url") DO UPDATE SET
          "hashFirstSeenAt" = ${firstSeen}, "contentHash" = EXCLUDED."contentHash",
          "etag" = COALESCE(EXCLUDED."etag", s."etag"), "lastModified" = COALESCE(EXCLUDED."lastModified", s."lastModified"),
          "updatedAt" = EXCLUDED."updatedAt"
        ${returning}`);
  }
  return out;
}

/** What the crawler needs for a conditional request, and what it replays on 304. */
export type Revalidation = { etag?: string; lastModified?: string; snapshot: PageSnapshot };

const isSnapshot = (v: unknown): v is PageSnapshot =>
  typeof v === "object" && v !== null && Array.isArray((v as PageSnapshot).links) && typeof (v as PageSnapshot).included === "boolean";

/**
 * Reads the stored validators and snapshots of `urls` (one query). Pages without a snapshot or without any
 * validator are left out: a conditional request is only worth sending when a 304 can be replayed. With
 * `fingerprint`, so are snapshots taken under other crawl settings (see `StoredSnapshot.settings`).
 */
export async function loadRevalidations(sitemapId: string, urls: string[], fingerprint?: string): Promise<Map<string, Revalidation>> {
  const out = new Map<string, Revalidation>();
  if (!urls.length) return out;
  const rows = await getDb().pageState.findMany({
    where: { sitemapId, url: { in: urls } },
    select: { url: true, etag: true, lastModified: true, snapshot: true },
  });
  for (const r of rows) {
    const stored = expandSnapshot(r.snapshot);
    if (!stored || (!r.etag && !r.lastModified)) continue;
    const { settings, ...snapshot } = stored;
    if (fingerprint !== undefined && settings !== fingerprint) continue;
    out.set(r.url, {
      ...(r.etag ? { etag: r.etag } : {}),
      ...(r.lastModified ? { lastModified: r.lastModified } : {}),
      snapshot,
    });
  }
  return out;
}

/**
 * The crawler's `revalidate` hook for one sitemap: `(url) => validators + snapshot | null`.
 * Lookups made in the same event-loop turn (the crawler starts up to `concurrency` fetches at once) are answered by
 * one query of at most `maxBatch` URLs. When the sitemap has no stored page at all (its first run) every lookup
 * answers null without a query. `fingerprint`: only snapshots stored with it are replayed.
 */
export function createRevalidator(
  sitemapId: string,
  opts: { maxBatch?: number; fingerprint?: string } = {},
): (url: string) => Promise<Revalidation | null> {
  const maxBatch = opts.maxBatch ?? 200;
  let hasAny: Promise<boolean> | null = null;
  type Waiter = { resolve: (v: Revalidation | null) => void; reject: (e: unknown) => void };
  let pending = new Map<string, Waiter[]>();
  let scheduled = false;

  const run = async (batch: Map<string, Waiter[]>) => {
    try {
      const found = await loadRevalidations(sitemapId, [...batch.keys()], opts.fingerprint);
      for (const [url, waiters] of batch) for (const w of waiters) w.resolve(found.get(url) ?? null);
    } catch (err) {
      for (const waiters of batch.values()) for (const w of waiters) w.reject(err);
    }
  };
  const drain = () => {
    scheduled = false;
    const all = pending;
    pending = new Map();
    let batch = new Map<string, Waiter[]>();
    for (const [url, waiters] of all) {
      batch.set(url, waiters);
      if (batch.size >= maxBatch) {
        void run(batch);
        batch = new Map();
      }
    }
    if (batch.size) void run(batch);
  };

  return async (url: string) => {
    hasAny ??= getDb()
      .pageState.findFirst({ where: { sitemapId }, select: { url: true } })
      .then((r) => r !== null);
    if (!(await hasAny)) return null;
    return new Promise<Revalidation | null>((resolve, reject) => {
      const waiters = pending.get(url);
      if (waiters) waiters.push({ resolve, reject });
      else pending.set(url, [{ resolve, reject }]);
      if (!scheduled) {
        scheduled = true;
        setImmediate(drain);
      }
    });
  };
}

/**
 * A snapshot as stored: the crawler's PageSnapshot plus `settings`, a fingerprint of the crawl settings that shaped it
 * (URL policy of its links, extensions extracted, rendering, our robots token). A snapshot taken under other settings
 * is not replayed: its links or extension data could be stale although the page did not change.
 */
export type StoredSnapshot = PageSnapshot & { settings?: string };

/**
 * A snapshot as the PageState column holds it since the crawl journal's writes were made cheaper: `links` as plain URL
 * strings (in the page's order) and `nofollow`, the indexes of the links marked nofollow (omitted when none). A link
 * as a {url, nofollow} object costs PostgreSQL five JSON tokens to parse instead of one, and ~60 % more bytes; the
 * snapshots were about 40 % of the journal's write time on PGlite (bench/RESULTS.md, generate-speed).
 * Snapshots stored earlier, with `{url, nofollow}` links, are read as they are ({@link expandSnapshot}).
 */
type CompactSnapshot = Omit<StoredSnapshot, "links"> & { links: string[]; nofollow?: number[] };

/** The stored form of a snapshot ({@link CompactSnapshot}). */
export function compactSnapshot(s: StoredSnapshot): CompactSnapshot {
  const nofollow: number[] = [];
  s.links.forEach((l, i) => {
    if (l.nofollow) nofollow.push(i);
  });
  return { ...s, links: s.links.map((l) => l.url), ...(nofollow.length ? { nofollow } : {}) };
}

/**
 * A stored snapshot as the crawler replays it, from either stored form (compact, or links as {url, nofollow}
 * objects); null when the value is not a snapshot.
 */
export function expandSnapshot(v: unknown): StoredSnapshot | null {
  if (!isSnapshot(v)) return null;
  const links = v.links as unknown[];
  if (!links.every((l) => typeof l === "string")) return v as StoredSnapshot;
  const { nofollow, ...rest } = v as unknown as CompactSnapshot;
  const marked = new Set(Array.isArray(nofollow) ? nofollow : []);
  return { ...rest, links: (links as string[]).map((url, i) => ({ url, nofollow: marked.has(i) })) };
}

/** Fingerprint of the settings a snapshot depends on (hex sha256 of their canonical JSON, first 16 characters). */
export function snapshotFingerprint(settings: Record<string, unknown>): string {
  const keys = [
    "queryPolicy",
    "queryAllowlist",
    "trailingSlash",
    "maxUrlLength",
    "images",
    "imageHosts",
    "hreflang",
    "video",
    "news",
    "newsPublicationName",
    "newsLanguage",
    "renderJs",
    "userAgent",
    // Listing switches decide a snapshot's included/reason and which of its links were followed.
    "excludeNoindex",
    "followNofollow",
    "respectCanonical",
  ];
  const picked = keys.map((k) => [k, settings[k] ?? null]);
  return createHash("sha256").update(JSON.stringify(picked)).digest("hex").slice(0, 16);
}

/** Defaults of {@link prunePageStates}. */
export const PAGE_STATE_KEEP_RUNS = 3;
export const PAGE_STATE_MAX_AGE_DAYS = 90;

/**
 * Forgets pages that vanished from a sitemap's crawls, so PageState does not grow forever with URLs the site no
 * longer links (or answers 404 / non-HTML for). Call it after a run succeeded. A row is deleted when
 * - none of the `keepRuns` most recent succeeded runs of the sitemap (default 3) fetched its page with status 200
 *   (a full fetch or a 304 replay: the run's inventory, RunUrl), or
 * - it was not observed (`updatedAt`, the crawl clock of its last observation) for `maxAgeDays` days before `now`
 *   (default 90), whatever the runs.
 * The first rule is membership in run inventories, not a comparison of timestamps, so it holds whatever clock the
 * crawl used; it does nothing until the sitemap has `keepRuns` succeeded runs. A pruned page that comes back is simply
 * new again: one full fetch, and its lastmod restarts from that observation (or its Last-Modified header).
 *
 * @param opts.keepRuns ≥ 1; opts.maxAgeDays > 0 (null: no age rule); opts.now for tests.
 * @returns the number of rows deleted. Errors: database errors propagate; RangeError for bad options.
 */
export async function prunePageStates(
  sitemapId: string,
  opts: { keepRuns?: number; maxAgeDays?: number | null; now?: Date; tx?: Tx } = {},
): Promise<number> {
  const keepRuns = opts.keepRuns ?? PAGE_STATE_KEEP_RUNS;
  const maxAgeDays = opts.maxAgeDays === undefined ? PAGE_STATE_MAX_AGE_DAYS : opts.maxAgeDays;
  if (!Number.isInteger(keepRuns) || keepRuns < 1) throw new RangeError(`keepRuns must be an integer ≥ 1, got ${keepRuns}`);
  if (maxAgeDays !== null && !(maxAgeDays > 0)) throw new RangeError(`maxAgeDays must be > 0 or null, got ${maxAgeDays}`);
  const db = opts.tx ?? getDb();
  const now = opts.now ?? new Date();
  let deleted = 0;
  const succeeded = await db.run.count({ where: { sitemapId, status: "succeeded" } });
  if (succeeded >= keepRuns) {
    deleted += await db.$executeRaw`
      DELETE FROM "PageState" ps
      WHERE ps."sitemapId" = ${sitemapId}
        AND NOT EXISTS (
          SELECT 1 FROM "RunUrl" ru
          JOIN (SELECT id FROM "Run" WHERE "sitemapId" = ${sitemapId} AND status = 'succeeded'
                ORDER BY "createdAt" DESC, id DESC LIMIT ${keepRuns}) r ON r.id = ru."runId"
          WHERE ru.url = ps.url AND ru.status = 200)`;
  }
  if (maxAgeDays !== null) {
    const cutoff = new Date(now.getTime() - maxAgeDays * 86_400_000);
    deleted += (await db.pageState.deleteMany({ where: { sitemapId, updatedAt: { lt: cutoff } } })).count;
  }
  return deleted;
}

/** Forgets every page of a sitemap (PageState has no foreign key to Sitemap: call it when a sitemap is deleted). */
export async function deletePageStates(sitemapId: string): Promise<number> {
  const { count } = await getDb().pageState.deleteMany({ where: { sitemapId } });
  return count;
}
