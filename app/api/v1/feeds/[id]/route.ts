import { readJson } from "@/lib/api/request";
import { json, noContent } from "@/lib/api/response";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { AppError } from "@/lib/core/errors";
import { deleteFeed, findFeed, toFeedDto, updateFeed } from "@/lib/db/feeds";
import { removeFeedFiles } from "@/lib/feeds/files";
import { ZUpdateFeedBody } from "@/lib/schemas/feeds";

const notFound = (id: string) => new AppError("not_found", `Feed ${id} not found.`);

// GET /api/v1/feeds/{id} – settings, status, last refresh, last cost, public URL
export const GET = withApiAuth<{ id: string }>(async ({ params, principal }) => {
  const row = await findFeed({ userId: principal.userId, feedId: params.id });
  if (!row) throw notFound(params.id);
  return json(toFeedDto(row));
}, { scope: "read" });

// PATCH /api/v1/feeds/{id} – change any subset of the settings (applies from the next refresh)
export const PATCH = withApiAuth<{ id: string }>(async ({ req, params, principal }) => {
  const body = await readJson(req, ZUpdateFeedBody);
  const row = await updateFeed({ userId: principal.userId, feedId: params.id, data: body });
  if (!row) throw notFound(params.id);
  return json(toFeedDto(row));
}, { scope: "write" });

// DELETE /api/v1/feeds/{id} – delete the feed, its items and its file; 204
export const DELETE = withApiAuth<{ id: string }>(async ({ params, principal }) => {
  if ((await deleteFeed({ userId: principal.userId, feedId: params.id })) === "not_found") throw notFound(params.id);
  await removeFeedFiles(params.id);
  return noContent();
}, { scope: "write" });

export const { POST, PUT } = methodsNotAllowed(["GET", "PATCH", "DELETE"]);
