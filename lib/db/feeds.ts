/**
 * Feeds (table Feed) and their items (FeedItem), always scoped by owner: another account's feed is "not found".
 *
 * - Settings are validated beyond zod here: the link mask must compile (regex/CSS; 422 invalid_value on linkMask)
 *   and `templateId` must name one of the user's templates of kind rss (422 invalid_value on templateId).
 * - Items: one row per (feed, URL). `firstSeenAt` is set when the URL first appears and never changes; `pubDate`
 *   (the page's own date or Last-Modified) is stored on first sight and never changes either; `lastSeenAt` and
 *   `position` follow the latest refresh (position null = no longer on the page).
 * - `claimFeedRefresh` is the one conditional UPDATE that moves a feed to "running" (409 when it already runs,
 *   unless that refresh is older than 15 minutes, i.e. died).
 */
import type { FeedList } from "./list-models";
import { Prisma } from "@/generated/prisma/client";
import type { ListQuery } from "@/lib/api/list-query";
import { AppError } from "@/lib/core/errors";
import { compileMask, MaskError, warmMaskCheck, type MaskSyntax } from "@/lib/feeds/extract";
import type { TCreateFeedBody, TFeedDto, TFeedItemDto, TUpdateFeedBody } from "@/lib/schemas/feeds";
import { getEnv } from "@/lib/env";
import { getDb } from "./client";

/** A feed row as Prisma returns it, for callers outside lib/db. */
export type { Feed } from "@/generated/prisma/client";

export const STALE_REFRESH_MS = 15 * 60_000;
/** Items off the page for longer than this (180 days) are forgotten; one that comes back counts as new. */
export const ITEM_RETENTION_MS = 180 * 24 * 3_600_000;

const select = {
  id: true,
  number: true,
  userId: true,
  name: true,
  foundUrl: true,
  linkMask: true,
  maskSyntax: true,
  itemsLimit: true,
  pubDateSource: true,
  format: true,
  channelTitle: true,
  channelImage: true,
  webmaster: true,
  encoding: true,
  templateId: true,
  active: true,
  status: true,
  lastRefreshAt: true,
  lastError: true,
  lastCost: true,
  createdAt: true,
  updatedAt: true,
  _count: { select: { items: { where: { position: { not: null } } } } },
} as const satisfies Prisma.FeedSelect;
export type FeedRow = Prisma.FeedGetPayload<{ select: typeof select }>;

/** Public URL of a feed's file: `${APP_URL}/f/<feedId>/feed.xml`. */
export const feedPublicUrl = (feedId: string) => `${getEnv().APP_URL}/f/${encodeURIComponent(feedId)}/feed.xml`;

/**
 * The API DTO of a feed row (ZFeedDto): dates as ISO 8601 strings, `itemCount` capped at `itemsLimit`, `publicUrl`
 * (APP_URL/f/{id}/feed.xml) and the authenticated `fileUrl` (/api/v1/feeds/{id}/file).
 */
export function toFeedDto(r: FeedRow): TFeedDto {
  return {
    id: r.id,
    number: r.number,
    name: r.name,
    foundUrl: r.foundUrl,
    linkMask: r.linkMask,
    maskSyntax: r.maskSyntax as TFeedDto["maskSyntax"],
    itemsLimit: r.itemsLimit,
    pubDateSource: r.pubDateSource as TFeedDto["pubDateSource"],
    format: r.format as TFeedDto["format"],
    channelTitle: r.channelTitle,
    channelImage: r.channelImage,
    webmaster: r.webmaster,
    encoding: r.encoding as TFeedDto["encoding"],
    templateId: r.templateId,
    active: r.active,
    status: r.status as TFeedDto["status"],
    lastRefreshAt: r.lastRefreshAt?.toISOString() ?? null,
    lastError: r.lastError,
    lastCost: r.lastCost,
    itemCount: Math.min(r._count.items, r.itemsLimit),
    publicUrl: feedPublicUrl(r.id),
    fileUrl: `/api/v1/feeds/${r.id}/file`,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

function assertMask(mask: string, syntax: string): void {
  try {
    compileMask(mask, syntax as MaskSyntax);
  } catch (err) {
    if (err instanceof MaskError) throw new AppError("invalid_value", err.message, { field: "linkMask" });
    throw err;
  }
}

async function assertRssTemplate(userId: string, templateId: string | null | undefined): Promise<void> {
  if (templateId === null || templateId === undefined) return;
  const t = await getDb().template.findFirst({ where: { id: templateId, userId }, select: { kind: true } });
  if (!t) throw new AppError("invalid_value", `Template ${templateId} not found.`, { field: "templateId" });
  if (t.kind !== "rss") throw new AppError("invalid_value", `Template ${templateId} is a ${t.kind} template; a feed needs an rss template.`, { field: "templateId" });
}

/**
 * Creates a feed for `userId` (name defaults to the found URL's host). Throws AppError 422 `invalid_value` for a link
 * mask that does not compile or can backtrack catastrophically (field `linkMask`) and for a `templateId` that is not
 * one of the user's rss templates.
 */
export async function insertFeed(opts: { userId: string; data: TCreateFeedBody }): Promise<FeedRow> {
  const d = opts.data;
  await warmMaskCheck(d.linkMask, d.maskSyntax as MaskSyntax);
  assertMask(d.linkMask, d.maskSyntax);
  await assertRssTemplate(opts.userId, d.templateId);
  const name = d.name ?? new URL(d.foundUrl).host;
  return getDb().feed.create({ data: { ...d, name, userId: opts.userId }, select });
}

/** The user's feed with that id, or null (another account's feed is null too). */
export async function findFeed(opts: { userId: string; feedId: string }): Promise<FeedRow | null> {
  return getDb().feed.findFirst({ where: { id: opts.feedId, userId: opts.userId }, select });
}

/** Whether a feed with this id exists (any account: public feed files are served by id). */
export async function feedExists(feedId: string): Promise<boolean> {
  return (await getDb().feed.count({ where: { id: feedId } })) > 0;
}

/**
 * A page of the user's feeds under the list grammar `q` (lib/api/list-query.ts): `q.page(rows)`'s items and next
 * cursor.
 */
export async function listFeeds(opts: { userId: string; q: ListQuery<FeedList> }) {
  const rows = await getDb().feed.findMany({ where: { AND: [{ userId: opts.userId }, opts.q.where] }, orderBy: opts.q.orderBy, take: opts.q.take, select });
  return opts.q.page(rows);
}

/**
 * Applies the changed fields to the user's feed and returns the updated row, or null when the user has no such feed.
 * A changed mask or syntax is checked as in insertFeed; same AppErrors.
 */
export async function updateFeed(opts: { userId: string; feedId: string; data: TUpdateFeedBody }): Promise<FeedRow | null> {
  const current = await findFeed(opts);
  if (!current) return null;
  if (opts.data.linkMask !== undefined || opts.data.maskSyntax !== undefined) {
    const mask = opts.data.linkMask ?? current.linkMask;
    const syntax = opts.data.maskSyntax ?? current.maskSyntax;
    await warmMaskCheck(mask, syntax as MaskSyntax);
    assertMask(mask, syntax);
  }
  await assertRssTemplate(opts.userId, opts.data.templateId);
  const { count } = await getDb().feed.updateMany({ where: { id: opts.feedId, userId: opts.userId }, data: opts.data });
  return count === 1 ? findFeed(opts) : null;
}

/** Deletes the feed and its items (cascade); the caller removes its file. "deleted" | "not_found". */
export async function deleteFeed(opts: { userId: string; feedId: string }): Promise<"deleted" | "not_found"> {
  const { count } = await getDb().feed.deleteMany({ where: { id: opts.feedId, userId: opts.userId } });
  return count === 1 ? "deleted" : "not_found";
}

/**
 * Moves the feed to "running" for a refresh. Returns "claimed", "not_found", "inactive" or "running" (a refresh
 * started less than STALE_REFRESH_MS ago is still going).
 */
export async function claimFeedRefresh(opts: { userId: string; feedId: string; now?: Date }): Promise<"claimed" | "not_found" | "inactive" | "running"> {
  const now = opts.now ?? new Date();
  const { count } = await getDb().feed.updateMany({
    where: {
      id: opts.feedId,
      userId: opts.userId,
      active: true,
      OR: [{ status: { not: "running" } }, { updatedAt: { lt: new Date(now.getTime() - STALE_REFRESH_MS) } }],
    },
    data: { status: "running", lastError: null },
  });
  if (count === 1) return "claimed";
  const row = await getDb().feed.findFirst({ where: { id: opts.feedId, userId: opts.userId }, select: { active: true } });
  return !row ? "not_found" : !row.active ? "inactive" : "running";
}

type ItemRow = { url: string; title: string; description: string | null; pubDate: Date | null; firstSeenAt: Date; lastSeenAt: Date; position: number | null };

/**
 * The API DTO of a feed item: `pubDate` is the item's own date, else its first sighting (`datedBy` says which); ISO
 * 8601 strings.
 */
export function toFeedItemDto(r: ItemRow): TFeedItemDto {
  return {
    url: r.url,
    title: r.title,
    description: r.description,
    pubDate: (r.pubDate ?? r.firstSeenAt).toISOString(),
    datedBy: r.pubDate ? "source" : "first_seen",
    firstSeenAt: r.firstSeenAt.toISOString(),
    lastSeenAt: r.lastSeenAt.toISOString(),
    position: r.position,
  };
}

/** Items of the feed in feed order (see feedOrder); `all` adds the items no longer on the page, after them. */
export async function listFeedItems(feedId: string, opts: { all?: boolean; limit?: number } = {}): Promise<ItemRow[]> {
  const rows = await getDb().feedItem.findMany({
    where: { feedId, ...(opts.all ? {} : { position: { not: null } }) },
    select: { url: true, title: true, description: true, pubDate: true, firstSeenAt: true, lastSeenAt: true, position: true },
  });
  const current = feedOrder(rows.filter((r) => r.position !== null)).slice(0, opts.limit ?? rows.length);
  const gone = feedOrder(rows.filter((r) => r.position === null));
  return [...current, ...gone];
}

/**
 * The stable order of a feed: newest date first (pubDate, else firstSeenAt), then page position, then URL.
 * The same items with the same stored dates always come out in the same order.
 */
export function feedOrder<T extends { url: string; pubDate: Date | null; firstSeenAt: Date; position: number | null }>(rows: T[]): T[] {
  const when = (r: T) => (r.pubDate ?? r.firstSeenAt).getTime();
  return [...rows].sort((a, b) => when(b) - when(a) || (a.position ?? 1e9) - (b.position ?? 1e9) || (a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
}

/** Items already stored for these URLs (what a refresh need not fetch again). */
export async function knownFeedItems(feedId: string): Promise<Map<string, ItemRow>> {
  const rows = await getDb().feedItem.findMany({
    where: { feedId },
    select: { url: true, title: true, description: true, pubDate: true, firstSeenAt: true, lastSeenAt: true, position: true },
  });
  return new Map(rows.map((r) => [r.url, r]));
}

/**
 * Records a refresh's items in one transaction: new URLs are inserted (firstSeenAt = `now`, pubDate as found);
 * known URLs get lastSeenAt = `now` and their new position (title, pubDate and firstSeenAt are kept); URLs no
 * longer on the page get position null; those not seen for ITEM_RETENTION_MS (180 days) are deleted.
 */
export async function saveFeedItems(feedId: string, now: Date, items: { url: string; title: string; description?: string | null; pubDate: Date | null; position: number; isNew: boolean }[]): Promise<void> {
  await getDb().$transaction(async (tx) => {
    await tx.feedItem.updateMany({ where: { feedId, url: { notIn: items.map((i) => i.url) } }, data: { position: null } });
    await tx.feedItem.deleteMany({ where: { feedId, position: null, lastSeenAt: { lt: new Date(now.getTime() - ITEM_RETENTION_MS) } } });
    for (const it of items) {
      if (it.isNew) {
        await tx.feedItem.upsert({
          where: { feedId_url: { feedId, url: it.url } },
          create: { feedId, url: it.url, title: it.title, description: it.description ?? null, pubDate: it.pubDate, firstSeenAt: now, lastSeenAt: now, position: it.position },
          update: { lastSeenAt: now, position: it.position },
        });
      } else {
        await tx.feedItem.update({ where: { feedId_url: { feedId, url: it.url } }, data: { lastSeenAt: now, position: it.position } });
      }
    }
  });
}

/** A refresh started (scheduled ones are not claimed through the API). */
export async function markFeedRunning(feedId: string): Promise<void> {
  await getDb().feed.updateMany({ where: { id: feedId }, data: { status: "running" } });
}

/** Final state of a refresh. `cost` is stored as lastCost when given. */
export async function finishFeedRefresh(feedId: string, r: { ok: boolean; error?: string; at: Date; cost?: number }): Promise<void> {
  await getDb().feed.updateMany({
    where: { id: feedId },
    data: {
      status: r.ok ? "succeeded" : "failed",
      lastError: r.ok ? null : (r.error ?? "failed").slice(0, 2000),
      ...(r.ok ? { lastRefreshAt: r.at } : {}),
      ...(r.cost !== undefined ? { lastCost: r.cost } : {}),
    },
  });
}

/** The feed row a refresh works from (no owner check: the job holds only the id). */
export async function loadFeedForRefresh(feedId: string) {
  return getDb().feed.findUnique({ where: { id: feedId } });
}

/** Active feeds' ids whose refresh is not running (or has run longer than `staleBefore` allows), oldest first. */
export async function listRefreshableFeedIds(staleBefore: Date): Promise<string[]> {
  const rows = await getDb().feed.findMany({
    where: { active: true, OR: [{ status: { not: "running" } }, { updatedAt: { lt: staleBefore } }] },
    select: { id: true },
    orderBy: { createdAt: "asc" },
  });
  return rows.map((r) => r.id);
}
