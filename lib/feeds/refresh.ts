/**
 * One feed refresh: `refreshFeed(feedId, { refreshId })`.
 *
 *  1. robots.txt of foundUrl's origin (lib/crawl/robots.ts, RFC 9309): unreachable (5xx, network) or a Disallow
 *     for foundUrl fails the refresh; item URLs it disallows are skipped.
 *  2. foundUrl through the crawler's guarded fetcher (lib/crawl/fetch.ts: SSRF guard, CRAWL_ALLOW_HOSTS, deadline
 *     15,000 ms, body cap 5 MiB), following up to 5 redirects (each hop re-checked); a non-2xx or non-HTML answer
 *     fails the refresh.
 *  3. Links in document order (extract.ts, the feed's mask), robots-allowed, first `itemsLimit`.
 *  4. Each URL not yet stored is fetched (4 at a time) for its title and date; by `pubDateSource`:
 *     page → the page's own date (JSON-LD datePublished, article:published_time, <time datetime>) → Last-Modified;
 *     server → Last-Modified; first_seen → none. An item without a date shows its firstSeenAt, which is stored once
 *     and never changes — a feed never dates items "now" on every refresh. Known URLs are not fetched again (their
 *     title and date are kept). A failed item fetch keeps the link text as the title.
 *  5. Items saved (lib/db/feeds.ts saveFeedItems), the document rendered (render.ts; the rss template when set) in
 *     the stable order of feedOrder, and published atomically (files.ts). On any failure the previous file stays
 *     served and the feed records `lastError`.
 *  6. Credits: one per 100 pages fetched (at least 1), debited once per `refreshId` (lib/quota/credits.ts);
 *     `lastCost` stores it.
 *
 * Returns { skipped, items, newItems, pagesFetched, cost }. Errors: FeedRefreshError (a message for the user; the
 * feed is marked failed before it is thrown); unexpected errors are thrown after marking the feed failed.
 */
import type { Feed } from "@/lib/db/feeds";
import { DEFAULT_USER_AGENT } from "@/lib/core/types";
import { createFetcher, headerValue, type Fetcher, type FetchResult } from "@/lib/crawl/fetch";
import { decodeHtml } from "@/lib/crawl/html";
import { createRobotsCache, type RobotsCache } from "@/lib/crawl/robots";
import { feedOrder, feedPublicUrl, finishFeedRefresh, knownFeedItems, loadFeedForRefresh, markFeedRunning, saveFeedItems } from "@/lib/db/feeds";
import { loadTemplateById } from "@/lib/db/templates";
import { debitRunCredits } from "@/lib/quota/credits";
import { stripInvalidXmlChars } from "@/lib/sitemap/xml";
import { compileMask, extractItemMeta, extractLinks, MaskError, warmMaskCheck, type MaskSyntax } from "./extract";
import { writeFeedFile } from "./files";
import { encodeFeed, renderFeedXml, type FeedEncoding, type FeedFormat } from "./render";

export const FEED_FETCH_TIMEOUT_MS = 15_000;
export const FEED_MAX_PAGE_BYTES = 5 * 1024 * 1024;
export const FEED_ITEM_CONCURRENCY = 4;
const MAX_REDIRECTS = 5;

/**
 * A refresh that failed for a reason the user can act on (mask, robots.txt, the source page); its message is stored as
 * the feed's `lastError`.
 */
export class FeedRefreshError extends Error {}

export type RefreshOptions = {
  /** Identifies this refresh for the credit ledger (a retried step passes the same id and is not charged twice). */
  refreshId: string;
  /** Clock for firstSeenAt/lastSeenAt (tests). */
  now?: Date;
  /** Fetcher override (tests); default: createFetcher with CRAWL_ALLOW_HOSTS. */
  fetcher?: Fetcher;
};

export type RefreshResult = { skipped: boolean; items: number; newItems: number; pagesFetched: number; cost: number };

const isHtml = (r: FetchResult) => /^(text\/html|application\/xhtml\+xml)/i.test(r.contentType ?? "text/html");

/** GET with redirects followed (≤ 5 hops, each through the guard). */
async function get(fetcher: Fetcher, url: string, counter: { pages: number }): Promise<FetchResult> {
  let current = url;
  for (let hop = 0; ; hop++) {
    counter.pages++;
    const r = await fetcher.fetch(current);
    if (r.status !== null && r.status >= 300 && r.status < 400 && r.location && hop < MAX_REDIRECTS) {
      current = r.location;
      continue;
    }
    return { ...r, url: current };
  }
}

/** The crawler's decoding: BOM → Content-Type charset → <meta charset> → UTF-8 (lib/crawl/html.ts). */
const pageText = (r: FetchResult): string => decodeHtml(r.body ?? Buffer.alloc(0), r.contentType).text;

function lastModified(r: FetchResult): Date | null {
  const v = headerValue(r.headers, "last-modified");
  const t = v ? Date.parse(v) : NaN;
  return Number.isNaN(t) ? null : new Date(t);
}

async function allowed(robots: RobotsCache, url: string): Promise<boolean> {
  return (await robots.get(new URL(url).origin)).isAllowed(url);
}

async function mapPool<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}

/**
 * Runs one refresh of the feed (steps 1–6 of the module doc) and resolves with its counts; `skipped: true` and zeros
 * when the feed no longer exists. The feed is marked running first and finished (ok, or failed with the error's
 * message) last; credits are debited for the pages fetched, also on a failure after the first page. Throws
 * FeedRefreshError or the unexpected error after marking the feed failed.
 */
export async function refreshFeed(feedId: string, opts: RefreshOptions): Promise<RefreshResult> {
  const feed = await loadFeedForRefresh(feedId);
  if (!feed) return { skipped: true, items: 0, newItems: 0, pagesFetched: 0, cost: 0 };
  const now = opts.now ?? new Date();
  await markFeedRunning(feed.id);
  const fetcher = opts.fetcher ?? createFetcher({ userAgent: DEFAULT_USER_AGENT, timeoutMs: FEED_FETCH_TIMEOUT_MS, maxBodyBytes: FEED_MAX_PAGE_BYTES });
  const counter = { pages: 0 };
  let cost = 0;
  try {
    const result = await run(feed, fetcher, counter, now);
    cost = await charge(feed, opts.refreshId, counter.pages);
    await finishFeedRefresh(feed.id, { ok: true, at: now, cost });
    return { ...result, skipped: false, pagesFetched: counter.pages, cost };
  } catch (err) {
    if (counter.pages > 0) cost = await charge(feed, opts.refreshId, counter.pages).catch(() => 0);
    await finishFeedRefresh(feed.id, { ok: false, error: err instanceof Error ? err.message : String(err), at: now, ...(counter.pages > 0 ? { cost } : {}) });
    throw err;
  } finally {
    if (!opts.fetcher) await fetcher.close();
  }
}

async function charge(feed: Feed, refreshId: string, pages: number): Promise<number> {
  const debit = await debitRunCredits({ userId: feed.userId, runId: `feed:${feed.id}:${refreshId}`, pagesFetched: pages });
  return debit.cost;
}

async function run(feed: Feed, fetcher: Fetcher, counter: { pages: number }, now: Date): Promise<{ items: number; newItems: number }> {
  let mask: ReturnType<typeof compileMask>;
  await warmMaskCheck(feed.linkMask, feed.maskSyntax as MaskSyntax);
  try {
    mask = compileMask(feed.linkMask, feed.maskSyntax as MaskSyntax);
  } catch (err) {
    // A mask stored before the input checks existed (e.g. a regex that backtracks catastrophically) never runs.
    if (err instanceof MaskError) throw new FeedRefreshError(`The link mask cannot run: ${err.message} Edit the feed.`);
    throw err;
  }
  const robots = createRobotsCache({ fetcher, userAgent: DEFAULT_USER_AGENT });
  const origin = new URL(feed.foundUrl).origin;
  const policy = await robots.get(origin);
  if (policy.outcome === "blocked") throw new FeedRefreshError(`${origin} may not be fetched from this server (private or loopback address).`);
  if (policy.outcome === "unreachable") throw new FeedRefreshError(`robots.txt of ${origin} could not be read (${policy.error ?? "unreachable"}); nothing was fetched.`);
  if (!policy.isAllowed(feed.foundUrl)) throw new FeedRefreshError(`robots.txt of ${origin} disallows ${feed.foundUrl}.`);

  const page = await get(fetcher, feed.foundUrl, counter);
  if (page.error) throw new FeedRefreshError(`${feed.foundUrl} could not be fetched: ${page.error.message}`);
  if (page.status === null || page.status < 200 || page.status >= 300) throw new FeedRefreshError(`${feed.foundUrl} answered HTTP ${page.status}.`);
  if (!isHtml(page)) throw new FeedRefreshError(`${feed.foundUrl} is not an HTML page (${page.contentType}).`);

  const links = extractLinks(pageText(page), page.url, mask);
  const chosen: typeof links = [];
  for (const l of links) {
    if (chosen.length >= feed.itemsLimit) break;
    if (await allowed(robots, l.url)) chosen.push(l);
  }

  const known = await knownFeedItems(feed.id);
  const fresh = chosen.filter((l) => !known.has(l.url));
  const fetched = await mapPool(fresh, FEED_ITEM_CONCURRENCY, async (l) => {
    const r = await get(fetcher, l.url, counter);
    const okHtml = !r.error && r.status !== null && r.status >= 200 && r.status < 300 && isHtml(r);
    const meta = okHtml ? extractItemMeta(pageText(r)) : { title: null, description: null, date: null };
    const server = !r.error && r.status !== null && r.status < 300 ? lastModified(r) : null;
    // Dates in the future are clock errors or scheduled posts: do not let them pin the top of the feed.
    const sane = (d: Date | null) => (d && d.getTime() <= now.getTime() + 60_000 ? d : null);
    const pubDate = feed.pubDateSource === "page" ? (sane(meta.date) ?? sane(server)) : feed.pubDateSource === "server" ? sane(server) : null;
    return { url: l.url, title: meta.title || l.text || l.url, description: meta.description, pubDate };
  });
  const byUrl = new Map(fetched.map((f) => [f.url, f]));
  const rows = chosen.map((l, position) => {
    const k = known.get(l.url);
    const f = byUrl.get(l.url);
    const title = stripInvalidXmlChars(k?.title ?? f?.title ?? l.url).slice(0, 1000);
    const description = k ? k.description : f?.description ? stripInvalidXmlChars(f.description) : null;
    return { url: l.url, title, description, pubDate: k ? k.pubDate : (f?.pubDate ?? null), position, isNew: !k };
  });
  await saveFeedItems(feed.id, now, rows);

  const stored = await knownFeedItems(feed.id);
  const ordered = feedOrder([...stored.values()].filter((r) => r.position !== null));
  const template = feed.templateId ? await loadTemplateById(feed.templateId) : null;
  const xml = await renderFeedXml(
    {
      format: feed.format as FeedFormat,
      encoding: feed.encoding as FeedEncoding,
      title: feed.channelTitle || feed.name,
      link: feed.foundUrl,
      description: `Links found on ${feed.foundUrl}`,
      image: feed.channelImage,
      webmaster: feed.webmaster,
      selfUrl: feedPublicUrl(feed.id),
      fallbackDate: feed.createdAt,
      items: ordered.map((r) => ({ url: r.url, title: r.title, description: r.description, date: r.pubDate ?? r.firstSeenAt })),
    },
    template?.content ?? null,
  );
  await writeFeedFile(feed.id, encodeFeed(xml, feed.encoding as FeedEncoding));
  return { items: ordered.length, newItems: fresh.length };
}
