/**
 * /api/v1/sitemaps: the shop-API fields, crawl/output options, the list grammar through the real endpoint (every
 * error code, filters, sorts, keyset pagination), the run facts (lastRunStatus …), and GET /sitemaps/{id}/status.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next-auth", async (orig) => ({ ...(await orig<typeof import("next-auth")>()), getServerSession: vi.fn(async () => null) }));

import { GET as list, POST as create } from "@/app/api/v1/sitemaps/route";
import { GET as read, PATCH as patch } from "@/app/api/v1/sitemaps/[id]/route";
import { GET as status, POST as statusPost } from "@/app/api/v1/sitemaps/[id]/status/route";
import { settingsOf } from "@/lib/runs/execute";
import { ZSitemapDto, ZSitemapStatusDto } from "@/lib/schemas/sitemaps";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { ctx, expectError, expectRateLimitHeaders, mockSession, req, seedUser, sitemapBody } from "./helpers";

afterEach(() => mockSession(null));

for (const backend of testBackends()) {
  describe(`sitemaps core fields and list grammar on ${backend.name}`, () => {
    const t = useTestDb(backend);
    let alice: Awaited<ReturnType<typeof seedUser>>;
    let bob: Awaited<ReturnType<typeof seedUser>>;
    let xmlTemplate = "";
    let htmlTemplate = "";
    let bobTemplate = "";
    beforeAll(async () => {
      alice = await seedUser();
      bob = await seedUser();
      const mk = (userId: string, kind: string) =>
        t.db.template.create({ data: { userId, name: `${kind} t`, kind, content: "<urlset>{% for u in urls %}{% endfor %}</urlset>" } });
      xmlTemplate = (await mk(alice.id, "xml")).id;
      htmlTemplate = (await mk(alice.id, "html")).id;
      bobTemplate = (await mk(bob.id, "xml")).id;
    });

    const post = (body: unknown, key = alice.key) => create(req("POST", "/api/v1/sitemaps", { key, body }), ctx());
    const get = (qs: string, key = alice.key) => list(req("GET", `/api/v1/sitemaps?${qs}`, { key }), ctx());
    const newSitemap = async (over: Record<string, unknown> = {}, key = alice.key) => {
      const res = await post(sitemapBody(over), key);
      expect(res.status).toBe(201);
      return (await res.json()).data;
    };

    it("publishedUrlsListed is the published run's count, kept while a newer run works (lastRun shows that one)", async () => {
      const sm = await newSitemap();
      const published = await t.db.run.create({
        data: { sitemapId: sm.id, trigger: "api", status: "succeeded", urlsListed: 1170, createdAt: new Date("2030-01-01"), finishedAt: new Date("2030-01-01T00:05:00Z") },
      });
      await t.db.sitemap.update({ where: { id: sm.id }, data: { publishedRunId: published.id } });
      await t.db.run.create({ data: { sitemapId: sm.id, trigger: "api", status: "running", urlsListed: 3, createdAt: new Date("2030-01-02"), startedAt: new Date("2030-01-02") } });
      const [row] = (await (await get(`filter[id]=${sm.id}`)).json()).data;
      expect(ZSitemapDto.strict().parse(row)).toEqual(row);
      expect(row).toMatchObject({ publishedRunId: published.id, publishedUrlsListed: 1170, lastRun: { status: "running", progress: { urlsListed: 3 } } });
      const one = (await (await read(req("GET", `/api/v1/sitemaps/${sm.id}`, { key: alice.key }), ctx({ id: sm.id }))).json()).data;
      expect(one.publishedUrlsListed).toBe(1170);
    });

    it("POST defaults of the new fields; the DTO is strict", async () => {
      const data = await newSitemap();
      expect(ZSitemapDto.strict().parse(data)).toEqual(data);
      expect(data).toMatchObject({
        number: expect.any(Number),
        subScopes: [],
        templateId: null,
        options: { exportCharset: "utf-8" },
        writeIntoRobots: false,
        exportAfterImport: false,
        exportPlan: [],
        exportCron: null,
        timezone: "UTC",
        lastRun: null,
        lastSucceededAt: null,
        output: { priorityMode: "off", defaultPriority: null, defaultChangefreq: null, lastmod: true, lastmodSource: "content" },
      });
      expect(data.crawl).toMatchObject({ excludeNoindex: true, followNofollow: false, respectCanonical: true, collapseDuplicates: false });
    });

    it("POST stores every shop field and option; PATCH changes them; crawl options reach settingsOf", async () => {
      const body: Record<string, unknown> = sitemapBody({
        subScopes: [
          { key: "de", name: "Deutsch", pathPrefix: "/de/" },
          { key: "en", name: "English", pathPrefix: "/en/" },
        ],
        templateId: xmlTemplate,
        options: { exportCharset: "windows-1251" },
        writeIntoRobots: true,
        exportAfterImport: true,
        exportPlan: [22, 3, 0],
        exportCron: "30 2 * * 1-5",
        timezone: "Europe/Berlin",
        crawl: { excludeNoindex: false, followNofollow: true, respectCanonical: false, collapseDuplicates: true },
        output: { priorityMode: "fixed", defaultPriority: 0.7, defaultChangefreq: "weekly", lastmod: false, lastmodSource: "server" },
      });
      const data = await newSitemap(body);
      expect(data).toMatchObject({
        subScopes: body.subScopes,
        templateId: xmlTemplate,
        options: { exportCharset: "windows-1251" },
        writeIntoRobots: true,
        exportAfterImport: true,
        exportPlan: [0, 3, 22],
        exportCron: "30 2 * * 1-5",
        timezone: "Europe/Berlin",
        output: body.output,
      });
      const row = await t.db.sitemap.findUniqueOrThrow({ where: { id: data.id } });
      expect(settingsOf(row)).toMatchObject({ excludeNoindex: false, followNofollow: true, respectCanonical: false });
      expect(row.collapseDuplicates).toBe(true);

      const res = await patch(
        req("PATCH", `/api/v1/sitemaps/${data.id}`, { key: alice.key, body: { templateId: null, exportPlan: [], exportCron: null, crawl: { followNofollow: false } } }),
        ctx({ id: data.id }),
      );
      expect(res.status).toBe(200);
      const after = (await res.json()).data;
      expect(after).toMatchObject({ templateId: null, exportPlan: [], exportCron: null, timezone: "Europe/Berlin" });
      expect(after.crawl).toMatchObject({ excludeNoindex: false, followNofollow: false, respectCanonical: false, collapseDuplicates: true });
    });

    const invalid: [string, Record<string, unknown>, number, string, string][] = [
      ["templateId of another account", { templateId: "" }, 422, "invalid_value", "templateId"],
      ["templateId of an html template", { templateId: "html" }, 422, "invalid_value", "templateId"],
      ["templateId unknown", { templateId: "nope" }, 422, "invalid_value", "templateId"],
      ["exportPlan hour 24", { exportPlan: [24] }, 422, "invalid_value", "exportPlan.0"],
      ["exportPlan duplicate hours", { exportPlan: [3, 3] }, 422, "invalid_value", "exportPlan"],
      ["exportPlan not an array", { exportPlan: 3 }, 422, "invalid_value", "exportPlan"],
      ["exportCron with 6 fields", { exportCron: "0 0 3 * * *" }, 422, "invalid_format", "exportCron"],
      ["exportCron minute 61", { exportCron: "61 * * * *" }, 422, "invalid_format", "exportCron"],
      ["timezone unknown", { timezone: "Mars/Olympus" }, 422, "invalid_value", "timezone"],
      ["exportCharset unknown", { options: { exportCharset: "latin1" } }, 422, "invalid_value", "options.exportCharset"],
      ["unknown options field", { options: { foo: 1 } }, 422, "unknown_field", "options.foo"],
      ["duplicate sub-scope key", { subScopes: [{ key: "a", name: "A", pathPrefix: "/a/" }, { key: "a", name: "B", pathPrefix: "/b/" }] }, 422, "invalid_value", "subScopes.1.key"],
      ["sub-scope pathPrefix not a path", { subScopes: [{ key: "a", name: "A", pathPrefix: "a/" }] }, 422, "invalid_format", "subScopes.0.pathPrefix"],
      ["defaultPriority 1.5", { output: { defaultPriority: 1.5 } }, 422, "invalid_value", "output.defaultPriority"],
      ["defaultChangefreq bogus", { output: { defaultChangefreq: "sometimes" } }, 422, "invalid_value", "output.defaultChangefreq"],
      ["priorityMode bogus", { output: { priorityMode: "random" } }, 422, "invalid_value", "output.priorityMode"],
      ["excludeNoindex as string", { crawl: { excludeNoindex: "yes" } }, 422, "invalid_value", "crawl.excludeNoindex"],
    ];
    for (const [name, over, st, code, field] of invalid) {
      it(`POST ${st} ${code} on ${name}; nothing written`, async () => {
        const o = { ...over };
        if (o.templateId === "") o.templateId = bobTemplate;
        if (o.templateId === "html") o.templateId = htmlTemplate;
        const before = await t.db.sitemap.count();
        await expectError(await post(sitemapBody(o)), st, code, field);
        expect(await t.db.sitemap.count()).toBe(before);
      });
    }

    it("PATCH 422 on a non-xml templateId; 409 duplicate_entry on a fileName in use", async () => {
      const a = await newSitemap();
      const b = await newSitemap();
      await expectError(await patch(req("PATCH", `/api/v1/sitemaps/${a.id}`, { key: alice.key, body: { templateId: htmlTemplate } }), ctx({ id: a.id })), 422, "invalid_value", "templateId");
      await expectError(await patch(req("PATCH", `/api/v1/sitemaps/${a.id}`, { key: alice.key, body: { fileName: b.fileName } }), ctx({ id: a.id })), 409, "duplicate_entry", "fileName");
    });

    describe("list grammar", () => {
      let carol: Awaited<ReturnType<typeof seedUser>>;
      let erin: Awaited<ReturnType<typeof seedUser>>; // the error cases, on a key of their own (per-minute limit)
      const made: { id: string; name: string; maxFileEntries: number }[] = [];
      beforeAll(async () => {
        carol = await seedUser();
        erin = await seedUser();
        await newSitemap({}, erin.key);
        await newSitemap({}, erin.key);
        const specs = [
          { name: "Alpha", maxFileEntries: 100, exportPlan: [1, 2], active: true, subScopes: [{ key: "de", name: "DE", pathPrefix: "/de/" }] },
          { name: "Beta", maxFileEntries: 300, exportPlan: [2], active: false },
          { name: "Gamma", maxFileEntries: 200, exportPlan: [], active: true },
          { name: "Delta", maxFileEntries: 200, exportPlan: [5], active: true, subScopes: [{ key: "en", name: "EN", pathPrefix: "/en/" }] },
          { name: "Epsilon", maxFileEntries: 200, exportPlan: [2], active: true },
        ];
        for (const s of specs) made.push(await newSitemap(s, carol.key));
      });
      const names = async (qs: string) => {
        const res = await get(qs, carol.key);
        expect(res.status).toBe(200);
        const body = await res.json();
        return { names: body.data.map((d: { name: string }) => d.name) as string[], next: body.next_cursor as string | null };
      };

      it("filters: eq, ne, contains (case-insensitive), gte, in, array contains, sub-scope key", async () => {
        expect((await names("filter[active]=false")).names).toEqual(["Beta"]);
        expect((await names("filter[active][ne]=false&sort=name:asc")).names).toEqual(["Alpha", "Delta", "Epsilon", "Gamma"]);
        expect((await names("filter[name][contains]=ET&sort=name:asc")).names).toEqual(["Beta"]);
        expect((await names("filter[maxFileEntries][gte]=200&filter[maxFileEntries][lt]=300&sort=name:asc")).names).toEqual(["Delta", "Epsilon", "Gamma"]);
        expect((await names("filter[maxFileEntries][in]=100,300&sort=name:asc")).names).toEqual(["Alpha", "Beta"]);
        expect((await names("filter[exportPlan][contains]=2&sort=name:asc")).names).toEqual(["Alpha", "Beta", "Epsilon"]);
        expect((await names("filter[subScopes][contains]=en")).names).toEqual(["Delta"]);
        expect((await names("filter[number]=" + (await t.db.sitemap.findUniqueOrThrow({ where: { id: made[2].id } })).number)).names).toEqual(["Gamma"]);
      });

      it("contains matches LIKE wildcards (%, _) and the escape character literally", async () => {
        const dave = await seedUser();
        for (const name of ["50% off", "500 off", "50x50", "50_50", "back\\slash", "backslash"]) await newSitemap({ name }, dave.key);
        const list = async (qs: string) => {
          const res = await get(qs + "&sort=name:asc", dave.key);
          expect(res.status).toBe(200);
          return (await res.json()).data.map((d: { name: string }) => d.name);
        };
        expect(await list("filter[name][contains]=50%25")).toEqual(["50% off"]);
        expect(await list("filter[name][contains]=0_5")).toEqual(["50_50"]);
        expect(await list("filter[name][contains]=k%5Cs")).toEqual(["back\\slash"]);
        expect(await list("filter[name][contains]=%25")).toEqual(["50% off"]);
        expect((await list("filter[name][contains]=50")).sort()).toEqual(["50% off", "500 off", "50_50", "50x50"]);
      });

      it("sort on any field with keyset pages of size 2: every row once, in order, ties broken by id", async () => {
        for (const sort of ["maxFileEntries:asc", "maxFileEntries:desc", "name:desc", "createdAt:asc", "number:desc"]) {
          const seen: string[] = [];
          let cursor: string | null = null;
          let pages = 0;
          do {
            const r = await names(`size=2&sort=${sort}${cursor ? `&cursor=${cursor}` : ""}`);
            seen.push(...r.names);
            cursor = r.next;
            pages++;
          } while (cursor && pages < 10);
          expect(pages).toBe(3);
          expect(new Set(seen).size).toBe(5);
          const all = (await names(`size=300&sort=${sort}`)).names;
          expect(seen).toEqual(all);
        }
        const byEntries = (await names("sort=maxFileEntries:asc")).names;
        expect(byEntries[0]).toBe("Alpha");
        expect(byEntries[4]).toBe("Beta");
      });

      it("pageToken and limit are aliases; a page cursor survives an insert before it", async () => {
        const first = await names("limit=2&sort=name:asc");
        expect(first.names).toEqual(["Alpha", "Beta"]);
        await newSitemap({ name: "Aardvark" }, bob.key); // another account: invisible
        const second = await names(`limit=2&sort=name:asc&pageToken=${first.next}`);
        expect(second.names).toEqual(["Delta", "Epsilon"]);
      });

      it("lastRunStatus, lastRunStartedAt and lastSucceededAt follow the runs: filters and in-memory sorts", async () => {
        const [a, b] = made;
        const t0 = new Date("2030-01-01T00:00:00Z");
        await t.db.run.create({ data: { sitemapId: a.id, trigger: "api", status: "succeeded", createdAt: new Date("2029-12-31T00:00:00Z"), finishedAt: new Date("2029-12-31T00:05:00Z") } });
        await t.db.run.create({ data: { sitemapId: a.id, trigger: "api", status: "succeeded", createdAt: t0, startedAt: t0, finishedAt: new Date("2030-01-01T00:05:00Z") } });
        await t.db.run.create({ data: { sitemapId: a.id, trigger: "api", status: "failed", createdAt: new Date("2030-01-02T00:00:00Z"), startedAt: new Date("2030-01-02T00:00:01Z"), finishedAt: new Date("2030-01-02T00:01:00Z") } });
        const runB = await t.db.run.create({ data: { sitemapId: b.id, trigger: "api", status: "running", startedAt: t0 } });
        const dto = (await (await read(req("GET", `/api/v1/sitemaps/${a.id}`, { key: carol.key }), ctx({ id: a.id }))).json()).data;
        expect(dto).toMatchObject({ lastRun: { status: "failed", startedAt: "2030-01-02T00:00:01.000Z" }, lastSucceededAt: "2030-01-01T00:05:00.000Z" });
        // the status endpoint: the newest success of the two
        const st = (await (await status(req("GET", `/api/v1/sitemaps/${a.id}/status`, { key: carol.key }), ctx({ id: a.id }))).json()).data;
        expect(st).toMatchObject({ lastSucceededAt: "2030-01-01T00:05:00.000Z" });
        // the shop API's words for the run facts never reach the native DTO
        for (const shopField of ["exportStatus", "protocolId", "lastExportStarted", "lastExportFinished"]) expect(dto).not.toHaveProperty(shopField);
        expect((await names("filter[lastRunStatus]=failed")).names).toEqual(["Alpha"]);
        expect((await names("filter[lastRunStatus]=running")).names).toEqual(["Beta"]);
        expect((await names("filter[lastRunStatus]=null&sort=name:asc")).names).toEqual(["Delta", "Epsilon", "Gamma"]);
        expect((await names("filter[lastRunStatus][in]=failed,running&sort=name:asc")).names).toEqual(["Alpha", "Beta"]);
        expect((await names("filter[lastSucceededAt][gte]=2029-12-31")).names).toEqual(["Alpha"]);
        expect((await names("filter[lastRunStartedAt]=null&filter[active]=true&sort=name:asc")).names).toEqual(["Delta", "Epsilon", "Gamma"]);
        await expectError(await get("filter[exportStatus]=2", carol.key), 400, "unknown_field", "exportStatus");
        // the run facts sort too (in memory), NULLs last, ties by id, with keyset pages
        const all = (await names("sort=lastRunStatus:desc&size=300")).names;
        expect(all.slice(0, 2)).toEqual(["Beta", "Alpha"]); // running > failed
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const r = await names(`sort=lastRunStatus:desc&size=2${cursor ? `&cursor=${cursor}` : ""}`);
          seen.push(...r.names);
          cursor = r.next;
        } while (cursor);
        expect(seen).toEqual(all);
        const byFinished = (await names("sort=lastSucceededAt:asc&filter[active]=true")).names;
        expect(byFinished[0]).toBe("Alpha"); // the only one with a successful run; the others (NULL) after it
        expect(byFinished).toHaveLength(4);
        const started = (await names("sort=lastRunStartedAt:asc&size=1")).names;
        expect(started).toEqual(["Beta"]); // 2030-01-01 before Alpha's 2030-01-02
        await t.db.run.update({ where: { id: runB.id }, data: { status: "queued" } });
        expect((await names("filter[lastRunStatus]=queued")).names).toEqual(["Beta"]);
      });

      const errors: [string, string, string][] = [
        ["sort=name", "syntax_error", "sort"],
        ["sort=name:asc:desc", "syntax_error", "sort"],
        ["sort=name:sideways", "syntax_error", "sort"],
        ["sort=colour:asc", "unknown_field", "colour"],
        ["sort=subScopes:asc", "unknown_field", "subScopes"],
        ["sort=exportPlan:desc", "unknown_field", "exportPlan"],
        ["filter[colour]=red", "unknown_field", "colour"],
        ["filter[name][like]=a", "unknown_operation", "filter[name][like]"],
        ["filter[active][gt]=true", "unknown_operation", "filter[active][gt]"],
        ["filter[maxFileEntries]=many", "invalid_value", "filter[maxFileEntries]"],
        ["filter[createdAt][gt]=last-week", "invalid_value", "filter[createdAt][gt]"],
        ["filter[active]=maybe", "invalid_value", "filter[active]"],
        ["size=301", "invalid_value", "size"],
        ["size=1.5", "invalid_value", "size"],
        ["cursor=garbage", "invalid_value", "cursor"],
        ["filter[name", "syntax_error", "filter[name"],
      ];
      for (const [qs, code, field] of errors) {
        it(`GET ?${qs} → 400 ${code}`, async () => {
          const res = await get(qs, erin.key);
          expectRateLimitHeaders(res);
          await expectError(res, 400, code, field);
        });
      }

      it("a cursor made for another sort → 400 invalid_value", async () => {
        const first = await (await get("size=1&sort=name:asc", erin.key)).json();
        expect(first.next_cursor).toEqual(expect.any(String));
        await expectError(await get(`size=1&sort=name:desc&cursor=${first.next_cursor}`, erin.key), 400, "invalid_value", "cursor");
      });
    });

    describe("GET /sitemaps/{id}/status", () => {
      it("whole site and each sub-scope: newest run and its status, URL counts under the prefix, files", async () => {
        const sm = await newSitemap({
          startUrl: "https://shop.example/",
          subScopes: [
            { key: "de", name: "Deutsch", pathPrefix: "/de/" },
            { key: "en", name: "English", pathPrefix: "/en/" },
          ],
        });
        const fresh = await status(req("GET", `/api/v1/sitemaps/${sm.id}/status`, { key: alice.key }), ctx({ id: sm.id }));
        expect(fresh.status).toBe(200);
        expectRateLimitHeaders(fresh);
        const empty = ZSitemapStatusDto.strict().parse((await fresh.json()).data);
        expect(empty).toMatchObject({ status: null, lastRun: null, lastRunStartedAt: null, lastSucceededAt: null, urls: { crawled: 0, pushed: 0 }, files: [] });
        expect(empty.subScopes.map((s) => [s.key, s.status])).toEqual([["de", null], ["en", null]]);

        const published = await t.db.run.create({
          data: { sitemapId: sm.id, trigger: "api", status: "succeeded", createdAt: new Date("2030-01-01"), startedAt: new Date("2030-01-01"), finishedAt: new Date("2030-01-01T00:01:00Z") },
        });
        await t.db.runUrl.createMany({
          data: [
            { runId: published.id, url: "https://shop.example/", included: true },
            { runId: published.id, url: "https://shop.example/de/a", included: true },
            { runId: published.id, url: "https://shop.example/de/b", included: true },
            { runId: published.id, url: "https://shop.example/de/c", included: false, reason: "noindex" },
            { runId: published.id, url: "https://shop.example/en/a", included: true },
          ],
        });
        await t.db.sitemapFile.create({ data: { runId: published.id, sitemapId: sm.id, name: `${sm.fileName}.xml`, kind: "urlset", bytes: 500, urlCount: 4, sha256: "x" } });
        await t.db.sitemap.update({ where: { id: sm.id }, data: { publishedRunId: published.id } });
        await t.db.sitemapUrl.create({ data: { sitemapId: sm.id, url: "https://shop.example/en/pushed" } });
        // a newer run for "en" only, still running
        const enRun = await t.db.run.create({ data: { sitemapId: sm.id, trigger: "api", status: "running", subScopes: ["en"], createdAt: new Date("2030-01-02"), startedAt: new Date("2030-01-02") } });

        const s = ZSitemapStatusDto.parse((await (await status(req("GET", `/api/v1/sitemaps/${sm.id}/status`, { key: alice.key }), ctx({ id: sm.id }))).json()).data);
        expect(s).toMatchObject({ status: "running", publishedRunId: published.id, urls: { crawled: 4, pushed: 1 }, lastRunStartedAt: "2030-01-02T00:00:00.000Z", lastSucceededAt: "2030-01-01T00:01:00.000Z" });
        expect(s.lastRun?.id).toBe(enRun.id);
        expect(s.files).toEqual([{ name: `${sm.fileName}.xml`, kind: "urlset", urlCount: 4, bytes: 500, url: expect.stringContaining(`${sm.fileName}.xml`) }]);
        const de = s.subScopes.find((x) => x.key === "de")!;
        const en = s.subScopes.find((x) => x.key === "en")!;
        expect(de).toMatchObject({ status: "succeeded", urls: { crawled: 2, pushed: 0 } });
        expect(de.lastRun?.id).toBe(published.id);
        expect(en).toMatchObject({ status: "running", urls: { crawled: 1, pushed: 1 } });
      });

      it("404 for another account's sitemap or an unknown id; 405 on POST; 401 without a key", async () => {
        const sm = await newSitemap();
        await expectError(await status(req("GET", `/api/v1/sitemaps/${sm.id}/status`, { key: bob.key }), ctx({ id: sm.id })), 404, "not_found");
        await expectError(await status(req("GET", `/api/v1/sitemaps/nope/status`, { key: alice.key }), ctx({ id: "nope" })), 404, "not_found");
        await expectError(await statusPost(req("POST", `/api/v1/sitemaps/${sm.id}/status`, { key: alice.key }), ctx({ id: sm.id })), 405, "method_not_allowed");
        await expectError(await status(req("GET", `/api/v1/sitemaps/${sm.id}/status`), ctx({ id: sm.id })), 401, "unauthorized");
      });
    });
  });
}
