// Next 16 renamed middleware.ts to proxy.ts. Two jobs:
// 1. Signed-out visitors of the dashboard go to /login?callbackUrl=… (next-auth's withAuth).
// 2. API, adapter and public-file paths that are not valid percent-encoded UTF-8 (`/api/v1/sitemaps/%ff`,
//    `/s/x/..%c0%af..`) make Next fail while decoding route parameters, before any handler runs, with its own
//    non-JSON error page. Such a path is rewritten to the same route with the undecodable segments' `%` escaped, and
//    marked with UNDECODABLE_PATH_HEADER; the route wrapper (withApi, compatRoute) then answers 400 in its family's
//    error envelope (lib/api/request.ts assertRequestText).
import { withAuth, type NextRequestWithAuth } from "next-auth/middleware";
import { NextResponse, type NextFetchEvent, type NextRequest } from "next/server";
import { escapeUndecodablePath, UNDECODABLE_PATH_HEADER } from "@/lib/core/text";

const dashboard = withAuth({ pages: { signIn: "/login" } });

export default function proxy(req: NextRequest, event: NextFetchEvent) {
  const path = req.nextUrl.pathname;
  if (path === "/dashboard" || path.startsWith("/dashboard/")) return dashboard(req as NextRequestWithAuth, event);
  const escaped = escapeUndecodablePath(path);
  if (escaped === null) return NextResponse.next();
  const url = req.nextUrl.clone();
  url.pathname = escaped;
  const headers = new Headers(req.headers);
  headers.set(UNDECODABLE_PATH_HEADER, path);
  return NextResponse.rewrite(url, { request: { headers } });
}

export const config = { matcher: ["/dashboard/:path*", "/api/:path*", "/v1/:path*", "/s/:path*", "/f/:path*"] };
