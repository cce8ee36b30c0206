/**
 * Reading /api/v1 input: JSON bodies and query strings, validated with zod into typed values.
 *
 * readJson errors: 415 unsupported_media_type (Content-Type not JSON), 413 payload_too_large (over 1 MiB,
 * by Content-Length or while reading), 400 syntax_error (empty, not UTF-8 or not JSON), 422 from the schema.
 */
import { z } from "zod";
import { AppError } from "@/lib/core/errors";
import { zodToAppError } from "./errors";

export const MAX_BODY_BYTES = 1024 * 1024;

const tooLarge = (max = MAX_BODY_BYTES) => new AppError("payload_too_large", `The request body exceeds ${max} bytes.`);

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
  return parseWith(schema, input);
}

/** Query parameters (first value of each name) validated by `schema`; unknown parameters are ignored. */
export function readQuery<S extends z.ZodType>(req: Request, schema: S): z.output<S> {
  const params = new URL(req.url).searchParams;
  const input = Object.fromEntries([...new Set(params.keys())].map((k) => [k, params.get(k)!]));
  return parseWith(schema, input);
}
