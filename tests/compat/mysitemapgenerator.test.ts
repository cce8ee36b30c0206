/**
 * mysitemapgenerator adapter: replays every request of mysitemapgenerator-api.txt (POST /api/{METHOD}?format=json with
 * api_key and cid as POST fields) and checks each documented response shape; ids and URLs are per account, so they
 * are checked by type and against the native data.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { POST as createSitemap } from "@/app/api/v1/sitemaps/route";
import { GET as getMethod, POST as postMethod } from "@/app/api/[method]/route";
import { issueApiKey } from "@/lib/auth/issue-api-key";
import { DAILY_CALLS, quotaSubject, siteLimitOf } from "@/lib/compat/mysitemapgenerator";
import { GET as listSitemaps } from "@/app/api/v1/sitemaps/route";
import { getDb } from "@/lib/db/client";
import { publishRunFiles } from "@/lib/db/files";
import { claimRun, finishRun } from "@/lib/db/runs";
import { setUsageCounter } from "@/tests/helpers/usage";
import { debitRunCredits } from "@/lib/quota/credits";
import { windowOf } from "@/lib/quota/rate-limit";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { BASE, ctx, req, seedUser, sitemapBody } from "@/tests/api/helpers";

const RFC2822 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$/;

/** `POST /api/{method}?format=json` with an urlencoded body, as in the document ("api_key={yourAPIkey}&cid=12345"). */
async function msg(method: string, fields: Record<string, string>, opts: { multipart?: boolean; format?: string } = {}) {
  let body: BodyInit;
  const headers = new Headers();
  if (opts.multipart) {
    const fd = new FormData();
    for (const [k, v] of Object.entries(fields)) fd.set(k, v);
    body = fd;
  } else {
    body = new URLSearchParams(fields).toString();
    headers.set("content-type", "application/x-www-form-urlencoded");
  }
  const res = await postMethod(new Request(`${BASE}/api/${method}?format=${opts.format ?? "json"}`, { method: "POST", headers, body }), ctx({ method }));
  return { res, body: (await res.json()) as Record<string, any> };
}

for (const backend of testBackends()) {
  describe(`mysitemapgenerator adapter on ${backend.name}`, () => {
    useTestDb(backend);
    let alice: Awaited<ReturnType<typeof seedUser>>;
    let sm: { id: string; number: number; startUrl: string };

    beforeAll(async () => {
      alice = await seedUser();
      const body = sitemapBody({
        startUrl: "http://www.mysite1.com/",
        crawl: { excludeNoindex: true, followNofollow: true, respectRobots: true, respectCanonical: false, concurrency: 8, renderJs: "off" },
        output: { priorityMode: "fixed", lastmod: true, lastmodSource: "server" },
        maxFileEntries: 35000,
        extensions: { images: false },
      });
      const res = await createSitemap(req("POST", "/api/v1/sitemaps", { key: alice.key, body }), ctx());
      expect(res.status).toBe(201);
      sm = (await res.json()).data;
    });

    it("getBalance → {result:success, balance} = the account's crawl credits", async () => {
      const before = await msg("getBalance", { api_key: alice.key });
      expect(before.res.status).toBe(200);
      // the document's daily limit and the plan's daily quota are shown; there is no per-minute limit by default
      expect(before.res.headers.get("x-compat-quota-limit")).toBe(String(DAILY_CALLS));
      expect(before.res.headers.get("x-quota-limit")).toMatch(/^\d+$/);
      expect(before.res.headers.get("x-ratelimit-limit")).toBeNull();
      expect(before.body).toEqual({ result: "success", balance: expect.any(Number) });
      const run = await claimRun({ sitemapId: sm.id, trigger: "api" });
      await debitRunCredits({ userId: alice.id, runId: run!.id, pagesFetched: 250 }); // 3 credits
      await finishRun(run!.id, { status: "cancelled" });
      expect((await msg("getBalance", { api_key: alice.key })).body.balance).toBe(before.body.balance - 3);
    });

    it("SitemapsGetList → resources [{cid (integer), url}] (multipart body accepted too)", async () => {
      const { body } = await msg("SitemapsGetList", { api_key: alice.key }, { multipart: true });
      expect(body).toEqual({ result: "success", resources: [{ cid: sm.number, url: "http://www.mysite1.com/" }] });
      expect(Number.isInteger(body.resources[0].cid)).toBe(true);
    });

    it("SitemapsGetFiles → files: public URLs of every urlset part of the published run", async () => {
      const run = await claimRun({ sitemapId: sm.id, trigger: "api" });
      const f = (name: string, kind: string) => ({ name, kind, bytes: 100, urlCount: 10, sha256: "0".repeat(64) });
      await publishRunFiles({ sitemapId: sm.id, runId: run!.id, files: [f("s.xml", "sitemapindex"), f("s-1.xml", "urlset"), f("s-2.xml", "urlset"), f("s.html", "html")] });
      await finishRun(run!.id, { status: "succeeded", bytesWritten: 400, filesWritten: 4, urlsWritten: 4 });
      const { body } = await msg("SitemapsGetFiles", { api_key: alice.key, cid: String(sm.number) });
      expect(body.result).toBe("success");
      expect(body.files).toHaveLength(2);
      expect(body.files[0]).toMatch(new RegExp(`^https?://.+/s/${sm.id}/s-1\\.xml$`));
      expect(body.files[1]).toMatch(/\/s-2\.xml$/);
    });

    it("SitemapsGetInfo → last_scan (RFC 2822), work_status and params with their field names and inverted booleans", async () => {
      const { body } = await msg("SitemapsGetInfo", { api_key: alice.key, cid: String(sm.number) });
      expect(body).toMatchObject({ result: "success", work_status: "succeeded", last_scan: expect.stringMatching(RFC2822) });
      expect(body.params).toEqual([
        {
          site_url: "http://www.mysite1.com/",
          site_noindex: 1, // excludeNoindex: don't crawl noindex
          site_nofollow: 1, // followNofollow: crawl nofollow links
          site_robots: 1,
          site_forms: 0,
          site_frames: 0,
          site_javascripts: 0,
          site_canonical: 0,
          site_useragent: "mysitemapgenerator",
          site_priority: 1,
          site_lastmod: 1,
          site_lastmod_source: "server",
          site_limit: 35000,
          site_load: "middle",
          site_images: 0,
          site_turbo: 0,
          send_email: 0,
        },
      ]);
    });

    it("RssGetList / RssGetFile / RssGetInfo over the account's feeds (cid = feed number)", async () => {
      const feed = await getDb().feed.create({
        data: {
          userId: alice.id,
          name: "News",
          foundUrl: "http://www.mysite1.com/news/",
          itemsLimit: 20,
          pubDateSource: "server",
          channelImage: "http://www.mysite1.com/logo.png",
          lastRefreshAt: new Date("2013-09-02T04:00:02Z"),
          lastCost: 2,
        },
      });
      const list = await msg("RssGetList", { api_key: alice.key });
      expect(list.body).toEqual({ result: "success", resources: [{ cid: feed.number, url: "http://www.mysite1.com/news/" }] });
      const file = await msg("RssGetFile", { api_key: alice.key, cid: String(feed.number) });
      expect(file.body).toEqual({ result: "success", file: expect.stringMatching(new RegExp(`^https?://.+/f/${feed.id}/feed\\.xml$`)) });
      const info = await msg("RssGetInfo", { api_key: alice.key, cid: String(feed.number) });
      expect(info.body).toMatchObject({ result: "success", last_scan: "Mon, 02 Sep 2013 04:00:02 +0000", last_cost: 2 });
      expect(info.body.params).toEqual([
        {
          found_url: "http://www.mysite1.com/news/",
          found_mask: "",
          items_limit: 20,
          items_pubDate: "server",
          channel_pubDate: "default",
          channel_webMaster: "",
          channel_image: "http://www.mysite1.com/logo.png",
          encoding: "utf-8",
        },
      ]);
    });

    it("errors in their shape (HTTP 200): invalid API key, missing key, unknown method, bad or foreign cid", async () => {
      expect((await msg("getBalance", { api_key: "sfk_live_nope" })).body).toEqual({ result: "error", notice: "invalid API key" });
      expect((await msg("getBalance", {})).body).toEqual({ result: "error", notice: "invalid API key" });
      const unknown = await msg("SitemapsDelete", { api_key: alice.key });
      expect(unknown.res.status).toBe(200);
      expect(unknown.body).toEqual({ result: "error", notice: "unknown method SitemapsDelete" });
      expect((await msg("SitemapsGetInfo", { api_key: alice.key })).body).toMatchObject({ result: "error", notice: expect.stringContaining("cid") });
      expect((await msg("SitemapsGetFiles", { api_key: alice.key, cid: "abc" })).body).toMatchObject({ result: "error" });
      const bob = await seedUser();
      expect((await msg("SitemapsGetInfo", { api_key: bob.key, cid: String(sm.number) })).body).toMatchObject({ result: "error", notice: expect.stringContaining("not found") });
      expect((await msg("RssGetInfo", { api_key: bob.key, cid: "999999" })).body).toMatchObject({ result: "error" });
      const noRead = await issueApiKey({ userId: alice.id, name: "gen", scopes: ["generate"] });
      expect((await msg("getBalance", { api_key: noRead.key })).body).toMatchObject({ result: "error", notice: expect.stringContaining("not authorized") });
      expect((await msg("getBalance", { api_key: alice.key }, { format: "xml" })).body).toMatchObject({ result: "error" });
      const get = await getMethod(new Request(`${BASE}/api/getBalance?format=json`), ctx({ method: "getBalance" }));
      expect(get.headers.get("allow")).toBe("POST");
      expect(await get.json()).toMatchObject({ result: "error" });
    });

    it("no per-minute limit unless MYSITEMAPGENERATOR_RATE_LIMIT_PER_MINUTE is set; the plan's still holds on /api/v1", async () => {
      const saved = { plan: process.env.PLAN_LIMITS, msg: process.env.MYSITEMAPGENERATOR_RATE_LIMIT_PER_MINUTE };
      try {
        process.env.PLAN_LIMITS = JSON.stringify({ starter: { perMinute: 3 } });
        delete process.env.MYSITEMAPGENERATOR_RATE_LIMIT_PER_MINUTE;
        const dave = await seedUser();
        for (let i = 0; i < 6; i++) {
          const r = await msg("getBalance", { api_key: dave.key });
          expect(r.body.result).toBe("success");
          expect(r.res.headers.get("x-ratelimit-limit")).toBeNull();
        }
        // the same key on the native API: the plan's 3 per minute, untouched by the six adapter calls
        const native = async () => (await listSitemaps(req("GET", "/api/v1/sitemaps", { key: dave.key }), ctx())).status;
        expect([await native(), await native(), await native(), await native()]).toEqual([200, 200, 200, 429]);

        process.env.MYSITEMAPGENERATOR_RATE_LIMIT_PER_MINUTE = "2";
        const erin = await seedUser();
        const first = await msg("getBalance", { api_key: erin.key });
        expect(first.res.headers.get("x-ratelimit-limit")).toBe("2");
        expect((await msg("getBalance", { api_key: erin.key })).body.result).toBe("success");
        const over = await msg("getBalance", { api_key: erin.key });
        expect(over.res.status).toBe(200);
        expect(over.body).toMatchObject({ result: "error", notice: expect.stringContaining("2 per minute") });
        expect(over.res.headers.get("retry-after")).toMatch(/^\d+$/);
      } finally {
        for (const [k, v] of [["PLAN_LIMITS", saved.plan], ["MYSITEMAPGENERATOR_RATE_LIMIT_PER_MINUTE", saved.msg]] as const) {
          if (v === undefined) delete process.env[k];
          else process.env[k] = v;
        }
      }
    });

    it("enumerated params carry only the document's values: site_limit from its list, lastmod source server|default", async () => {
      expect([1, 5000, 7499, 7500, 7501, 30_000, 30_001, 42_500, 50_000].map(siteLimitOf)).toEqual([5000, 5000, 5000, 5000, 10000, 25000, 35000, 35000, 50000]);
      const body = sitemapBody({ startUrl: "http://www.mysite2.com/", maxFileEntries: 1000, output: { lastmodSource: "content" } });
      const created = await createSitemap(req("POST", "/api/v1/sitemaps", { key: alice.key, body }), ctx());
      const other = (await created.json()).data;
      const info = await msg("SitemapsGetInfo", { api_key: alice.key, cid: String(other.number) });
      expect(info.body.params[0]).toMatchObject({ site_lastmod_source: "default", site_limit: 5000 });
      expect(["default", "yandex", "google", "mysitemapgenerator"]).toContain(info.body.params[0].site_useragent);
      expect(["max", "middle", "min"]).toContain(info.body.params[0].site_load);
    });

    it(`the adapter's own daily quota: ${DAILY_CALLS} calls per account per UTC day, then {result:error}`, async () => {
      const carol = await seedUser();
      const { start } = windowOf(86_400, Date.now());
      await setUsageCounter({ subject: quotaSubject(carol.id), window: "day", start, count: DAILY_CALLS - 1 });
      const last = await msg("getBalance", { api_key: carol.key });
      expect(last.body.result).toBe("success");
      expect(last.res.headers.get("x-compat-quota-remaining")).toBe("0");
      const over = await msg("getBalance", { api_key: carol.key });
      expect(over.body).toEqual({ result: "error", notice: `daily API limit exceeded (${DAILY_CALLS} requests per day)` });
      // alice's allowance is untouched by carol's
      expect((await msg("getBalance", { api_key: alice.key })).body.result).toBe("success");
    });
  });
}
