/**
 * mysitemapgenerator's updatable-RSS methods (RssGetList, RssGetFile, RssGetInfo) over our feeds (table Feed; the
 * feeds API owns creation and refresh). `cid` = Feed.number. Mapping (ours → theirs):
 *   foundUrl → found_url; linkMask → found_mask; itemsLimit → items_limit; pubDateSource → items_pubDate
 *   ("server" stays "server"; our "page" — the item page's own date, then Last-Modified, then first seen — is
 *   reported as "page": we never use the request date, their "default"); channel_pubDate "default" (the newest
 *   item's date); webmaster → channel_webMaster; channelImage → channel_image; encoding; lastRefreshAt → last_scan
 *   (RFC 2822); lastCost → last_cost (crawl credits); status → work_status.
 */
import { parseListQuery } from "@/lib/api/list-query";
import type { Principal } from "@/lib/auth/authenticate";
import { AppError } from "@/lib/core/errors";
import { findFeed, listFeeds, toFeedDto } from "@/lib/db/feeds";
import type { TFeedDto } from "@/lib/schemas/feeds";
import { FEED_LIST_SPEC } from "@/lib/templates/list-spec";
import { rfc2822, type FormFields } from "./http";
import { feedIdByNumber, parseNumber } from "@/lib/db/numbers";

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
        items_limit: f.itemsLimit,
        items_pubDate: f.pubDateSource,
        channel_pubDate: "default",
        channel_webMaster: f.webmaster ?? "",
        channel_image: f.channelImage ?? "",
        encoding: f.encoding,
      },
    ],
  });
}
