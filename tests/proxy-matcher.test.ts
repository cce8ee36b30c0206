// proxy.ts's matcher, compiled and applied the way Next does it (its own matcher functions, as `next build` and the
// router use them): the dashboard always reaches the proxy; API and file paths only when they hold a `%`, which every
// undecodable path does (the rows of the abuse suite), so well-formed API calls skip the proxy's pipeline.
import { describe, expect, it } from "vitest";
// @ts-expect-error Next's build helper has no type declarations under this path
import { getMiddlewareMatchers } from "next/dist/build/analysis/get-page-static-info.js";
import { getMiddlewareRouteMatcher } from "next/dist/shared/lib/router/utils/middleware-route-matcher.js";
import { config } from "@/proxy";

const matcher = getMiddlewareRouteMatcher(getMiddlewareMatchers(config.matcher, {})) as (path: string, req: unknown, query: unknown) => boolean;
/** As Next's router: the raw path first, then its decoded form when it decodes. */
const reachesProxy = (path: string) => {
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {}
  return matcher(path, { headers: {} }, {}) || matcher(decoded, { headers: {} }, {});
};

describe("proxy.ts matcher", () => {
  it("sends every undecodable API and file path to the proxy", () => {
    for (const p of [
      "/api/v1/sitemaps/%ff",
      "/api/v1/sitemaps/x/files/..%c0%af..",
      "/s/%ff/x.xml",
      "/f/%ff/feed.xml",
      "/api/shop/sitemaps/%ff",
      "/v1/sitemaps/%ff/urls",
      "/api/import/%ff",
      "/api/%ff",
      "/shop/a/sitemaps/%ff/x.xml",
      "/sitemaps/%ff/x.xml",
    ]) expect(reachesProxy(p), p).toBe(true);
  });

  it("sends every dashboard path to the proxy (sign-in redirect)", () => {
    for (const p of ["/dashboard", "/dashboard/runs/abc", "/dashboard/sitemaps/new"]) expect(reachesProxy(p), p).toBe(true);
  });

  it("leaves well-formed API and file paths alone", () => {
    for (const p of ["/api/v1/sitemaps", "/api/v1/sitemaps/abc/generate", "/api/v1/usage", "/s/abc/sitemap.xml", "/v1/sitemaps", "/api/inngest", "/"]) {
      expect(reachesProxy(p), p).toBe(false);
    }
  });
});
