import { readListQuery } from "@/lib/api/list-query";
import { readJson } from "@/lib/api/request";
import { json, jsonList } from "@/lib/api/response";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { insertFeed, listFeeds, toFeedDto } from "@/lib/db/feeds";
import { ZCreateFeedBody } from "@/lib/schemas/feeds";
import { FEED_LIST_SPEC } from "@/lib/feeds/list-spec";

// GET /api/v1/feeds – the caller's feeds (list grammar: size, cursor, sort, filter)
export const GET = withApiAuth(async ({ req, principal }) => {
  const q = readListQuery(req, FEED_LIST_SPEC);
  const page = await listFeeds({ userId: principal.userId, q });
  return jsonList(page.rows.map(toFeedDto), page.nextCursor);
}, { scope: "read" });

// POST /api/v1/feeds – create a feed; 201 (refresh it to publish the file)
export const POST = withApiAuth(async ({ req, principal }) => {
  const body = await readJson(req, ZCreateFeedBody);
  const dto = toFeedDto(await insertFeed({ userId: principal.userId, data: body }));
  return json(dto, { status: 201, headers: { Location: `/api/v1/feeds/${dto.id}` } });
}, { scope: "write" });

export const { PUT, PATCH, DELETE } = methodsNotAllowed(["GET", "POST"]);
