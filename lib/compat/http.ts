/**
 * The one HTTP shell every compatibility adapter (lib/compat/*.ts) runs in. It adds no rules of its own: the request
 * goes through the native wrapper `withApiAuth` (lib/api/with-api-auth.ts) — API-key authentication, the plan's
 * per-minute rate limit and daily quota with `X-RateLimit-*` / `X-Quota-*` headers, key scope, `Idempotency-Key` —
 * exactly as an /api/v1 request would. Only two things differ per adapter:
 *
 *   1. where the key comes from (`credential`): AnQiCMS puts it in `?token=`, mysitemapgenerator in the POST field
 *      `api_key`, the Sitemap.xml API in `Authorization: Bearer`. The key is re-sent to the native wrapper as a Bearer
 *      header; a request without a key goes in with none and `keyOnly`, so it is a 401 and never falls back to a
 *      dashboard session cookie. Failed authentications count against the client address's limit like native ones
 *      (429 in the adapter's shape, with `Retry-After` and `X-RateLimit-*`).
 *   2. how a native error envelope `{ error: { type, code, message, field?, details?, request_id, doc_url } }` is rendered
 *      (`translate`): into `{code,msg}`, `{result:"error",notice}`, … with the adapter's HTTP status. Response headers
 *      (X-Request-Id, X-RateLimit-*, Retry-After, Allow) are kept; `WWW-Authenticate` only when the adapter's answer is
 *      a 401 (every 401 carries one, RFC 6750 §3; adapters that answer errors with 200 get none).
 *
 * An adapter handler may also return its own error shape directly (e.g. Sitemap.xml's INVALID_DOMAIN); only bodies
 * carrying the native envelope's `doc_url` are translated.
 */
import { randomUUID } from "node:crypto";
import { toErrorResponse } from "@/lib/api/errors";
import { assertRequestText, readCapped } from "@/lib/api/request";
import { addressLimitHeaders, limitHeadersIfKnown, withApi, withApiAuth, type AuthedContext, type RouteContext } from "@/lib/api/with-api-auth";
import type { ApiScope } from "@/lib/auth/authenticate";
import { AppError, type ErrorCode } from "@/lib/core/errors";
import { fieldPath, findTextProblem, strictDecode } from "@/lib/core/text";

type Params = Record<string, string | string[]>;

/** The native error envelope's `error` object, as an adapter's translate() receives it. */
export type NativeError = { type: string; code: ErrorCode; message: string; field?: string; details?: Record<string, unknown>; request_id: string };

/** What a credential extractor found: the key (null = none sent), the request to pass on (body re-attached), input. */
export type Credential<I> = { token: string | null; req: Request; input: I };

export type CompatRouteOptions<P extends Params, I> = {
  credential: (req: Request, params: P) => Promise<Credential<I>>;
  /** Scope an API key must hold (403 from the native wrapper → the adapter's "not authorized"). */
  scope: ApiScope | ((input: I, params: P) => ApiScope);
  /** Renders a native error; `hadToken` tells "no key sent" from "key refused" (AnQiCMS tells them apart). */
  translate: (err: NativeError, status: number, info: { hadToken: boolean }) => Response;
  handler: (ctx: AuthedContext<P> & { input: I }) => Promise<Response>;
  /** The adapter's per-minute limit instead of the plan's (withApiAuth's `perMinute`; null = none). */
  perMinute?: () => number | null | undefined;
};

/**
 * A Next route handler for one adapter endpoint: the text check, `o.credential` (the key from the adapter's place),
 * then withApiAuth (key only, `o.scope`, `o.perMinute`) around `o.handler`; every native error envelope in the
 * answer is rendered by `o.translate` (module doc). Errors thrown before withApiAuth are rendered the same way.
 */
export function compatRoute<P extends Params = Params, I = undefined>(o: CompatRouteOptions<P, I>) {
  return async (req: Request, context: RouteContext<P>): Promise<Response> => {
    let res: Response;
    let hadToken = false;
    try {
      const params = await context.params;
      // The same decoding step as withApi, before the credential step reads the key from the query or the body.
      assertRequestText(req, params);
      const cred = await o.credential(req, params);
      hadToken = cred.token !== null && cred.token !== "";
      const headers = new Headers(cred.req.headers);
      if (hadToken) headers.set("authorization", `Bearer ${cred.token}`);
      else headers.delete("authorization");
      const authed = new Request(cred.req, { headers });
      const scope = typeof o.scope === "function" ? o.scope(cred.input, params) : o.scope;
      const inner = withApiAuth<P>((ctx) => o.handler({ ...ctx, input: cred.input }), { scope, keyOnly: true, perMinute: o.perMinute });
      res = await inner(authed, { params: Promise.resolve(params) });
    } catch (err) {
      // Only the text check and the credential step can throw here (withApiAuth renders its own errors).
      const requestId = `req_${randomUUID().replaceAll("-", "")}`;
      res = toErrorResponse(err, requestId);
      res.headers.set("X-Request-Id", requestId);
    }
    return translateIfNative(res, (e, status) => o.translate(e, status, { hadToken }));
  };
}

/** Replaces a native error envelope by the adapter's rendering, keeping the response headers. */
export async function translateIfNative(res: Response, translate: (err: NativeError, status: number) => Response): Promise<Response> {
  if (res.status < 400 || !(res.headers.get("content-type") ?? "").includes("json")) return res;
  const body = (await res
    .clone()
    .json()
    .catch(() => null)) as { error?: NativeError & { doc_url?: string } } | null;
  if (!body?.error?.doc_url) return res;
  const { doc_url: _doc, ...err } = body.error;
  const out = translate(err, res.status);
  for (const [k, v] of res.headers) {
    if (k === "content-type" || k === "content-length") continue;
    if (!out.headers.has(k)) out.headers.set(k, v);
  }
  if (out.status !== 401) out.headers.delete("www-authenticate");
  // A 401 made from another native error: the shop API answers a key lacking a scope (native 403) with 401.
  else if (!out.headers.has("www-authenticate")) out.headers.set("WWW-Authenticate", 'Bearer error="insufficient_scope"');
  return out;
}

/**
 * For `methodsNotAllowed`-style 405 answers in the adapter's error shape. The request's text is checked first, as in
 * every other handler (assertRequestText: 400 for an undecodable path, controls in a path or query parameter).
 */
export function methodNotAllowed(allowed: string[], translate: (err: NativeError, status: number) => Response) {
  const handler = async (req: Request, context?: { params?: Promise<Params> }): Promise<Response> => {
    const requestId = `req_${randomUUID().replaceAll("-", "")}`;
    let err: NativeError = {
      type: "invalid_request",
      code: "method_not_allowed",
      message: `${req.method} is not allowed here; use ${allowed.join(" or ")}.`,
      request_id: requestId,
    };
    let status = 405;
    try {
      assertRequestText(req, await context?.params);
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      err = { type: e.type, code: e.code, message: e.message, ...(e.field !== undefined ? { field: e.field } : {}), request_id: requestId };
      status = e.status;
    }
    const res = translate(err, status);
    if (status !== 405) {
      res.headers.set("X-Request-Id", requestId);
      return res;
    }
    res.headers.set("Allow", allowed.join(", "));
    res.headers.set("X-Request-Id", requestId);
    return res;
  };
  return { GET: handler, POST: handler, PUT: handler, PATCH: handler, DELETE: handler };
}

/**
 * Every method of an unknown path under an adapter's base path (a catch-all route): 404 `not_found` in the adapter's
 * envelope instead of the framework's HTML page. A caller with a valid key is counted and gets its limit headers
 * (limitHeadersIfKnown); `everyResponse` also gives an unknown caller its address's X-RateLimit-* (the Sitemap.xml
 * API promises them in every response).
 */
export function unknownEndpoint(translate: (err: NativeError, status: number) => Response, opts: { everyResponse?: boolean } = {}) {
  const handler = withApi(async ({ req, headers }) => {
    await limitHeadersIfKnown(req, headers);
    if (opts.everyResponse) addressLimitHeaders(req, headers);
    throw new AppError("not_found", `No endpoint ${req.method} ${new URL(req.url).pathname}.`);
  });
  const route = async (req: Request, context: RouteContext<Params>) => translateIfNative(await handler(req, context), translate);
  return { GET: route, POST: route, PUT: route, PATCH: route, DELETE: route };
}

// ---- credential extractors -------------------------------------------------------------------------------------

/** The Bearer key of `Authorization` (Sitemap.xml API, shop API); JSON bodies are read later by the handler. */
export async function bearerCredential(req: Request): Promise<Credential<undefined>> {
  const m = /^Bearer +(\S+)\s*$/i.exec(req.headers.get("authorization") ?? "");
  return { token: m ? m[1] : null, req, input: undefined };
}

/**
 * The shop API's key: `Authorization: Bearer <key>`, or `X-Authorization: Bearer <key>` (which the shop vendor's own
 * clients send, so that a proxy's Basic authentication can hold `Authorization`). `Authorization` wins when both
 * carry a Bearer key.
 */
export async function shopBearerCredential(req: Request): Promise<Credential<undefined>> {
  const own = await bearerCredential(req);
  if (own.token !== null) return own;
  const m = /^Bearer +(\S+)\s*$/i.exec(req.headers.get("x-authorization") ?? "");
  return { token: m ? m[1] : null, req, input: undefined };
}

export type FormFields = Record<string, string>;

/**
 * Reads a form body (multipart/form-data or application/x-www-form-urlencoded; an empty body is an empty form),
 * at most 1 MiB (413). Text fields only, first value of each name; files are ignored.
 * Errors: AppError unsupported_media_type for other content types; syntax_error for an unparsable form or one that is
 * not UTF-8 (urlencoded: raw bytes or percent-escapes that are not UTF-8; multipart: a text field whose bytes are not
 * UTF-8, seen as a U+FFFD the body does not contain); invalid_value naming the field for NUL, control characters
 * (TAB/LF/CR included: every adapter field is single-line) or lone surrogates (lib/core/text.ts). Nothing is replaced.
 */
export async function readForm(req: Request): Promise<{ fields: FormFields; bytes: Uint8Array }> {
  const bytes = await readCapped(req);
  const type = req.headers.get("content-type") ?? "";
  const fields: FormFields = {};
  if (bytes.byteLength === 0) return { fields, bytes };
  if (/^application\/x-www-form-urlencoded\b/i.test(type)) {
    Object.assign(fields, parseUrlencodedStrict(bytes));
  } else if (/^multipart\/form-data\b/i.test(type)) {
    let form: FormData;
    try {
      form = await new Request("http://local/", { method: "POST", headers: { "content-type": type }, body: bytes as BodyInit }).formData();
    } catch {
      throw new AppError("syntax_error", "The form body could not be parsed.");
    }
    // The multipart parser decodes text fields leniently (invalid bytes become U+FFFD); a U+FFFD the client did not
    // send as such (its UTF-8 bytes EF BF BD are nowhere in the body) means the field was not UTF-8.
    const sentReplacement = Buffer.from(bytes).includes(REPLACEMENT_UTF8);
    for (const [k, v] of form) {
      if (typeof v !== "string" || k in fields) continue;
      if (!sentReplacement && (v.includes("\ufffd") || k.includes("\ufffd"))) {
        throw new AppError("syntax_error", `The form field "${k}" is not valid UTF-8.`, { field: k });
      }
      fields[k] = v;
    }
  } else {
    throw new AppError("unsupported_media_type", "Send the fields as multipart/form-data or application/x-www-form-urlencoded.");
  }
  const bad = findTextProblem(fields, "line");
  if (bad) throw new AppError("invalid_value", `The form field "${fieldPath(bad.path)}" ${bad.problem}.`, { field: fieldPath(bad.path) });
  return { fields, bytes };
}

const REPLACEMENT_UTF8 = Buffer.from([0xef, 0xbf, 0xbd]);

/** application/x-www-form-urlencoded (first value of each name), strictly UTF-8; syntax_error otherwise. */
function parseUrlencodedStrict(bytes: Uint8Array): FormFields {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new AppError("syntax_error", "The form body is not valid UTF-8.");
  }
  const fields: FormFields = {};
  for (const pair of text.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const name = strictDecode((eq < 0 ? pair : pair.slice(0, eq)).replaceAll("+", " "));
    const value = strictDecode((eq < 0 ? "" : pair.slice(eq + 1)).replaceAll("+", " "));
    if (name === null || value === null) {
      throw new AppError("syntax_error", "The form body is not valid percent-encoded UTF-8.", name === null ? {} : { field: name });
    }
    if (!(name in fields)) fields[name] = value;
  }
  return fields;
}

/** A copy of `req` with `bytes` as its body (the original body has been read). */
export function withBody(req: Request, bytes: Uint8Array): Request {
  return new Request(req.url, {
    method: req.method,
    headers: req.headers,
    body: req.method === "GET" || req.method === "HEAD" ? undefined : (bytes as BodyInit),
  });
}

/** RFC 2822 date in UTC ("Mon, 02 Sep 2013 07:00:02 +0000"), as mysitemapgenerator's `last_scan`. */
export function rfc2822(d: Date): string {
  const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const p = (n: number) => String(n).padStart(2, "0");
  return `${days[d.getUTCDay()]}, ${p(d.getUTCDate())} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}
