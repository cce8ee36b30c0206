/**
 * mysitemapgenerator's updatable-RSS methods (RssGetList, RssGetFile, RssGetInfo) over our feeds (table Feed; the
 * feeds API owns creation and refresh). `cid` = Feed.number. Mapping (ours → theirs):
 *   foundUrl → found_url; linkMask → found_mask; itemsLimit → items_limit; pubDateSource → items_pubDate
 *   ("server" stays "server"; our "page" — the item page's own date, then Last-Modified, then first seen — is
 *   reported as "page": we never use the request date, their "default"); channel_pubDate "default" (the newest
 *   item's date); webmaster → channel_webMaster; channelImage → channel_image; encoding; lastRefreshAt → last_scan
 *   (RFC 2822); lastCost → last_cost (crawl credits); status → work_status.
 */
import type { Principal } from "@/lib/auth/authenticate";
import { AppError } from "@/lib/core/errors";
import { getDb } from "@/lib/db/client";
import { feedPublicUrl } from "./feeds";
import { rfc2822, type FormFields } from "./http";
import { parseNumber } from "./ids";

const msgOk = (body: Record<string, unknown>) => Response.json({ result: "success", ...body }, { status: 200 });

const feedSelect = {
  id: true,
  number: true,
  foundUrl: true,
  linkMask: true,
  itemsLimit: true,
  pubDateSource: true,
  format: true,
  channelImage: true,
  webmaster: true,
  encoding: true,
  status: true,
  active: true,
  lastRefreshAt: true,
  lastCost: true,
} as const;

async function feedByCid(userId: string, fields: FormFields) {
  const cid = parseNumber(fields.cid);
  if (cid === null) throw new AppError(fields.cid === undefined ? "missing" : "invalid_value", "cid (a positive integer) is required.", { field: "cid" });
  const feed = await getDb().feed.findFirst({ where: { userId, number: cid }, select: feedSelect });
  if (!feed) throw new AppError("not_found", `cid ${cid} not found.`, { field: "cid" });
  return feed;
}

export async function rssGetList(p: Principal): Promise<Response> {
  const feeds = await getDb().feed.findMany({
    where: { userId: p.userId },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { number: true, foundUrl: true },
  });
  return msgOk({ resources: feeds.map((f) => ({ cid: f.number, url: f.foundUrl })) });
}

export async function rssGetFile(p: Principal, fields: FormFields): Promise<Response> {
  const feed = await feedByCid(p.userId, fields);
  return msgOk({ file: feedPublicUrl(feed) });
}

export async function rssGetInfo(p: Principal, fields: FormFields): Promise<Response> {
  const f = await feedByCid(p.userId, fields);
  return msgOk({
    cid: f.number,
    work_status: f.active ? f.status : "inactive",
    last_scan: f.lastRefreshAt ? rfc2822(f.lastRefreshAt) : null,
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
