import { afterEach, describe, expect, it } from "vitest";
import { closeTestSites, robots, run } from "@/tests/helpers/crawl";
import { page } from "@/tests/helpers/site";
import { mediaType } from "./crawler";
import { parseRobotsTxt } from "./robots";

afterEach(closeTestSites);

describe("crawl: what the URL inventory needs", () => {
  it("records the first page linking to each URL and the distinct pages linking to it", async () => {
    const r = await run({
      "/": { body: page(["/a", "/b", "/b", "/", "/c"]) }, // /b twice on one page counts once; the self-link not at all
      "/a": { body: page(["/b", "/c", "/d"]) },
      "/b": { body: page(["/c", "/d"]) },
      "/c": { body: page(["/"]) },
      "/d": { body: page(["/gone"]) },
    });
    const o = r.site.origin;
    const rec = (p: string) => r.byPath.get(p)!;
    expect(rec("/").foundOn ?? null).toBeNull();
    expect(rec("/a").foundOn).toBe(`${o}/`);
    expect(rec("/c").foundOn).toBe(`${o}/`);
    expect(rec("/d").foundOn).toBe(`${o}/a`);
    expect(rec("/gone")).toMatchObject({ reason: "http_error", status: 404, foundOn: `${o}/d` });
    const inlinks = r.summary.inlinks!;
    expect(Object.fromEntries([...inlinks].map(([u, n]) => [u.slice(o.length), n]))).toEqual({ "/": 1, "/a": 1, "/b": 2, "/c": 3, "/d": 2, "/gone": 1 });
    // A record carries the count seen when it was emitted: never more than the final one.
    for (const x of r.records) expect(x.inlinks ?? 0).toBeLessThanOrEqual(inlinks.get(x.url) ?? 0);
  });

  it("a redirect target is found on the redirecting URL; content type without parameters; lastmod source server", async () => {
    const r = await run({
      "/": { body: page(["/old", "/doc.txt"]) },
      "/old": { status: 301, headers: { location: "/new" }, body: "" },
      "/new": { body: page(), headers: { "last-modified": "Tue, 01 Dec 2026 10:00:00 GMT" } },
      "/doc.txt": { body: "plain", type: "text/plain; charset=ISO-8859-1" },
    });
    const o = r.site.origin;
    expect(r.byPath.get("/old")).toMatchObject({ reason: "redirect", target: `${o}/new`, foundOn: `${o}/` });
    expect(r.byPath.get("/new")).toMatchObject({ included: true, foundOn: `${o}/old`, lastmodSource: "server", contentType: "text/html" });
    expect(r.byPath.get("/doc.txt")).toMatchObject({ reason: "not_html", contentType: "text/plain" });
    expect(r.byPath.get("/")!.lastmodSource ?? null).toBeNull();
  });

  it("explains robots.txt exclusions with the rule and line, and noindex with its sources", async () => {
    const r = await run({
      "/robots.txt": robots("User-agent: *\nAllow: /private/open\nDisallow: /private/\n"),
      "/": { body: page(["/private/x", "/private/open", "/both", "/meta"]) },
      "/private/open": { body: page() },
      "/both": { body: page([], '<meta name="robots" content="noindex">'), headers: { "x-robots-tag": "noindex" } },
      "/meta": { body: page([], '<meta name="robots" content="noindex">') },
    });
    expect(r.byPath.get("/private/x")).toMatchObject({ reason: "robots_disallowed", detail: { robotsRule: "Disallow: /private/", robotsLine: 3 } });
    expect(r.byPath.get("/private/open")!.included).toBe(true);
    expect(r.byPath.get("/both")).toMatchObject({ reason: "noindex_header", detail: { noindex: ["x-robots-tag", "meta"] } });
    expect(r.byPath.get("/meta")).toMatchObject({ reason: "noindex_meta", detail: { noindex: ["meta"] } });
  });

  it("linkStats: false records neither (the benchmark's baseline)", async () => {
    const r = await run({ "/": { body: page(["/a"]) }, "/a": { body: page(["/"]) } }, {}, { linkStats: false });
    expect(r.summary.inlinks).toBeUndefined();
    expect(r.byPath.get("/a")!.foundOn).toBeUndefined();
  });
});

describe("robots.txt disallowedBy", () => {
  it("names the deciding rule under longest match, Allow winning ties", () => {
    const p = parseRobotsTxt("User-agent: *\nDisallow: /a\nDisallow: /a/b\nAllow: /a/b/c\nAllow: /same\nDisallow: /same\n", "http://x", "Bot");
    expect(p.disallowedBy!("http://x/a/z")).toEqual({ rule: "Disallow: /a", line: 2 });
    expect(p.disallowedBy!("http://x/a/b/z")).toEqual({ rule: "Disallow: /a/b", line: 3 });
    expect(p.disallowedBy!("http://x/a/b/c")).toBeNull();
    expect(p.disallowedBy!("http://x/same")).toBeNull();
    expect(p.disallowedBy!("http://x/other")).toBeNull();
  });
});

describe("mediaType", () => {
  it("drops parameters and lower-cases", () => {
    expect(mediaType("Text/HTML; charset=UTF-8")).toBe("text/html");
    expect(mediaType("")).toBeNull();
    expect(mediaType(null)).toBeNull();
  });
});
