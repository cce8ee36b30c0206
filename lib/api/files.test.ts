import { describe, expect, it } from "vitest";
import { contentTypeFor, fileResponse } from "./files";

const file = (cancelled: { v: boolean }, name = "a.xml") => ({
  name,
  kind: "urlset",
  bytes: 3,
  sha256: "abc",
  createdAt: new Date("2030-01-01T00:00:00.500Z"),
  stream: new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(new TextEncoder().encode("xyz"));
      c.close();
    },
    cancel() {
      cancelled.v = true;
    },
  }),
});

describe("fileResponse", () => {
  it("maps extensions to content types", () => {
    expect(contentTypeFor("a.xml")).toBe("application/xml; charset=utf-8");
    expect(contentTypeFor("a-1.xml.gz")).toBe("application/gzip");
    expect(contentTypeFor("a.txt")).toBe("text/plain; charset=utf-8");
    expect(contentTypeFor("a.json")).toBe("application/json");
    expect(contentTypeFor("a-2.html")).toBe("text/html; charset=utf-8");
    expect(contentTypeFor("a.bin")).toBe("application/octet-stream");
  });

  it("serves HTML sitemaps under a CSP that allows no script and no external resource", () => {
    const html = fileResponse(new Request("http://x/"), file({ v: false }, "a.html"), "public");
    expect(html.headers.get("content-security-policy")).toBe("default-src 'none'; style-src 'unsafe-inline'");
    const xml = fileResponse(new Request("http://x/"), file({ v: false }), "public");
    expect(xml.headers.get("content-security-policy")).toBeNull();
  });

  it("304 closes the file stream; HEAD sends headers only", async () => {
    const c1 = { v: false };
    const r304 = fileResponse(new Request("http://x/", { headers: { "if-none-match": '"abc"' } }), file(c1), "public");
    expect(r304.status).toBe(304);
    expect(r304.headers.get("content-length")).toBeNull();
    await Promise.resolve();
    expect(c1.v).toBe(true);
    const c2 = { v: false };
    const head = fileResponse(new Request("http://x/", { method: "HEAD" }), file(c2), "public");
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe("3");
    expect(c2.v).toBe(true);
  });

  it("compares If-Modified-Since at one-second precision and ignores a bad date", async () => {
    const at = (ims: string) => fileResponse(new Request("http://x/", { headers: { "if-modified-since": ims } }), file({ v: false }), "p").status;
    expect(at("Tue, 01 Jan 2030 00:00:00 GMT")).toBe(304);
    expect(at("Mon, 31 Dec 2029 23:59:59 GMT")).toBe(200);
    expect(at("yesterday")).toBe(200);
  });
});
