import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startS3, type TestS3 } from "@/tests/helpers/s3";
import { readFeedFile, removeFeedFiles, writeFeedFile } from "./files";
import { feedFileResponse } from "./serve";

/** Feed files in an S3-compatible store (s3rver on 127.0.0.1:3261): written, served with ETag/Last-Modified/304, removed. */
let s3: TestS3;
beforeAll(async () => {
  s3 = await startS3(3261);
  for (const [k, v] of Object.entries(s3.env)) vi.stubEnv(k, v);
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await s3?.close();
});

describe("feed files in S3", () => {
  it("replaces feed.xml whole, serves it with ETag, Last-Modified and 304, and removes it", async () => {
    const rss = (n: number) => Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>${n}</title></channel></rss>\n`);
    expect(await readFeedFile("feed1")).toBeNull();
    await writeFeedFile("feed1", rss(1));
    const written = await writeFeedFile("feed1", rss(2));
    expect(await s3.keys("feeds/")).toEqual([`${s3.prefix}/feeds/feed1/feed.xml`]);
    const file = (await readFeedFile("feed1"))!;
    expect(file.bytes.equals(rss(2))).toBe(true);
    expect(file.sha256).toBe(written.sha256);

    const res = (await feedFileResponse(new Request("http://x/f/feed1/feed.xml"), "feed1", "public, max-age=300"))!;
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).toBe(`"${written.sha256}"`);
    expect(res.headers.get("last-modified")).toBe(file.modified.toUTCString());
    expect(res.headers.get("content-type")).toMatch(/^application\/rss\+xml/);
    expect(Buffer.from(await res.arrayBuffer()).equals(rss(2))).toBe(true);
    const again = (await feedFileResponse(new Request("http://x/f/feed1/feed.xml", { headers: { "if-none-match": `"${written.sha256}"` } }), "feed1", "x"))!;
    expect(again.status).toBe(304);

    await removeFeedFiles("feed1");
    expect(await readFeedFile("feed1")).toBeNull();
    expect(await s3.keys("feeds/")).toEqual([]);
  });
});
