/**
 * Feed refreshes against a loopback news site, on both backends: items and their dates, dates stable across
 * refreshes, masks, robots.txt, RSS/Atom well-formed (xmllint --noout), windows-1251, hostile titles, credits,
 * failures keeping the previous file, atomic publish, and the hourly schedule.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import iconv from "iconv-lite";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { checkXml } from "@/lib/templates/xml-check";

const sent: { feedId: string; refreshId: string }[] = [];
vi.mock("@/lib/feeds/events", () => ({ sendFeedRefreshRequested: vi.fn(async (d: { feedId: string; refreshId: string }) => (sent.push(d), { ids: ["x"] })) }));

const { refreshFeed, FeedRefreshError } = await import("./refresh");
const { readFeedFile } = await import("./files");
const { requestDueFeedRefreshes, hourKey } = await import("./schedule");

const HOSTILE = "A & B <script>alert(1)</script> ]]> \u0001\u0008 😀 Привет";
const hits: Record<string, number> = {};
let newsStatus = 200;
let extraLink = "";

function page(req: http.IncomingMessage, res: http.ServerResponse) {
  const url = req.url ?? "";
  hits[url] = (hits[url] ?? 0) + 1;
  const html = (head: string, body = "") => res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(`<!doctype html><html><head>${head}</head><body>${body}</body></html>`);
  switch (url) {
    case "/robots.txt":
      return res.writeHead(200, { "content-type": "text/plain" }).end("User-agent: *\nDisallow: /news/private\n");
    case "/news":
      if (newsStatus !== 200) return res.writeHead(newsStatus).end("down");
      return html(
        "<title>News</title>",
        `<nav><a href="/about">About</a></nav><main class="list">
         <a href="/news/1">One</a> <a href="/news/2#c">Two</a> <a href="/news/3">Three</a> <a href="/news/4">Four</a>
         <a href="/news/5">Five</a> <a href="/news/evil">Evil</a> <a href="/news/private">Hidden</a>
         <a href="https://other.example/news/9">External</a> <a href="/news/1">One again</a> ${extraLink}</main>`,
      );
    case "/news/1":
      return html(`<title>Story one</title><script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"NewsArticle","datePublished":"2026-11-20T08:00:00Z"}]}</script>`);
    case "/news/2":
      return html(`<meta property="og:title" content="Story two"><meta name="description" content="Two &amp; more"><meta property="article:published_time" content="2026-11-21T09:30:00+01:00">`);
    case "/news/3":
      return html("<title>Story three</title>", `<time datetime="2026-11-22">22 Nov</time>`);
    case "/news/4":
      res.setHeader("last-modified", "Mon, 23 Nov 2026 10:00:00 GMT");
      return html("<title>Story four</title>");
    case "/news/5":
      return html("", "<h1>Story five</h1>");
    case "/news/6":
      return html("<title>Story six</title>", `<time datetime="2026-11-25T00:00:00Z"></time>`);
    case "/cp1251": {
      const body = iconv.encode('<html><head><meta charset="windows-1251"><title>Лента</title></head><body><a href="/cp1251/item">Новость дня</a></body></html>', "win1251");
      return res.writeHead(200, { "content-type": "text/html" }).end(body);
    }
    case "/cp1251/item":
      return res.writeHead(200, { "content-type": "text/html; charset=windows-1251" }).end(iconv.encode("<title>Заголовок статьи</title>", "win1251"));
    case "/news/evil":
      return html(`<title>${HOSTILE.replace(/</g, "&lt;")}</title>`);
    default:
      return res.writeHead(404).end();
  }
}

let server: http.Server;
let origin = "";
beforeAll(async () => {
  server = http.createServer(page);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.CRAWL_ALLOW_HOSTS = new URL(origin).host;
  process.env.FILES_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "sf-feeds-"));
  process.env.APP_URL = "http://sitemaps.test";
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  newsStatus = 200;
  extraLink = "";
});

/** xmllint --noout (well-formedness, any declared encoding); rejects with its stderr. */
function xmllintNoout(bytes: Buffer): Promise<void> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sf-feed-")), "feed.xml");
  fs.writeFileSync(file, bytes);
  return new Promise((resolve, reject) => execFile("xmllint", ["--nonet", "--noout", file], (err, _o, stderr) => (err ? reject(new Error(stderr)) : resolve())));
}

/** Text of every element named `name` (unescaped). */
function texts(xml: string, name: string): string[] {
  const out: string[] = [];
  const r = checkXml(xml, { close: (n, t) => void (n === name && out.push(t)) });
  if (!r.ok) throw new Error(r.error.message);
  return out;
}

const T1 = new Date("2026-12-01T10:00:00Z");
const T2 = new Date("2026-12-01T11:00:00Z");

for (const backend of testBackends()) {
  describe(`feeds on ${backend.name}`, () => {
    const t = useTestDb(backend);
    let userId = "";
    beforeAll(async () => {
      userId = (await t.db.user.create({ data: { email: `feeds-${backend.name}@example.com`, passwordHash: "x", creditBalance: 100 } })).id;
    });
    const newFeed = (data: Record<string, unknown> = {}) =>
      t.db.feed.create({ data: { userId, name: "News", foundUrl: `${origin}/news`, linkMask: "/news/*", itemsLimit: 20, ...data } });

    it("builds RSS items from the masked links with page dates → Last-Modified → first seen; stable across refreshes", async () => {
      const feed = await newFeed({ channelTitle: "Example news", webmaster: "ops@example.com (Ops)", channelImage: `${origin}/logo.png` });
      const r1 = await refreshFeed(feed.id, { refreshId: "r1", now: T1 });
      expect(r1).toMatchObject({ skipped: false, items: 6, newItems: 6 });
      const items = await t.db.feedItem.findMany({ where: { feedId: feed.id }, orderBy: { position: "asc" } });
      expect(items.map((i) => i.url)).toEqual(["1", "2", "3", "4", "5", "evil"].map((n) => `${origin}/news/${n}`));
      const dates = Object.fromEntries(items.map((i) => [i.url.slice(origin.length), i.pubDate?.toISOString() ?? null]));
      expect(dates).toEqual({
        "/news/1": "2026-11-20T08:00:00.000Z", // JSON-LD datePublished in @graph
        "/news/2": "2026-11-21T08:30:00.000Z", // article:published_time
        "/news/3": "2026-11-22T00:00:00.000Z", // <time datetime>
        "/news/4": "2026-11-23T10:00:00.000Z", // Last-Modified
        "/news/5": null, // nothing: first seen
        "/news/evil": null,
      });
      expect(items.every((i) => i.firstSeenAt.getTime() === T1.getTime())).toBe(true);
      expect(items.map((i) => i.title).slice(0, 5)).toEqual(["Story one", "Story two", "Story three", "Story four", "Story five"]);
      expect(items.map((i) => i.description).slice(0, 2)).toEqual([null, "Two & more"]);

      const file1 = (await readFeedFile(feed.id))!;
      await xmllintNoout(file1.bytes);
      const xml = file1.bytes.toString("utf8");
      expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"')).toBe(true);
      expect(texts(xml, "guid")).toEqual(texts(xml, "link").filter((l) => l.startsWith(`${origin}/news/`))); // GUID = URL
      expect(texts(xml, "guid")).toHaveLength(6);
      expect(xml).toContain('<guid isPermaLink="true">');
      expect(texts(xml, "webMaster")).toEqual(["ops@example.com (Ops)"]);
      expect(texts(xml, "title")[0]).toBe("Example news");
      expect(xml).toContain(`<atom:link href="http://sitemaps.test/f/${feed.id}/feed.xml" rel="self" type="application/rss+xml"/>`);
      // Newest first: first-seen items (T1) before dated ones, page order among equals.
      expect(texts(xml, "pubDate")).toEqual([T1, T1, "2026-11-23T10:00:00Z", "2026-11-22T00:00:00Z", "2026-11-21T08:30:00Z", "2026-11-20T08:00:00Z"].map((d) => new Date(d).toUTCString()));
      expect(texts(xml, "lastBuildDate")).toEqual([T1.toUTCString()]);
      expect(texts(xml, "description")).toEqual([`Links found on ${origin}/news`, "Two & more"]);

      const before = { ...hits };
      const r2 = await refreshFeed(feed.id, { refreshId: "r2", now: T2 });
      expect(r2).toMatchObject({ items: 6, newItems: 0 });
      expect(hits["/news/1"]).toBe(before["/news/1"]); // known items are not fetched again
      const again = await t.db.feedItem.findMany({ where: { feedId: feed.id }, orderBy: { position: "asc" } });
      expect(again.map((i) => [i.url, i.pubDate?.getTime(), i.firstSeenAt.getTime()])).toEqual(items.map((i) => [i.url, i.pubDate?.getTime(), i.firstSeenAt.getTime()]));
      expect(again.every((i) => i.lastSeenAt.getTime() === T2.getTime())).toBe(true);
      const file2 = (await readFeedFile(feed.id))!;
      expect(file2.bytes.equals(file1.bytes)).toBe(true); // never "now" on every refresh: byte-identical

      // A new link: dated by its page; others keep their dates.
      extraLink = '<a href="/news/6">Six</a>';
      await refreshFeed(feed.id, { refreshId: "r3", now: new Date("2026-12-01T12:00:00Z") });
      const six = await t.db.feedItem.findUnique({ where: { feedId_url: { feedId: feed.id, url: `${origin}/news/6` } } });
      expect(six!.pubDate!.toISOString()).toBe("2026-11-25T00:00:00.000Z");
      const f = await t.db.feed.findUnique({ where: { id: feed.id } });
      expect(f).toMatchObject({ status: "succeeded", lastError: null, lastCost: 1 });
      expect(f!.lastRefreshAt!.toISOString()).toBe("2026-12-01T12:00:00.000Z");
    });

    it("escapes hostile titles and strips XML-illegal characters", async () => {
      const feed = await newFeed({ linkMask: "*/news/evil" });
      await refreshFeed(feed.id, { refreshId: "h", now: T1 });
      const bytes = (await readFeedFile(feed.id))!.bytes;
      await xmllintNoout(bytes);
      const xml = bytes.toString("utf8");
      expect(xml).not.toContain("<script>");
      expect(xml).toContain("&lt;script&gt;");
      expect(xml).toContain("]]&gt;");
      expect(texts(xml, "title")[1]).toBe("A & B <script>alert(1)</script> ]]>  😀 Привет");
    });

    it("writes Atom with ids, updated and author, well-formed", async () => {
      const feed = await newFeed({ format: "atom", linkMask: "/news/[12]$", maskSyntax: "regex" });
      await refreshFeed(feed.id, { refreshId: "a", now: T1 });
      const bytes = (await readFeedFile(feed.id))!.bytes;
      await xmllintNoout(bytes);
      const xml = bytes.toString("utf8");
      expect(xml).toContain('<feed xmlns="http://www.w3.org/2005/Atom">');
      expect(texts(xml, "id")).toEqual([`http://sitemaps.test/f/${feed.id}/feed.xml`, `${origin}/news/2`, `${origin}/news/1`]);
      expect(texts(xml, "updated")).toEqual(["2026-11-21T08:30:00Z", "2026-11-21T08:30:00Z", "2026-11-20T08:00:00Z"]);
      expect(texts(xml, "name")).toEqual([new URL(origin).host]); // no webmaster: the host
    });

    it("writes windows-1251 with the right declaration; characters outside cp1251 become references", async () => {
      const feed = await newFeed({ encoding: "windows-1251", channelTitle: "Новости 😀 €", linkMask: "*/news/evil" });
      await refreshFeed(feed.id, { refreshId: "w", now: T1 });
      const bytes = (await readFeedFile(feed.id))!.bytes;
      await xmllintNoout(bytes);
      expect(bytes.subarray(0, 45).toString("latin1")).toBe('<?xml version="1.0" encoding="windows-1251"?>');
      expect(bytes.includes(Buffer.from("Новости", "utf8"))).toBe(false); // not UTF-8
      const text = iconv.decode(bytes, "win1251");
      expect(text).toContain("<title>Новости &#128512; €</title>");
      expect(text).toContain("Привет");
      expect(texts(text.replace(/^<\?xml[^>]*>/, ""), "title")[0]).toBe("Новости 😀 €");
    });

    it("decodes pages by their declared charset (<meta charset=windows-1251>, Content-Type)", async () => {
      const feed = await newFeed({ foundUrl: `${origin}/cp1251`, linkMask: "" });
      await refreshFeed(feed.id, { refreshId: "c", now: T1 });
      expect((await t.db.feedItem.findMany({ where: { feedId: feed.id } })).map((i) => i.title)).toEqual(["Заголовок статьи"]);
    });

    it("forgets items that have been off the page for 180 days", async () => {
      const feed = await newFeed({ linkMask: "/news/1" });
      await t.db.feedItem.create({ data: { feedId: feed.id, url: `${origin}/old`, title: "old", firstSeenAt: new Date("2026-01-01"), lastSeenAt: new Date("2026-05-01"), position: null } });
      await t.db.feedItem.create({ data: { feedId: feed.id, url: `${origin}/recent`, title: "recent", firstSeenAt: new Date("2026-01-01"), lastSeenAt: new Date("2026-11-01"), position: 3 } });
      await refreshFeed(feed.id, { refreshId: "p", now: T1 });
      const rows = await t.db.feedItem.findMany({ where: { feedId: feed.id }, orderBy: { url: "asc" } });
      expect(rows.map((r) => [r.url.slice(origin.length), r.position])).toEqual([["/news/1", 0], ["/recent", null]]);
    });

    it("masks: regex and CSS; robots.txt and other hosts excluded; itemsLimit", async () => {
      const regex = await newFeed({ linkMask: "/news/[35]$", maskSyntax: "regex" });
      await refreshFeed(regex.id, { refreshId: "x", now: T1 });
      expect((await t.db.feedItem.findMany({ where: { feedId: regex.id }, orderBy: { position: "asc" } })).map((i) => i.url)).toEqual([`${origin}/news/3`, `${origin}/news/5`]);

      const css = await newFeed({ linkMask: "nav", maskSyntax: "css" });
      await refreshFeed(css.id, { refreshId: "x", now: T1 });
      expect((await t.db.feedItem.findMany({ where: { feedId: css.id } })).map((i) => i.url)).toEqual([`${origin}/about`]);

      const all = await newFeed({ linkMask: "", itemsLimit: 50 });
      await refreshFeed(all.id, { refreshId: "x", now: T1 });
      const urls = (await t.db.feedItem.findMany({ where: { feedId: all.id } })).map((i) => i.url);
      expect(urls).not.toContain(`${origin}/news/private`); // robots.txt
      expect(urls).not.toContain("https://other.example/news/9"); // another host
      expect(urls).toHaveLength(7); // about + 6 stories

      const limited = await newFeed({ itemsLimit: 2 });
      await refreshFeed(limited.id, { refreshId: "x", now: T1 });
      expect(await t.db.feedItem.count({ where: { feedId: limited.id } })).toBe(2);
    });

    it("a failed refresh records the error and keeps the previous file; credits are debited once per refresh id", async () => {
      const feed = await newFeed({ linkMask: "/news/1" });
      await refreshFeed(feed.id, { refreshId: "ok", now: T1 });
      const good = (await readFeedFile(feed.id))!.bytes;
      const balance = (await t.db.user.findUnique({ where: { id: userId } }))!.creditBalance;
      newsStatus = 503;
      await expect(refreshFeed(feed.id, { refreshId: "bad", now: T2 })).rejects.toBeInstanceOf(FeedRefreshError);
      const f = await t.db.feed.findUnique({ where: { id: feed.id } });
      expect(f).toMatchObject({ status: "failed", lastError: expect.stringContaining("HTTP 503") });
      expect(f!.lastRefreshAt!.getTime()).toBe(T1.getTime());
      expect((await readFeedFile(feed.id))!.bytes.equals(good)).toBe(true);
      expect((await t.db.user.findUnique({ where: { id: userId } }))!.creditBalance).toBe(balance - 1);
      newsStatus = 200;
      await refreshFeed(feed.id, { refreshId: "ok", now: T2 }); // a retried step with the same id
      expect((await t.db.user.findUnique({ where: { id: userId } }))!.creditBalance).toBe(balance - 1);
      expect(fs.readdirSync(path.join(process.env.FILES_DIR!, "feeds", feed.id))).toEqual(["feed.xml"]); // no temp files left
    });

    it("a stored link mask that can backtrack catastrophically fails the refresh with the reason, before any fetch", async () => {
      const feed = await newFeed({ linkMask: "(a|a)*$", maskSyntax: "regex" }); // as stored by a version without the check
      const before = hits["/news"] ?? 0;
      await expect(refreshFeed(feed.id, { refreshId: "r", now: T1 })).rejects.toThrow(/^The link mask cannot run: The regular expression can take exponential time/);
      expect(hits["/news"] ?? 0).toBe(before);
      expect(await t.db.feed.findUnique({ where: { id: feed.id } })).toMatchObject({ status: "failed", lastError: expect.stringMatching(/^The link mask cannot run/) });
      expect(await readFeedFile(feed.id)).toBeNull();
    });

    it("refuses a page robots.txt disallows, without fetching it", async () => {
      const feed = await newFeed({ foundUrl: `${origin}/news/private` });
      const before = hits["/news/private"] ?? 0;
      await expect(refreshFeed(feed.id, { refreshId: "r", now: T1 })).rejects.toThrow(/robots.txt .* disallows/);
      expect(hits["/news/private"] ?? 0).toBe(before);
      expect(await readFeedFile(feed.id)).toBeNull();
    });

    it("renders with an rss template when one is set", async () => {
      const tpl = await t.db.template.create({
        data: { userId, name: "rss", kind: "rss", content: '<?xml version="1.0"?><rss version="2.0"><channel><title>{{ channel.title }}</title>{% for i in items %}<item><title>[T] {{ i.title }}</title><guid>{{ i.guid }}</guid></item>{% endfor %}</channel></rss>' },
      });
      const feed = await newFeed({ linkMask: "*/news/evil", templateId: tpl.id, encoding: "windows-1251" });
      await refreshFeed(feed.id, { refreshId: "t", now: T1 });
      const bytes = (await readFeedFile(feed.id))!.bytes;
      await xmllintNoout(bytes);
      const text = iconv.decode(bytes, "win1251");
      expect(text.startsWith('<?xml version="1.0" encoding="windows-1251"?>\n<rss')).toBe(true);
      expect(texts(text.replace(/^<\?xml[^>]*>/, ""), "title")[1]).toBe("[T] A & B <script>alert(1)</script> ]]>  😀 Привет");
    });

    it("requestDueFeedRefreshes sends one event per active feed, keyed by the hour", async () => {
      sent.length = 0;
      await t.db.feed.updateMany({ where: { userId }, data: { status: "succeeded" } });
      const inactive = await newFeed({ active: false });
      const now = new Date("2026-12-02T14:35:00Z");
      const n = await requestDueFeedRefreshes(now);
      const active = await t.db.feed.count({ where: { active: true } });
      expect(n).toBe(active);
      expect(sent).toHaveLength(active);
      expect(sent.map((s) => s.feedId)).not.toContain(inactive.id);
      expect(new Set(sent.map((s) => s.refreshId))).toEqual(new Set([hourKey(now)]));
      expect(hourKey(now)).toBe("h2026120214");
    });
  });
}
