/**
 * Optional XSL stylesheet for people who open a sitemap in a browser. Crawlers ignore it; browsers that still run
 * XSLT 1.0 (Chromium shows a deprecation banner since 2025, and browser vendors plan to drop XSLT) render a table.
 *
 * - `SITEMAP_XSL`: the stylesheet (XSLT 1.0, no script). Handles `<urlset>` (loc, lastmod, image count, hreflang
 *   alternates, video and news markers) and `<sitemapindex>` (loc, lastmod). Served at `SITEMAP_XSL_PATH`
 *   (`/sitemap.xsl`, app/sitemap.xsl/route.ts) by `sitemapXslResponse`. Browsers only apply a same-origin stylesheet,
 *   so the href must be on the origin that serves the sitemap files (`APP_URL`).
 * - `xmlStylesheetPi(href)`: the `<?xml-stylesheet type="text/xsl" href="…"?>` line the writers put right after the
 *   XML declaration of every `<urlset>` and `<sitemapindex>` when `xslHref` is set. Its bytes count towards
 *   `maxFileSize` like everything else in the file.
 */
import { createHash } from "node:crypto";
import { SitemapOptionsError } from "./errors";
import { encodeLoc, escapeEncodedLoc } from "./xml";

/** Public path of the stylesheet on the app's origin. */
export const SITEMAP_XSL_PATH = "/sitemap.xsl";

const ROOT_RELATIVE = /^\/(?!\/)[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*$/;

/**
 * The `<?xml-stylesheet?>` line (ending in "\n") for `href`: an absolute http(s) URL (RFC 3986-encoded like `<loc>`)
 * or a root-relative path with an optional query (`/sitemap.xsl`, `/sitemap.xsl?v=2`). `&` and `'` are written as `&amp;` and `&apos;` (the pseudo-attribute allows
 * references to the predefined entities); quotes, `<` and `?>` cannot occur after encoding.
 * @throws SitemapOptionsError for anything else (relative paths, other schemes, quotes, spaces).
 */
export function xmlStylesheetPi(href: string): string {
  let h: string;
  if (typeof href === "string" && ROOT_RELATIVE.test(href)) {
    h = href;
  } else {
    try {
      h = encodeLoc(href);
    } catch {
      throw new SitemapOptionsError(
        `xslHref ${JSON.stringify(String(href).slice(0, 200))} must be an absolute http(s) URL or a path starting with "/".`,
      );
    }
  }
  return `<?xml-stylesheet type="text/xsl" href="${escapeEncodedLoc(h)}"?>\n`;
}

/** The stylesheet (UTF-8 text). Deterministic; its sha256 is the ETag of `sitemapXslResponse`. */
export const SITEMAP_XSL = `<?xml version="1.0" encoding="UTF-8"?>
<!-- Sitemap Forge: renders sitemaps.org <urlset> and <sitemapindex> files as tables for people. XSLT 1.0, no script. -->
<xsl:stylesheet version="1.0"
  xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:s="http://www.sitemaps.org/schemas/sitemap/0.9"
  xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"
  xmlns:video="http://www.google.com/schemas/sitemap-video/1.1"
  xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
  xmlns:xhtml="http://www.w3.org/1999/xhtml"
  exclude-result-prefixes="s image video news xhtml">
  <xsl:output method="html" encoding="UTF-8" indent="no" doctype-system="about:legacy-compat"/>

  <xsl:template match="/">
    <html lang="en">
      <head>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title>XML Sitemap</title>
        <style>
          body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;margin:2rem auto;max-width:78rem;padding:0 1rem}
          h1{font-size:1.4rem;margin:0 0 .25rem}
          p{color:#59636e;margin:.25rem 0 1rem}
          table{border-collapse:collapse;width:100%}
          th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #d1d9e0;vertical-align:top}
          th{background:#f6f8fa;font-weight:600;position:sticky;top:0}
          td.n,th.n{text-align:right;white-space:nowrap;color:#59636e}
          td.d{white-space:nowrap}
          a{color:#0969da;text-decoration:none;word-break:break-all}
          a:hover{text-decoration:underline}
          .tag{display:inline-block;margin-left:.4rem;padding:0 .35rem;border-radius:.6rem;background:#ddf4ff;color:#0550ae;font-size:12px}
          .alt a{word-break:normal;margin-right:.35rem}
        </style>
      </head>
      <body>
        <h1>XML Sitemap</h1>
        <xsl:apply-templates select="s:sitemapindex|s:urlset"/>
        <p>This file is for search engines (<a href="https://www.sitemaps.org/protocol.html">sitemaps.org protocol</a>); this table is only a view of it.</p>
      </body>
    </html>
  </xsl:template>

  <xsl:template name="link">
    <xsl:param name="url"/>
    <xsl:choose>
      <xsl:when test="starts-with($url, 'https://') or starts-with($url, 'http://')">
        <a href="{$url}"><xsl:value-of select="$url"/></a>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$url"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="s:sitemapindex">
    <p>Sitemap index: <strong><xsl:value-of select="count(s:sitemap)"/></strong> sitemap files.</p>
    <table>
      <thead><tr><th class="n">#</th><th>Sitemap</th><th>Last modified</th></tr></thead>
      <tbody>
        <xsl:for-each select="s:sitemap">
          <tr>
            <td class="n"><xsl:value-of select="position()"/></td>
            <td><xsl:call-template name="link"><xsl:with-param name="url" select="normalize-space(s:loc)"/></xsl:call-template></td>
            <td class="d"><xsl:value-of select="s:lastmod"/></td>
          </tr>
        </xsl:for-each>
      </tbody>
    </table>
  </xsl:template>

  <xsl:template match="s:urlset">
    <p>
      <strong><xsl:value-of select="count(s:url)"/></strong> URLs<xsl:if test="s:url/image:image">, <xsl:value-of select="count(s:url/image:image)"/> images</xsl:if><xsl:if test="s:url/xhtml:link">, <xsl:value-of select="count(s:url[xhtml:link])"/> with hreflang alternates</xsl:if>.
    </p>
    <table>
      <thead><tr><th class="n">#</th><th>URL</th><th>Last modified</th><th class="n">Images</th><th>Alternates</th></tr></thead>
      <tbody>
        <xsl:for-each select="s:url">
          <tr>
            <td class="n"><xsl:value-of select="position()"/></td>
            <td>
              <xsl:call-template name="link"><xsl:with-param name="url" select="normalize-space(s:loc)"/></xsl:call-template>
              <xsl:if test="video:video"><span class="tag">video <xsl:value-of select="count(video:video)"/></span></xsl:if>
              <xsl:if test="news:news"><span class="tag">news</span></xsl:if>
            </td>
            <td class="d"><xsl:value-of select="s:lastmod"/></td>
            <td class="n"><xsl:if test="image:image"><xsl:value-of select="count(image:image)"/></xsl:if></td>
            <td class="alt">
              <xsl:for-each select="xhtml:link[@rel='alternate']">
                <xsl:choose>
                  <xsl:when test="starts-with(@href, 'https://') or starts-with(@href, 'http://')">
                    <a href="{@href}" title="{@href}"><xsl:value-of select="@hreflang"/></a>
                  </xsl:when>
                  <xsl:otherwise><xsl:value-of select="@hreflang"/></xsl:otherwise>
                </xsl:choose>
                <xsl:text> </xsl:text>
              </xsl:for-each>
            </td>
          </tr>
        </xsl:for-each>
      </tbody>
    </table>
  </xsl:template>
</xsl:stylesheet>
`;

const XSL_ETAG = `"${createHash("sha256").update(SITEMAP_XSL).digest("hex")}"`;

/**
 * HTTP response for `GET|HEAD /sitemap.xsl`: `text/xsl; charset=utf-8`, strong ETag (sha256), one day of public
 * caching, `nosniff`; 304 when If-None-Match matches. Web-standard Request/Response, so a Next route handler can
 * return it as is.
 */
export function sitemapXslResponse(req: Request): Response {
  const headers = new Headers({
    ETag: XSL_ETAG,
    "Cache-Control": "public, max-age=86400",
    "X-Content-Type-Options": "nosniff",
  });
  const inm = req.headers.get("if-none-match");
  if (inm !== null && inm.split(",").some((t) => t.trim().replace(/^W\//, "") === XSL_ETAG || t.trim() === "*")) {
    return new Response(null, { status: 304, headers });
  }
  const body = Buffer.from(SITEMAP_XSL, "utf8");
  headers.set("Content-Type", "text/xsl; charset=utf-8");
  headers.set("Content-Length", String(body.length));
  return new Response(req.method === "HEAD" ? null : body, { status: 200, headers });
}
