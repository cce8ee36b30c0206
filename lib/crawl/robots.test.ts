import { afterEach, describe, expect, it } from "vitest";
import { createFetcher, type Fetcher } from "./fetch";
import { fetchRobots, parseRobotsTxt, productToken, ROBOTS_MAX_BYTES } from "./robots";
import { startSite, type RouteSpec, type TestSite } from "@/tests/helpers/site";

const ORIGIN = "http://foo.bar";
/** google/robotstxt's IsUserAgentAllowed(robotstxt, useragent, url), on our parser. */
const allowed = (robotstxt: string, ua: string, url: string) => parseRobotsTxt(robotstxt, ORIGIN, ua).isAllowed(url);

describe("productToken", () => {
  it("takes the leading [A-Za-z_-] run of a User-Agent (RFC 9309 §2.2.1)", () => {
    expect(productToken("SitemapForgeBot/0.1 (+https://github.com/sitemap-forge/sitemap-forge)")).toBe("SitemapForgeBot");
    expect(productToken("Foo_Bar-Bot 2.0")).toBe("Foo_Bar-Bot");
    expect(productToken("  FooBot")).toBe("FooBot");
    expect(productToken("/1.0")).toBe("");
  });
});

// Cases ported from google/robotstxt robots_test.cc (the RFC-mandated "ID_" tests), run through parseRobotsTxt.
describe("parseRobotsTxt: google/robotstxt conformance cases", () => {
  it("ID_LineSyntax_Groups: groups, merged groups for one agent, rules outside groups ignored", () => {
    const txt =
      "allow: /foo/bar/\n\nuser-agent: FooBot\ndisallow: /\nallow: /x/\nuser-agent: BarBot\ndisallow: /\nallow: /y/\n\n\n" +
      "allow: /w/\nuser-agent: BazBot\n\nuser-agent: FooBot\nallow: /z/\ndisallow: /\n";
    expect(allowed(txt, "FooBot", "http://foo.bar/x/b")).toBe(true);
    expect(allowed(txt, "FooBot", "http://foo.bar/z/d")).toBe(true);
    expect(allowed(txt, "FooBot", "http://foo.bar/y/c")).toBe(false);
    expect(allowed(txt, "BarBot", "http://foo.bar/y/c")).toBe(true);
    expect(allowed(txt, "BarBot", "http://foo.bar/w/a")).toBe(true);
    expect(allowed(txt, "BarBot", "http://foo.bar/z/d")).toBe(false);
    expect(allowed(txt, "BazBot", "http://foo.bar/z/d")).toBe(true);
    expect(allowed(txt, "FooBot", "http://foo.bar/foo/bar/")).toBe(false);
    expect(allowed(txt, "BarBot", "http://foo.bar/foo/bar/")).toBe(false);
    expect(allowed(txt, "BazBot", "http://foo.bar/foo/bar/")).toBe(false);
  });

  it("ID_REPLineNamesCaseInsensitive and ID_UserAgentValueCaseInsensitive", () => {
    for (const txt of ["USER-AGENT: FooBot\nALLOW: /x/\nDISALLOW: /\n", "uSeR-aGeNt: FooBot\nAlLoW: /x/\ndIsAlLoW: /\n"]) {
      expect(allowed(txt, "FooBot", "http://foo.bar/x/y")).toBe(true);
      expect(allowed(txt, "FooBot", "http://foo.bar/a/b")).toBe(false);
    }
    for (const txt of ["User-Agent: FOO BAR\nAllow: /x/\nDisallow: /\n", "User-Agent: FoO bAr\nAllow: /x/\nDisallow: /\n"]) {
      for (const ua of ["Foo", "foo"]) {
        expect(allowed(txt, ua, "http://foo.bar/x/y")).toBe(true);
        expect(allowed(txt, ua, "http://foo.bar/a/b")).toBe(false);
      }
    }
  });

  it("ID_GlobalGroups_Secondary: '*' only when no group names our agent", () => {
    const global = "user-agent: *\nallow: /\nuser-agent: FooBot\ndisallow: /\n";
    const onlySpecific = "user-agent: FooBot\nallow: /\nuser-agent: BarBot\ndisallow: /\nuser-agent: BazBot\ndisallow: /\n";
    expect(allowed("", "FooBot", "http://foo.bar/x/y")).toBe(true);
    expect(allowed(global, "FooBot", "http://foo.bar/x/y")).toBe(false);
    expect(allowed(global, "BarBot", "http://foo.bar/x/y")).toBe(true);
    expect(allowed(onlySpecific, "QuxBot", "http://foo.bar/x/y")).toBe(true);
  });

  it("ID_AllowDisallow_Value_CaseSensitive", () => {
    expect(allowed("user-agent: FooBot\ndisallow: /x/\n", "FooBot", "http://foo.bar/x/y")).toBe(false);
    expect(allowed("user-agent: FooBot\ndisallow: /X/\n", "FooBot", "http://foo.bar/x/y")).toBe(true);
  });

  it("ID_LongestMatch: the most specific (longest) rule wins; Allow wins a tie", () => {
    const url = "http://foo.bar/x/page.html";
    expect(allowed("user-agent: FooBot\ndisallow: /x/page.html\nallow: /x/\n", "FooBot", url)).toBe(false);
    expect(allowed("user-agent: FooBot\nallow: /x/page.html\ndisallow: /x/\n", "FooBot", url)).toBe(true);
    expect(allowed("user-agent: FooBot\nallow: /x/page.html\ndisallow: /x/\n", "FooBot", "http://foo.bar/x/")).toBe(false);
    expect(allowed("user-agent: FooBot\ndisallow: \nallow: \n", "FooBot", url)).toBe(true);
    expect(allowed("user-agent: FooBot\ndisallow: /\nallow: /\n", "FooBot", url)).toBe(true); // tie → allow
    expect(allowed("user-agent: FooBot\ndisallow: /x\nallow: /x/\n", "FooBot", "http://foo.bar/x")).toBe(false);
    expect(allowed("user-agent: FooBot\ndisallow: /x\nallow: /x/\n", "FooBot", "http://foo.bar/x/")).toBe(true);
    expect(allowed("user-agent: FooBot\ndisallow: /x/page.html\nallow: /x/page.html\n", "FooBot", url)).toBe(true);
    expect(allowed("user-agent: FooBot\nallow: /page\ndisallow: /*.html\n", "FooBot", "http://foo.bar/page.html")).toBe(false);
    expect(allowed("user-agent: FooBot\nallow: /page\ndisallow: /*.html\n", "FooBot", "http://foo.bar/page")).toBe(true);
    expect(allowed("user-agent: FooBot\nallow: /x/page.\ndisallow: /*.html\n", "FooBot", url)).toBe(true);
    expect(allowed("user-agent: FooBot\nallow: /x/page.\ndisallow: /*.html\n", "FooBot", "http://foo.bar/x/y.html")).toBe(false);
    const groups = "User-agent: *\nDisallow: /x/\nUser-agent: FooBot\nDisallow: /y/\n";
    expect(allowed(groups, "FooBot", "http://foo.bar/x/page")).toBe(true);
    expect(allowed(groups, "FooBot", "http://foo.bar/y/page")).toBe(false);
  });

  it("ID_Encoding: non-ASCII and reserved characters compare percent-encoded", () => {
    expect(
      allowed(
        "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar?qux=taz&baz=http://foo.bar?tar&par\n",
        "FooBot",
        "http://foo.bar/foo/bar?qux=taz&baz=http://foo.bar?tar&par",
      ),
    ).toBe(true);
    expect(allowed("User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/ツ\n", "FooBot", "http://foo.bar/foo/bar/%E3%83%84")).toBe(true);
    expect(allowed("User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/%E3%83%84\n", "FooBot", "http://foo.bar/foo/bar/%E3%83%84")).toBe(true);
  });

  it("RFC 9309 §2.2.2: percent-encoded unreserved characters equal their literal (deliberately unlike Google's pre-RFC case)", () => {
    // robots_test.cc expects /foo/bar/%62%61%7A NOT to match /foo/bar/baz; the published RFC's table says it does.
    const txt = "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/%62%61%7A\n";
    expect(allowed(txt, "FooBot", "http://foo.bar/foo/bar/baz")).toBe(true);
    expect(allowed(txt, "FooBot", "http://foo.bar/foo/bar/%62%61%7A")).toBe(true);
    expect(allowed("User-agent: *\nDisallow: /%7Ejoe/\n", "FooBot", "http://foo.bar/~joe/x")).toBe(false);
    expect(allowed("User-agent: *\nDisallow: /~joe/\n", "FooBot", "http://foo.bar/%7Ejoe/x")).toBe(false);
    // Reserved characters stay encoded: %2F is not "/".
    expect(allowed("User-agent: *\nDisallow: /a%2Fb\n", "FooBot", "http://foo.bar/a/b")).toBe(true);
  });

  it("ID_SpecialCharacters: '*', '$' and '#' comments", () => {
    const star = "User-agent: FooBot\nDisallow: /foo/bar/quz\nAllow: /foo/*/qux\n";
    expect(allowed(star, "FooBot", "http://foo.bar/foo/bar/quz")).toBe(false);
    expect(allowed(star, "FooBot", "http://foo.bar/foo/quz")).toBe(true);
    expect(allowed(star, "FooBot", "http://foo.bar/foo//quz")).toBe(true);
    expect(allowed(star, "FooBot", "http://foo.bar/foo/bax/quz")).toBe(true);
    const dollar = "User-agent: FooBot\nDisallow: /foo/bar$\nAllow: /foo/bar/qux\n";
    expect(allowed(dollar, "FooBot", "http://foo.bar/foo/bar")).toBe(false);
    expect(allowed(dollar, "FooBot", "http://foo.bar/foo/bar/qux")).toBe(true);
    expect(allowed(dollar, "FooBot", "http://foo.bar/foo/bar/")).toBe(true);
    expect(allowed(dollar, "FooBot", "http://foo.bar/foo/bar/baz")).toBe(true);
    const hash = "User-agent: FooBot\n# Disallow: /\nDisallow: /foo/quz#qux\nAllow: /\n";
    expect(allowed(hash, "FooBot", "http://foo.bar/foo/bar")).toBe(true);
    expect(allowed(hash, "FooBot", "http://foo.bar/foo/quz")).toBe(false);
  });

  it("Google documentation examples for '*' and '$' (path matching)", () => {
    const php = "user-agent: FooBot\ndisallow: /\nallow: /*.php$\n";
    expect(allowed(php, "FooBot", "http://foo.bar/filename.php")).toBe(true);
    expect(allowed(php, "FooBot", "http://foo.bar/folder/filename.php")).toBe(true);
    expect(allowed(php, "FooBot", "http://foo.bar/filename.php?parameters")).toBe(false);
    expect(allowed(php, "FooBot", "http://foo.bar/filename.php5")).toBe(false);
    const root = "user-agent: FooBot\nallow: /$\ndisallow: /\n";
    expect(allowed(root, "FooBot", "http://foo.bar/")).toBe(true);
    expect(allowed(root, "FooBot", "http://foo.bar/page.html")).toBe(false);
  });

  it("line endings CR, LF and CRLF; a leading BOM", () => {
    for (const nl of ["\n", "\r\n", "\r"]) {
      const txt = `\ufeffUser-agent: FooBot${nl}Disallow: /a${nl}`;
      expect(allowed(txt, "FooBot", "http://foo.bar/a")).toBe(false);
      expect(allowed(txt, "FooBot", "http://foo.bar/b")).toBe(true);
    }
  });

  it("matches our product token from a full User-Agent, case-insensitively", () => {
    const txt = "User-agent: *\nDisallow: /\n\nUser-agent: sitemapforgebot\nDisallow: /private/\n";
    const ua = "SitemapForgeBot/0.1 (+https://github.com/sitemap-forge/sitemap-forge)";
    expect(allowed(txt, ua, "http://foo.bar/public")).toBe(true);
    expect(allowed(txt, ua, "http://foo.bar/private/x")).toBe(false);
    expect(allowed(txt, "OtherBot/1.0", "http://foo.bar/public")).toBe(false);
  });

  it("exposes Sitemap: lines (absolute, normalised, deduplicated, independent of groups)", () => {
    const txt =
      "Sitemap: http://foo.bar/sitemap.xml\nUser-agent: OtherBot\nDisallow: /\nsitemap: HTTP://FOO.BAR/news.xml#x\n" +
      "Sitemap: http://foo.bar/sitemap.xml\nSitemap: /relative.xml\n";
    expect(parseRobotsTxt(txt, ORIGIN, "FooBot").sitemaps).toEqual(["http://foo.bar/sitemap.xml", "http://foo.bar/news.xml"]);
  });
});

describe("fetchRobots: RFC 9309 §2.3.1 status handling", () => {
  const sites: TestSite[] = [];
  let fetcher: Fetcher | null = null;
  afterEach(async () => {
    await fetcher?.close();
    fetcher = null;
    await Promise.all(sites.splice(0).map((s) => s.close()));
  });
  const load = async (routes: Record<string, RouteSpec>) => {
    const site = await startSite(routes);
    sites.push(site);
    fetcher = createFetcher({ userAgent: "SitemapForgeBot/0.1", timeoutMs: 2_000, maxBodyBytes: 10_000_000, allowHosts: [site.hostPort] });
    const policy = await fetchRobots(site.origin, { fetcher, userAgent: "SitemapForgeBot/0.1" });
    return { site, policy };
  };

  it("2xx: parses the rules", async () => {
    const { site, policy } = await load({ "/robots.txt": { body: "User-agent: *\nDisallow: /private/\n", type: "text/plain" } });
    expect(policy.outcome).toBe("parsed");
    expect(policy.isAllowed(`${site.origin}/private/a`)).toBe(false);
    expect(policy.isAllowed(`${site.origin}/public`)).toBe(true);
  });

  it.each([400, 401, 403, 404, 410])("%i: unavailable → everything allowed", async (status) => {
    const { site, policy } = await load({ "/robots.txt": { status, body: "User-agent: *\nDisallow: /\n" } });
    expect(policy.outcome).toBe("unavailable");
    expect(policy.isAllowed(`${site.origin}/anything`)).toBe(true);
  });

  it.each([500, 502, 503, 429])("%i: unreachable → everything disallowed", async (status) => {
    const { site, policy } = await load({ "/robots.txt": { status, body: "User-agent: *\nAllow: /\n" } });
    expect(policy.outcome).toBe("unreachable");
    expect(policy.isAllowed(`${site.origin}/`)).toBe(false);
  });

  it("follows up to five redirects", async () => {
    const routes: Record<string, RouteSpec> = { "/robots.txt": { status: 301, headers: { location: "/r1" } } };
    for (let i = 1; i < 5; i++) routes[`/r${i}`] = { status: 302, headers: { location: `/r${i + 1}` } };
    routes["/r5"] = { body: "User-agent: *\nDisallow: /x\n", type: "text/plain" };
    const { site, policy } = await load(routes);
    expect(policy.outcome).toBe("parsed");
    expect(policy.isAllowed(`${site.origin}/x`)).toBe(false);
    expect(site.requests).toEqual(["/robots.txt", "/r1", "/r2", "/r3", "/r4", "/r5"]);
  });

  it("more than five redirects → unavailable (allow all)", async () => {
    const routes: Record<string, RouteSpec> = { "/robots.txt": { status: 301, headers: { location: "/r1" } } };
    for (let i = 1; i <= 6; i++) routes[`/r${i}`] = { status: 302, headers: { location: `/r${i + 1}` } };
    routes["/r7"] = { body: "User-agent: *\nDisallow: /\n", type: "text/plain" };
    const { site, policy } = await load(routes);
    expect(policy.outcome).toBe("unavailable");
    expect(site.requests).not.toContain("/r6");
  });

  it("unreachable server (connection reset) → everything disallowed", async () => {
    const site = await startSite({ "/robots.txt": (req) => req.socket.destroy() });
    sites.push(site);
    fetcher = createFetcher({ userAgent: "x", timeoutMs: 2_000, maxBodyBytes: 1_000, allowHosts: [site.hostPort] });
    const policy = await fetchRobots(site.origin, { fetcher, userAgent: "x" });
    expect(policy.outcome).toBe("unreachable");
  });

  it("origin refused by the SSRF guard → blocked, nothing sent", async () => {
    const site = await startSite({});
    sites.push(site);
    fetcher = createFetcher({ userAgent: "x", timeoutMs: 2_000, maxBodyBytes: 1_000, allowHosts: [] });
    const policy = await fetchRobots(site.origin, { fetcher, userAgent: "x" });
    expect(policy.outcome).toBe("blocked");
    expect(site.requests).toEqual([]);
  });

  it("parses at least 500 KiB and keeps the rules found before a cut-off", async () => {
    const filler = "# " + "x".repeat(1000) + "\n";
    const body = "User-agent: *\nDisallow: /early\n" + filler.repeat(600) + "Disallow: /late\n"; // ~600 KB
    const { site, policy } = await load({ "/robots.txt": { body, type: "text/plain" } });
    expect(body.length).toBeGreaterThan(ROBOTS_MAX_BYTES);
    expect(policy.outcome).toBe("parsed");
    expect(policy.isAllowed(`${site.origin}/early`)).toBe(false);
    expect(policy.isAllowed(`${site.origin}/late`)).toBe(true); // beyond the 512 KiB we read
  });
});
