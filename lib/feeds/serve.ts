/**
 * Serving a feed file (public route and API download): Content-Type application/rss+xml or application/atom+xml
 * with the feed's charset, `ETag: "<sha256>"`, Last-Modified (when the file was published), Content-Length,
 * 304 for a matching If-None-Match (else If-Modified-Since), HEAD without a body. Returns null when the feed has no
 * published file yet.
 */
import { readFeedFile } from "./files";
import { feedContentType, type FeedEncoding, type FeedFormat } from "./render";

/**
 * The Response serving the feed's published file (headers and 304 as the module doc says; Content-Type from the
 * file's own XML declaration and root element), with `Cache-Control: cacheControl`; null when there is no file.
 */
export async function feedFileResponse(req: Request, feedId: string, cacheControl: string): Promise<Response | null> {
  const file = await readFeedFile(feedId);
  if (!file) return null;
  const etag = `"${file.sha256}"`;
  const headers = new Headers({
    ETag: etag,
    "Last-Modified": file.modified.toUTCString(),
    "Cache-Control": cacheControl,
    "X-Content-Type-Options": "nosniff",
  });
  const inm = req.headers.get("if-none-match");
  const ims = Date.parse(req.headers.get("if-modified-since") ?? "");
  const fresh =
    inm !== null
      ? inm.split(",").some((t) => ["*", etag].includes(t.trim().replace(/^W\//, "")))
      : !Number.isNaN(ims) && Math.floor(file.modified.getTime() / 1000) <= Math.floor(ims / 1000);
  if (fresh) return new Response(null, { status: 304, headers });
  // The feed's format/encoding may have changed since the file was written: the XML declaration is the truth.
  const encoding = file.bytes.subarray(0, 100).toString("latin1").includes('encoding="windows-1251"') ? "windows-1251" : "utf-8";
  const format = /<feed[\s>]/.test(file.bytes.subarray(0, 400).toString("latin1")) ? "atom" : "rss";
  headers.set("Content-Type", feedContentType(format as FeedFormat, encoding as FeedEncoding));
  headers.set("Content-Length", String(file.bytes.length));
  return new Response(req.method === "HEAD" ? null : new Uint8Array(file.bytes), { status: 200, headers });
}
