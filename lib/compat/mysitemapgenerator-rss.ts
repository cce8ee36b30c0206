/**
 * mysitemapgenerator's updatable-RSS methods (RssGetList, RssGetFile, RssGetInfo) over our feeds (table Feed; the
 * feeds API owns creation and refresh). `cid` = Feed.number. Mapping (ours → theirs):
 *   foundUrl → found_url; linkMask → found_mask; itemsLimit (1..50) → items_limit as the nearest of the
 *   document's values 10, 20, 30, 50 (the smaller on a tie; the exact number is in the native API); pubDateSource →
 *   items_pubDate, only the document's values: "server" stays "server", our "page" — the item page's own date, then
 *   Last-Modified, then first seen — is "default", their other choice (theirs means the request date; ours is never
 *   later than the first time the item was seen); channel_pubDate "default" (the newest item's date);
 *   webmaster → channel_webMaster; channelImage → channel_image; encoding (utf-8 | windows-1251, the document's
 *   two); lastRefreshAt → last_scan (RFC 2822); lastCost → last_cost (crawl credits); status → work_status.
 */
import { parseListQuery } from "@/lib/api/list-query";
import type { Principal } from "@/lib/auth/authenticate";
import { AppError } from "@/lib/core/errors";
import { findFeed, listFeeds, toFeedDto } from "@/lib/db/feeds";
import type { TFeedDto } from "@/lib/schemas/feeds";
import { FEED_LIST_SPEC } from "@/lib/templates/list-spec";
import { rfc2822, type FormFields } from "./http";
import { feedIdByNumber, parseNumber } from "@/lib/db/numbers";

/** The document's `items_limit` values (items per feed). */
export const ITEMS_LIMITS = [10, 20, 30, 50] as const;

/** Our itemsLimit (1..50) as the document's `items_limit`: the nearest listed value, the smaller on a tie. */
export function itemsLimitOf(n: number): number {
  return ITEMS_LIMITS.reduce<number>((best, v) => (Math.abs(v - n) < Math.abs(best - n) ? v : best), ITEMS_LIMITS[0]);
}

const msgOk = (body: Record<string, unknown>) => Response.json({ result: "success", ...body }, { status: 200 });

async function feedByCid(userId: string, fields: FormFields): Promise<TFeedDto> {
  const cid = parseNumber(fields.cid);
  if (cid === null) throw new AppError(fields.cid === undefined ? "missing" : "invalid_value", "cid (a positive integer) is required.", { field: "cid" });
  const id = await feedIdByNumber(userId, cid);
  const row = id ? await findFeed({ userId, feedId: id }) : null;
  if (!row) throw new AppError("not_found", `cid ${cid} not found.`, { field: "cid" });
  return toFeedDto(row);
}

/** Every feed of the account, oldest first (native list, pages of 300). */
export async function rssGetList(p: Principal): Promise<Response> {
  const resources: { cid: number; url: string }[] = [];
  let cursor: string | null = null;
  do {
    const params = new URLSearchParams({ size: "300", sort: "number:asc" });
    if (cursor) params.set("cursor", cursor);
    const page = await listFeeds({ userId: p.userId, q: parseListQuery(params, FEED_LIST_SPEC) });
    resources.push(...page.rows.map((r) => ({ cid: r.number, url: r.foundUrl })));
    cursor = page.nextCursor;
  } while (cursor);
  return msgOk({ resources });
}

/** The feed's stable public URL (what a reader or a search engine fetches). */
export async function rssGetFile(p: Principal, fields: FormFields): Promise<Response> {
  return msgOk({ file: (await feedByCid(p.userId, fields)).publicUrl });
}

/**
 * RssGetInfo: the feed with `cid` = its number, in the document's shape (`cid`, `work_status`, `last_scan` in
 * RFC 2822, `last_cost`, `params[0]` mapped as the module doc says). Throws AppError 422 `missing`/`invalid_value`
 * for a missing or non-numeric cid and 404 `not_found` for a cid the account does not have.
 */
export async function rssGetInfo(p: Principal, fields: FormFields): Promise<Response> {
  const f = await feedByCid(p.userId, fields);
  return msgOk({
    cid: f.number,
    work_status: f.active ? f.status : "inactive",
    last_scan: f.lastRefreshAt ? rfc2822(new Date(f.lastRefreshAt)) : null,
    last_cost: f.lastCost,
    params: [
      {
        found_url: f.foundUrl,
        found_mask: f.linkMask,
        items_limit: itemsLimitOf(f.itemsLimit),
        items_pubDate: f.pubDateSource === "server" ? "server" : "default",
        channel_pubDate: "default",
        channel_webMaster: f.webmaster ?? "",
        channel_image: f.channelImage ?? "",
        encoding: f.encoding,
      },
    ],
  });
}
