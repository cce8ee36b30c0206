/**
 * Meta refresh redirects: the content-value parser (HTML's shared declarative refresh steps), the head-only scan, and
 * the crawler treating an instant refresh as a redirect hop (reason "redirect", redirectKind "meta_refresh", target
 * followed under the 3xx rules).
 */
import { afterEach, describe, expect, it } from "vitest";
import { page, type RouteSpec } from "@/tests/helpers/site";
import { closeTestSites, reasonOf, run, startTestSite } from "@/tests/helpers/crawl";
import { parsePage } from "./html";
import { isInstantRefresh, parseMetaRefresh } from "./meta-refresh";

afterEach(closeTestSites);

describe("parseMetaRefresh", () => {
  it.each([
    ["0; url=/a", 0, "/a"],
    ["0;URL='write-documentation/x.html'", 0, "write-documentation/x.html"],
    ['0; URL="/q"', 0, "/q"],
    ["0;url = /spaced ", 0, "/spaced"],
    ["  3 ,  /comma", 3, "/comma"],
    ["0.5; url=/half", 0.5, "/half"],
    [".5;url=/dot", 0.5, "/dot"],
    ["0;/bare", 0, "/bare"],
    ["0; URL='/quoted' trailing", 0, "/quoted"],
    ["0; url=/a?x=1;y=2", 0, "/a?x=1;y=2"],
    ["5", 5, null],
    ["0;", 0, null],
    ["0; url=", 0, null],
  ])("%j → delay %d, url %j", (content, delaySec, url) => {
    expect(parseMetaRefresh(content)).toEqual({ delaySec, url });
  });

  it("a value without a delay is ignored, as browsers do", () => {
    expect(parseMetaRefresh("url=/a")).toBeNull();
    expect(parseMetaRefresh("")).toBeNull();
    expect(parseMetaRefresh("; url=/a")).toBeNull();
  });

  it("only a refresh under one second is instant (browsers drop the fraction)", () => {
    expect([0, 0.5, 0.99].map(isInstantRefresh)).toEqual([true, true, true]);
    expect([1, 1.5, 30].map(isInstantRefresh)).toEqual([false, false, false]);
  });
});

describe("parsePage: refresh", () => {
  const opts = { url: "http://127.0.0.1:1/dir/page.html", contentType: "text/html", botToken: "SitemapForgeBot" };
  const parse = (html: string) => parsePage(Buffer.from(html), opts).refresh;

  it("resolves the URL against the base URL, any case of http-equiv", () => {
    expect(parse(`<html><head><META HTTP-EQUIV="Refresh" CONTENT="0; URL=../new.html"></head><body></body></html>`)).toEqual({
      delaySec: 0,
      url: "http://127.0.0.1:1/new.html",
    });
    expect(parse(`<head><base href="/b/"><meta http-equiv=refresh content="0;url=x"></head>`)?.url).toBe("http://127.0.0.1:1/b/x");
  });

  it("an implied head counts; the first refresh wins", () => {
    expect(parse(`<!doctype html><title>t</title><meta http-equiv="refresh" content="0;url=/one"><meta http-equiv="refresh" content="0;url=/two">`)?.url).toBe(
      "http://127.0.0.1:1/one",
    );
  });

  it("not in the body, not after </head>, not inside <noscript> or <template>", () => {
    expect(parse(page([], "", `<meta http-equiv="refresh" content="0;url=/body">`))).toBeNull();
    expect(parse(`<html><head></head><meta http-equiv="refresh" content="0;url=/after-head">`)).toBeNull();
    expect(parse(`<title>t</title><p>text</p><meta http-equiv="refresh" content="0;url=/after-p">`)).toBeNull();
    expect(parse(`<head><noscript><meta http-equiv="refresh" content="0;url=/nojs"></noscript></head>`)).toBeNull();
    expect(parse(`<head><template><meta http-equiv="refresh" content="0;url=/t"></template></head>`)).toBeNull();
    expect(parse(`<head><noscript></noscript><meta http-equiv="refresh" content="0;url=/after"></head>`)?.url).toBe("http://127.0.0.1:1/after");
  });
});

/** A rustdoc-style "Redirecting…" stub. */
const stub = (to: string, content = `0;URL='${to}'`): RouteSpec => ({
  body: `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Redirecting...</title><meta http-equiv="refresh" content="${content}"></head><body><p>Redirecting to... <a href="${to}">${to}</a>.</p></body></html>`,
});

describe("crawl: meta refresh redirects", () => {
  it("an instant refresh is a redirect: the stub is left out, its target followed and listed", async () => {
    const r = await run({
      "/": { body: page(["/std/old.html"]) },
      "/std/old.html": stub("new/real.html"),
      "/std/new/real.html": { body: page(["/std/new/more.html"]) },
      "/std/new/more.html": { body: page() },
    });
    expect(r.byPath.get("/std/old.html")).toMatchObject({
      included: false,
      reason: "redirect",
      redirectKind: "meta_refresh",
      status: 200,
      target: `${r.site.origin}/std/new/real.html`,
      depth: 1,
    });
    expect(r.byPath.get("/std/new/real.html")).toMatchObject({ included: true, depth: 1 });
    expect(r.listed).toEqual(["/", "/std/new/more.html", "/std/new/real.html"]);
    expect(r.summary.excludedByReason.redirect).toBe(1);
  });

  it("3xx hops carry redirectKind http; chains mixing both kinds count toward the same hop limit", async () => {
    const routes: Record<string, RouteSpec> = { "/": { body: page(["/h0", "/m0"]) } };
    // 5 hops alternating 301 and refresh, then a page: followed. 6 hops: redirect_limit.
    for (let i = 0; i < 5; i++) routes[`/h${i}`] = i % 2 ? stub(`/h${i + 1}`) : { status: 301, headers: { location: `/h${i + 1}` } };
    routes["/h5"] = { body: page() };
    for (let i = 0; i < 6; i++) routes[`/m${i}`] = i % 2 ? { status: 302, headers: { location: `/m${i + 1}` } } : stub(`/m${i + 1}`);
    routes["/m6"] = { body: page() };
    const r = await run(routes);
    expect(r.byPath.get("/h0")).toMatchObject({ reason: "redirect", redirectKind: "http", status: 301 });
    expect(r.byPath.get("/h1")).toMatchObject({ reason: "redirect", redirectKind: "meta_refresh", status: 200 });
    expect(r.byPath.get("/h5")?.included).toBe(true);
    for (let i = 0; i < 6; i++) expect(reasonOf(r, `/m${i}`)).toBe("redirect_limit");
    expect(r.pageRequests).not.toContain("/m6");
  });

  it("a refresh loop is redirect_limit; a refresh to itself or without a URL is a plain page", async () => {
    const r = await run({
      "/": { body: page(["/a", "/self", "/reload"]) },
      "/a": stub("/b"),
      "/b": stub("/a"),
      "/self": stub("/self"),
      "/reload": stub("", "0"),
    });
    expect(reasonOf(r, "/a")).toBe("redirect_limit");
    expect(reasonOf(r, "/b")).toBe("redirect_limit");
    expect(r.listed).toEqual(["/", "/reload", "/self"]);
  });

  it("a delayed refresh (1 s or more) is a page of its own; a refresh in the body is ignored", async () => {
    const r = await run({
      "/": { body: page(["/slow", "/half", "/body"]) },
      "/slow": stub("/slow-target", "1; url=/slow-target"),
      "/half": stub("/half-target", "0.5; url=/half-target"),
      "/half-target": { body: page() },
      "/body": { body: page([], "", `<meta http-equiv="refresh" content="0;url=/body-target">`) },
    });
    expect(r.listed).toEqual(["/", "/body", "/half-target", "/slow"]);
    expect(reasonOf(r, "/half")).toBe("redirect");
    expect(r.pageRequests).not.toContain("/body-target");
    // The delayed refresh's page is followed as a page: its link is crawled (and 404s here).
    expect(reasonOf(r, "/slow-target")).toBe("http_error");
  });

  it("a refresh to another origin is off_origin and never fetched; a disallowed target is robots_disallowed", async () => {
    const other = await startTestSite({ "/": { body: page() } });
    const r = await run({
      "/robots.txt": { body: "User-agent: *\nDisallow: /private\n", type: "text/plain" },
      "/": { body: page(["/out", "/go"]) },
      "/out": stub(`${other.origin}/landing`),
      "/go": stub("/private"),
    });
    expect(r.byPath.get("/out")).toMatchObject({ reason: "off_origin", redirectKind: "meta_refresh", target: `${other.origin}/landing` });
    expect(other.requests).toEqual([]);
    expect(r.byPath.get("/go")).toMatchObject({ reason: "redirect", redirectKind: "meta_refresh" });
    expect(reasonOf(r, "/private")).toBe("robots_disallowed");
    expect(r.pageRequests).not.toContain("/private");
  });

  it("the start URL itself may be a stub; its target is listed", async () => {
    const r = await run({ "/": stub("/home/"), "/home/": { body: page(["/home/a"]) }, "/home/a": { body: page() } });
    expect(r.byPath.get("/")).toMatchObject({ reason: "redirect", redirectKind: "meta_refresh", depth: 0 });
    expect(r.listed).toEqual(["/home/", "/home/a"]);
  });
});
