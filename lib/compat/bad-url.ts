/**
 * The answer to a URL whose path is not valid percent-encoded UTF-8 (`/api/v1/sitemaps/%ff`,
 * `/s/x/..%c0%af..%c0%afetc`), in the error envelope of the route family the path belongs to.
 *
 * Next decodes dynamic route parameters from the original URL before any handler runs and fails with its own non-JSON
 * 500 page, even after a proxy rewrite to the same route. So proxy.ts rewrites such a request to the one static
 * route `BAD_URL_ROUTE` (app/api/bad-url/route.ts), carrying the raw path and query in RAW_URL_HEADER, and this module
 * answers 400 `bad_request` as the family would: native /api/v1 and the public files (`/s/`, `/f/`, the error
 * envelope), the shop API (400 `invalidCharacters`), the Sitemap.xml API (`/v1/`, 400), AnQiCMS (`/api/import/`, HTTP
 * 200 `{code:-1}`) and mysitemapgenerator (`/api/{METHOD}`, HTTP 200 `{result:"error"}`). Nothing is read or written.
 * Without the header (or with a raw URL that has no problem) the route is an unknown endpoint: 404 `not_found`.
 */
import { randomUUID } from "node:crypto";
import { toErrorResponse } from "@/lib/api/errors";
import { AppError } from "@/lib/core/errors";
import { RAW_URL_HEADER, rawUrlProblem } from "@/lib/core/text";
import { anqiTranslate } from "./anqicms";
import type { NativeError } from "./http";
import { msgTranslate } from "./mysitemapgenerator";
import { shopTranslate } from "./shop-http";
import { sxTranslate } from "./sitemapxml";

/** The path proxy.ts rewrites undecodable URLs to. */
export const BAD_URL_ROUTE = "/api/bad-url";

type Family = "native" | "shop" | "sitemapxml" | "anqicms" | "mysitemapgenerator";

/** Which route family a raw path belongs to (by prefix; see app/ for the routes). */
export function familyOf(rawPath: string): Family {
  if (rawPath.startsWith("/api/shop/")) return "shop";
  if (rawPath.startsWith("/v1/")) return "sitemapxml";
  if (rawPath.startsWith("/api/import/")) return "anqicms";
  if (/^\/api\/[^/]+\/?$/.test(rawPath) && !rawPath.startsWith("/api/v1")) return "mysitemapgenerator";
  return "native";
}

/**
 * The answer of BAD_URL_ROUTE (module doc): 400 `bad_request` for the raw URL's problem in its family's shape, or
 * 404 `not_found` in the native envelope when there is no raw URL or it has no problem. Sets `X-Request-Id`.
 * Reads and writes nothing.
 */
export function badUrlResponse(req: Request): Response {
  const requestId = `req_${randomUUID().replaceAll("-", "")}`;
  const raw = req.headers.get(RAW_URL_HEADER);
  const problem = raw === null ? null : rawUrlProblem(raw);
  const err = problem
    ? new AppError("bad_request", problem.message, problem.field === undefined ? {} : { field: problem.field })
    : new AppError("not_found", `No endpoint ${req.method} ${new URL(req.url).pathname}.`);
  const native: NativeError = { type: err.type, code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}), request_id: requestId };
  const family = raw === null || !problem ? "native" : familyOf(new URL(raw, "http://local").pathname);
  const res =
    family === "shop" ? shopTranslate(native)
    : family === "sitemapxml" ? sxTranslate(native, err.status)
    : family === "anqicms" ? anqiTranslate(native, err.status, { hadToken: false })
    : family === "mysitemapgenerator" ? msgTranslate(native)
    : toErrorResponse(err, requestId);
  res.headers.set("X-Request-Id", requestId);
  return res;
}
