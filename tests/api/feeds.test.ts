/**
 * /api/v1/feeds and the public /f/{id}/feed.xml on both backends: CRUD with validation of masks, limits and
 * templates, refresh (202 + event, 409 running/inactive, 503 when the queue refuses), items, file download with
 * ETag/304, public file, scopes, limits, 405.
 */
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next-auth", async (orig) => ({ ...(await orig<typeof import("next-auth")>()), getServerSession: vi.fn(async () => null) }));
const sendMock = vi.hoisted(() => vi.fn(async (_d: { feedId: string; refreshId: string }) => ({ ids: ["x"] })));
vi.mock("@/lib/feeds/events", () => ({ sendFeedRefreshRequested: sendMock }));

import { GET as list, POST as create, DELETE as delList } from "@/app/api/v1/feeds/route";
import { DELETE as remove, GET as read, PATCH as patch } from "@/app/api/v1/feeds/[id]/route";
import { GET as getRefresh, POST as refresh } from "@/app/api/v1/feeds/[id]/refresh/route";
import { GET as items } from "@/app/api/v1/feeds/[id]/items/route";
import { GET as file } from "@/app/api/v1/feeds/[id]/file/route";
import { GET as publicFile, HEAD as publicHead } from "@/app/f/[feedId]/[name]/route";
import { issueApiKey } from "@/lib/auth/issue-api-key";
import { refreshFeed } from "@/lib/feeds/refresh";
import { ZFeedDto, ZFeedItemDto } from "@/lib/schemas/feeds";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { ctx, expectError, expectRateLimitHeaders, mockSession, req, seedUser } from "./helpers";

afterEach(() => {
  mockSession(null);
  vi.unstubAllEnvs();
});

let server: http.Server;
let origin = "";
beforeAll(async () => {
  server = http.createServer((rq, res) => {
    if (rq.url === "/robots.txt") return res.writeHead(200, { "content-type": "text/plain" }).end("User-agent: *\nAllow: /\n");
    if (rq.url === "/news") return res.writeHead(200, { "content-type": "text/html" }).end('<a href="/news/a">A</a><a href="/news/b">B</a><a href="/about">About</a>');
    if (rq.url?.startsWith("/news/")) return res.writeHead(200, { "content-type": "text/html" }).end(`<title>Story ${rq.url.slice(6)}</title><time datetime="2026-11-0${rq.url === "/news/a" ? 1 : 2}">x</time>`);
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.CRAWL_ALLOW_HOSTS = new URL(origin).host;
  process.env.FILES_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "sf-feeds-api-"));
  process.env.APP_URL = "http://sitemaps.test";
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

for (const backend of testBackends()) {
  describe(`/api/v1/feeds on ${backend.name}`, () => {
    const t = useTestDb(backend);
    let alice: Awaited<ReturnType<typeof seedUser>>;
    let bob: Awaited<ReturnType<typeof seedUser>>;
    beforeAll(async () => {
      alice = await seedUser();
      bob = await seedUser();
    });

    const post = (body: unknown, key = alice.key) => create(req("POST", "/api/v1/feeds", { key, body }), ctx());
    const make = async (over: Record<string, unknown> = {}, key = alice.key) => (await (await post({ foundUrl: `${origin}/news`, ...over }, key)).json()).data;
    const one = (id: string, key = alice.key) => read(req("GET", `/api/v1/feeds/${id}`, { key }), ctx({ id }));

    it("POST creates a feed with defaults; 201, Location, DTO shape, public URL", async () => {
      const res = await post({ foundUrl: `${origin}/news` });
      expect(res.status).toBe(201);
      expectRateLimitHeaders(res);
      const { data } = await res.json();
      expect(ZFeedDto.strict().parse(data)).toEqual(data);
      expect(res.headers.get("location")).toBe(`/api/v1/feeds/${data.id}`);
      expect(data).toMatchObject({
        name: new URL(origin).host,
        linkMask: "",
        maskSyntax: "glob",
        itemsLimit: 20,
        pubDateSource: "page",
        format: "rss",
        encoding: "utf-8",
        templateId: null,
        active: true,
        status: "idle",
        lastRefreshAt: null,
        lastCost: 0,
        itemCount: 0,
        publicUrl: `http://sitemaps.test/f/${data.id}/feed.xml`,
        fileUrl: `/api/v1/feeds/${data.id}/file`,
      });
    });

    it("POST stores every field; mysitemapgenerator's 10/20/30/50 limits are accepted", async () => {
      const tpl = await t.db.template.create({ data: { userId: alice.id, name: "r", kind: "rss", content: "<rss version=\"2.0\"><channel/></rss>" } });
      const body = {
        name: "Blog",
        foundUrl: `${origin}/news`,
        linkMask: "/news/*",
        maskSyntax: "glob",
        itemsLimit: 50,
        pubDateSource: "first_seen",
        format: "atom",
        channelTitle: "My blog",
        channelImage: "https://e.com/logo.png",
        webmaster: "me@e.com (Me)",
        encoding: "windows-1251",
        templateId: tpl.id,
        active: false,
      };
      const data = await make(body);
      expect(data).toMatchObject(body);
      for (const n of [10, 20, 30, 50, 1]) expect((await make({ itemsLimit: n })).itemsLimit).toBe(n);
    });

    it("POST refuses bad input with the precise code and field; nothing written", async () => {
      const before = await t.db.feed.count({ where: { userId: alice.id } });
      const xml = await t.db.template.create({ data: { userId: alice.id, name: "x", kind: "xml", content: "<urlset/>" } });
      const bobs = await t.db.template.create({ data: { userId: bob.id, name: "r", kind: "rss", content: "<rss/>" } });
      await expectError(await post({}), 422, "missing", "foundUrl");
      await expectError(await post({ foundUrl: "ftp://e.com/" }), 422, "invalid_format", "foundUrl");
      await expectError(await post({ foundUrl: "not a url" }), 422, "invalid_format", "foundUrl");
      for (const n of [0, 51, 2.5]) await expectError(await post({ foundUrl: `${origin}/news`, itemsLimit: n }), 422, "invalid_value", "itemsLimit");
      await expectError(await post({ foundUrl: `${origin}/news`, linkMask: "(", maskSyntax: "regex" }), 422, "invalid_value", "linkMask");
      await expectError(await post({ foundUrl: `${origin}/news`, linkMask: "a[", maskSyntax: "css" }), 422, "invalid_value", "linkMask");
      for (const mask of ["(a+)+$", "(a|a)*$", "(\\w+\\s?)*$"]) {
        const err = await expectError(await post({ foundUrl: `${origin}/news`, linkMask: mask, maskSyntax: "regex" }), 422, "invalid_value", "linkMask");
        expect(err.message).toMatch(/exponential time/);
      }
      for (const port of [22, 25, 6379, 11211]) {
        const err = await expectError(await post({ foundUrl: `http://example.com:${port}/news` }), 422, "invalid_value", "foundUrl");
        expect(err.message).toContain(`Port ${port} is not allowed`);
      }
      await expectError(await post({ foundUrl: `${origin}/news`, maskSyntax: "xpath" }), 422, "invalid_value", "maskSyntax");
      await expectError(await post({ foundUrl: `${origin}/news`, encoding: "koi8-r" }), 422, "invalid_value", "encoding");
      await expectError(await post({ foundUrl: `${origin}/news`, pubDateSource: "now" }), 422, "invalid_value", "pubDateSource");
      await expectError(await post({ foundUrl: `${origin}/news`, templateId: xml.id }), 422, "invalid_value", "templateId");
      await expectError(await post({ foundUrl: `${origin}/news`, templateId: bobs.id }), 422, "invalid_value", "templateId");
      await expectError(await post({ foundUrl: `${origin}/news`, items_limit: 10 }), 422, "unknown_field", "items_limit");
      await expectError(await post({ foundUrl: `${origin}/news`, webmaster: "Web Master" }), 422, "invalid_format", "webmaster");
      await expectError(await post({ foundUrl: `${origin}/news`, channelImage: "data:image/png;base64,AA" }), 422, "invalid_format", "channelImage");
      await expectError(await create(req("POST", "/api/v1/feeds", { key: alice.key, raw: "{x", headers: { "content-type": "application/json" } }), ctx()), 400, "syntax_error");
      await expectError(await create(req("POST", "/api/v1/feeds", { key: alice.key, raw: "x", headers: { "content-type": "text/xml" } }), ctx()), 415, "unsupported_media_type");
      await expectError(await create(req("POST", "/api/v1/feeds", { key: alice.key, raw: "x".repeat(1024 * 1024 + 1), headers: { "content-type": "application/json" } }), ctx()), 413, "payload_too_large");
      expect(await t.db.feed.count({ where: { userId: alice.id } })).toBe(before);
    });

    it("auth, scopes and limits: 401; 403 without write or generate; 429; 403 quota_exceeded", async () => {
      await expectError(await post({ foundUrl: `${origin}/news` }, ""), 401, "unauthorized");
      const ro = await issueApiKey({ userId: alice.id, name: "ro", scopes: ["read"] });
      await expectError(await post({ foundUrl: `${origin}/news` }, ro.key), 403, "forbidden");
      const feed = await make();
      await expectError(await refresh(req("POST", `/api/v1/feeds/${feed.id}/refresh`, { key: ro.key }), ctx({ id: feed.id })), 403, "forbidden");
      const u = await seedUser();
      vi.stubEnv("PLAN_LIMITS", JSON.stringify({ starter: { perMinute: 1, perDay: 1000 } }));
      expect((await post({ foundUrl: `${origin}/news` }, u.key)).status).toBe(201);
      await expectError(await post({ foundUrl: `${origin}/news` }, u.key), 429, "rate_limited");
      vi.stubEnv("PLAN_LIMITS", JSON.stringify({ starter: { perMinute: 1000, perDay: 1 } }));
      await expectError(await post({ foundUrl: `${origin}/news` }, u.key), 403, "quota_exceeded");
      expect(await t.db.feed.count({ where: { userId: u.id } })).toBe(1);
    });

    it("GET lists the caller's feeds with the list grammar", async () => {
      const u = await seedUser();
      await make({ name: "b", format: "atom" }, u.key);
      await make({ name: "a" }, u.key);
      await make({ name: "c", format: "atom" }, u.key);
      await make({}, bob.key);
      const get = (qs: string) => list(req("GET", `/api/v1/feeds${qs}`, { key: u.key }), ctx());
      const all = await (await get("?sort=name:asc")).json();
      expect(all.data.map((f: { name: string }) => f.name)).toEqual(["a", "b", "c"]);
      const atom = await (await get("?filter[format]=atom&sort=name:desc&size=1")).json();
      expect(atom.data.map((f: { name: string }) => f.name)).toEqual(["c"]);
      const next = await (await get(`?filter[format]=atom&sort=name:desc&size=1&cursor=${atom.next_cursor}`)).json();
      expect(next).toMatchObject({ data: [{ name: "b" }], next_cursor: null });
      await expectError(await get("?sort=linkMask:asc"), 400, "unknown_field", "linkMask");
      await expectError(await get("?sort=name:up"), 400, "syntax_error", "sort");
      await expectError(await get("?filter[active][contains]=1"), 400, "unknown_operation", "filter[active][contains]");
      await expectError(await get("?cursor=bogus"), 400, "invalid_value", "cursor");
    });

    it("GET one / PATCH / DELETE; another account's feed is 404", async () => {
      const feed = await make();
      expect((await (await one(feed.id)).json()).data).toEqual(feed);
      await expectError(await one(feed.id, bob.key), 404, "not_found");
      const p = (body: unknown, key = alice.key) => patch(req("PATCH", `/api/v1/feeds/${feed.id}`, { key, body }), ctx({ id: feed.id }));
      expect((await (await p({ itemsLimit: 30, linkMask: "^https?://", maskSyntax: "regex", channelTitle: null })).json()).data).toMatchObject({ itemsLimit: 30, maskSyntax: "regex" });
      await expectError(await p({ maskSyntax: "css" }), 422, "invalid_value", "linkMask"); // "^https?://" is not a selector
      await expectError(await p({ itemsLimit: 60 }), 422, "invalid_value", "itemsLimit");
      await expectError(await p({ status: "idle" }), 422, "unknown_field", "status");
      await expectError(await p({ name: "x" }, bob.key), 404, "not_found");
      const del = (key = alice.key) => remove(req("DELETE", `/api/v1/feeds/${feed.id}`, { key }), ctx({ id: feed.id }));
      await expectError(await del(bob.key), 404, "not_found");
      expect((await del()).status).toBe(204);
      await expectError(await del(), 404, "not_found");
    });

    it("POST /refresh: 202 and one event; 409 while running and when inactive; 503 when the queue refuses; 404", async () => {
      const feed = await make();
      sendMock.mockClear();
      const rf = (id: string, key = alice.key) => refresh(req("POST", `/api/v1/feeds/${id}/refresh`, { key }), ctx({ id }));
      const res = await rf(feed.id);
      expect(res.status).toBe(202);
      expect((await res.json()).data).toMatchObject({ id: feed.id, status: "running" });
      expect(sendMock).toHaveBeenCalledTimes(1);
      expect(sendMock.mock.calls[0][0]).toMatchObject({ feedId: feed.id, refreshId: expect.stringMatching(/^api-/) });
      await expectError(await rf(feed.id), 409, "conflict");
      expect(sendMock).toHaveBeenCalledTimes(1);
      await expectError(await rf(feed.id, bob.key), 404, "not_found");
      const off = await make({ active: false });
      await expectError(await rf(off.id), 409, "conflict");
      const other = await make();
      sendMock.mockRejectedValueOnce(new Error("queue down"));
      await expectError(await rf(other.id), 503, "service_unavailable");
      expect((await t.db.feed.findUnique({ where: { id: other.id } }))!.status).toBe("failed");
      await expectError(await getRefresh(req("GET", `/api/v1/feeds/${feed.id}/refresh`, { key: alice.key }), ctx({ id: feed.id })), 405, "method_not_allowed");
    });

    it("items, file download (ETag, 304) and the public file after a refresh; 404 before", async () => {
      const feed = await make({ linkMask: "/news/*", channelTitle: "Feed & co" });
      const getFile = (headers: Record<string, string> = {}, key = alice.key) => file(req("GET", `/api/v1/feeds/${feed.id}/file`, { key, headers }), ctx({ id: feed.id }));
      await expectError(await getFile(), 404, "not_found");
      await expectError(await publicFile(req("GET", `/f/${feed.id}/feed.xml`), ctx({ feedId: feed.id, name: "feed.xml" })), 404, "not_found");

      await refreshFeed(feed.id, { refreshId: "t", now: new Date("2026-12-01T00:00:00Z") });
      const it1 = await (await items(req("GET", `/api/v1/feeds/${feed.id}/items`, { key: alice.key }), ctx({ id: feed.id }))).json();
      expect(it1.next_cursor).toBeNull();
      expect(it1.data.map((i: unknown) => ZFeedItemDto.strict().parse(i))).toEqual(it1.data);
      expect(it1.data.map((i: { url: string; pubDate: string; datedBy: string }) => [i.url, i.pubDate, i.datedBy])).toEqual([
        [`${origin}/news/b`, "2026-11-02T00:00:00.000Z", "source"],
        [`${origin}/news/a`, "2026-11-01T00:00:00.000Z", "source"],
      ]);
      await expectError(await items(req("GET", `/api/v1/feeds/${feed.id}/items`, { key: bob.key }), ctx({ id: feed.id })), 404, "not_found");
      await expectError(await items(req("GET", `/api/v1/feeds/${feed.id}/items?all=maybe`, { key: alice.key }), ctx({ id: feed.id })), 422, "invalid_value", "all");
      const dto = (await (await one(feed.id)).json()).data;
      expect(dto).toMatchObject({ status: "succeeded", itemCount: 2, lastCost: 1, lastRefreshAt: "2026-12-01T00:00:00.000Z" });

      const res = await getFile();
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/rss+xml; charset=utf-8");
      expect(res.headers.get("content-disposition")).toBe('attachment; filename="feed.xml"');
      const etag = res.headers.get("etag")!;
      expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
      const body = await res.text();
      expect(body).toContain("<title>Feed &amp; co</title>");
      expect((await getFile({ "if-none-match": etag })).status).toBe(304);
      await expectError(await getFile({}, bob.key), 404, "not_found");

      const pub = await publicFile(req("GET", `/f/${feed.id}/feed.xml`), ctx({ feedId: feed.id, name: "feed.xml" }));
      expect(pub.status).toBe(200);
      expect(pub.headers.get("cache-control")).toBe("public, max-age=300");
      expect(await pub.text()).toBe(body);
      const head = await publicHead(req("HEAD", `/f/${feed.id}/feed.xml`), ctx({ feedId: feed.id, name: "feed.xml" }));
      expect(head.status).toBe(200);
      expect(head.headers.get("content-length")).toBe(String(Buffer.byteLength(body)));
      await expectError(await publicFile(req("GET", `/f/${feed.id}/other.xml`), ctx({ feedId: feed.id, name: "other.xml" })), 404, "not_found");

      // Deleting the feed removes its file.
      expect((await remove(req("DELETE", `/api/v1/feeds/${feed.id}`, { key: alice.key }), ctx({ id: feed.id }))).status).toBe(204);
      await expectError(await publicFile(req("GET", `/f/${feed.id}/feed.xml`), ctx({ feedId: feed.id, name: "feed.xml" })), 404, "not_found");
      expect(fs.existsSync(path.join(process.env.FILES_DIR!, "feeds", feed.id))).toBe(false);
    });

    it("404 (logged) when the feed file is a symlink (to /etc/passwd, outside the root) or its folder is a symlink", async () => {
      const outside = fs.mkdtempSync(path.join(os.tmpdir(), "sf-feed-outside-"));
      fs.writeFileSync(path.join(outside, "feed.xml"), '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>');
      const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
      try {
        const feeds = path.join(process.env.FILES_DIR!, "feeds");
        const carol = await seedUser(); // a fresh per-minute rate limit
        const a = await make({}, carol.key);
        fs.mkdirSync(path.join(feeds, a.id), { recursive: true });
        fs.symlinkSync("/etc/passwd", path.join(feeds, a.id, "feed.xml"));
        const b = await make({}, carol.key);
        fs.mkdirSync(path.join(feeds, b.id), { recursive: true });
        fs.symlinkSync(path.join(outside, "feed.xml"), path.join(feeds, b.id, "feed.xml"));
        const c = await make({}, carol.key);
        fs.symlinkSync(outside, path.join(feeds, c.id));
        for (const id of [a.id, b.id, c.id]) {
          warn.mockClear();
          await expectError(await publicFile(req("GET", `/f/${id}/feed.xml`), ctx({ feedId: id, name: "feed.xml" })), 404, "not_found");
          expect(warn).toHaveBeenCalledTimes(1);
          expect(String(warn.mock.calls[0][0])).toMatch(/^\[files\] refused .*(symlink|outside)/);
          await expectError(await file(req("GET", `/api/v1/feeds/${id}/file`, { key: carol.key }), ctx({ id })), 404, "not_found");
        }
      } finally {
        warn.mockRestore();
        fs.rmSync(outside, { recursive: true, force: true });
      }
    });

    it("other methods get 405", async () => {
      await expectError(await delList(req("DELETE", "/api/v1/feeds", { key: alice.key }), ctx()), 405, "method_not_allowed");
    });
  });
}
