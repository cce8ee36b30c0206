/**
 * /api/v1/templates on both backends: CRUD with the list grammar, parse-on-save errors with the line, 409 while in
 * use, previews (stored and inline) with validation, scopes, limits, idempotency, 405.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next-auth", async (orig) => ({ ...(await orig<typeof import("next-auth")>()), getServerSession: vi.fn(async () => null) }));

import { GET as list, POST as create, PUT as putList } from "@/app/api/v1/templates/route";
import { DELETE as remove, GET as read, PATCH as patch, POST as postOne } from "@/app/api/v1/templates/[id]/route";
import { POST as previewOne, GET as getPreview } from "@/app/api/v1/templates/[id]/preview/route";
import { POST as previewInline } from "@/app/api/v1/templates/preview/route";
import { issueApiKey } from "@/lib/auth/issue-api-key";
import { ZTemplateDto, ZTemplatePreviewDto } from "@/lib/schemas/templates";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { ctx, expectError, expectRateLimitHeaders, mockSession, req, seedUser } from "./helpers";

afterEach(() => {
  mockSession(null);
  vi.unstubAllEnvs();
});

const XML = `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{% for u in urls %}<url><loc>{{ u.loc }}</loc>{% if u.lastmod %}<lastmod>{{ u.lastmod }}</lastmod>{% endif %}</url>{% endfor %}</urlset>`;
const RSS = `<rss version="2.0"><channel><title>{{ channel.title }}</title><link>{{ channel.link }}</link><description>x</description>{% for i in items %}<item><title>{{ i.title }}</title><guid>{{ i.guid }}</guid></item>{% endfor %}</channel></rss>`;

for (const backend of testBackends()) {
  describe(`/api/v1/templates on ${backend.name}`, () => {
    const t = useTestDb(backend);
    let alice: Awaited<ReturnType<typeof seedUser>>;
    let bob: Awaited<ReturnType<typeof seedUser>>;
    beforeAll(async () => {
      alice = await seedUser();
      bob = await seedUser();
    });

    const post = (body: unknown, key = alice.key, headers?: Record<string, string>) => create(req("POST", "/api/v1/templates", { key, body, headers }), ctx());
    const make = async (over: Record<string, unknown> = {}, key = alice.key) => (await (await post({ name: "T", kind: "xml", content: XML, ...over }, key)).json()).data;

    it("POST creates a template; 201, Location, DTO shape, version 1", async () => {
      const res = await post({ name: " Shop XML ", kind: "xml", content: XML });
      expect(res.status).toBe(201);
      expectRateLimitHeaders(res);
      const { data } = await res.json();
      expect(ZTemplateDto.strict().parse(data)).toEqual(data);
      expect(res.headers.get("location")).toBe(`/api/v1/templates/${data.id}`);
      expect(data).toMatchObject({ name: "Shop XML", kind: "xml", content: XML, version: 1, usedBy: { sitemaps: 0, feeds: 0 } });
      expect(data.number).toBeGreaterThan(0);
    });

    it("POST refuses a Liquid syntax error with its line (422 invalid_value on content), empty content, sandbox escapes", async () => {
      const e = await expectError(await post({ name: "x", kind: "xml", content: "<urlset>\n{% for u in urls %}\n{{ u.loc | nosuch }}\n{% endfor %}" }), 422, "invalid_value", "content");
      expect(e.message).toMatch(/line 3/);
      await expectError(await post({ name: "x", kind: "html", content: "" }), 422, "invalid_value", "content");
      await expectError(await post({ name: "x", kind: "html", content: "  \n" }), 422, "invalid_value", "content");
      const inc = await expectError(await post({ name: "x", kind: "xml", content: "{% include '/etc/passwd' %}" }), 422, "invalid_value", "content");
      expect(inc.message).toMatch(/include/);
      await expectError(await post({ name: "x", kind: "xml", content: "{% render 'a' %}" }), 422, "invalid_value", "content");
      expect(await t.db.template.count({ where: { userId: alice.id, name: "x" } })).toBe(0);
    });

    it("POST body errors: missing, invalid kind, unknown field, bad JSON, wrong media type, too large", async () => {
      await expectError(await post({ name: "x", kind: "xml" }), 422, "missing", "content");
      await expectError(await post({ name: "x", kind: "pdf", content: XML }), 422, "invalid_value", "kind");
      await expectError(await post({ name: "x", kind: "xml", content: XML, js: "1" }), 422, "unknown_field", "js");
      await expectError(await post({ name: "", kind: "xml", content: XML }), 422, "invalid_value", "name");
      await expectError(await post({ name: "x", kind: "xml", content: "x".repeat(262_145) }), 422, "invalid_value", "content");
      await expectError(await create(req("POST", "/api/v1/templates", { key: alice.key, raw: "{", headers: { "content-type": "application/json" } }), ctx()), 400, "syntax_error");
      await expectError(await create(req("POST", "/api/v1/templates", { key: alice.key, raw: "x", headers: { "content-type": "text/plain" } }), ctx()), 415, "unsupported_media_type");
      await expectError(await create(req("POST", "/api/v1/templates", { key: alice.key, raw: "x".repeat(1024 * 1024 + 1), headers: { "content-type": "application/json" } }), ctx()), 413, "payload_too_large");
    });

    it("auth, scopes and limits: 401, 403 without the templates scope (read still works), 429, 403 quota_exceeded", async () => {
      await expectError(await post({ name: "x", kind: "xml", content: XML }, ""), 401, "unauthorized");
      const ro = await issueApiKey({ userId: alice.id, name: "ro", scopes: ["read", "write"] });
      await expectError(await post({ name: "x", kind: "xml", content: XML }, ro.key), 403, "forbidden");
      expect((await list(req("GET", "/api/v1/templates", { key: ro.key }), ctx())).status).toBe(200);
      const u = await seedUser();
      vi.stubEnv("PLAN_LIMITS", JSON.stringify({ starter: { perMinute: 1, perDay: 1000 } }));
      expect((await post({ name: "a", kind: "xml", content: XML }, u.key)).status).toBe(201);
      await expectError(await post({ name: "b", kind: "xml", content: XML }, u.key), 429, "rate_limited");
      vi.stubEnv("PLAN_LIMITS", JSON.stringify({ starter: { perMinute: 1000, perDay: 1 } }));
      await expectError(await post({ name: "c", kind: "xml", content: XML }, u.key), 403, "quota_exceeded");
      expect(await t.db.template.count({ where: { userId: u.id } })).toBe(1);
    });

    it("POST with Idempotency-Key replays; a different body with the same key is 422", async () => {
      const u = await seedUser();
      const body = { name: "idem", kind: "rss", content: RSS };
      const a = await post(body, u.key, { "idempotency-key": "t-1" });
      const b = await post(body, u.key, { "idempotency-key": "t-1" });
      expect(b.headers.get("idempotent-replayed")).toBe("true");
      expect((await b.json()).data.id).toBe((await a.json()).data.id);
      await expectError(await post({ ...body, name: "other" }, u.key, { "idempotency-key": "t-1" }), 422, "idempotency_key_reused", "Idempotency-Key");
      expect(await t.db.template.count({ where: { userId: u.id } })).toBe(1);
    });

    it("GET lists with the list grammar (size, cursor, sort, filter) and only the caller's templates", async () => {
      const u = await seedUser();
      for (const [i, kind] of ["xml", "html", "rss", "xml"].entries()) await make({ name: `n${i}`, kind, content: kind === "rss" ? RSS : XML }, u.key);
      await make({ name: "bob's" }, bob.key);
      const get = (qs: string) => list(req("GET", `/api/v1/templates${qs}`, { key: u.key }), ctx());
      const p1 = await (await get("?size=3&sort=name:asc")).json();
      expect(p1.data.map((x: { name: string }) => x.name)).toEqual(["n0", "n1", "n2"]);
      const p2 = await (await get(`?size=3&sort=name:asc&cursor=${p1.next_cursor}`)).json();
      expect(p2).toMatchObject({ data: [{ name: "n3" }], next_cursor: null });
      const xmlOnly = await (await get("?filter[kind]=xml")).json();
      expect(xmlOnly.data.map((x: { name: string }) => x.name).sort()).toEqual(["n0", "n3"]);
      await expectError(await get("?sort=content:asc"), 400, "unknown_field", "content");
      await expectError(await get("?sort=name"), 400, "syntax_error", "sort");
      await expectError(await get("?filter[kind][like]=x"), 400, "unknown_operation", "filter[kind][like]");
      await expectError(await get("?filter[kind]=pdf"), 400, "invalid_value", "filter[kind]");
      await expectError(await get("?size=301"), 400, "invalid_value", "size");
    });

    it("GET one; another account's template is 404", async () => {
      const tpl = await make();
      const res = await read(req("GET", `/api/v1/templates/${tpl.id}`, { key: alice.key }), ctx({ id: tpl.id }));
      expect((await res.json()).data).toEqual(tpl);
      await expectError(await read(req("GET", `/api/v1/templates/${tpl.id}`, { key: bob.key }), ctx({ id: tpl.id })), 404, "not_found");
    });

    it("PATCH bumps the version only when the content changes; parses the content; kind is not patchable", async () => {
      const tpl = await make();
      const p = (body: unknown, key = alice.key) => patch(req("PATCH", `/api/v1/templates/${tpl.id}`, { key, body }), ctx({ id: tpl.id }));
      expect((await (await p({ name: "renamed" })).json()).data).toMatchObject({ name: "renamed", version: 1 });
      const r2 = await p({ content: XML + "\n" });
      expect((await r2.json()).data).toMatchObject({ version: 2 });
      expect((await (await p({ content: XML + "\n" })).json()).data).toMatchObject({ version: 2 });
      await expectError(await p({ content: "{% if %}" }), 422, "invalid_value", "content");
      await expectError(await p({ kind: "rss" }), 422, "unknown_field", "kind");
      await expectError(await p({ name: "x" }, bob.key), 404, "not_found");
      expect((await t.db.template.findUnique({ where: { id: tpl.id } }))!.version).toBe(2);
    });

    it("DELETE is refused (409) while a sitemap or a feed uses the template; 204 after; 404 for others", async () => {
      const tpl = await make();
      const rss = await make({ kind: "rss", content: RSS });
      const sm = await t.db.sitemap.create({ data: { userId: alice.id, name: "S", startUrl: "https://e.com/", fileName: `s-${tpl.id}`, templateId: tpl.id } });
      const feed = await t.db.feed.create({ data: { userId: alice.id, name: "F", foundUrl: "https://e.com/news", templateId: rss.id } });
      const del = (id: string, key = alice.key) => remove(req("DELETE", `/api/v1/templates/${id}`, { key }), ctx({ id }));
      await expectError(await del(tpl.id, bob.key), 404, "not_found");
      await expectError(await del(tpl.id), 409, "conflict");
      await expectError(await del(rss.id), 409, "conflict");
      const shown = await (await read(req("GET", `/api/v1/templates/${tpl.id}`, { key: alice.key }), ctx({ id: tpl.id }))).json();
      expect(shown.data.usedBy).toEqual({ sitemaps: 1, feeds: 0 });
      await t.db.sitemap.update({ where: { id: sm.id }, data: { templateId: null } });
      await t.db.feed.update({ where: { id: feed.id }, data: { templateId: null } });
      expect((await del(tpl.id)).status).toBe(204);
      expect((await del(rss.id)).status).toBe(204);
      await expectError(await del(tpl.id), 404, "not_found");
    });

    it("POST /templates/{id}/preview renders sample data and validates it", async () => {
      const tpl = await make();
      const res = await previewOne(req("POST", `/api/v1/templates/${tpl.id}/preview`, { key: alice.key }), ctx({ id: tpl.id }));
      expect(res.status).toBe(200);
      const { data } = await res.json();
      expect(ZTemplatePreviewDto.strict().parse(data)).toEqual(data);
      expect(data.validation).toMatchObject({ ok: true, errors: [], urlCount: 3 });
      expect(data.output).toContain("<loc>https://www.example.com/blog/a%20post?x=1&amp;y=2</loc>");
      expect(data.contentType).toBe("application/xml; charset=utf-8");
      const bad = await make({ content: "<urlset>{% for u in urls %}<url><loc>{{ u.loc }}</loc></url>{% endfor %}</urlset>" });
      const v = (await (await previewOne(req("POST", `/api/v1/templates/${bad.id}/preview`, { key: alice.key }), ctx({ id: bad.id }))).json()).data.validation;
      expect(v.ok).toBe(false);
      expect(v.errors[0]).toMatch(/root element must be/);
      await expectError(await previewOne(req("POST", `/api/v1/templates/${tpl.id}/preview`, { key: bob.key }), ctx({ id: tpl.id })), 404, "not_found");
      await expectError(await getPreview(req("GET", `/api/v1/templates/${tpl.id}/preview`, { key: alice.key }), ctx({ id: tpl.id })), 405, "method_not_allowed");
    });

    it("POST /templates/preview renders inline source of each kind; syntax errors 422; sandbox limits reported", async () => {
      const pv = (body: unknown) => previewInline(req("POST", "/api/v1/templates/preview", { key: alice.key, body }), ctx());
      const rss = (await (await pv({ kind: "rss", content: RSS })).json()).data;
      expect(rss.validation).toMatchObject({ ok: true, urlCount: 3 });
      expect(rss.output).toContain("<title>Prices &amp; &lt;offers&gt;</title>");
      const html = (await (await pv({ kind: "html", content: "<ul>{% for u in urls %}<li><a href=\"{{ u.loc }}\">x</a></li>{% endfor %}</ul>" })).json()).data;
      expect(html).toMatchObject({ contentType: "text/html; charset=utf-8", validation: { ok: true, urlCount: 3 } });
      const loop = (await (await pv({ kind: "xml", content: "{% for i in (1..100000000) %}x{% endfor %}" })).json()).data;
      expect(loop.validation.ok).toBe(false);
      expect(loop.validation.errors[0]).toMatch(/allocated too much/);
      await expectError(await pv({ kind: "xml", content: "{% include '/etc/passwd' %}" }), 422, "invalid_value", "content");
      await expectError(await pv({ kind: "xml" }), 422, "missing", "content");
      expect(await t.db.template.count({ where: { userId: alice.id, name: { startsWith: "preview" } } })).toBe(0);
    });

    it("other methods get 405", async () => {
      await expectError(await putList(req("PUT", "/api/v1/templates", { key: alice.key }), ctx()), 405, "method_not_allowed");
      await expectError(await postOne(req("POST", "/api/v1/templates/x", { key: alice.key }), ctx({ id: "x" })), 405, "method_not_allowed");
    });
  });
}
