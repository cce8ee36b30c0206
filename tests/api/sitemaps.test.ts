import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next-auth", async (orig) => ({ ...(await orig<typeof import("next-auth")>()), getServerSession: vi.fn(async () => null) }));

import { GET as list, POST as create } from "@/app/api/v1/sitemaps/route";
import { DELETE as remove, GET as read, PATCH as patch } from "@/app/api/v1/sitemaps/[id]/route";
import { MAX_BODY_BYTES } from "@/lib/api/request";
import { ZListBody } from "@/lib/schemas/common";
import { ZSitemapDto } from "@/lib/schemas/sitemaps";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { ctx, expectError, expectRateLimitHeaders, mockSession, req, seedUser, sitemapBody } from "./helpers";

afterEach(() => {
  mockSession(null);
  vi.unstubAllEnvs();
});

for (const backend of testBackends()) {
  describe(`/api/v1/sitemaps on ${backend.name}`, () => {
    useTestDb(backend);
    let alice: Awaited<ReturnType<typeof seedUser>>;
    let bob: Awaited<ReturnType<typeof seedUser>>;
    beforeAll(async () => {
      alice = await seedUser();
      bob = await seedUser();
    });

    const post = (body: unknown, key = alice.key) => create(req("POST", "/api/v1/sitemaps", { key, body }), ctx());

    it("POST creates a sitemap with defaults; 201, Location, DTO shape", async () => {
      const body = sitemapBody({ startUrl: "https://Docs.Example.com/guide#intro" });
      const res = await post(body);
      expect(res.status).toBe(201);
      expectRateLimitHeaders(res);
      expect(res.headers.get("x-request-id")).toMatch(/^req_[0-9a-f]{32}$/);
      const { data } = await res.json();
      expect(ZSitemapDto.strict().parse(data)).toEqual(data);
      expect(res.headers.get("location")).toBe(`/api/v1/sitemaps/${data.id}`);
      expect(data).toMatchObject({
        name: "Docs",
        startUrl: "https://docs.example.com/guide",
        fileName: body.fileName,
        active: true,
        maxFileEntries: 50_000,
        maxFileSize: 52_428_800,
        gzip: false,
        crawl: { maxPages: 10_000, maxDepth: 50, concurrency: 8, userAgent: null, respectRobots: true },
        publishedRunId: null,
        lastRun: null,
        sitemapUrl: null,
      });
      expect(new Date(data.createdAt).toISOString()).toBe(data.createdAt);
    });

    it("POST stores every given field, crawl settings included", async () => {
      const crawl = { maxPages: 5, maxDepth: 0, concurrency: 2, userAgent: "MyBot/1.0", respectRobots: false };
      const body = sitemapBody({
        active: false,
        maxFileEntries: 1000,
        maxFileSize: 100_000,
        gzip: true,
        crawl,
      });
      const { data } = await (await post(body)).json();
      expect(data).toMatchObject({ active: false, maxFileEntries: 1000, maxFileSize: 100_000, gzip: true, crawl });
      const again = await (await read(req("GET", `/api/v1/sitemaps/${data.id}`, { key: alice.key }), ctx({ id: data.id }))).json();
      expect(again.data).toEqual(data);
    });

    it("POST 409 duplicate_entry on a fileName the account already uses; other accounts may use it", async () => {
      const body = sitemapBody();
      expect((await post(body)).status).toBe(201);
      const res = await post({ ...body, name: "Other" });
      expect(res.headers.get("x-ratelimit-limit")).not.toBeNull();
      await expectError(res, 409, "duplicate_entry", "fileName");
      expect((await post(body, bob.key)).status).toBe(201);
    });

    const invalid: [string, Record<string, unknown>, string, string][] = [
      ["missing name", { name: undefined }, "missing", "name"],
      ["missing startUrl", { startUrl: undefined }, "missing", "startUrl"],
      ["missing fileName", { fileName: undefined }, "missing", "fileName"],
      ["name of the wrong type", { name: 5 }, "invalid_value", "name"],
      ["empty name", { name: "  " }, "invalid_value", "name"],
      ["relative startUrl", { startUrl: "/docs" }, "invalid_format", "startUrl"],
      ["ftp startUrl", { startUrl: "ftp://example.com/" }, "invalid_format", "startUrl"],
      ["startUrl with credentials", { startUrl: "https://u:p@example.com/" }, "invalid_format", "startUrl"],
      ["upper-case fileName", { fileName: "Docs" }, "invalid_format", "fileName"],
      ["fileName with a slash", { fileName: "a/b" }, "invalid_format", "fileName"],
      ["fileName with .xml", { fileName: "sitemap.xml" }, "invalid_format", "fileName"],
      ["fileName with ..", { fileName: "a..b" }, "invalid_format", "fileName"],
      ["fileName of 101 chars", { fileName: "a".repeat(101) }, "invalid_format", "fileName"],
      ["maxFileEntries 0", { maxFileEntries: 0 }, "invalid_value", "maxFileEntries"],
      ["maxFileEntries 50,001", { maxFileEntries: 50_001 }, "invalid_value", "maxFileEntries"],
      ["maxFileEntries 1.5", { maxFileEntries: 1.5 }, "invalid_value", "maxFileEntries"],
      ["maxFileSize 52,428,801", { maxFileSize: 52_428_801 }, "invalid_value", "maxFileSize"],
      ["gzip as a string", { gzip: "yes" }, "invalid_value", "gzip"],
      ["crawl.concurrency 0", { crawl: { concurrency: 0 } }, "invalid_value", "crawl.concurrency"],
      ["crawl.userAgent with a newline", { crawl: { userAgent: "a\r\nX-Evil: 1" } }, "invalid_format", "crawl.userAgent"],
      ["unknown field", { userId: "someone-else" }, "unknown_field", "userId"],
      ["unknown crawl field", { crawl: { maxBytes: 1 } }, "unknown_field", "crawl.maxBytes"],
    ];
    for (const [name, over, code, field] of invalid) {
      it(`POST 422 ${code} on ${name}`, async () => {
        const body = JSON.parse(JSON.stringify(sitemapBody(over)));
        await expectError(await post(body), 422, code, field);
      });
    }

    it("POST 422 when the body is not an object", async () => {
      await expectError(await post([1, 2]), 422, "invalid_value");
    });

    it("POST 400 syntax_error on bad JSON, 415 on a non-JSON type, 413 over 1 MiB; nothing written", async () => {
      const before = (await (await list(req("GET", "/api/v1/sitemaps?limit=100", { key: bob.key }), ctx())).json()).data.length;
      const bad = req("POST", "/api/v1/sitemaps", { key: bob.key, raw: '{"name": "x",', headers: { "content-type": "application/json" } });
      await expectError(await create(bad, ctx()), 400, "syntax_error");
      const form = req("POST", "/api/v1/sitemaps", { key: bob.key, raw: "name=x", headers: { "content-type": "application/x-www-form-urlencoded" } });
      await expectError(await create(form, ctx()), 415, "unsupported_media_type");
      const big = JSON.stringify(sitemapBody({ name: "x".repeat(MAX_BODY_BYTES) }));
      const tooBig = req("POST", "/api/v1/sitemaps", { key: bob.key, raw: big, headers: { "content-type": "application/json" } });
      const res = await create(tooBig, ctx());
      expectRateLimitHeaders(res);
      await expectError(res, 413, "payload_too_large");
      const after = (await (await list(req("GET", "/api/v1/sitemaps?limit=100", { key: bob.key }), ctx())).json()).data.length;
      expect(after).toBe(before);
    });

    it("GET lists only the caller's sitemaps, newest first, with cursor pagination", async () => {
      const carol = await seedUser();
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await (await post(sitemapBody({ name: `s${i}` }), carol.key)).json()).data.id);
      const page1 = await list(req("GET", "/api/v1/sitemaps?limit=2", { key: carol.key }), ctx());
      expectRateLimitHeaders(page1);
      const b1 = ZListBody(ZSitemapDto).parse(await page1.json());
      expect(b1.data.map((s) => s.id)).toEqual([ids[2], ids[1]]);
      expect(b1.next_cursor).toEqual(expect.any(String));
      const page2 = await list(req("GET", `/api/v1/sitemaps?limit=2&cursor=${b1.next_cursor}`, { key: carol.key }), ctx());
      const b2 = await page2.json();
      expect(b2).toMatchObject({ data: [{ id: ids[0] }], next_cursor: null });
      const all = await (await list(req("GET", "/api/v1/sitemaps", { key: carol.key }), ctx())).json();
      expect(all.data).toHaveLength(3);
    });

    it("GET 400 on a bad limit/size or cursor (list grammar: query errors are 400)", async () => {
      for (const q of ["limit=0", "limit=301", "limit=abc"]) {
        await expectError(await list(req("GET", `/api/v1/sitemaps?${q}`, { key: alice.key }), ctx()), 400, "invalid_value", "limit");
      }
      await expectError(await list(req("GET", "/api/v1/sitemaps?size=0", { key: alice.key }), ctx()), 400, "invalid_value", "size");
      await expectError(await list(req("GET", "/api/v1/sitemaps?cursor=nope", { key: alice.key }), ctx()), 400, "invalid_value", "cursor");
    });

    it("GET/PATCH/DELETE another account's sitemap → 404, and nothing changes", async () => {
      const { data } = await (await post(sitemapBody())).json();
      const p = ctx({ id: data.id });
      await expectError(await read(req("GET", `/api/v1/sitemaps/${data.id}`, { key: bob.key }), p), 404, "not_found");
      await expectError(await patch(req("PATCH", `/api/v1/sitemaps/${data.id}`, { key: bob.key, body: { name: "pwned" } }), p), 404, "not_found");
      await expectError(await remove(req("DELETE", `/api/v1/sitemaps/${data.id}`, { key: bob.key }), p), 404, "not_found");
      const mine = await (await read(req("GET", `/api/v1/sitemaps/${data.id}`, { key: alice.key }), p)).json();
      expect(mine.data.name).toBe("Docs");
      await expectError(await read(req("GET", "/api/v1/sitemaps/does-not-exist", { key: alice.key }), ctx({ id: "does-not-exist" })), 404, "not_found");
    });

    it("PATCH updates a subset, merges crawl settings, bumps updatedAt", async () => {
      const { data } = await (await post(sitemapBody({ crawl: { maxPages: 10, userAgent: "A/1" } }))).json();
      await new Promise((r) => setTimeout(r, 5));
      const res = await patch(
        req("PATCH", `/api/v1/sitemaps/${data.id}`, { key: alice.key, body: { name: "Renamed", active: false, crawl: { maxDepth: 3 } } }),
        ctx({ id: data.id }),
      );
      expect(res.status).toBe(200);
      const updated = (await res.json()).data;
      expect(updated).toMatchObject({ name: "Renamed", active: false, crawl: { maxPages: 10, maxDepth: 3, userAgent: "A/1" } });
      expect(updated.updatedAt > data.updatedAt).toBe(true);
      const reset = await patch(req("PATCH", `/api/v1/sitemaps/${data.id}`, { key: alice.key, body: { crawl: { userAgent: null } } }), ctx({ id: data.id }));
      expect((await reset.json()).data.crawl.userAgent).toBeNull();
    });

    it("PATCH 409 on a fileName in use, 422 on invalid or unknown fields", async () => {
      const a = (await (await post(sitemapBody())).json()).data;
      const b = (await (await post(sitemapBody())).json()).data;
      const p = ctx({ id: b.id });
      await expectError(await patch(req("PATCH", `/api/v1/sitemaps/${b.id}`, { key: alice.key, body: { fileName: a.fileName } }), p), 409, "duplicate_entry", "fileName");
      await expectError(await patch(req("PATCH", `/api/v1/sitemaps/${b.id}`, { key: alice.key, body: { maxFileEntries: 0 } }), p), 422, "invalid_value", "maxFileEntries");
      await expectError(await patch(req("PATCH", `/api/v1/sitemaps/${b.id}`, { key: alice.key, body: { publishedRunId: "x" } }), p), 422, "unknown_field", "publishedRunId");
    });

    it("DELETE → 204, then 404", async () => {
      const { data } = await (await post(sitemapBody())).json();
      const res = await remove(req("DELETE", `/api/v1/sitemaps/${data.id}`, { key: alice.key }), ctx({ id: data.id }));
      expect(res.status).toBe(204);
      expectRateLimitHeaders(res);
      expect(await res.text()).toBe("");
      await expectError(await read(req("GET", `/api/v1/sitemaps/${data.id}`, { key: alice.key }), ctx({ id: data.id })), 404, "not_found");
    });

    it("the dashboard session cookie works on the same endpoints", async () => {
      mockSession(alice.id);
      const res = await create(req("POST", "/api/v1/sitemaps", { body: sitemapBody(), headers: { origin: "http://localhost:3000" } }), ctx());
      expect(res.status).toBe(201);
      expectRateLimitHeaders(res);
      const listed = await (await list(req("GET", "/api/v1/sitemaps?limit=100"), ctx())).json();
      expect(listed.data.some((s: { id: string }) => s.id === (res.headers.get("location") ?? "").split("/").pop())).toBe(true);
    });

    it("a session write from another origin is refused (403), and nothing is written", async () => {
      mockSession(bob.id);
      const body = sitemapBody();
      const res = await create(req("POST", "/api/v1/sitemaps", { body, headers: { origin: "https://evil.example" } }), ctx());
      await expectError(res, 403, "forbidden");
      const listed = await (await list(req("GET", "/api/v1/sitemaps?limit=100", { key: bob.key }), ctx())).json();
      expect(listed.data.some((s: { fileName: string }) => s.fileName === body.fileName)).toBe(false);
    });
  });
}
