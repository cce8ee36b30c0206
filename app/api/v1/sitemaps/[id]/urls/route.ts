import { json, jsonList } from "@/lib/api/response";
import { deletePushedUrls, listSitemapUrls, PUSH_MAX_BYTES, readPushBody } from "@/lib/api/urls";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { pushSitemapUrls, toSitemapUrlDto } from "@/lib/db/urls";

// GET /api/v1/sitemaps/{id}/urls – pushed URLs (list grammar; default sort url:asc), or with ?source=crawl the
// listed URLs of the published run's crawl inventory
export const GET = withApiAuth<{ id: string }>(async ({ req, params, principal }) => {
  const page = await listSitemapUrls(principal.userId, params.id, req);
  return jsonList(page.items, page.nextCursor);
}, { scope: "read" });

// POST /api/v1/sitemaps/{id}/urls – push one URL ({url, priority?, changefreq?, lastmod?}: 201 created / 200 replaced,
// the stored URL) or up to 10,000 ({urls: [...]}: 200 with {received, created, updated}); all or nothing
export const POST = withApiAuth<{ id: string }>(async ({ req, params, principal }) => {
  const { bulk, items } = await readPushBody(req);
  const r = await pushSitemapUrls({ userId: principal.userId, sitemapId: params.id, items, source: "api", bulk });
  if (bulk) return json({ received: r.received, created: r.created, updated: r.updated });
  return json(toSitemapUrlDto(r.rows[0]), { status: r.created ? 201 : 200 });
}, { scope: "write", maxBodyBytes: PUSH_MAX_BYTES });

// DELETE /api/v1/sitemaps/{id}/urls?url=… (repeatable) or with a body {urls: [...]} – remove pushed URLs by value;
// 200 with {deleted}; 404 when none of them was pushed
export const DELETE = withApiAuth<{ id: string }>(async ({ req, params, principal }) => {
  return json({ deleted: await deletePushedUrls(principal.userId, params.id, req) });
}, { scope: "write" });

export const { PUT, PATCH } = methodsNotAllowed(["GET", "POST", "DELETE"]);
