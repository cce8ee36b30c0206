/**
 * Test-only fixture for the sitemap audit (lib/crawl/site-audit.ts): a loopback site whose own sitemaps hold every kind
 * of problem. robots.txt names a sitemap index; the index names a plain urlset, a gzip urlset, one with a DOCTYPE
 * (entity expansion), a missing one and an HTML page. Bodies name the site's own origin (from the Host header).
 *
 * Expected findings (with robots.txt sitemap import on, the default) are in {@link AUDIT_SITE_EXPECTED}, as paths.
 */
import zlib from "node:zlib";
import type http from "node:http";
import { page, startSite, type TestSite } from "./site";

const urlset = (locs: string[]) =>
  `<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` +
  locs.map((l) => `<url><loc>${l}</loc></url>`).join("") +
  `</urlset>`;
const index = (locs: string[]) =>
  `<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${locs.map((l) => `<sitemap><loc>${l}</loc></sitemap>`).join("")}</sitemapindex>`;
const laughs = (o: string) =>
  `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">` +
  `<!ENTITY xxe SYSTEM "file:///etc/passwd">]><urlset><url><loc>${o}/&lol2;</loc></url><url><loc>&xxe;</loc></url></urlset>`;

type H = (req: http.IncomingMessage, res: http.ServerResponse) => void;
const serve = (type: string, body: (o: string) => string | Buffer, status = 200, headers: Record<string, string> = {}): H =>
  (req, res) => {
    res.writeHead(status, { "content-type": type, ...headers });
    res.end(body(`http://${req.headers.host}`));
  };
const html = (links: string[], head = "") => serve("text/html; charset=utf-8", () => page(links, head));

/** Paths in the site's sitemaps. */
export const AUDIT_SITE_SITEMAP_PATHS = ["/", "/about", "/noindex", "/moved", "/gone", "/canon", "/private/secret", "/file.pdf", "/data", "/orphan", "/blog"];

/** Starts the fixture site. `robotsSitemap: false` serves a robots.txt without `Sitemap:` (the audit reads /sitemap.xml). */
export async function startAuditSite(opts: { robotsSitemap?: boolean } = {}): Promise<TestSite> {
  const withRobots = opts.robotsSitemap !== false;
  const pagesSitemap = serve("application/xml", (o) =>
    urlset([...AUDIT_SITE_SITEMAP_PATHS.filter((p) => p !== "/blog").map((p) => `${o}${p}`), "https://other.example/x"]),
  );
  return startSite({
    "/robots.txt": serve("text/plain", (o) => `User-agent: *\nDisallow: /private/\n${withRobots ? `Sitemap: ${o}/sitemap_index.xml\n` : ""}`),
    "/sitemap_index.xml": serve("application/xml", (o) =>
      index([`${o}/sitemap-pages.xml`, `${o}/sitemap-more.xml.gz`, `${o}/sitemap-broken.xml`, `${o}/sitemap-missing.xml`, `${o}/sitemap-html.xml`]),
    ),
    ...(withRobots ? {} : { "/sitemap.xml": pagesSitemap }),
    "/sitemap-pages.xml": pagesSitemap,
    "/sitemap-more.xml.gz": serve("application/gzip", (o) => zlib.gzipSync(urlset([`${o}/blog`]))),
    "/sitemap-broken.xml": serve("application/xml", laughs),
    "/sitemap-html.xml": html([]),
    "/": html(["/about", "/noindex", "/moved", "/gone", "/canon", "/private/secret", "/file.pdf", "/data", "/blog", "/unlisted"]),
    "/about": html(["/"]),
    "/noindex": html(["/"], `<meta name="robots" content="noindex">`),
    "/moved": serve("text/html", () => "", 301, { location: "/about" }),
    "/canon": html(["/"], `<link rel="canonical" href="/about">`),
    "/data": serve("application/json", () => "{}"),
    "/orphan": html(["/"]),
    "/blog": html(["/"]),
    "/unlisted": html(["/"]),
    "/private/secret": html([]),
  });
}

/** Findings expected on the fixture with robots.txt sitemap import on: `kind reason path`, sorted. */
export const AUDIT_SITE_EXPECTED = [
  "missing_from_sitemap - /unlisted",
  "not_indexable canonical_elsewhere /canon",
  "not_indexable http_error /gone",
  "not_indexable noindex_meta /noindex",
  "not_indexable not_html /data",
  "not_indexable not_html /file.pdf",
  "not_indexable off_origin https://other.example/x",
  "not_indexable redirect /moved",
  "not_indexable robots_disallowed /private/secret",
  "orphan - /orphan",
  "sitemap_error doctype /sitemap-broken.xml",
  "sitemap_error http_error /sitemap-missing.xml",
  "sitemap_error not_sitemap /sitemap-html.xml",
];

/** A finding as `kind reason path` (origin stripped), for comparing with {@link AUDIT_SITE_EXPECTED}. */
export const findingLine = (origin: string, f: { kind: string; reason: string | null; url: string }) =>
  `${f.kind} ${f.reason ?? "-"} ${f.url.startsWith(origin) ? f.url.slice(origin.length) : f.url}`;
