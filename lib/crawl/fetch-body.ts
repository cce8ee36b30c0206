/**
 * Response bodies and headers of lib/crawl/fetch.ts: Content-Encoding decoders (gzip, deflate, br; RFC 9110 §8.4),
 * the capped body reader (`cap` in decoded bytes, compressed input capped too) and header access.
 */
import type { Readable, Transform } from "node:stream";
import zlib from "node:zlib";

/** Builds zlib decoders for a Content-Encoding list (applied in reverse order, RFC 9110 §8.4). Null = unsupported. */
export function decoders(contentEncoding: string | undefined): Transform[] | null {
  if (!contentEncoding) return [];
  const codings = contentEncoding
    .toLowerCase()
    .split(",")
    .map((c) => c.trim())
    .filter((c) => c !== "" && c !== "identity")
    .reverse();
  const out: Transform[] = [];
  for (const c of codings) {
    // Sync flush tolerates a stream cut short by the server: we keep what decoded so far.
    if (c === "gzip" || c === "x-gzip") out.push(zlib.createGunzip({ finishFlush: zlib.constants.Z_SYNC_FLUSH }));
    else if (c === "deflate") out.push(zlib.createInflate({ finishFlush: zlib.constants.Z_SYNC_FLUSH }));
    else if (c === "br") out.push(zlib.createBrotliDecompress({ finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH }));
    else return null;
  }
  return out;
}

/**
 * Reads `body` through `codecs` (decoders, in order) until the end or until `cap` decoded bytes.
 * Plain listeners rather than stream.pipeline(): pipeline allocates an AbortController and a DOMException per
 * call, which showed up as ~4 % of CPU at crawl rates. Compressed input is also capped at `cap` bytes.
 * On truncation or error the socket and decoders are destroyed. Rejects with the stream's or decoder's error.
 */
export function readCapped(
  body: Readable,
  codecs: Transform[],
  cap: number,
  onChunk?: (chunk: Buffer) => void,
): Promise<{ buf: Buffer; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let raw = 0;
    let settled = false;
    const finish = (err: unknown, truncated: boolean) => {
      if (settled) return;
      settled = true;
      if (err || truncated) {
        body.destroy();
        for (const c of codecs) c.destroy();
      }
      if (err) reject(err);
      // Most pages arrive in one chunk: skip the copy then.
      else resolve({ buf: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, onChunk ? 0 : size), truncated });
    };
    for (let i = 0; i + 1 < codecs.length; i++) codecs[i].pipe(codecs[i + 1]);
    const out: Readable = codecs.length > 0 ? codecs[codecs.length - 1] : body;
    const take = onChunk ?? ((c: Buffer) => void chunks.push(c));
    out.on("data", (chunk: Buffer) => {
      if (settled) return;
      if (size + chunk.length > cap) {
        take(chunk.subarray(0, cap - size));
        size = cap;
        finish(null, true);
        return;
      }
      take(chunk);
      size += chunk.length;
    });
    out.on("end", () => finish(null, false));
    out.on("error", (e) => finish(e, false));
    if (codecs.length > 0) {
      const first = codecs[0];
      for (const c of codecs) if (c !== out) c.on("error", (e) => finish(e, false));
      body.on("data", (chunk: Buffer) => {
        if (settled) return;
        raw += chunk.length;
        if (raw > cap) return finish(null, true);
        first.write(chunk);
      });
      body.on("end", () => first.end());
      body.on("error", (e) => finish(e, false));
    }
  });
}

/** Node's raw response headers with lower-case names and undefined values dropped. */
export function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const k in raw) {
    const v = raw[k];
    if (v !== undefined) out[k.toLowerCase()] = v;
  }
  return out;
}

/** First value of a header field (joined with ", " when repeated, RFC 9110 §5.3), or null. */
export function headerValue(headers: Record<string, string | string[]>, name: string): string | null {
  const v = headers[name];
  if (v === undefined) return null;
  return Array.isArray(v) ? v.join(", ") : v;
}
