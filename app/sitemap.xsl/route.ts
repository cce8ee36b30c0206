import { sitemapXslResponse } from "@/lib/sitemap/xsl";

// GET|HEAD /sitemap.xsl – public: the XSL stylesheet named by <?xml-stylesheet?> in sitemaps written with `xslHref`.
// Same origin as /s/{sitemapId}/{name}, as browsers require for XSLT. Static text, strong ETag, cached a day.
export function GET(req: Request): Response {
  return sitemapXslResponse(req);
}
