/**
 * Shop API replay and flow (issue 11): requests as a client written to shop-sitemaps-api.txt sends them — JSON bodies
 * as raw bytes with exactly the document's fields, the document's query grammar (`filter[field]`, `sort=field:dir`,
 * `size`, `pageToken`, a repeated `subshopId`) unencoded — checking every documented field's type and the statuses;
 * then the whole flow against a site on 127.0.0.1: configure the subshop base URLs (native API) → POST sitemaps with
 * the documented fields only → generate → the file at /sitemaps/<subshopId>/… (ETag, 304, xmllint), shown on the
 * sitemap as `files`. The document's "Example" sections carry no bodies, so the bodies here are built from its field
 * tables, in the table's order.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("@/lib/jobs/events", async (orig) => ({
  ...(await orig<typeof import("@/lib/jobs/events")>()),
  sendGenerateRequested: vi.fn(async (d: { runId: string }) => ({ ids: [`generate-${d.runId}`] })),
}));

import { GET as getSubshops, PUT as putSubshops } from "@/app/api/v1/account/shop-subshops/route";
import { GET as list, POST as create } from "@/app/api/shop/sitemaps/route";
import { DELETE as del, GET as getOne, PUT as put } from "@/app/api/shop/sitemaps/[id]/route";
import { POST as generate } from "@/app/api/shop/sitemaps/[id]/generate/route";
import { GET as getStatus } from "@/app/api/shop/sitemaps/[id]/status/route";
import { GET as listProtocols } from "@/app/api/shop/sitemaps/protocols/route";
import { GET as listTemplates, POST as createTemplate } from "@/app/api/shop/sitemaps/templates/route";
import { GET as shopFile } from "@/app/shop/[accountId]/sitemaps/[subshopId]/[name]/route";
import { GET as rootFile } from "@/app/sitemaps/[subshopId]/[name]/route";
import { getDb } from "@/lib/db/client";
import { crawlRun, exportRun } from "@/lib/runs/execute";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { page, startSite, type TestSite } from "@/tests/helpers/site";
import { validateXml } from "@/tests/helpers/xmllint";
import { ctx, req, seedUser } from "@/tests/api/helpers";

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const APP_URL = "http://forge.test";
let site: TestSite;
let filesDir: string;

beforeAll(async () => {
  site = await startSite({
    "/": { body: page(["/p/1", "/p/2", "/en/", "/en/a"]) },
    "/p/1": { body: page(["/p/2"]) },
    "/p/2": { body: page(["/"]) },
    "/en/": { body: page(["/en/a"]) },
    "/en/a": { body: page(["/en/"]) },
    "/robots.txt": { status: 404, body: "" },
  });
  filesDir = fs.mkdtempSync(path.join(os.tmpdir(), "sf-shop-replay-"));
  vi.stubEnv("FILES_DIR", filesDir);
  vi.stubEnv("APP_URL", APP_URL);
  vi.stubEnv("CRAWL_ALLOW_HOSTS", site.hostPort);
});
afterAll(async () => {
  await site.close();
  fs.rmSync(filesDir, { recursive: true, force: true });
  vi.unstubAllEnvs();
});

/** Every data field of the document's "Data fields of sitemaps" table with its documented type. */
function expectDocumentedSitemap(s: Record<string, unknown>) {
  const types: Record<string, "integer" | "boolean" | "string" | "array" | "object"> = {
    id: "integer", active: "boolean", name: "string", fileName: "string", subshopIds: "array", templateId: "integer",
    maxFileSize: "integer", maxFileEntries: "integer", options: "object", writeIntoRobots: "boolean", exportAfterImport: "boolean",
    exportPlan: "array", exportStatus: "integer", protocolId: "integer", lastExportStarted: "string", lastExportFinished: "string",
    createdAt: "string", updatedAt: "string",
  };
  for (const [field, type] of Object.entries(types)) {
    const v = s[field];
    const ok =
      type === "integer" ? Number.isInteger(v) : type === "array" ? Array.isArray(v) : type === "object" ? v !== null && typeof v === "object" && !Array.isArray(v) : typeof v === type;
    expect(ok, `${field} is ${type}: ${JSON.stringify(v)}`).toBe(true);
  }
  expect([0, 1, 2, 3, 4]).toContain(s.exportStatus);
  expect((s.exportPlan as unknown[]).every(Number.isInteger)).toBe(true);
  expect(typeof (s.options as { exportCharset: unknown }).exportCharset).toBe("string");
  expect(s.createdAt).toMatch(ISO);
  expect(s.updatedAt).toMatch(ISO);
  for (const f of ["lastExportStarted", "lastExportFinished"]) if (s[f] !== "") expect(s[f]).toMatch(ISO);
}

/** A raw JSON request, as the client's bytes. */
const raw = (method: string, p: string, key: string, bytes: string) => req(method, p, { key, raw: bytes, headers: { "content-type": "application/json" } });

/** POST sitemaps with exactly the document's fields, in its table's order. */
const DOCUMENT_BODY = (fileName: string, subshopIds: string) =>
  `{"active":true,"name":"Products","fileName":"${fileName}","subshopIds":${subshopIds},"templateId":0,"maxFileSize":52428800,"maxFileEntries":50000,` +
  `"options":{"exportCharset":"UTF-8"},"writeIntoRobots":false,"exportAfterImport":true,"exportPlan":[2,14]}`;

for (const backend of testBackends()) {
  describe(`shop API replay and flow on ${backend.name}`, () => {
    useTestDb(backend);
    let shop: Awaited<ReturnType<typeof seedUser>>;
    beforeAll(async () => {
      shop = await seedUser();
      await getDb().user.update({ where: { id: shop.id }, data: { plan: "enterprise" } });
    });
    const subshopsPut = (key: string, body: string) => putSubshops(raw("PUT", "/api/v1/account/shop-subshops", key, body), ctx());
    const postSitemap = (key: string, body: string) => create(raw("POST", "/api/shop/sitemaps", key, body), ctx());
    const file = (accountId: string, subshopId: string, name: string, headers: Record<string, string> = {}) =>
      shopFile(req("GET", `/shop/${accountId}/sitemaps/${subshopId}/${name}`, { headers }), ctx({ accountId, subshopId, name }));

    /** Runs the job's two steps for a run (what the generate-sitemap function does). */
    async function runJob(protocolId: number) {
      const run = await getDb().run.findFirstOrThrow({ where: { number: protocolId } });
      await crawlRun(run.id);
      await exportRun(run.id);
      return getDb().run.findFirstOrThrow({ where: { id: run.id } });
    }

    it("POST sitemaps with the document's fields on a fresh account: 400 missing saying what to configure", async () => {
      const fresh = await seedUser();
      const res = await postSitemap(fresh.key, DOCUMENT_BODY("products.xml", "[1]"));
      expect(res.status).toBe(400);
      const body = await res.json();
      expect(body.error).toMatchObject({ status: 400, type: "missing", field: "subshopIds" });
      expect(body.error.message).toContain("Subshop 1 has no base URL");
      expect(body.error.message).toContain("/dashboard/account");
      expect(body.error.message).toContain("PUT /api/v1/account/shop-subshops");
      expect(await getDb().sitemap.count({ where: { userId: fresh.id } })).toBe(0);
    });

    it("PUT /api/v1/account/shop-subshops: checked like a start URL (port policy, credentials, duplicates), nothing written on a 4xx", async () => {
      const fresh = await seedUser();
      const bad: [string, number, string][] = [
        ['{"subshops":[{"subshopId":1,"baseUrl":"ftp://shop.example/"}]}', 422, "subshops.0.baseUrl"],
        ['{"subshops":[{"subshopId":1,"baseUrl":"https://u:p@shop.example/"}]}', 422, "subshops.0.baseUrl"],
        ['{"subshops":[{"subshopId":1,"baseUrl":"http://shop.example:5432/"}]}', 422, "subshops.0.baseUrl"],
        ['{"subshops":[{"subshopId":1,"baseUrl":"http://127.0.0.1:1/"}]}', 422, "subshops.0.baseUrl"],
        ['{"subshops":[{"subshopId":1,"baseUrl":"https://a.example/"},{"subshopId":"1","baseUrl":"https://b.example/"}]}', 422, "subshops.1.subshopId"],
        ['{"subshops":[{"subshopId":"Ä","baseUrl":"https://a.example/"}]}', 422, "subshops.0.subshopId"],
        ['{"subshops":[{"subshopId":1,"baseUrl":"https://a.example/","name":"x"}]}', 422, "subshops.0.name"],
        ["{nope", 400, ""],
      ];
      for (const [body, status, field] of bad) {
        const res = await subshopsPut(fresh.key, body);
        const err = (await res.json()).error;
        expect({ status: res.status, field: err?.field ?? "" }, body).toEqual({ status, field });
      }
      expect(await getDb().shopSubshop.count({ where: { userId: fresh.id } })).toBe(0);
      const ro = await getSubshops(req("GET", "/api/v1/account/shop-subshops", { key: fresh.key }), ctx());
      expect(await ro.json()).toEqual({ data: [], next_cursor: null });
    });

    it("flow: configure subshops → create (documented fields only) → generate → the file at /sitemaps/<subshopId>/…", async () => {
      // 1. the subshops' base URLs, set through the native API (the loopback site is allowed by CRAWL_ALLOW_HOSTS)
      const set = await subshopsPut(shop.key, `{"subshops":[{"subshopId":2,"baseUrl":"${site.origin}/en/"},{"subshopId":1,"baseUrl":"${site.origin}/"}]}`);
      expect(set.status).toBe(200);
      const base = (id: string) => `${APP_URL}/shop/${shop.id}/sitemaps/${id}/`;
      expect((await set.json()).data).toEqual([
        { subshopId: "1", baseUrl: `${site.origin}/`, filesUrl: base("1"), createdAt: expect.stringMatching(ISO), updatedAt: expect.stringMatching(ISO) },
        { subshopId: "2", baseUrl: `${site.origin}/en/`, filesUrl: base("2"), createdAt: expect.stringMatching(ISO), updatedAt: expect.stringMatching(ISO) },
      ]);

      // 2. POST sitemaps, exactly the document's fields
      const created = await postSitemap(shop.key, DOCUMENT_BODY("products.xml", "[1]"));
      expect(created.status).toBe(201);
      const sm = await created.json();
      expectDocumentedSitemap(sm);
      expect(sm).toMatchObject({ active: true, name: "Products", fileName: "products.xml", subshopIds: [1], templateId: 0, maxFileSize: 52428800, maxFileEntries: 50000 });
      expect(sm).toMatchObject({ options: { exportCharset: "UTF-8" }, writeIntoRobots: false, exportAfterImport: true, exportPlan: [2, 14], exportStatus: 0, protocolId: 0 });
      expect(sm).toMatchObject({ lastExportStarted: "", lastExportFinished: "", startUrl: `${site.origin}/`, files: [] });
      const id = String(sm.id);

      // 3. generate (the subshopId parameter, repeatable as the document says) → 202; the job's steps run here
      const started = await generate(req("POST", `/api/shop/sitemaps/${id}/generate?subshopId=1`, { key: shop.key }), ctx({ id }));
      expect(started.status).toBe(202);
      const { protocolId } = await started.json();
      expect(Number.isInteger(protocolId)).toBe(true);
      const run = await runJob(protocolId);
      expect(run.status).toBe("succeeded");

      // 4. the sitemap shows its generated file (URL, size, entries)
      const after = await (await getOne(req("GET", `/api/shop/sitemaps/${id}`, { key: shop.key }), ctx({ id }))).json();
      expectDocumentedSitemap(after);
      expect(after).toMatchObject({ exportStatus: 1, protocolId, lastExportFinished: expect.stringMatching(ISO) });
      expect(after.files).toEqual([{ subshopId: 1, fileName: "products.xml", url: `${base("1")}products.xml`, size: expect.any(Number), entries: 5, type: "urlset" }]);

      // 5. the file at the documented path: the crawled site's pages, valid against the sitemaps.org schema
      const res = await file(shop.id, "1", "products.xml");
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/xml; charset=utf-8");
      const xml = await res.text();
      expect(Buffer.byteLength(xml)).toBe(after.files[0].size);
      expect(Number(res.headers.get("content-length"))).toBe(after.files[0].size);
      const locs = [...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]).sort();
      expect(locs).toEqual(["/", "/en/", "/en/a", "/p/1", "/p/2"].map((p) => site.origin + p));
      const onDisk = path.join(filesDir, "products-check.xml");
      fs.writeFileSync(onDisk, xml);
      await validateXml(onDisk, "urlset");
      // the same file as the native public URL, with its ETag; 304 for a matching If-None-Match
      const etag = res.headers.get("etag")!;
      expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
      expect((await file(shop.id, "1", "products.xml", { "if-none-match": etag })).status).toBe(304);
      // not in another subshop's folder, another account's, or under another name
      for (const [acc, sub, name] of [[shop.id, "2", "products.xml"], [shop.id, "1", "nope.xml"], [(await seedUser()).id, "1", "products.xml"], [shop.id, "1", "..%2fx"]]) {
        const miss = await file(acc, sub, name);
        expect(miss.status, `${acc}/${sub}/${name}`).toBe(404);
        expect((await miss.json()).error.code).toBe("not_found");
      }

      // 6. GET sitemaps with the document's query grammar, bytes as a client writes them
      const listed = await list(req("GET", "/api/shop/sitemaps?size=10&pageToken=0&sort=lastExportFinished:desc&filter[subshopIds]=1&filter[exportStatus]=1", { key: shop.key }), ctx());
      expect(listed.status).toBe(200);
      const page1 = await listed.json();
      expect(page1).toEqual({ data: [after], nextPageToken: null });
      const status = await (await getStatus(req("GET", `/api/shop/sitemaps/${id}/status`, { key: shop.key }), ctx({ id }))).json();
      expect(status).toMatchObject({ id: sm.id, exportStatus: 1, protocolId, subshops: [{ subshopId: 1, exportStatus: 1, protocolId }] });
      const protocols = await (await listProtocols(req("GET", `/api/shop/sitemaps/protocols?size=1&sort=id:desc&filter[sitemap]=${id}`, { key: shop.key }), ctx())).json();
      expect(protocols.data).toEqual([expect.objectContaining({ id: protocolId, sitemap: sm.id, template: 0, exportStatus: 1, subshopIds: [1] })]);
    });

    it("two shop sitemaps on one subshop share its folder; no subshopIds = every subshop of the site; PUT subshopIds moves the folder", async () => {
      const tpl = await createTemplate(raw("POST", "/api/shop/sitemaps/templates", shop.key, '{"name":"Plain","content":"<?xml version=\\"1.0\\" encoding=\\"UTF-8\\"?><urlset xmlns=\\"http://www.sitemaps.org/schemas/sitemap/0.9\\">{% for u in urls %}<url><loc>{{ u.loc }}</loc></url>{% endfor %}</urlset>"}'), ctx());
      expect(tpl.status).toBe(201);
      expect((await (await listTemplates(req("GET", "/api/shop/sitemaps/templates?size=5&sort=name:asc&filter[name]=Plain", { key: shop.key }), ctx())).json()).data).toHaveLength(1);
      const second = await (await postSitemap(shop.key, DOCUMENT_BODY("categories.xml", "[1]"))).json();
      const all = await (await postSitemap(shop.key, DOCUMENT_BODY("everything.xml", "[]"))).json();
      expect(all).toMatchObject({ subshopIds: [], startUrl: `${site.origin}/` });
      for (const sm of [second, all]) {
        const started = await (await generate(req("POST", `/api/shop/sitemaps/${sm.id}/generate`, { key: shop.key }), ctx({ id: String(sm.id) }))).json();
        expect((await runJob(started.protocolId)).status).toBe("succeeded");
      }
      // subshop 1's folder: products.xml (the first flow's sitemap), categories.xml, everything.xml
      for (const name of ["products.xml", "categories.xml", "everything.xml"]) expect((await file(shop.id, "1", name)).status, name).toBe(200);
      // subshop 2 (same site, /en/): only the sitemap for all subshops
      expect((await file(shop.id, "2", "everything.xml")).status).toBe(200);
      expect((await file(shop.id, "2", "categories.xml")).status).toBe(404);
      const everything = await (await getOne(req("GET", `/api/shop/sitemaps/${all.id}`, { key: shop.key }), ctx({ id: String(all.id) }))).json();
      expect(everything.files.map((f: { subshopId: number; url: string }) => [f.subshopId, f.url])).toEqual([
        [1, `${APP_URL}/shop/${shop.id}/sitemaps/1/everything.xml`],
        [2, `${APP_URL}/shop/${shop.id}/sitemaps/2/everything.xml`],
      ]);
      // PUT subshopIds [2]: the published files now show in subshop 2's folder, not in 1's; the site follows subshop 2
      const moved = await put(raw("PUT", `/api/shop/sitemaps/${second.id}`, shop.key, '{"subshopIds":[2]}'), ctx({ id: String(second.id) }));
      expect(moved.status).toBe(200);
      expect(await moved.json()).toMatchObject({ subshopIds: [2], startUrl: `${site.origin}/en/` });
      expect((await file(shop.id, "2", "categories.xml")).status).toBe(200);
      expect((await file(shop.id, "1", "categories.xml")).status).toBe(404);
      // subshops on two sites cannot share one sitemap (one sitemap crawls one site)
      await subshopsPut(shop.key, `{"subshops":[{"subshopId":1,"baseUrl":"${site.origin}/"},{"subshopId":2,"baseUrl":"${site.origin}/en/"},{"subshopId":3,"baseUrl":"https://other.example/"}]}`);
      const mixed = await postSitemap(shop.key, DOCUMENT_BODY("mixed.xml", "[1,3]"));
      expect(mixed.status).toBe(400);
      expect((await mixed.json()).error).toMatchObject({ type: "invalidValue", field: "subshopIds" });
      // deleting a sitemap takes its files out of the folder
      expect((await del(req("DELETE", `/api/shop/sitemaps/${second.id}`, { key: shop.key }), ctx({ id: String(second.id) }))).status).toBe(204);
      expect((await file(shop.id, "2", "categories.xml")).status).toBe(404);
    });

    it("SHOP_FILES_ACCOUNT: that account's folders also at the document's own path /sitemaps/<subshopId>/…, and shown so", async () => {
      const root = (subshopId: string, name: string, headers: Record<string, string> = {}) =>
        rootFile(req("GET", `/sitemaps/${subshopId}/${name}`, { headers }), ctx({ subshopId, name }));
      expect((await root("1", "products.xml")).status).toBe(404); // unset: only /shop/{accountId}/…
      vi.stubEnv("SHOP_FILES_ACCOUNT", shop.email.toUpperCase());
      try {
        const res = await root("1", "products.xml");
        expect(res.status).toBe(200);
        const viaAccount = await file(shop.id, "1", "products.xml");
        expect(await res.text()).toBe(await viaAccount.text());
        expect(res.headers.get("etag")).toBe(viaAccount.headers.get("etag"));
        expect((await root("1", "products.xml", { "if-none-match": res.headers.get("etag")! })).status).toBe(304);
        expect((await root("2", "products.xml")).status).toBe(404);
        const products = (await (await list(req("GET", "/api/shop/sitemaps?filter[name]=Products&sort=id:asc&size=1", { key: shop.key }), ctx())).json()).data[0];
        expect(products.files.map((f: { url: string }) => f.url)).toEqual([`${APP_URL}/sitemaps/1/products.xml`]);
        const subshops = (await (await getSubshops(req("GET", "/api/v1/account/shop-subshops", { key: shop.key }), ctx())).json()).data;
        expect(subshops[0].filesUrl).toBe(`${APP_URL}/sitemaps/1/`);
        // another account's folders stay under /shop/{accountId}/ only
        vi.stubEnv("SHOP_FILES_ACCOUNT", "nobody@example.com");
        expect((await root("1", "products.xml")).status).toBe(404);
      } finally {
        vi.stubEnv("SHOP_FILES_ACCOUNT", "");
      }
    });
  });
}
