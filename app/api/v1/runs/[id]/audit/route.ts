import { runAuditResponse } from "@/lib/api/audit";
import { methodsNotAllowed, withApiAuth } from "@/lib/api/with-api-auth";

// GET /api/v1/runs/{id}/audit – findings of the audit of the site's own sitemaps, under the list grammar (default
// url:asc; filter[kind]= or ?kind=, filter[reason]=, filter[url][contains]=), with the audit summary; ?format=csv or
// Accept: text/csv streams the whole filtered list as CSV
export const GET = withApiAuth<{ id: string }>(async ({ req, params, principal }) => runAuditResponse(req, params.id, principal.userId), { scope: "read" });

export const { POST, PUT, PATCH, DELETE } = methodsNotAllowed(["GET"]);
