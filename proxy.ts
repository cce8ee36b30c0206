// Next 16 renamed middleware.ts to proxy.ts. Two jobs:
// 1. Signed-out visitors of the dashboard go to /login?callbackUrl=… (next-auth's withAuth).
// 2. API, adapter and public-file URLs that are not valid percent-encoded UTF-8 never reach a handler intact: an
//    undecodable path segment (`/api/v1/sitemaps/%ff`, `/s/x/..%c0%af..`) makes Next fail while decoding route
//    parameters, with its own non-JSON error page, and an undecodable query value (`?cursor=%ff`) is re-encoded as a
//    valid U+FFFD. Such a request is rewritten to the same route (undecodable segments replaced, query dropped) and
//    carries its raw path and query in RAW_URL_HEADER; the route wrapper (withApi, compatRoute) answers 400 in its
//    family's error envelope (lib/api/request.ts assertRequestText).
import { withAuth, type NextRequestWithAuth } from "next-auth/middleware";
import { NextResponse, type NextFetchEvent, type NextRequest } from "next/server";
import { escapeUndecodablePath, queryProblem, RAW_URL_HEADER } from "@/lib/core/text";

const dashboard = withAuth({ pages: { signIn: "/login" } });

export default function proxy(req: NextRequest, event: NextFetchEvent) {
  const raw = new URL(req.url);
  if (raw.pathname === "/dashboard" || raw.pathname.startsWith("/dashboard/")) return dashboard(req as NextRequestWithAuth, event);
  const escaped = escapeUndecodablePath(raw.pathname);
  if (escaped === null && queryProblem(raw.search) === null) return NextResponse.next();
  const url = req.nextUrl.clone();
  url.pathname = escaped ?? raw.pathname;
  url.search = "";
  const headers = new Headers(req.headers);
  headers.set(RAW_URL_HEADER, raw.pathname + raw.search);
  return NextResponse.rewrite(url, { request: { headers } });
}

export const config = { matcher: ["/dashboard/:path*", "/api/:path*", "/v1/:path*", "/s/:path*", "/f/:path*"] };
