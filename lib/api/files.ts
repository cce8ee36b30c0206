/**
 * Serving a published file: Content-Type by extension, `ETag: "<sha256>"`, Last-Modified (the file's creation),
 * Content-Length, and 304 Not Modified for a matching If-None-Match (or, without it, If-Modified-Since; RFC 9110
 * §13.1). Bytes are streamed as stored: a `.gz` file is sent as `application/gzip`, not content-encoded.
 */
import type { OpenedFile } from "@/lib/db/files";
import { contentTypeFor } from "@/lib/files/content-type";

export { contentTypeFor };

function notModified(req: Request, etag: string, modified: Date): boolean {
  const inm = req.headers.get("if-none-match");
  if (inm !== null) {
    return inm.split(",").some((t) => {
      const tag = t.trim().replace(/^W\//, "");
      return tag === "*" || tag === etag;
    });
  }
  const ims = Date.parse(req.headers.get("if-modified-since") ?? "");
  return !Number.isNaN(ims) && Math.floor(modified.getTime() / 1000) <= Math.floor(ims / 1000);
}

/**
 * The Response serving a published file: 200 with its stream and the headers of the module doc, plus
 * `Cache-Control: cacheControl`, `X-Content-Type-Options: nosniff` and, for `.html` files, a Content-Security-Policy
 * that allows only inline style. 304 (no body) when the request's validators match; a HEAD request gets the 200
 * headers without a body. In both body-less cases the file's stream is cancelled here.
 */
export function fileResponse(req: Request, file: OpenedFile, cacheControl: string): Response {
  const etag = `"${file.sha256}"`;
  const headers = new Headers({
    ETag: etag,
    "Last-Modified": file.createdAt.toUTCString(),
    "Cache-Control": cacheControl,
    "X-Content-Type-Options": "nosniff",
  });
  if (notModified(req, etag, file.createdAt)) {
    void file.stream.cancel().catch(() => {});
    return new Response(null, { status: 304, headers });
  }
  headers.set("Content-Type", contentTypeFor(file.name));
  // HTML sitemaps are static link lists: no scripts, no external resources, only their own inline style.
  if (file.name.endsWith(".html")) headers.set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
  headers.set("Content-Length", String(file.bytes));
  if (req.method === "HEAD") {
    void file.stream.cancel().catch(() => {});
    return new Response(null, { status: 200, headers });
  }
  return new Response(file.stream, { status: 200, headers });
}
