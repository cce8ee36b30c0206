/**
 * Shop API adapter: every endpoint of shop-sitemaps-api.txt under /api/shop/, with the document's data fields, the
 * filter/sort/size/pageToken rules and each documented error (status and type). Ids are per account: checked by type.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { GET as list, POST as create, PUT as putCollection } from "@/app/api/shop/sitemaps/route";
import { DELETE as del, GET as getOne, PUT as put } from "@/app/api/shop/sitemaps/[id]/route";
import { POST as generate } from "@/app/api/shop/sitemaps/[id]/generate/route";
import { GET as getStatus } from "@/app/api/shop/sitemaps/[id]/status/route";
import { GET as listProtocols } from "@/app/api/shop/sitemaps/protocols/route";
import { POST as generateHour } from "@/app/api/shop/sitemaps/generate/hour/[hour]/route";
import { POST as generateImport } from "@/app/api/shop/sitemaps/generate/import/route";
import { GET as listTemplates, POST as createTemplate } from "@/app/api/shop/sitemaps/templates/route";
import { DELETE as delTemplate, GET as getTemplate, PUT as putTemplate } from "@/app/api/shop/sitemaps/templates/[id]/route";
import { PUT as putSubshops } from "@/app/api/v1/account/shop-subshops/route";
import { issueApiKey } from "@/lib/auth/issue-api-key";
import { getDb } from "@/lib/db/client";
import { finishRun } from "@/lib/db/runs";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { ctx, expectRateLimitHeaders, req, seedUser } from "@/tests/api/helpers";

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const XML_TEMPLATE =
  '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{% for u in urls %}<url><loc>{{ u.loc }}</loc></url>{% endfor %}</urlset>';

async function expectShopError(res: Response, status: number, type: string, field?: string) {
  const body = await res.json();
  expect({ status: res.status, type: body.error?.type, ...(field ? { field: body.error?.field } : {}) }).toEqual({ status, type, ...(field ? { field } : {}) });
  expect(body.error).toMatchObject({ status, message: expect.any(String), request_id: res.headers.get("x-request-id") });
  return body.error;
}

const shopSitemapShape = {
  id: expect.any(Number),
  active: expect.any(Boolean),
  name: expect.any(String),
  fileName: expect.any(String),
  subshopIds: expect.any(Array),
  maxFileSize: expect.any(Number),
  maxFileEntries: expect.any(Number),
  options: { exportCharset: expect.any(String) },
  writeIntoRobots: expect.any(Boolean),
  exportAfterImport: expect.any(Boolean),
  exportPlan: expect.any(Array),
  exportStatus: expect.any(Number),
  createdAt: expect.stringMatching(ISO),
  updatedAt: expect.stringMatching(ISO),
  startUrl: expect.any(String),
  files: expect.any(Array),
};

for (const backend of testBackends()) {
  describe(`shop API adapter on ${backend.name}`, () => {
    useTestDb(backend);
    let alice: Awaited<ReturnType<typeof seedUser>>;
    let templateNumber: number;
    const body = (over: Record<string, unknown> = {}) => ({
      name: "Products",
      active: true,
      fileName: `products-${Math.random().toString(36).slice(2, 8)}`,
      templateId: null,
      exportAfterImport: false,
      exportPlan: [3, 15],
      maxFileEntries: 50000,
      maxFileSize: 52428800,
      writeIntoRobots: true,
      subshopIds: [1, 2],
      options: { exportCharset: "UTF-8" },
      ...over,
    });
    const post = (b: unknown, key = alice.key) => create(req("POST", "/api/shop/sitemaps", { key, body: b }), ctx());
    const getList = (qs: string, key = alice.key) => list(req("GET", `/api/shop/sitemaps${qs}`, { key }), ctx());

    beforeAll(async () => {
      alice = await seedUser();
      // this file makes more than the starter plan's 60 calls a minute with one key
      await getDb().user.update({ where: { id: alice.id }, data: { plan: "enterprise" } });
    });

    it("POST sitemaps/templates → 201 {id, name, content, createdAt, updatedAt}; GET one; list", async () => {
      const res = await createTemplate(req("POST", "/api/shop/sitemaps/templates", { key: alice.key, body: { name: "Default", content: XML_TEMPLATE } }), ctx());
      expect(res.status).toBe(201);
      expectRateLimitHeaders(res);
      const t = await res.json();
      expect(t).toEqual({ id: expect.any(Number), name: "Default", content: XML_TEMPLATE, createdAt: expect.stringMatching(ISO), updatedAt: expect.stringMatching(ISO) });
      templateNumber = t.id;
      const got = await getTemplate(req("GET", `/api/shop/sitemaps/templates/${t.id}`, { key: alice.key }), ctx({ id: String(t.id) }));
      expect(await got.json()).toEqual(t);
      const all = await (await listTemplates(req("GET", "/api/shop/sitemaps/templates?sort=name:asc&filter[content][contains]=urlset", { key: alice.key }), ctx())).json();
      expect(all).toEqual({ data: [t], nextPageToken: null });
    });

    it("POST sitemaps before the subshops have base URLs → 400 missing naming the settings; after → 201 with the document's fields", async () => {
      const err = await expectShopError(await post(body()), 400, "missing", "subshopIds");
      expect(err.message).toMatch(/Subshop 1, 2 have no base URL.*\/dashboard\/account.*PUT \/api\/v1\/account\/shop-subshops/);
      const subshops = [["1", "https://shop.example.com/"], ["2", "https://shop.example.com/en/"], ["3", "https://shop.example.com/fr/"], ["de", "https://shop.example.com/de/"]];
      const set = await putSubshops(req("PUT", "/api/v1/account/shop-subshops", { key: alice.key, body: { subshops: subshops.map(([subshopId, baseUrl]) => ({ subshopId, baseUrl })) } }), ctx());
      expect(set.status).toBe(200);
      const res = await post(body({ templateId: templateNumber }));
      expect(res.status).toBe(201);
      const sm = await res.json();
      // types as documented: no null in Integer or String fields (0 and "" before the first run)
      expect(sm).toEqual({ ...shopSitemapShape, templateId: templateNumber, protocolId: 0, lastExportStarted: "", lastExportFinished: "" });
      // fileName and options.exportCharset come back as sent
      expect(sm).toMatchObject({ subshopIds: [1, 2], exportPlan: [3, 15], exportStatus: 0, options: { exportCharset: "UTF-8" }, writeIntoRobots: true });
      // the site is the first subshop's base URL; each subshop's path is its sub-scope's path prefix
      expect(sm.startUrl).toBe("https://shop.example.com/");
      const scopes = (await getDb().sitemap.findFirstOrThrow({ where: { userId: alice.id, number: sm.id } })).subScopes;
      expect(scopes).toEqual([{ key: "1", name: "Subshop 1", pathPrefix: "/" }, { key: "2", name: "Subshop 2", pathPrefix: "/en/" }]);
      const second = await (await post(body({ name: "Categories", fileName: "categories.xml", templateId: 0 }))).json();
      expect(second).toMatchObject({ startUrl: "https://shop.example.com/", fileName: "categories.xml", templateId: 0 });
      const stored = await getDb().sitemap.findFirstOrThrow({ where: { userId: alice.id, number: second.id } });
      expect(stored).toMatchObject({ fileName: "categories", templateId: null, exportCharset: "utf-8" });
      expect((await (await getOne(req("GET", `/api/shop/sitemaps/${second.id}`, { key: alice.key }), ctx({ id: String(second.id) }))).json()).fileName).toBe("categories.xml");
      // a change through the native API shows the native value
      await getDb().sitemap.update({ where: { id: stored.id }, data: { fileName: "cats" } });
      expect((await (await getOne(req("GET", `/api/shop/sitemaps/${second.id}`, { key: alice.key }), ctx({ id: String(second.id) }))).json()).fileName).toBe("cats");
      await getDb().sitemap.update({ where: { id: stored.id }, data: { fileName: "categories" } });
    });

    it("POST errors: missing, invalidFormat (each documented case), unknownDataField, invalidValue templateId, duplicateEntry, unreadable body", async () => {
      for (const k of ["name", "active", "fileName", "templateId", "exportAfterImport", "exportPlan", "maxFileEntries", "maxFileSize", "writeIntoRobots", "subshopIds"]) {
        const b = body() as Record<string, unknown>;
        delete b[k];
        await expectShopError(await post(b), 400, "missing", k);
      }
      const formats: [string, unknown][] = [
        ["name", 5], ["fileName", true], ["active", "yes"], ["exportAfterImport", 1], ["writeIntoRobots", null], ["templateId", "7"],
        ["maxFileEntries", 1.5], ["maxFileSize", "big"], ["exportPlan", [1, "2"]], ["subshopIds", "1,2"], ["options", "utf-8"],
      ];
      for (const [k, v] of formats) await expectShopError(await post(body({ [k]: v })), 400, "invalidFormat", k);
      await expectShopError(await post(body({ options: { exportCharset: 1 } })), 400, "invalidFormat", "options.exportCharset");
      await expectShopError(await post(body({ color: "red" })), 400, "unknownDataField", "color");
      await expectShopError(await post(body({ options: { gzip: true } })), 400, "unknownDataField", "options.gzip");
      await expectShopError(await post(body({ templateId: 987654 })), 400, "invalidValue", "templateId");
      await expectShopError(await post(body({ exportPlan: [25] })), 400, "invalidValue", "exportPlan.0");
      const dup = body({ fileName: "dupe" });
      expect((await post(dup)).status).toBe(201);
      await expectShopError(await post(dup), 400, "duplicateEntry", "fileName");
      await expectShopError(await create(req("POST", "/api/shop/sitemaps", { key: alice.key, raw: "{nope", headers: { "content-type": "application/json" } }), ctx()), 400, "syntaxError");
    });

    it("GET sitemaps: size, sort=field:dir, filters on the document's fields, pageToken pages", async () => {
      const page1 = await getList("?size=2&sort=id:asc");
      expect(page1.status).toBe(200);
      expectRateLimitHeaders(page1);
      const p1 = await page1.json();
      expect(p1.data).toHaveLength(2);
      for (const s of p1.data) expect(s).toMatchObject(shopSitemapShape);
      expect(p1.data[0].id).toBeLessThan(p1.data[1].id);
      // pageToken is the page's index, a number ≥ 0 (0 = the first page), as the document has it
      expect(p1.nextPageToken).toBe(1);
      expect(await (await getList("?size=2&sort=id:asc&pageToken=0")).json()).toEqual(p1);
      const p2 = await (await getList(`?size=2&sort=id:asc&pageToken=${p1.nextPageToken}`)).json();
      expect(p2.data[0].id).toBeGreaterThan(p1.data[1].id);
      const all = (await (await getList("?size=300&sort=id:asc")).json()).data as { id: number }[];
      const last = Math.ceil(all.length / 2) - 1;
      const lastPage = await (await getList(`?size=2&sort=id:asc&pageToken=${last}`)).json();
      expect(lastPage.nextPageToken).toBeNull();
      expect(lastPage.data.map((s: { id: number }) => s.id)).toEqual(all.slice(last * 2).map((s) => s.id));
      expect((await (await getList(`?size=2&pageToken=${last + 5}`)).json()).data).toEqual([]);
      const byName = await (await getList("?filter[name]=Categories")).json();
      expect(byName.data.map((s: { name: string }) => s.name)).toEqual(["Categories"]);
      const bySubshop = await (await getList("?filter[subshopIds]=2")).json();
      expect(bySubshop.data.length).toBeGreaterThan(0);
      expect(bySubshop.data.every((s: { subshopIds: unknown[] }) => s.subshopIds.includes(2))).toBe(true);
      const byTemplate = await (await getList(`?filter[templateId]=${templateNumber}`)).json();
      expect(byTemplate.data.map((s: { templateId: number }) => s.templateId)).toEqual([templateNumber]);
      const idle = await (await getList("?filter[exportStatus]=0&sort=name:desc")).json();
      expect(idle.data.length).toBeGreaterThan(0); // none has run yet
      expect(idle.data.map((s: { name: string }) => s.name)).toEqual([...idle.data.map((s: { name: string }) => s.name)].sort().reverse());
      expect(idle.data.every((s: { exportStatus: number }) => s.exportStatus === 0)).toBe(true);
    });

    it("GET sitemaps: every documented sort field, both directions, NULLs last, ties by id; pages follow the order", async () => {
      // A runs (exportStatus 3, and a protocol with a template); B has a string subshop id
      const a = await (await post(body({ name: "Sorted A", fileName: "sorted-a", subshopIds: [3], templateId: templateNumber, exportPlan: [1] }))).json();
      await post(body({ name: "Sorted B", fileName: "sorted-b", subshopIds: ["de", 1] }));
      await generate(req("POST", `/api/shop/sitemaps/${a.id}/generate`, { key: alice.key }), ctx({ id: String(a.id) }));
      const fields = ["id", "active", "name", "fileName", "templateId", "subshopIds", "maxFileSize", "maxFileEntries", "exportAfterImport", "exportStatus", "lastExportStarted", "lastExportFinished", "createdAt", "updatedAt"];
      type Row = Record<string, unknown> & { id: number };
      const cmp = (x: unknown, y: unknown): number => {
        if (Array.isArray(x) && Array.isArray(y)) {
          for (let i = 0; i < Math.min(x.length, y.length); i++) if (cmp(x[i], y[i]) !== 0) return cmp(x[i], y[i]);
          return x.length - y.length;
        }
        if (typeof x === "number" && typeof y === "number") return x - y;
        if (typeof x === "boolean" && typeof y === "boolean") return Number(x) - Number(y);
        if (typeof x === "number") return -1;
        if (typeof y === "number") return 1;
        return String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0;
      };
      for (const field of fields) {
        for (const dir of ["asc", "desc"] as const) {
          const res = await getList(`?size=300&sort=${field}:${dir}`);
          expect(res.status, `${field}:${dir}`).toBe(200);
          const rows = (await res.json()).data as Row[];
          const expected = [...rows].sort((x, y) => {
            const [a, c] = [x[field], y[field]];
            if (a === null || c === null) return a === c ? x.id - y.id : a === null ? 1 : -1;
            return (dir === "asc" ? 1 : -1) * cmp(a, c) || x.id - y.id;
          });
          expect(rows.map((r) => r.id), `${field}:${dir}`).toEqual(expected.map((r) => r.id));
          if (field === "exportStatus" && dir === "desc") expect(rows[0].id).toBe(a.id); // 3 starting, the others 0
        }
      }
      const ordered = ((await (await getList("?size=300&sort=subshopIds:desc")).json()).data as Row[]).map((r) => r.id);
      const paged: number[] = [];
      for (let page = 0; page < 50; page++) {
        const r = await (await getList(`?size=3&sort=subshopIds:desc&pageToken=${page}`)).json();
        paged.push(...r.data.map((x: Row) => x.id));
        if (r.nextPageToken === null) break;
        expect(r.nextPageToken).toBe(page + 1);
      }
      expect(paged).toEqual(ordered);
    });

    it("X-Authorization: Bearer <key> is accepted as well (the vendor's clients send it)", async () => {
      const res = await list(req("GET", "/api/shop/sitemaps?size=1", { headers: { "x-authorization": `Bearer ${alice.key}` } }), ctx());
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(await (await getList("?size=1")).json());
      await expectShopError(await list(req("GET", "/api/shop/sitemaps", { headers: { "x-authorization": "Bearer sfk_wrong" } }), ctx()), 401, "unauthorized");
    });

    it("GET sitemaps errors: invalidValue (size ∉ [1;300], pageToken), invalidCharacters (size, filter value), unknownDataField, unknownOperation, syntaxError", async () => {
      await expectShopError(await getList("?size=0"), 400, "invalidValue", "size");
      await expectShopError(await getList("?size=301"), 400, "invalidValue", "size");
      await expectShopError(await getList("?size=abc"), 400, "invalidCharacters", "size");
      await expectShopError(await getList("?pageToken=-1"), 400, "invalidValue", "pageToken");
      await expectShopError(await getList("?pageToken=abc"), 400, "invalidValue", "pageToken");
      await expectShopError(await getList("?pageToken=1.5"), 400, "invalidValue", "pageToken");
      await expectShopError(await getList("?sort=name:sideways"), 400, "syntaxError", "sort");
      await expectShopError(await getList("?filter[active]=maybe"), 400, "invalidCharacters");
      await expectShopError(await getList("?filter[color]=red"), 400, "unknownDataField", "color");
      await expectShopError(await getList("?sort=color:asc"), 400, "unknownDataField", "color");
      await expectShopError(await getList("?filter[name][like]=x"), 400, "unknownOperation");
      await expectShopError(await getList("?sort=name"), 400, "syntaxError", "sort");
      await expectShopError(await getList("?sort=name:asc:desc"), 400, "syntaxError", "sort");
    });

    it("GET/PUT/DELETE sitemaps/{id}: 200, update, 204; invalidValue id, 404 unknown or another account's, duplicateEntry, unknownDataField", async () => {
      const sm = await (await post(body({ fileName: "crud" }))).json();
      const id = String(sm.id);
      const got = await getOne(req("GET", `/api/shop/sitemaps/${id}`, { key: alice.key }), ctx({ id }));
      expect(await got.json()).toEqual(sm);
      await expectShopError(await getOne(req("GET", "/api/shop/sitemaps/abc", { key: alice.key }), ctx({ id: "abc" })), 400, "invalidValue", "id");
      await expectShopError(await getOne(req("GET", "/api/shop/sitemaps/987654", { key: alice.key }), ctx({ id: "987654" })), 404, "notFound");
      const bob = await seedUser();
      await expectShopError(await getOne(req("GET", `/api/shop/sitemaps/${id}`, { key: bob.key }), ctx({ id })), 404, "notFound");

      const upd = await put(req("PUT", `/api/shop/sitemaps/${id}`, { key: alice.key, body: { name: "Renamed", exportPlan: [1], subshopIds: [2, 3], active: false } }), ctx({ id }));
      expect(upd.status).toBe(200);
      expect(await upd.json()).toMatchObject({ id: sm.id, name: "Renamed", exportPlan: [1], subshopIds: [2, 3], active: false, fileName: "crud" });
      await expectShopError(await put(req("PUT", `/api/shop/sitemaps/${id}`, { key: alice.key, body: { fileName: "dupe" } }), ctx({ id })), 400, "duplicateEntry");
      await expectShopError(await put(req("PUT", `/api/shop/sitemaps/${id}`, { key: alice.key, body: { colour: 1 } }), ctx({ id })), 400, "unknownDataField");
      await expectShopError(await put(req("PUT", `/api/shop/sitemaps/${id}`, { key: alice.key, body: { templateId: -1 } }), ctx({ id })), 400, "invalidValue", "templateId");
      await expectShopError(await put(req("PUT", "/api/shop/sitemaps/987654", { key: alice.key, body: { name: "x" } }), ctx({ id: "987654" })), 404, "notFound");

      const gone = await del(req("DELETE", `/api/shop/sitemaps/${id}`, { key: alice.key }), ctx({ id }));
      expect(gone.status).toBe(204);
      await expectShopError(await del(req("DELETE", `/api/shop/sitemaps/${id}`, { key: alice.key }), ctx({ id })), 404, "notFound");
      await expectShopError(await del(req("DELETE", "/api/shop/sitemaps/x", { key: alice.key }), ctx({ id: "x" })), 400, "invalidValue", "id");
    });

    it("POST sitemaps/{id}/generate[?subshopId=] → 202 with protocolId; 409 while running, 409 inactive; 404; invalid subshop", async () => {
      const sm = await (await post(body({ fileName: "gen" }))).json();
      const id = String(sm.id);
      const gen = (qs = "", key = alice.key, pid = id) => generate(req("POST", `/api/shop/sitemaps/${pid}/generate${qs}`, { key }), ctx({ id: pid }));
      const res = await gen("?subshopId=2");
      expect(res.status).toBe(202);
      const started = await res.json();
      expect(started).toEqual({ id: sm.id, protocolId: expect.any(Number), exportStatus: 3 });
      const run = await getDb().run.findFirstOrThrow({ where: { number: started.protocolId } });
      expect(run.subScopes).toEqual(["2"]);
      const now = await (await getOne(req("GET", `/api/shop/sitemaps/${id}`, { key: alice.key }), ctx({ id }))).json();
      expect(now).toMatchObject({ exportStatus: 3, protocolId: started.protocolId, lastExportStarted: expect.stringMatching(ISO) });
      await expectShopError(await gen(), 409, "conflict");
      await finishRun(run.id, { status: "succeeded", bytesWritten: 1, filesWritten: 1, urlsWritten: 1 });
      expect((await (await getOne(req("GET", `/api/shop/sitemaps/${id}`, { key: alice.key }), ctx({ id }))).json()).exportStatus).toBe(1);
      await expectShopError(await gen("?subshopId=9"), 400, "invalidValue", "subshopId");
      await expectShopError(await gen("", alice.key, "987654"), 404, "notFound");
      await put(req("PUT", `/api/shop/sitemaps/${id}`, { key: alice.key, body: { active: false } }), ctx({ id }));
      await expectShopError(await gen(), 409, "conflict");
    });

    it("templates: PUT, DELETE 204, 409 while used, and the documented errors", async () => {
      const t = await (await createTemplate(req("POST", "/api/shop/sitemaps/templates", { key: alice.key, body: { name: "Spare", content: XML_TEMPLATE } }), ctx())).json();
      const id = String(t.id);
      const upd = await putTemplate(req("PUT", `/api/shop/sitemaps/templates/${id}`, { key: alice.key, body: { name: "Spare 2" } }), ctx({ id }));
      expect(await upd.json()).toMatchObject({ id: t.id, name: "Spare 2", content: XML_TEMPLATE });
      const mk = (b: unknown) => createTemplate(req("POST", "/api/shop/sitemaps/templates", { key: alice.key, body: b }), ctx());
      await expectShopError(await mk({ name: "x" }), 400, "missing", "content");
      await expectShopError(await mk({ name: 1, content: "x" }), 400, "invalidFormat", "name");
      await expectShopError(await mk({ name: "x", content: "" }), 400, "invalidValue", "content");
      await expectShopError(await mk({ name: "x", content: "{% for %}" }), 400, "invalidValue", "content");
      await expectShopError(await mk({ name: "x", content: "y", kind: "xml" }), 400, "unknownDataField", "kind");
      await expectShopError(await putTemplate(req("PUT", `/api/shop/sitemaps/templates/${id}`, { key: alice.key, body: { content: "  " } }), ctx({ id })), 400, "invalidValue", "content");
      await expectShopError(await putTemplate(req("PUT", "/api/shop/sitemaps/templates/987654", { key: alice.key, body: { name: "n" } }), ctx({ id: "987654" })), 404, "notFound");
      await expectShopError(await getTemplate(req("GET", "/api/shop/sitemaps/templates/0", { key: alice.key }), ctx({ id: "0" })), 400, "invalidValue", "id");
      const used = String(templateNumber);
      await expectShopError(await delTemplate(req("DELETE", `/api/shop/sitemaps/templates/${used}`, { key: alice.key }), ctx({ id: used })), 409, "conflict");
      expect((await delTemplate(req("DELETE", `/api/shop/sitemaps/templates/${id}`, { key: alice.key }), ctx({ id }))).status).toBe(204);
      await expectShopError(await delTemplate(req("DELETE", `/api/shop/sitemaps/templates/${id}`, { key: alice.key }), ctx({ id })), 404, "notFound");
      await expectShopError(await listTemplates(req("GET", "/api/shop/sitemaps/templates?sort=kind:asc", { key: alice.key }), ctx()), 400, "unknownDataField");
    });

    it("GET sitemaps/{id}/status → per-subshop export status from real runs; invalidValue id; 404", async () => {
      const sm = await (await post(body({ fileName: "status", subshopIds: [1, 2] }))).json();
      const id = String(sm.id);
      const started = await (await generate(req("POST", `/api/shop/sitemaps/${id}/generate?subshopId=2`, { key: alice.key }), ctx({ id }))).json();
      const res = await getStatus(req("GET", `/api/shop/sitemaps/${id}/status`, { key: alice.key }), ctx({ id }));
      expect(res.status).toBe(200);
      const st = await res.json();
      expect(st).toMatchObject({ id: sm.id, exportStatus: 3, protocolId: started.protocolId, lastExportStarted: expect.stringMatching(ISO), lastExportFinished: "" });
      expect(st.subshops).toEqual([
        { subshopId: 1, name: "Subshop 1", exportStatus: 0, protocolId: 0, lastExportStarted: "", lastExportFinished: "", urls: expect.any(Object) },
        { subshopId: 2, name: "Subshop 2", exportStatus: 3, protocolId: started.protocolId, lastExportStarted: expect.stringMatching(ISO), lastExportFinished: "", urls: expect.any(Object) },
      ]);
      const run = await getDb().run.findFirstOrThrow({ where: { number: started.protocolId } });
      await finishRun(run.id, { status: "succeeded", bytesWritten: 1, filesWritten: 1, urlsWritten: 1 });
      const after = await (await getStatus(req("GET", `/api/shop/sitemaps/${id}/status`, { key: alice.key }), ctx({ id }))).json();
      expect(after.subshops[1]).toMatchObject({ exportStatus: 1, lastExportFinished: expect.stringMatching(ISO) });
      await expectShopError(await getStatus(req("GET", "/api/shop/sitemaps/x/status", { key: alice.key }), ctx({ id: "x" })), 400, "invalidValue", "id");
      await expectShopError(await getStatus(req("GET", "/api/shop/sitemaps/987654/status", { key: alice.key }), ctx({ id: "987654" })), 404, "notFound");
    });

    it("GET sitemaps/protocols: runs with the document's fields; filter by sitemap/exportStatus/subshopIds, sort, size, pageToken; errors", async () => {
      const get = (qs: string) => listProtocols(req("GET", `/api/shop/sitemaps/protocols${qs}`, { key: alice.key }), ctx());
      const res = await get("?size=1&sort=id:asc");
      const p1 = await res.json();
      expect(res.status, JSON.stringify(p1)).toBe(200);
      expect(p1.data).toHaveLength(1);
      expect(p1.nextPageToken).toBe(1);
      for (const p of p1.data) {
        expect(p).toMatchObject({ id: expect.any(Number), sitemap: expect.any(Number), subshopIds: expect.any(Array), exportStatus: expect.any(Number), lastExportStarted: expect.stringMatching(ISO), createdAt: expect.stringMatching(ISO), updatedAt: expect.stringMatching(ISO) });
        expect(p).toHaveProperty("template");
        expect(p).toHaveProperty("lastExportFinished");
      }
      const p2 = await (await get(`?size=1&sort=id:asc&pageToken=${p1.nextPageToken}`)).json();
      expect(p2.data[0].id).toBeGreaterThan(p1.data[0].id);
      const finished = await (await get("?filter[exportStatus]=1&size=300")).json();
      expect(finished.data.length).toBeGreaterThan(0);
      expect(finished.data.every((p: { exportStatus: number; lastExportFinished: string | null }) => p.exportStatus === 1 && p.lastExportFinished !== null)).toBe(true);
      const sm = await getDb().sitemap.findFirstOrThrow({ where: { userId: alice.id, fileName: "status" } });
      const ofOne = await (await get(`?filter[sitemap]=${sm.number}`)).json();
      expect(ofOne.data.map((p: { sitemap: number }) => p.sitemap)).toEqual([sm.number]);
      const sub2 = await (await get("?filter[subshopIds]=2&size=300")).json();
      expect(sub2.data.every((p: { subshopIds: unknown[] }) => p.subshopIds.includes(2))).toBe(true);
      expect(sub2.data.length).toBeGreaterThan(0);
      // every documented sort field: template and sitemap by their numbers, exportStatus by code, NULLs last
      for (const field of ["id", "sitemap", "template", "exportStatus", "lastExportStarted", "lastExportFinished", "createdAt", "updatedAt"]) {
        for (const dir of ["asc", "desc"] as const) {
          const rows = (await (await get(`?size=300&sort=${field}:${dir}`)).json()).data as (Record<string, unknown> & { id: number })[];
          const expected = [...rows].sort((x, y) => {
            const [a, c] = [x[field], y[field]] as [number | string | null, number | string | null];
            if (a === null || c === null) return a === c ? x.id - y.id : a === null ? 1 : -1;
            return (dir === "asc" ? 1 : -1) * (a < c ? -1 : a > c ? 1 : 0) || x.id - y.id;
          });
          expect(rows.map((r) => r.id), `${field}:${dir}`).toEqual(expected.map((r) => r.id));
        }
      }
      expect(new Set(((await (await get("?size=300&sort=template:asc")).json()).data as { template: unknown }[]).map((p) => p.template)).size).toBeGreaterThan(1);
      await expectShopError(await get("?sort=subshopIds:asc"), 400, "unknownDataField");
      await expectShopError(await get("?filter[exportStatus][gt]=1"), 400, "unknownOperation");
      await expectShopError(await get("?filter[exportStatus]=x"), 400, "invalidCharacters");
      await expectShopError(await get("?size=301"), 400, "invalidValue", "size");
      await expectShopError(await get("?size=1.5"), 400, "invalidCharacters", "size");
      await expectShopError(await get("?sort=id"), 400, "syntaxError", "sort");
      await expectShopError(await get("?pageToken=abc"), 400, "invalidValue", "pageToken");
    });

    it("POST generate/hour/{hour} and generate/import start the planned sitemaps (202); 404 for a bad hour", async () => {
      const carol = await seedUser();
      const mk = async (over: Record<string, unknown>) =>
        (await (await post(body({ startUrl: "https://carol.example.com/", ...over }), carol.key)).json()) as { id: number };
      const at5 = await mk({ fileName: "at5", exportPlan: [5] });
      const at6 = await mk({ fileName: "at6", exportPlan: [6], exportAfterImport: true });
      const hour = await generateHour(req("POST", "/api/shop/sitemaps/generate/hour/5", { key: carol.key }), ctx({ hour: "5" }));
      expect(hour.status).toBe(202);
      const h = await hour.json();
      expect(h).toEqual({ hour: 5, started: [{ id: at5.id, protocolId: expect.any(Number) }], skipped: [] });
      const again = await (await generateHour(req("POST", "/api/shop/sitemaps/generate/hour/5", { key: carol.key }), ctx({ hour: "5" }))).json();
      expect(again).toMatchObject({ started: [], skipped: [{ id: at5.id, reason: "already_running" }] });
      const imp = await generateImport(req("POST", "/api/shop/sitemaps/generate/import", { key: carol.key }), ctx());
      expect(imp.status).toBe(202);
      expect(await imp.json()).toEqual({ started: [{ id: at6.id, protocolId: expect.any(Number) }], skipped: [] });
      for (const bad of ["24", "x", "-1"]) {
        await expectShopError(await generateHour(req("POST", `/api/shop/sitemaps/generate/hour/${bad}`, { key: carol.key }), ctx({ hour: bad })), 404, "notFound");
      }
      const ro = await issueApiKey({ userId: carol.id, name: "ro", scopes: ["read"] });
      await expectShopError(await generateImport(req("POST", "/api/shop/sitemaps/generate/import", { key: ro.key }), ctx()), 401, "unauthorized");
    });

    it("401 without a key, 401 for a key without the permission (the document's 401), 405 in their shape", async () => {
      await expectShopError(await list(req("GET", "/api/shop/sitemaps"), ctx()), 401, "unauthorized");
      const ro = await issueApiKey({ userId: alice.id, name: "ro", scopes: ["read"] });
      await expectShopError(await post(body(), ro.key), 401, "unauthorized");
      const res = await putCollection(req("PUT", "/api/shop/sitemaps", { key: alice.key }), ctx());
      expect(res.headers.get("allow")).toBe("GET, POST");
      await expectShopError(res, 405, "methodNotAllowed");
    });
  });
}
