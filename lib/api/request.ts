/**
 * Reading /api/v1 input: JSON bodies and query strings, validated with zod into typed values, and the one check of a
 * request's path and query text (assertRequestText) that every route wrapper runs first.
 *
 * readJson errors: 415 unsupported_media_type (Content-Type not JSON), 413 payload_too_large (over 1 MiB,
 * by Content-Length or while reading), 400 syntax_error (empty, not UTF-8 or not JSON), 422 invalid_value naming the
 * field for a string (or key) with NUL, another C0 control but TAB/LF/CR, DEL or a lone surrogate (lib/core/text.ts),
 * 422 from the schema.
 */
import { warmRegexChecks } from "@/lib/core/regex-safety";
import { z } from "zod";
import { AppError } from "@/lib/core/errors";
import { fieldPath, findTextProblem, queryProblem, textProblem } from "@/lib/core/text";
import { zodToAppError } from "./errors";

export const MAX_BODY_BYTES = 1024 * 1024;

const tooLarge = (max = MAX_BODY_BYTES) => new AppError("payload_too_large", `The request body exceeds ${max} bytes.`);

/**
 * `input` parsed by `schema`: its output value, or throws the first issue as an AppError (422 `unknown_field`,
 * `missing`, `invalid_format` or `invalid_value`, see zodToAppError in lib/api/errors.ts).
 */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw zodToAppError(r.error, input);
  return r.data;
}

/** The raw body, at most `maxBytes` (default MAX_BODY_BYTES; 413 payload_too_large beyond). */
export async function readCapped(req: Request, maxBytes = MAX_BODY_BYTES): Promise<Uint8Array> {
  const declared = req.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge(maxBytes);
  if (!req.body) return new Uint8Array();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}

/** `opts.maxBytes`: a larger cap for bulk endpoints (e.g. 10,000 pushed URLs). */
export async function readJson<S extends z.ZodType>(req: Request, schema: S, opts: { maxBytes?: number } = {}): Promise<z.output<S>> {
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
    throw new AppError("unsupported_media_type", "Send the body as JSON with `Content-Type: application/json`.");
  }
  const bytes = await readCapped(req, opts.maxBytes);
  let input: unknown;
  try {
    input = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new AppError("syntax_error", "The request body is not valid JSON.");
  }
  assertJsonText(input);
  // The schemas check regex rules synchronously; settle the analysis off the event loop first (cached verdicts).
  await warmRegexChecks(regexRulePatterns(input));
  return parseWith(schema, input);
}

/** `pattern` of every object in a JSON body whose `syntax` is "regex" (crawl rules, wherever they sit), at most 100. */
export function regexRulePatterns(input: unknown, out: string[] = [], depth = 0): string[] {
  if (depth > 8 || out.length >= 100 || input === null || typeof input !== "object") return out;
  if (Array.isArray(input)) {
    for (const v of input) regexRulePatterns(v, out, depth + 1);
    return out;
  }
  const o = input as Record<string, unknown>;
  if (o.syntax === "regex" && typeof o.pattern === "string") out.push(o.pattern);
  for (const v of Object.values(o)) regexRulePatterns(v, out, depth + 1);
  return out;
}

/**
 * Every string (and key) of a parsed JSON body is acceptable multi-line text (lib/core/text.ts); single-line fields
 * are checked further by their schema (lib/schemas/common.ts `line`). Throws 422 invalid_value naming the field.
 */
export function assertJsonText(input: unknown): void {
  const bad = findTextProblem(input, "text");
  if (!bad) return;
  const field = bad.path.length ? fieldPath(bad.path) : undefined;
  throw new AppError("invalid_value", `${field ? `"${field}"` : "The request body"} ${bad.problem}.`, { field });
}

/**
 * The decoding step every route wrapper runs before anything else (withApi, compatRoute): every path parameter and every query parameter must be
 * single-line text (no NUL, C0 controls, DEL or lone surrogates; query names and values strictly percent-decoded).
 * (A path that is not percent-encoded UTF-8 never reaches a route: proxy.ts sends it to lib/compat/bad-url.ts.)
 * Throws 400 bad_request naming the parameter; reads no body and writes nothing.
 */
export function assertRequestText(req: Request, params: Record<string, string | string[]> | undefined): void {
  for (const [name, value] of Object.entries(params ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) {
      const problem = textProblem(v, "line");
      if (problem) throw new AppError("bad_request", `The path parameter "${name}" ${problem}.`, { field: name });
    }
  }
  const url = new URL(req.url);
  const q = queryProblem(url.search);
  if (q) throw new AppError("bad_request", `The query parameter "${q.name}" ${q.problem}.`, { field: q.name });
}

/** Query parameters (first value of each name) validated by `schema`; unknown parameters are ignored. */
export function readQuery<S extends z.ZodType>(req: Request, schema: S): z.output<S> {
  const params = new URL(req.url).searchParams;
  const input = Object.fromEntries([...new Set(params.keys())].map((k) => [k, params.get(k)!]));
  return parseWith(schema, input);
}
