import { ENDPOINTS } from "@/lib/api/openapi";
import { limitHeadersIfKnown, withApi } from "@/lib/api/with-api-auth";
import { AppError } from "@/lib/core/errors";
import { strictDecode } from "@/lib/core/text";

// Only /api/v1 resources (the document also lists the compatibility adapters' paths, e.g. /api/{method}).
const templates = [...new Set(ENDPOINTS.map((e) => e.path).filter((p) => p.startsWith("/api/v1/")))].map((p) => ({
  path: p,
  re: new RegExp(`^${p.replace(/\{\w+\}/g, "[^/]+").replaceAll(".", "\\.")}$`),
}));

// ANY /api/v1/<unknown> – the error envelope instead of Next's HTML 404: 400 unknown_operation when the path is an
// existing resource plus an operation we don't have (e.g. /api/v1/sitemaps/{id}/frobnicate), else 404 not_found.
// A caller with valid credentials is counted and gets the limit headers (limitHeadersIfKnown).
const unknown = withApi(async ({ req, headers }) => {
  await limitHeadersIfKnown(req, headers);
  const path = new URL(req.url).pathname.replace(/\/+$/, "");
  const parent = path.slice(0, path.lastIndexOf("/"));
  const resource = templates.find((t) => t.re.test(parent));
  if (resource) {
    const raw = path.slice(parent.length + 1);
    const op = strictDecode(raw) ?? raw;
    throw new AppError("unknown_operation", `${resource.path} has no operation "${op}"; see /api/v1/openapi.json.`);
  }
  throw new AppError("not_found", `No endpoint ${req.method} ${path}.`);
});
export { unknown as GET, unknown as POST, unknown as PUT, unknown as PATCH, unknown as DELETE };
