// Next 16 renamed middleware.ts to proxy.ts. Two jobs:
// 1. Signed-out visitors of the dashboard go to /login?callbackUrl=… (next-auth's withAuth).
// 2. An API, adapter or public-file path that is not valid percent-encoded UTF-8 (`/api/v1/sitemaps/%ff`,
//    `/s/x/..%c0%af..`) makes Next fail while decoding route parameters, before any handler runs, with its own
//    non-JSON 500 — also after a rewrite to the same route, since the route re-reads the original URL. Such a request
//    is rewritten to the static route /api/bad-url with its raw path and query in RAW_URL_HEADER, which answers 400 in
//    the error envelope of the family the path belongs to (lib/compat/bad-url.ts).
import { withAuth, type NextRequestWithAuth } from "next-auth/middleware";
import { NextResponse, type NextFetchEvent, type NextRequest } from "next/server";
import { escapeUndecodablePath, RAW_URL_HEADER } from "@/lib/core/text";

const dashboard = withAuth({ pages: { signIn: "/login" } });

export default function proxy(req: NextRequest, event: NextFetchEvent) {
  const raw = new URL(req.url);
  if (raw.pathname === "/dashboard" || raw.pathname.startsWith("/dashboard/")) return dashboard(req as NextRequestWithAuth, event);
  if (escapeUndecodablePath(raw.pathname) === null) return NextResponse.next();
  const url = req.nextUrl.clone();
  url.pathname = "/api/bad-url";
  url.search = "";
  const headers = new Headers(req.headers);
  headers.set(RAW_URL_HEADER, raw.pathname + raw.search);
  return NextResponse.rewrite(url, { request: { headers } });
}

// Only paths that hold a `%` reach the proxy outside the dashboard: a path without one always decodes, so job 2 has
// nothing to do there, and running the proxy costs every API call a second request pipeline inside Next (a NextRequest,
// the proxy's adapter, its response merged back: ~5-10 % of a GET /api/v1/sitemaps's CPU, bench/RESULTS.md). Next
// tests a matcher against the raw path (then the decoded one), so `/api/v1/sitemaps/%ff` still matches.
export const config = {
  matcher: ["/dashboard/:path*", "/api/:path(.*%.*)", "/v1/:path(.*%.*)", "/s/:path(.*%.*)", "/f/:path(.*%.*)", "/shop/:path(.*%.*)", "/sitemaps/:path(.*%.*)"],
};
