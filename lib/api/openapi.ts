/**
 * The OpenAPI 3.1 document of /api/v1 (and the compatibility adapters), built by zod-openapi's `createDocument` from
 * the zod schemas of lib/schemas: request bodies and parameters are the schemas' input side, responses their output
 * side (a schema used both ways gets an `…Output` component). Every operation has its parameters, request and
 * response schemas, and one example per JSON body (sampled from the schema by openapi-sampler; error bodies show the
 * envelope). Served at GET /api/v1/openapi.json and rendered by Scalar's API reference at /docs/api.
 *
 * ENDPOINTS is the one list of what exists: tests/api/openapi.test.ts walks app/api/v1 and fails when a route file's
 * method is missing here (or listed here without a route). Every error response is the envelope (#/components/schemas/
 * Error) unless an adapter names its own; every operation lists 400 bad_request (bad percent-encoding, NUL or control
 * characters in the path or query), 405 and 500, those with a body 400 syntax_error, 413 and 422, authenticated ones
 * 401 (`WWW-Authenticate: Bearer`) and 429 (`Retry-After`), and their
 * success responses carry the X-RateLimit-* and X-Quota-* headers.
 */
import { sample } from "openapi-sampler";
import { z } from "zod";
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponseObject } from "zod-openapi";
import { ERROR_CODES, type ErrorCode } from "@/lib/core/errors";
import { getEnv } from "@/lib/env";
import { planTable, PLAN_NAMES } from "@/lib/quota/plans";
import { API_SCOPES, ZApiKeyDto, ZCreateApiKeyBody, ZCreatedApiKeyDto } from "@/lib/schemas/api-keys";
import { ZErrorBody, ZListBody } from "@/lib/schemas/common";
import { ZFileDto } from "@/lib/schemas/files";
import { ZRunChangeDto, ZRunDto } from "@/lib/schemas/runs";
import { ZCreateSitemapBody, ZSitemapDto, ZUpdateSitemapBody } from "@/lib/schemas/sitemaps";
import { ZUsageDto, ZUsageQuery } from "@/lib/schemas/usage";
import { docUrl } from "./errors";
import { OPENAPI_AREAS } from "./openapi-areas";
import { BODY_ERRORS, COMMON, IDEMPOTENCY, LIST_QUERY_ERRORS, list, listQueryStatus, type Endpoint, type Success } from "./openapi-common";
import { ZListGrammarQuery } from "./openapi-core-v2";

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
    query: ZListGrammarQuery.extend({ kind: z.enum(["added", "removed", "changed"]).optional().describe("Shorthand of filter[kind]=.") }),
    success: [list("RunChange", "A page of changes.")], errors: [...COMMON, "not_found", ...LIST_QUERY_ERRORS] },
  { method: "GET", path: "/api/v1/usage", summary: "Plan, today's calls against the quota, limits, crawl credits, per-day history and recent debits.", access: "read",
    query: ZUsageQuery, success: [{ status: 200, description: "Usage.", data: "Usage" }], errors: [...COMMON, "invalid_value"] },
  { method: "GET", path: "/api/v1/api-keys", summary: "Your API keys (no secrets), newest first; filter/sort by id, name, createdAt, lastUsedAt, revokedAt. Dashboard session only.",
    access: "session", query: ZListGrammarQuery, success: [list("ApiKey", "A page of keys.")], errors: [...COMMON, ...LIST_QUERY_ERRORS] },
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

const HEADER_IS_STRING = new Set(["Location", "X-Request-Id", "Idempotent-Replayed", "WWW-Authenticate"]);

const LIMIT_HEADERS = {
  "X-RateLimit-Limit": "Requests allowed per minute for this API key (from the plan), or for the signed-in user.",
  "X-RateLimit-Remaining": "Requests left in the current minute.",
  "X-RateLimit-Reset": "When the current minute window ends, UTC epoch seconds.",
  "X-Quota-Limit": "API-key requests allowed per UTC day for the account (absent when unlimited, and for the session).",
  "X-Quota-Remaining": "Requests left today (absent when unlimited).",
  "X-Quota-Reset": "When the UTC day ends, epoch seconds (absent when unlimited).",
  "X-Request-Id": "This request's id (= `request_id` in errors).",
  "Retry-After": "Seconds to wait (429 only).",
  "WWW-Authenticate": "`Bearer` (401 only): send an API key as `Authorization: Bearer sfk_…`.",
  Location: "Path of the created resource.",
  "Idempotent-Replayed": "`true` when this is a stored response replayed for a repeated Idempotency-Key.",
};

const ref = (name: string, kind = "schemas") => ({ $ref: `#/components/${kind}/${name}` });
const JSON_MEDIA = "application/json";

/** The named schema `name` (core or an area's); an unknown name is a programming error in ENDPOINTS. */
function schemaOf(name: string): z.ZodType {
  const entry = ALL_SCHEMAS[name];
  if (!entry) throw new Error(`openapi: no schema named ${name}`);
  return entry[0];
}

/** Every request that reaches a handler can carry these problems, whatever the endpoint (see docs/api.md). */
function implicitErrors(e: Endpoint): ErrorCode[] {
  const authed = e.access !== "public";
  const hasBody = e.body !== undefined || e.method === "POST" || e.method === "PUT" || e.method === "PATCH";
  return [
    // Bad percent-encoding, NUL or control characters in the path or query string.
    "bad_request",
    // A body that is not JSON or not UTF-8; over the endpoint's limit; control characters in a text field.
    ...(hasBody ? (["syntax_error", "payload_too_large", "invalid_value"] as const) : []),
    // 401 with WWW-Authenticate: Bearer; 429 for the per-minute limit and for too many failed authentications per IP.
    ...(authed ? (["unauthorized", "rate_limited"] as const) : []),
    "method_not_allowed",
    "internal_error",
  ];
}

function successResponse(s: Success, authed: boolean): ZodOpenApiResponseObject {
  const headers: Record<string, { $ref: string }> = { "X-Request-Id": ref("X-Request-Id", "headers") };
  if (authed) for (const h of ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-Quota-Limit", "X-Quota-Remaining", "X-Quota-Reset"]) headers[h] = ref(h, "headers");
  if ("headers" in s) for (const h of s.headers ?? []) headers[h] = ref(h, "headers");
  let content: ZodOpenApiResponseObject["content"];
  if ("media" in s) content = { [s.media]: { schema: s.media === JSON_MEDIA ? { type: "object" } : { type: "string" } } };
  else if (s.data) content = { [JSON_MEDIA]: { schema: z.object({ data: schemaOf(s.data) }) } };
  else if (s.list) {
    const body = ZListBody(schemaOf(s.list));
    content = { [JSON_MEDIA]: { schema: s.listSummary ? body.extend({ summary: schemaOf(s.listSummary).nullable() }) : body } };
    if (s.csv) content["text/csv"] = { schema: { type: "string" } };
  }
  return { description: s.description, headers, ...(content ? { content } : {}) };
}

/** An endpoint's path parameters (all strings; `{hour}` and `{id}` are validated by the handler). */
function pathParams(path: string): z.ZodObject | undefined {
  const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  return names.length ? z.object(Object.fromEntries(names.map((n) => [n, z.string()]))) : undefined;
}

/** An endpoint's tag: its area's own, else the resource after /api/v1/ (sitemaps, runs, …). */
const tagOf = (e: Endpoint) => e.tag ?? e.path.split("/")[3];

function operationOf(e: Endpoint): ZodOpenApiOperationObject {
  const authed = e.access !== "public";
  const idempotent = e.method === "POST" && authed && e.access !== "session";
  const responses: Record<string, ZodOpenApiResponseObject> = {};
  for (const s of e.success) {
    const r = successResponse(s, authed);
    if (idempotent) (r.headers as Record<string, unknown>)["Idempotent-Replayed"] = ref("Idempotent-Replayed", "headers");
    responses[String(s.status)] = r;
  }
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set<ErrorCode>([...e.errors, ...implicitErrors(e)])) {
    const status = e.errorStatus?.(code) ?? ERROR_CODES[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  for (const [status, codes] of [...byStatus].sort((a, b) => a[0] - b[0])) {
    const list = codes.map((c) => `\`${c}\``).join(", ");
    const existing = responses[String(status)];
    if (existing) {
      // An adapter that answers errors with a success status (AnQiCMS, mysitemapgenerator: always HTTP 200).
      existing.description += ` Errors come with this status too (${list}).`;
      continue;
    }
    const headers: Record<string, { $ref: string }> = { "X-Request-Id": ref("X-Request-Id", "headers") };
    if (status === 401) headers["WWW-Authenticate"] = ref("WWW-Authenticate", "headers");
    if (status === 429) headers["Retry-After"] = ref("Retry-After", "headers");
    // On a 401 these carry the failed-authentication limit of the caller's address (the caller is unknown).
    if (authed) for (const h of ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"]) headers[h] = ref(h, "headers");
    const notes = codes.map((c) => ERROR_NOTES[c]).filter(Boolean).join(" ");
    const body = e.errorBody ? schemaOf(e.errorBody) : ZErrorBody;
    const example = e.errorBody ? undefined : errorExample(codes[0]);
    responses[String(status)] = {
      description: `Error: ${list}.${notes ? " " + notes : ""}`,
      headers,
      content: { [JSON_MEDIA]: { schema: body, ...(example ? { example } : {}) } },
    };
  }
  const scopeNote = e.access === "public" ? "Public (no authentication)." : e.access === "session" ? "Dashboard session only." : `API key scope: \`${e.access}\`.`;
  const path = pathParams(e.path);
  return {
    operationId: `${e.method.toLowerCase()}${e.path.replace("/api/v1", "").replace(/\{(\w+)\}/g, "By_$1").replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ""))}`,
    summary: e.summary.length > 90 ? e.summary.slice(0, e.summary.search(/[.;(]/) > 0 ? e.summary.search(/[.;(]/) : 90) : e.summary,
    description: `${e.summary}\n\n${scopeNote}`,
    tags: [tagOf(e)],
    ...(e.access === "public" ? { security: [] } : e.access === "session" ? { security: [{ session: [] }] } : { "x-scope": e.access }),
    ...(path || e.query ? { requestParams: { ...(path ? { path } : {}), ...(e.query ? { query: e.query } : {}) } } : {}),
    ...(idempotent ? { parameters: [ref("IdempotencyKey", "parameters")] } : {}),
    ...(e.body ? { requestBody: { required: true, content: { [JSON_MEDIA]: { schema: schemaOf(e.body) } } } } : {}),
    responses,
  };
}

/** Why some codes happen, where the code alone does not say (shown in every response that lists them). */
const ERROR_NOTES: Partial<Record<ErrorCode, string>> = {
  bad_request: "400 bad_request answers bad percent-encoding, NUL or control characters in the path or query, before authentication.",
  syntax_error: "400 syntax_error answers a body that is not JSON or not UTF-8.",
  invalid_value: "422 invalid_value also answers NUL, control characters or lone surrogates in a text field (never stripped).",
  conflict: "409 conflict names the object it conflicts with in `details` (e.g. `details.activeRunId` for a run already queued or running).",
  payload_too_large: "413 when the body is over the endpoint's limit.",
  unauthorized: "401 comes with `WWW-Authenticate: Bearer` (`error=\"invalid_token\"` when a token was sent) and `X-RateLimit-*` of the failed-authentication limit of the caller's address.",
  rate_limited: "429 when the per-minute limit is spent, or after too many failed authentications from one IP; `Retry-After` says how long to wait.",
};

/** A native error envelope for `code`, as errorBody (lib/api/errors.ts) writes it. */
function errorExample(code: ErrorCode) {
  return { error: { type: ERROR_CODES[code].type, code, message: "What went wrong, in a sentence.", request_id: "req_8f2c1a", doc_url: docUrl(code) } };
}

type JsonObject = Record<string, unknown>;

/**
 * Adds one example per operation where the schema alone is all a reader has: the JSON request body and every JSON
 * success response get an `example` sampled from their schema by openapi-sampler (Redocly's), refs resolved in `doc`.
 */
function addExamples(doc: JsonObject): void {
  // zod bounds every int by ±(2^53 − 1), which the sampler takes as the value; a reader is better served by 0.
  const tidy = (_key: string, v: unknown) => (typeof v === "number" && Math.abs(v) === Number.MAX_SAFE_INTEGER ? 0 : v);
  const sampleOf = (schema: unknown) =>
    JSON.parse(JSON.stringify(sample(schema as Parameters<typeof sample>[0], { skipReadOnly: true, quiet: true, maxSampleDepth: 6 }, doc) ?? null, tidy));
  for (const ops of Object.values(doc.paths as Record<string, Record<string, JsonObject>>)) {
    for (const op of Object.values(ops)) {
      const body = (op.requestBody as JsonObject | undefined)?.content as Record<string, JsonObject> | undefined;
      if (body?.[JSON_MEDIA]?.schema && body[JSON_MEDIA].example === undefined) body[JSON_MEDIA].example = sampleOf(body[JSON_MEDIA].schema);
      for (const [status, r] of Object.entries(op.responses as Record<string, JsonObject>)) {
        const media = (r.content as Record<string, JsonObject> | undefined)?.[JSON_MEDIA];
        if (status.startsWith("2") && media?.schema && media.example === undefined) media.example = sampleOf(media.schema);
      }
    }
  }
}

/** The whole document. `serverUrl` defaults to APP_URL. */
export function buildOpenApi(serverUrl = getEnv().APP_URL) {
  const env = getEnv();
  const plans = planTable(env);
  const paths: ZodOpenApiPathsObject = {};
  for (const e of ENDPOINTS) {
    paths[e.path] ??= {};
    paths[e.path][e.method.toLowerCase() as "get"] = operationOf(e);
  }
  const doc = createDocument(
    {
      openapi: "3.1.0",
      info: {
        title: "Sitemap Forge API",
        version: "1",
        description:
          "Crawl sites and publish XML sitemaps.\n\n" +
          "- Success bodies are `{ data }`; lists are `{ data, next_cursor }` and share one grammar: `size` 1..300, `cursor`, " +
          "`sort=field:asc|desc`, `filter[field][op]=value` (query errors are 400).\n" +
          "- Errors are `{ error: { type, code, message, field?, request_id, doc_url } }`; `doc_url` points at the error table of this page.\n" +
          "- Plans: " + PLAN_NAMES.map((p) => `${p} ${plans[p].perMinute}/min, ${plans[p].perDay ?? "unlimited"}/day`).join("; ") + ".\n" +
          `- Key scopes: ${API_SCOPES.join(", ")}.`,
      },
      servers: [{ url: serverUrl }],
      security: [{ bearer: [] }, { session: [] }],
      tags: [...new Set(ENDPOINTS.map(tagOf))].map((name) => ({ name })),
      paths,
      components: {
        schemas: Object.fromEntries(Object.entries(ALL_SCHEMAS).map(([name, [schema]]) => [name, schema])),
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
            { description, schema: HEADER_IS_STRING.has(name) ? { type: "string" } : { type: "integer" } },
          ]),
        ),
      },
    },
    // Transforms and refinements have no JSON Schema; their input side is documented, the output side left open.
    { allowEmptySchema: { custom: true, transform: true, pipe: true } },
  ) as unknown as JsonObject;
  addExamples(doc);
  return doc as JsonObject & { openapi: string; info: { title: string; version: string; description: string }; paths: Record<string, Record<string, JsonObject>>; components: JsonObject };
}
