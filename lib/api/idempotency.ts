/**
 * `Idempotency-Key` for POST requests (applied by withApiAuth when the header is present).
 *
 * Key: 1..255 printable ASCII characters, chosen by the client (a UUID is a good choice); scoped per account and kept
 * 24 h. Request identity: method + path with query + SHA-256 of the body bytes.
 * - First request with a key: runs normally; a success response (below 400) is stored (status, body, Content-Type,
 *   Location, Cache-Control). An error (4xx or 5xx) stores nothing — the failed request wrote nothing — so a retry
 *   with the same key runs again.
 * - Same key, same request: the stored response is replayed with `Idempotent-Replayed: true`; nothing is written.
 * - Same key, different request: 422 `idempotency_key_reused`.
 * - Same key while the first request is still running: waits up to 10 s for it, then 409 `idempotency_in_progress`.
 * Errors: 422 `invalid_format` (field `Idempotency-Key`) for a malformed key; 413 for a body over 1 MiB (or the
 * endpoint's `maxBodyBytes`, e.g. 8 MiB for bulk URL pushes).
 */
import { createHash } from "node:crypto";
import { AppError } from "@/lib/core/errors";
import {
  claimIdempotencyRecord,
  completeIdempotencyRecord,
  findIdempotencyRecord,
  releaseIdempotencyRecord,
  type IdempotencyRecordRow,
} from "@/lib/db/idempotency";
import { readCapped } from "./request";

export const IDEMPOTENCY_HEADER = "Idempotency-Key";
export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;
const STALE_MS = 5 * 60_000;
const WAIT_MS = 10_000;
const POLL_MS = 50;
const KEPT_HEADERS = ["content-type", "location", "cache-control"];
const KEY_RE = /^[\x21-\x7e]{1,255}$/;

/**
 * Runs `run` once per (`userId`, `key`) and request identity, or replays its stored response (module doc for the
 * rules). The body is read here (capped at `maxBytes`, default 1 MiB) and handed to `run` in a new Request.
 * Throws AppError 422 `invalid_format` (malformed key), 413 `payload_too_large`, 422 `idempotency_key_reused`,
 * 409 `idempotency_in_progress` (the first request still running after 10 s, polled every 50 ms).
 */
export async function withIdempotency(
  req: Request,
  userId: string,
  key: string,
  run: (req: Request) => Promise<Response>,
  maxBytes?: number,
): Promise<Response> {
  if (!KEY_RE.test(key)) {
    throw new AppError("invalid_format", "`Idempotency-Key` must be 1..255 printable ASCII characters without spaces.", {
      field: IDEMPOTENCY_HEADER,
    });
  }
  const bytes = await readCapped(req, maxBytes);
  const url = new URL(req.url);
  const path = url.pathname + url.search;
  const requestHash = createHash("sha256").update(`${req.method}\n${path}\n`).update(bytes).digest("hex");
  const k = { userId, key };

  for (const deadline = Date.now() + WAIT_MS; ; ) {
    const claimed = await claimIdempotencyRecord({
      ...k, method: req.method, path, requestHash, now: new Date(), ttlMs: IDEMPOTENCY_TTL_MS, staleMs: STALE_MS,
    });
    if (claimed) return runAndStore(k, new Request(req.url, { method: req.method, headers: req.headers, body: bytes.byteLength ? new Uint8Array(bytes) : undefined }), run);
    const rec = await findIdempotencyRecord(k);
    if (!rec) continue; // released or expired between our two statements: claim again
    if (rec.method !== req.method || rec.path !== path || rec.requestHash !== requestHash) {
      throw new AppError("idempotency_key_reused", `This Idempotency-Key was used for a different request (${rec.method} ${rec.path}); use a new key.`, {
        field: IDEMPOTENCY_HEADER,
      });
    }
    if (rec.status !== 0) return replay(rec);
    if (Date.now() > deadline) {
      throw new AppError("idempotency_in_progress", "A request with this Idempotency-Key is still being processed; retry shortly.");
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

async function runAndStore(k: { userId: string; key: string }, req: Request, run: (req: Request) => Promise<Response>) {
  let res: Response;
  try {
    res = await run(req);
  } catch (err) {
    await releaseIdempotencyRecord(k);
    throw err;
  }
  if (res.status >= 400) {
    await releaseIdempotencyRecord(k);
    return res;
  }
  const headers: Record<string, string> = {};
  for (const h of KEPT_HEADERS) {
    const v = res.headers.get(h);
    if (v !== null) headers[h] = v;
  }
  await completeIdempotencyRecord({ ...k, status: res.status, body: await res.clone().text(), headers });
  return res;
}

function replay(rec: IdempotencyRecordRow): Response {
  const headers = new Headers(rec.headers);
  headers.set("Idempotent-Replayed", "true");
  const empty = rec.status === 204 || rec.status === 304;
  return new Response(empty ? null : rec.body, { status: rec.status, headers });
}
