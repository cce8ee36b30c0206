import { readQuery } from "@/lib/api/request";
import { jsonList } from "@/lib/api/response";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { AppError } from "@/lib/core/errors";
import { findFeed, listFeedItems, toFeedItemDto } from "@/lib/db/feeds";
import { ZFeedItemsQuery } from "@/lib/schemas/feeds";

// GET /api/v1/feeds/{id}/items – the feed's items in feed order (?all=true adds items no longer on the page)
export const GET = withApiAuth<{ id: string }>(async ({ req, params, principal }) => {
  const q = readQuery(req, ZFeedItemsQuery);
  const feed = await findFeed({ userId: principal.userId, feedId: params.id });
  if (!feed) throw new AppError("not_found", `Feed ${params.id} not found.`);
  const items = await listFeedItems(feed.id, { all: q.all === "true", limit: feed.itemsLimit });
  return jsonList(items.map(toFeedItemDto), null);
}, { scope: "read" });

export const { POST, PUT, PATCH, DELETE } = methodsNotAllowed(["GET"]);
