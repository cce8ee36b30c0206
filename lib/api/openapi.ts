/**
 * The OpenAPI 3.1 document of /api/v1, generated from the zod schemas of lib/schemas with zod 4's native
 * `z.toJSONSchema` (JSON Schema 2020-12, which OpenAPI 3.1 uses as is). Served at GET /api/v1/openapi.json and
 * rendered at /docs/api.
 *
 * ENDPOINTS is the one list of what exists: tests/api/openapi.test.ts walks app/api/v1 and fails when a route file's
 * method is missing here (or listed here without a route). Request bodies are the schemas' input side (what a client
 * sends; defaults optional), responses their output side. Every error response is the envelope (#/components/schemas/
 * Error); every authenticated response documents the X-RateLimit-* and X-Quota-* headers.
 */
import { z } from "zod";
import { ERROR_CODES, type ErrorCode } from "@/lib/core/errors";
import { getEnv } from "@/lib/env";
import { planTable, PLAN_NAMES } from "@/lib/quota/plans";
import { API_SCOPES, ZApiKeyDto, ZCreateApiKeyBody, ZCreatedApiKeyDto, type ApiScope } from "@/lib/schemas/api-keys";
import { ZErrorBody, ZListQuery } from "@/lib/schemas/common";
import { ZFileDto } from "@/lib/schemas/files";
import { ZRunChangeDto, ZRunChangesQuery, ZRunDto } from "@/lib/schemas/runs";
import { ZCreateSitemapBody, ZSitemapDto, ZUpdateSitemapBody } from "@/lib/schemas/sitemaps";
import { ZUsageDto, ZUsageQuery } from "@/lib/schemas/usage";
import { OPENAPI_AREAS } from "./openapi-areas";
import { BODY_ERRORS, COMMON, IDEMPOTENCY, list, listQueryStatus, type Endpoint, type Success } from "./openapi-common";

export type { Endpoint } from "./openapi-common";
import { ZSignupBody, ZUserDto } from "@/lib/schemas/users";

/** Named schemas under #/components/schemas: [schema, "input" (request) | "output" (response)]. */
const SCHEMAS = {
  Error: [ZErrorBody, "output"],
  Sitemap: [ZSitemapDto, "output"],
  CreateSitemapBody: [ZCreateSitemapBody, "input"],
  UpdateSitemapBody: [ZUpdateSitemapBody, "input"],
  Run: [ZRunDto, "output"],
  RunChange: [ZRunChangeDto, "output"],
  File: [ZFileDto, "output"],
  ApiKey: [ZApiKeyDto, "output"],
  CreatedApiKey: [ZCreatedApiKeyDto, "output"],
  CreateApiKeyBody: [ZCreateApiKeyBody, "input"],
  SignupBody: [ZSignupBody, "input"],
  User: [ZUserDto, "output"],
  Usage: [ZUsageDto, "output"],
} as const satisfies Record<string, readonly [z.ZodType, "input" | "output"]>;


const CORE_ENDPOINTS: Endpoint[] = [
  { method: "GET", path: "/api/v1/openapi.json", summary: "This OpenAPI 3.1 document.", access: "public",
    success: [{ status: 200, description: "The document.", media: "application/json" }], errors: [] },
  { method: "POST", path: "/api/v1/signup", summary: "Create an account (rate-limited per client IP).", access: "public", body: "SignupBody",
    success: [{ status: 201, description: "The new user.", data: "User" }],
    errors: ["forbidden", "duplicate_entry", "rate_limited", ...BODY_ERRORS] },
  // GET /api/v1/sitemaps, POST /api/v1/sitemaps/{id}/generate and GET /api/v1/sitemaps/{id}/runs: lib/api/openapi-core-v2.ts
  { method: "POST", path: "/api/v1/sitemaps", summary: "Create a sitemap.", access: "write", body: "CreateSitemapBody",
    success: [{ status: 201, description: "The sitemap; `Location` names it.", data: "Sitemap", headers: ["Location"] }],
    errors: [...COMMON, ...BODY_ERRORS, "duplicate_entry", ...IDEMPOTENCY] },
  { method: "GET", path: "/api/v1/sitemaps/{id}", summary: "One sitemap with its last run and public URL.", access: "read",
    success: [{ status: 200, description: "The sitemap.", data: "Sitemap" }], errors: [...COMMON, "not_found"] },
  { method: "PATCH", path: "/api/v1/sitemaps/{id}", summary: "Change any subset of a sitemap's settings.", access: "write", body: "UpdateSitemapBody",
    success: [{ status: 200, description: "The sitemap.", data: "Sitemap" }], errors: [...COMMON, ...BODY_ERRORS, "not_found", "duplicate_entry"] },
  { method: "DELETE", path: "/api/v1/sitemaps/{id}", summary: "Delete a sitemap, its runs and file records.", access: "write",
    success: [{ status: 204, description: "Deleted." }], errors: [...COMMON, "not_found", "conflict"] },
  { method: "GET", path: "/api/v1/sitemaps/{id}/files", summary: "Published files with download and public URLs.", access: "read",
    success: [list("File", "Every published file (one page).")], errors: [...COMMON, "not_found"] },
  { method: "GET", path: "/api/v1/sitemaps/{id}/files/{name}", summary: "Download a published file (ETag, Last-Modified, 304).", access: "read",
    success: [{ status: 200, description: "The file.", media: "application/xml" }, { status: 304, description: "Not modified." }],
    errors: [...COMMON, "not_found"] },
  { method: "GET", path: "/api/v1/runs/{id}", summary: "Status, progress and counts of a run.", access: "read",
    success: [{ status: 200, description: "The run.", data: "Run" }], errors: [...COMMON, "not_found"] },
  { method: "GET", path: "/api/v1/runs/{id}/changes", summary: "URLs added, removed or changed by a run, in URL order.", access: "read",
    query: ZRunChangesQuery, success: [list("RunChange", "A page of changes.")], errors: [...COMMON, "not_found", "invalid_value"] },
  { method: "GET", path: "/api/v1/usage", summary: "Plan, today's calls against the quota, limits, crawl credits, per-day history and recent debits.", access: "read",
    query: ZUsageQuery, success: [{ status: 200, description: "Usage.", data: "Usage" }], errors: [...COMMON, "invalid_value"] },
  { method: "GET", path: "/api/v1/api-keys", summary: "Your API keys (no secrets); dashboard session only.", access: "session", query: ZListQuery,
    success: [list("ApiKey", "A page of keys.")], errors: [...COMMON, "invalid_value"] },
  { method: "POST", path: "/api/v1/api-keys", summary: "Create a key with scopes; the plaintext is in this answer only.", access: "session",
    body: "CreateApiKeyBody", success: [{ status: 201, description: "The key with its plaintext `key`.", data: "CreatedApiKey" }],
    errors: [...COMMON, ...BODY_ERRORS] },
  { method: "DELETE", path: "/api/v1/api-keys/{id}", summary: "Revoke a key (repeating it is harmless).", access: "session",
    success: [{ status: 204, description: "Revoked." }], errors: [...COMMON, "not_found"] },
];

/** Every endpoint: the core ones above, then each area's (templates, feeds, submission, …). */
export const ENDPOINTS: Endpoint[] = [...CORE_ENDPOINTS, ...OPENAPI_AREAS.flatMap((a) => a.endpoints)].map((e) =>
  // A list endpoint (it can answer unknown_operation, which only the list grammar does) answers query errors with 400.
  e.errorStatus === undefined && e.method === "GET" && e.errors.includes("unknown_operation") ? { ...e, errorStatus: listQueryStatus } : e,
);
const ALL_SCHEMAS: Record<string, readonly [z.ZodType, "input" | "output"]> = Object.assign({}, SCHEMAS, ...OPENAPI_AREAS.map((a) => a.schemas));

const LIMIT_HEADERS = {
  "X-RateLimit-Limit": "Requests allowed per minute for this API key (from the plan), or for the signed-in user.",
  "X-RateLimit-Remaining": "Requests left in the current minute.",
  "X-RateLimit-Reset": "When the current minute window ends, UTC epoch seconds.",
  "X-Quota-Limit": "API-key requests allowed per UTC day for the account (absent when unlimited, and for the session).",
  "X-Quota-Remaining": "Requests left today (absent when unlimited).",
  "X-Quota-Reset": "When the UTC day ends, epoch seconds (absent when unlimited).",
  "X-Request-Id": "This request's id (= `request_id` in errors).",
  "Retry-After": "Seconds to wait (429 only).",
  Location: "Path of the created resource.",
  "Idempotent-Replayed": "`true` when this is a stored response replayed for a repeated Idempotency-Key.",
};

const toSchema = (schema: z.ZodType, io: "input" | "output") => {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any", target: "draft-2020-12" }) as Record<string, unknown>;
  return rest;
};
const ref = (name: string, kind = "schemas") => ({ $ref: `#/components/${kind}/${name}` });
const jsonContent = (schema: unknown) => ({ "application/json": { schema } });

function successResponse(s: Success, authed: boolean) {
  const headers: Record<string, unknown> = { "X-Request-Id": ref("X-Request-Id", "headers") };
  if (authed) for (const h of ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-Quota-Limit", "X-Quota-Remaining", "X-Quota-Reset"]) headers[h] = ref(h, "headers");
  if ("headers" in s) for (const h of s.headers ?? []) headers[h] = ref(h, "headers");
  let content: unknown;
  if ("media" in s) content = { [s.media]: { schema: {} } };
  else if (s.data) content = jsonContent({ type: "object", properties: { data: ref(s.data) }, required: ["data"] });
  else if (s.list) {
    content = jsonContent({
      type: "object",
      properties: { data: { type: "array", items: ref(s.list) }, next_cursor: { anyOf: [{ type: "string" }, { type: "null" }] } },
      required: ["data", "next_cursor"],
    });
  }
  return { description: s.description, headers, ...(content ? { content } : {}) };
}

function queryParameters(query: z.ZodObject) {
  const schema = toSchema(query, "input") as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(schema.properties ?? {}).map(([name, s]) => ({
    name, in: "query", required: schema.required?.includes(name) ?? false, schema: s,
  }));
}

/** An endpoint's tag: its area's own, else the resource after /api/v1/ (sitemaps, runs, …). */
const tagOf = (e: Endpoint) => e.tag ?? e.path.split("/")[3];

/** The whole document. `serverUrl` defaults to APP_URL. */
export function buildOpenApi(serverUrl = getEnv().APP_URL) {
  const env = getEnv();
  const plans = planTable(env);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const e of ENDPOINTS) {
    const authed = e.access !== "public";
    const responses: Record<string, unknown> = {};
    const idempotent = e.method === "POST" && authed && e.access !== "session";
    for (const s of e.success) {
      const r = successResponse(s, authed);
      if (idempotent) r.headers["Idempotent-Replayed"] = ref("Idempotent-Replayed", "headers");
      responses[String(s.status)] = r;
    }
    const byStatus = new Map<number, ErrorCode[]>();
    // Every route answers other methods with 405, and anything unexpected with 500.
    for (const code of new Set<ErrorCode>([...e.errors, "method_not_allowed", "internal_error"])) {
      const status = e.errorStatus?.(code) ?? ERROR_CODES[code].status;
      byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
    }
    for (const [status, codes] of [...byStatus].sort((a, b) => a[0] - b[0])) {
      const what = `Error: ${codes.map((c) => `\`${c}\``).join(", ")}.`;
      const existing = responses[String(status)] as { description: string } | undefined;
      if (existing) {
        // An adapter that answers errors with a success status (AnQiCMS, mysitemapgenerator: always HTTP 200).
        existing.description += ` Errors come with this status too (${what.slice(7, -1)}).`;
        continue;
      }
      const headers: Record<string, unknown> = { "X-Request-Id": ref("X-Request-Id", "headers") };
      if (status === 429) headers["Retry-After"] = ref("Retry-After", "headers");
      if (authed && status !== 401) for (const h of ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"]) headers[h] = ref(h, "headers");
      responses[String(status)] = { description: what, headers, content: jsonContent(ref(e.errorBody ?? "Error")) };
    }
    const parameters: unknown[] = [...e.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: "string" } }));
    if (e.query) parameters.push(...queryParameters(e.query));
    if (idempotent) parameters.push(ref("IdempotencyKey", "parameters"));
    const scopeNote = e.access === "public" ? "Public (no authentication)." : e.access === "session" ? "Dashboard session only." : `API key scope: \`${e.access}\`.`;
    paths[e.path] ??= {};
    paths[e.path][e.method.toLowerCase()] = {
      operationId: `${e.method.toLowerCase()}${e.path.replace("/api/v1", "").replace(/\{(\w+)\}/g, "By_$1").replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ""))}`,
      summary: e.summary,
      description: scopeNote,
      tags: [tagOf(e)],
      ...(e.access === "public" ? { security: [] } : e.access === "session" ? { security: [{ session: [] }] } : { "x-scope": e.access }),
      ...(parameters.length ? { parameters } : {}),
      ...(e.body ? { requestBody: { required: true, content: jsonContent(ref(e.body)) } } : {}),
      responses,
    };
  }
  const schemas = Object.fromEntries(Object.entries(ALL_SCHEMAS).map(([name, [schema, io]]) => [name, toSchema(schema, io)]));
  return {
    openapi: "3.1.0",
    info: {
      title: "Sitemap Forge API",
      version: "1",
      description:
        "Crawl sites and publish XML sitemaps. Success bodies are `{ data }` (lists add `next_cursor`); errors are " +
        "`{ error: { type, code, message, field?, request_id, doc_url } }`. Plans: " +
        PLAN_NAMES.map((p) => `${p} ${plans[p].perMinute}/min, ${plans[p].perDay ?? "unlimited"}/day`).join("; ") +
        `. Key scopes: ${API_SCOPES.join(", ")}.`,
    },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }, { session: [] }],
    tags: [...new Set(ENDPOINTS.map(tagOf))].map((name) => ({ name })),
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", bearerFormat: "sfk_…", description: "An API key: `Authorization: Bearer sfk_…`." },
        session: { type: "apiKey", in: "cookie", name: "next-auth.session-token", description: "The dashboard's session cookie." },
      },
      parameters: {
        IdempotencyKey: {
          name: "Idempotency-Key", in: "header", required: false,
          description: "1..255 printable ASCII characters; a repeat of the same request within 24 h replays the stored response.",
          schema: { type: "string", minLength: 1, maxLength: 255, pattern: "^[\\x21-\\x7e]+$" },
        },
      },
      headers: Object.fromEntries(
        Object.entries(LIMIT_HEADERS).map(([name, description]) => [
          name,
          { description, schema: name === "Location" || name === "X-Request-Id" || name === "Idempotent-Replayed" ? { type: "string" } : { type: "integer" } },
        ]),
      ),
    },
  };
}
