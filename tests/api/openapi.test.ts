/**
 * The OpenAPI document covers every route under app/api/v1 (walked on disk) and is internally consistent: every $ref
 * resolves, path parameters match the path templates, operationIds are unique, `required` names only declared
 * properties, and `type` keywords are JSON Schema types.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { GET as getOpenApi, POST as postOpenApi } from "@/app/api/v1/openapi.json/route";
import { buildOpenApi, ENDPOINTS } from "@/lib/api/openapi";
import { ERROR_CODES } from "@/lib/core/errors";
import { RUN_ERROR_CODE_LIST, RUN_WARNING_LIST } from "@/lib/core/run-outcome";
import { ctx, expectError, req } from "./helpers";

const ROOT = path.resolve(__dirname, "../../app/api/v1");
const HANDLER_RE = /export const (GET|POST|PUT|PATCH|DELETE) = with(?:Api|ApiAuth)\b/g;

/** [method, "/api/v1/…"] for every real handler of every route file ([x] → {x}; the catch-all is not an endpoint). */
function routesOnDisk(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === "route.ts") {
        const rel = path.relative(ROOT, dir).split(path.sep).filter(Boolean);
        if (rel.some((s) => s.startsWith("[..."))) continue;
        const apiPath = "/api/v1" + rel.map((s) => "/" + s.replace(/^\[(\w+)\]$/, "{$1}")).join("");
        for (const m of fs.readFileSync(full, "utf8").matchAll(HANDLER_RE)) out.push(`${m[1]} ${apiPath}`);
      }
    }
  };
  walk(ROOT);
  return out.sort();
}

function resolvePointer(doc: unknown, ref: string): unknown {
  expect(ref.startsWith("#/"), ref).toBe(true);
  return ref
    .slice(2)
    .split("/")
    .map((p) => p.replaceAll("~1", "/").replaceAll("~0", "~"))
    .reduce<unknown>((node, key) => (node && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined), doc);
}

const JSON_TYPES = new Set(["string", "number", "integer", "boolean", "object", "array", "null"]);

describe("GET /api/v1/openapi.json", () => {
  const doc = buildOpenApi("http://localhost:3000") as any;

  it("is public, JSON, OpenAPI 3.1 with the bearer scheme; other methods get 405", async () => {
    const res = await getOpenApi(req("GET", "/api/v1/openapi.json"), ctx());
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    const body = await res.json();
    expect(body.openapi).toBe("3.1.0");
    expect(body.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" });
    await expectError(await postOpenApi(req("POST", "/api/v1/openapi.json"), ctx()), 405, "method_not_allowed");
  });

  it("lists exactly the handlers of the route files under app/api/v1", () => {
    const onDisk = routesOnDisk();
    expect(onDisk.length).toBeGreaterThanOrEqual(15);
    // The compatibility adapters (outside /api/v1) are checked against their route files in tests/compat.
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .filter(([p]) => p.startsWith("/api/v1/"))
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`))
      .sort();
    expect(documented).toEqual(onDisk);
    expect(ENDPOINTS.filter((e) => e.path.startsWith("/api/v1/")).length).toBe(onDisk.length);
  });

  it("every $ref resolves; operationIds are unique; path parameters match the templates", () => {
    const refs: string[] = [];
    const walk = (node: unknown) => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === "object") {
        for (const [k, v] of Object.entries(node)) {
          if (k === "$ref" && typeof v === "string") refs.push(v);
          else walk(v);
        }
      }
    };
    walk(doc);
    expect(refs.length).toBeGreaterThan(50);
    for (const r of new Set(refs)) expect(resolvePointer(doc, r), r).toBeDefined();

    const ids: string[] = [];
    for (const [p, ops] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      const template = [...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      for (const op of Object.values(ops)) {
        ids.push(op.operationId);
        const params = (op.parameters ?? []).map((x: any) => (x.$ref ? resolvePointer(doc, x.$ref) : x));
        expect(params.filter((x: any) => x.in === "path").map((x: any) => x.name).sort(), p).toEqual(template);
        for (const [status, r] of Object.entries(op.responses as Record<string, any>)) {
          expect(Number(status), p).toBeGreaterThanOrEqual(200);
          expect(r.description, `${p} ${status}`).toBeTruthy();
          // Native endpoints answer errors in the envelope; each adapter in its document's own error shape.
          const errorSchema = p.startsWith("/api/v1/") ? "Error" : /^(AnqiReply|MsgReply|SxError|ShopError)$/;
          if (Number(status) >= 400) expect(r.content["application/json"].schema.$ref.split("/").pop()).toMatch(errorSchema);
        }
      }
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("component schemas are well-formed JSON Schema: known types, `required` ⊆ properties", () => {
    const check = (node: any, where: string) => {
      if (Array.isArray(node)) return node.forEach((n, i) => check(n, `${where}/${i}`));
      if (!node || typeof node !== "object") return;
      if (node.type !== undefined) {
        for (const t of [node.type].flat()) expect(JSON_TYPES.has(t), `${where}: type ${t}`).toBe(true);
      }
      if (Array.isArray(node.required) && node.properties) {
        for (const r of node.required) expect(Object.keys(node.properties), `${where}: required ${r}`).toContain(r);
      }
      for (const [k, v] of Object.entries(node)) {
        // Examples are data, not schemas.
        if (k === "example" || k === "examples") continue;
        // A `properties` (or `headers`, `$defs`) map's keys are names, not keywords: check each value as a schema.
        if (["properties", "headers", "$defs", "schemas"].includes(k) && v && typeof v === "object") {
          for (const [name, sub] of Object.entries(v)) check(sub, `${where}/${k}/${name}`);
        } else check(v, `${where}/${k}`);
      }
    };
    check({ schemas: doc.components.schemas }, "#/components");
    check(doc.paths, "#/paths");
  });

  it("documents list-grammar query errors as 400 and the adapters under their own tags and error shapes", () => {
    const list = doc.paths["/api/v1/runs"].get.responses;
    expect(list["400"].description).toMatch(/unknown_field/);
    expect(list["400"].description).toMatch(/unknown_operation/);
    expect(list["422"]).toBeUndefined();
    const shop = doc.paths["/api/shop/sitemaps"].post;
    expect(shop.tags).toEqual(["compat: shop API"]);
    expect(shop.responses["400"].content["application/json"].schema).toEqual({ $ref: "#/components/schemas/ShopError" });
    // AnQiCMS answers errors with HTTP 200 and {code, msg}: documented on the 200 response, no 4xx entries.
    const anqi = doc.paths["/api/import/sitemap"].post.responses;
    expect(anqi["200"].description).toMatch(/unauthorized/);
    expect(Object.keys(anqi).filter((s) => Number(s) >= 400)).toEqual([]);
    expect(doc.paths["/v1/sitemaps/generate"].post.responses["401"].content["application/json"].schema).toEqual({ $ref: "#/components/schemas/SxError" });
  });

  it("documents the error envelope with every code, the limit headers, scopes and request bodies", () => {
    expect(doc.components.schemas.Error.properties.error.properties.code.enum.sort()).toEqual(Object.keys(ERROR_CODES).sort());
    const create = doc.paths["/api/v1/sitemaps"].post;
    expect(create["x-scope"]).toBe("write");
    expect(create.requestBody.content["application/json"].schema).toEqual({ $ref: "#/components/schemas/CreateSitemapBody" });
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(["201", "401", "403", "409", "422", "429"]));
    expect(create.responses["201"].headers).toHaveProperty("X-RateLimit-Remaining");
    expect(create.responses["429"].headers).toHaveProperty("Retry-After");
    expect(create.parameters).toContainEqual({ $ref: "#/components/parameters/IdempotencyKey" });
    expect(doc.components.schemas.CreateSitemapBody.required).toEqual(["name", "startUrl", "fileName"]);
    expect(doc.paths["/api/v1/sitemaps/{id}/generate"].post["x-scope"]).toBe("generate");
    expect(doc.paths["/api/v1/openapi.json"].get.security).toEqual([]);
    expect(doc.paths["/api/v1/sitemaps"].get.parameters.map((p: any) => p.name)).toEqual(["size", "limit", "cursor", "pageToken", "sort", "filter[field][op]"]);
  });

  it("the Run schema documents the failure cause (every errorCode, with hint and detail) and the warnings", () => {
    const run = doc.components.schemas.Run;
    const anyOfEnum = (p: { enum?: string[]; anyOf?: { enum?: string[] }[] }) => p.enum ?? p.anyOf?.find((s) => s.enum)?.enum;
    expect(anyOfEnum(run.properties.errorCode)?.sort()).toEqual([...RUN_ERROR_CODE_LIST].sort());
    expect(run.properties.warnings.items.enum.sort()).toEqual([...RUN_WARNING_LIST].sort());
    expect(run.required).toEqual(expect.arrayContaining(["error", "errorCode", "errorHint", "errorDetail", "warnings"]));
  });

  it("every operation: path parameters, an example per JSON body, and the responses every request can get", () => {
    for (const e of ENDPOINTS) {
      const op = doc.paths[e.path][e.method.toLowerCase()];
      const where = `${e.method} ${e.path}`;
      const inPath = [...e.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      expect((op.parameters ?? []).filter((p: any) => p.in === "path").map((p: any) => p.name), where).toEqual(inPath);
      if (e.query) expect((op.parameters ?? []).filter((p: any) => p.in === "query").length, where).toBeGreaterThan(0);
      const body = op.requestBody?.content?.["application/json"];
      if (e.body) expect(body.example, where).toBeDefined();
      for (const [status, r] of Object.entries<any>(op.responses)) {
        const media = r.content?.["application/json"];
        if (status.startsWith("2") && media?.schema) {
          expect(media.example, `${where} ${status}`).toBeDefined();
        }
      }
      // Adapters map codes to their own statuses (AnQiCMS and mysitemapgenerator answer everything with 200).
      if (e.errorStatus && !e.path.startsWith("/api/v1/")) continue;
      expect(op.responses["400"]?.description, where).toMatch(/bad_request/);
      if (e.body) expect(op.responses["400"]?.description, where).toMatch(/syntax_error/);
      if (e.body) expect(op.responses["422"]?.description, where).toMatch(/invalid_value/);
      expect(op.responses["405"], where).toBeDefined();
      if (e.access !== "public") {
        expect(op.responses["401"].headers, where).toHaveProperty("WWW-Authenticate");
        expect(op.responses["401"].headers, where).toHaveProperty("X-RateLimit-Remaining");
        expect(op.responses["429"].headers, where).toHaveProperty("Retry-After");
        expect(op.responses["429"].description, where).toMatch(/failed authentications/);
      }
      if (e.body) expect(op.responses["413"], where).toBeDefined();
    }
    // The sampled examples follow the schemas: a run list's example is a { data: [run], next_cursor } page.
    const runs = doc.paths["/api/v1/runs"].get.responses["200"].content["application/json"].example;
    expect(runs).toMatchObject({ data: [expect.objectContaining({ id: expect.any(String), status: expect.any(String) })] });
    expect(runs).toHaveProperty("next_cursor");
    // Integer examples are readable (zod's ±(2^53 − 1) bounds are not used as values).
    expect(JSON.stringify(runs)).not.toContain(String(Number.MAX_SAFE_INTEGER));
    const err = doc.paths["/api/v1/sitemaps/{id}"].get.responses["404"].content["application/json"].example;
    expect(err.error).toMatchObject({ code: "not_found", type: "not_found", doc_url: "http://localhost:3000/docs/api#not_found" });
  });
});

describe("/docs/api page", () => {
  it("renders every documented endpoint and every error code from the same document", async () => {
    const { renderToStaticMarkup } = await import("react-dom/server");
    const { createElement } = await import("react");
    const { default: ApiDocsPage } = await import("@/app/docs/api/page");
    const html = renderToStaticMarkup(createElement(ApiDocsPage));
    // Before Scalar loads (and without JavaScript): the plain list of operations.
    for (const e of ENDPOINTS) expect(html, e.path).toContain(`<code class="text-slate-800">${e.path}</code>`);
    // Every error's doc_url (APP_URL/docs/api#<code>) lands on a row of the error table.
    for (const code of Object.keys(ERROR_CODES)) expect(html).toContain(`id="${code}"`);
    expect(html).toContain('href="/api/v1/openapi.json"');
  });
});
