/**
 * The crawler settings through /api/v1/sitemaps: rules, URL policy, robots options, rendering,
 * extensions, and write-only staging credentials (stored encrypted, shown only as "which parts are set").
 */
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next-auth", async (orig) => ({ ...(await orig<typeof import("next-auth")>()), getServerSession: vi.fn(async () => null) }));

import { POST as create } from "@/app/api/v1/sitemaps/route";
import { GET as read, PATCH as patch } from "@/app/api/v1/sitemaps/[id]/route";
import { getDb } from "@/lib/db/client";
import { settingsOf } from "@/lib/runs/execute";
import { ZSitemapDto } from "@/lib/schemas/sitemaps";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { ctx, expectError, mockSession, req, seedUser, sitemapBody } from "./helpers";

afterEach(() => {
  mockSession(null);
  vi.unstubAllEnvs();
});

for (const backend of testBackends()) {
  describe(`/api/v1/sitemaps crawl settings on ${backend.name}`, () => {
    useTestDb(backend);
    let alice: Awaited<ReturnType<typeof seedUser>>;
    beforeAll(async () => {
      alice = await seedUser();
    });
    const post = (body: unknown) => create(req("POST", "/api/v1/sitemaps", { key: alice.key, body }), ctx());
    const update = (id: string, body: unknown) => patch(req("PATCH", `/api/v1/sitemaps/${id}`, { key: alice.key, body }), ctx({ id }));
    const get = async (id: string) => (await (await read(req("GET", `/api/v1/sitemaps/${id}`, { key: alice.key }), ctx({ id }))).json()).data;

    it("output formats: extraFormats and xslStylesheet round-trip; duplicates and unknown formats are 422", async () => {
      const { data } = await (await post(sitemapBody())).json();
      expect(data.output).toMatchObject({ extraFormats: [], xslStylesheet: false });
      const res = await update(data.id, { output: { extraFormats: ["html", "txt"], xslStylesheet: true } });
      expect(res.status).toBe(200);
      expect((await get(data.id)).output).toMatchObject({ extraFormats: ["html", "txt"], xslStylesheet: true, lastmod: true });
      const row = await getDb().sitemap.findUniqueOrThrow({ where: { id: data.id } });
      expect({ extraFormats: row.extraFormats, xslStylesheet: row.xslStylesheet }).toEqual({ extraFormats: ["html", "txt"], xslStylesheet: true });
      await expectError(await update(data.id, { output: { extraFormats: ["html", "html"] } }), 422, "invalid_value", "output.extraFormats");
      await expectError(await update(data.id, { output: { extraFormats: ["pdf"] } }), 422, "invalid_value", "output.extraFormats.0");
      expect((await get(data.id)).output.extraFormats).toEqual(["html", "txt"]);
    });

    it("defaults in the DTO", async () => {
      const { data } = await (await post(sitemapBody())).json();
      expect(ZSitemapDto.strict().parse(data)).toEqual(data);
      expect(data.crawl).toMatchObject({
        rules: [],
        queryPolicy: "keep",
        queryAllowlist: [],
        trailingSlash: "keep",
        maxUrlLength: 2047,
        respectCrawlDelay: false,
        importRobotsSitemaps: true,
        renderJs: "off",
      });
      expect(data.extensions).toEqual({ images: true, imageHosts: [], hreflang: true, video: false, news: false, newsPublicationName: null, newsLanguage: null });
      expect(data.auth).toEqual({ basicAuth: false, headers: [], cookies: [] });
    });

    it("stores rules, policies and extensions; the crawler gets them through settingsOf", async () => {
      const crawl = {
        rules: [
          { action: "exclude", pattern: "/tmp/", syntax: "glob" },
          { action: "crawl_only", pattern: "[?&]page=\\d+", syntax: "regex" },
        ],
        queryPolicy: "allowlist",
        queryAllowlist: ["page"],
        trailingSlash: "add",
        maxUrlLength: 500,
        respectCrawlDelay: true,
        importRobotsSitemaps: false,
        renderJs: "auto",
      };
      const extensions = { images: false, imageHosts: ["cdn.example.com", "*.img.example.net"], hreflang: false, video: true, news: true, newsPublicationName: "The Daily", newsLanguage: "en" };
      const { data } = await (await post(sitemapBody({ crawl, extensions }))).json();
      expect(data.crawl).toMatchObject(crawl);
      expect(data.extensions).toEqual(extensions);
      const row = await getDb().sitemap.findUniqueOrThrow({ where: { id: data.id } });
      expect(settingsOf(row)).toMatchObject({ ...crawl, ...extensions });
      expect(settingsOf(row).auth ?? null).toBeNull();
    });

    it("auth is write-only: stored encrypted, the DTO names the parts set, settingsOf decrypts it", async () => {
      const auth = { basicAuth: { username: "stage", password: "hunter2" }, headers: { "X-Preview": "tok-123" }, cookies: { gate: "open" } };
      const { data } = await (await post(sitemapBody({ auth }))).json();
      expect(data.auth).toEqual({ basicAuth: true, headers: ["X-Preview"], cookies: ["gate"] });
      expect(JSON.stringify(data)).not.toMatch(/hunter2|tok-123|open"/);
      const row = await getDb().sitemap.findUniqueOrThrow({ where: { id: data.id } });
      expect(row.authEncrypted).toMatch(/^v1\./);
      expect(row.authEncrypted).not.toMatch(/hunter2|tok-123|stage/);
      expect(settingsOf(row).auth).toEqual(auth);

      // PATCH merges part by part: null removes a part, omitted parts stay.
      expect((await update(data.id, { auth: { basicAuth: null, cookies: { gate: "closed" } } })).status).toBe(200);
      const after = await getDb().sitemap.findUniqueOrThrow({ where: { id: data.id } });
      expect(settingsOf(after).auth).toEqual({ headers: { "X-Preview": "tok-123" }, cookies: { gate: "closed" } });
      expect((await get(data.id)).auth).toEqual({ basicAuth: false, headers: ["X-Preview"], cookies: ["gate"] });
      expect((await update(data.id, { auth: null })).status).toBe(200);
      expect((await getDb().sitemap.findUniqueOrThrow({ where: { id: data.id } })).authEncrypted).toBeNull();
      // Changing other settings leaves credentials alone.
      await update(data.id, { auth: { headers: { "X-A": "1" } } });
      await update(data.id, { crawl: { maxPages: 7 } });
      expect(settingsOf(await getDb().sitemap.findUniqueOrThrow({ where: { id: data.id } })).auth).toEqual({ headers: { "X-A": "1" } });
    });

    const invalid: [string, Record<string, unknown>, string, string][] = [
      ["bad regex", { crawl: { rules: [{ action: "exclude", pattern: "(", syntax: "regex" }] } }, "invalid_format", "crawl.rules.0.pattern"],
      ["glob without a leading slash", { crawl: { rules: [{ action: "exclude", pattern: "blog", syntax: "glob" }] } }, "invalid_format", "crawl.rules.0.pattern"],
      ["unknown action", { crawl: { rules: [{ action: "index", pattern: "/x", syntax: "glob" }] } }, "invalid_value", "crawl.rules.0.action"],
      ["query policy", { crawl: { queryPolicy: "sort" } }, "invalid_value", "crawl.queryPolicy"],
      ["maxUrlLength over 2047", { crawl: { maxUrlLength: 4096 } }, "invalid_value", "crawl.maxUrlLength"],
      ["renderJs", { crawl: { renderJs: "sometimes" } }, "invalid_value", "crawl.renderJs"],
      ["forbidden header", { auth: { headers: { Host: "evil.example" } } }, "invalid_format", "auth.headers.Host"],
      ["header injection", { auth: { headers: { "X-A": "1\r\nX-B: 2" } } }, "invalid_format", "auth.headers.X-A"],
      ["colon in user name", { auth: { basicAuth: { username: "a:b", password: "c" } } }, "invalid_format", "auth.basicAuth.username"],
      ["unknown auth part", { auth: { bearer: "x" } }, "unknown_field", "auth.bearer"],
      ["news language", { extensions: { newsLanguage: "english" } }, "invalid_format", "extensions.newsLanguage"],
    ];
    it.each(invalid)("422 for %s", async (_name, over, code, field) => {
      await expectError(await post(sitemapBody(over)), 422, code, field);
    });

    it.each(["(a+)+$", "(a|a)*$", "(\\w+\\s?)*$"])("422 invalid_value naming the rule for the catastrophic regex %s", async (pattern) => {
      const rules = [
        { action: "exclude", pattern: "^/blog/", syntax: "regex" },
        { action: "exclude", pattern: "/(en|de)/", syntax: "regex" },
        { action: "exclude", pattern, syntax: "regex" },
      ];
      const err = await expectError(await post(sitemapBody({ crawl: { rules } })), 422, "invalid_value", "crawl.rules.2.pattern");
      expect(err.message).toMatch(/exponential time \(catastrophic backtracking/);
    });

    it("ordinary regex rules are accepted", async () => {
      const rules = ["^/blog/", "\\.pdf$", "/(en|de)/", "/product/\\d+/?$"].map((pattern) => ({ action: "exclude", pattern, syntax: "regex" }));
      expect((await post(sitemapBody({ crawl: { rules } }))).status).toBe(201);
    });

    it.each([22, 25, 6379, 11211])("422 invalid_value on startUrl for port %i; an exact CRAWL_ALLOW_HOSTS entry or CRAWL_ALLOWED_PORTS admits a port", async (port) => {
      const err = await expectError(await post(sitemapBody({ startUrl: `http://example.com:${port}/` })), 422, "invalid_value", "startUrl");
      expect(err.message).toContain(`Port ${port} is not allowed`);
      vi.stubEnv("CRAWL_ALLOW_HOSTS", `example.com:${port}`);
      try {
        expect((await post(sitemapBody({ startUrl: `http://example.com:${port}/` }))).status).toBe(201);
      } finally {
        vi.unstubAllEnvs();
      }
      vi.stubEnv("CRAWL_ALLOWED_PORTS", `8080,${port}`);
      try {
        expect((await post(sitemapBody({ startUrl: `http://example.com:${port}/` }))).status).toBe(201);
      } finally {
        vi.unstubAllEnvs();
      }
    });
  });
}
