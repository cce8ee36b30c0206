import { json } from "@/lib/api/response";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";
import { getIndexNowInfo } from "@/lib/submit/submit";

// GET /api/v1/sitemaps/{id}/indexnow – the site's IndexNow key (generated on first use), where to serve the key file
// and its content, the configured endpoints and the robots.txt Sitemap: line; 404 unknown sitemap
export const GET = withApiAuth<{ id: string }>(async ({ params, principal }) => {
  return json(await getIndexNowInfo({ userId: principal.userId, sitemapId: params.id }));
}, { scope: "read" });

export const { POST, PUT, PATCH, DELETE } = methodsNotAllowed(["GET"]);
