/**
 * Character encoding of an HTML body: WHATWG HTML §13.2.3 "determining the character encoding", by the
 * `encoding-sniffer` package (the sniffer cheerio uses): BOM, then the Content-Type charset (transport layer),
 * then the `<meta charset>` / `<meta http-equiv=content-type>` prescan of the first 1024 bytes, then UTF-8 (our
 * default: the web's dominant encoding, where the spec leaves the fallback to the user agent). Labels go through the
 * WHATWG Encoding label table (latin1/ascii/iso-8859-1 → windows-1252; a meta-declared UTF-16 means UTF-8); the
 * bytes are decoded with iconv-lite. Never throws.
 */
import iconv from "iconv-lite";
import { ResultType, Sniffer } from "encoding-sniffer/sniffer";

/** The charset parameter of a Content-Type value as written (quotes removed), or null. */
function charsetOfContentType(contentType: string | null): string | null {
  if (!contentType) return null;
  const m = /;\s*charset\s*=\s*("?)([^";\s]+)\1/i.exec(contentType);
  return m ? m[2] : null;
}

/**
 * The encoding of an HTML body (order in the module doc), as a lower-case WHATWG encoding name that iconv-lite
 * decodes ("utf-8", "windows-1251", "shift_jis" …). An encoding iconv-lite lacks falls back to "utf-8".
 */
export function detectCharset(body: Buffer, contentType: string | null): string {
  const sniffer = new Sniffer({ transportLayerEncodingLabel: charsetOfContentType(contentType) ?? undefined, defaultEncoding: "utf-8" });
  // A valid transport-layer label is overridden by a BOM only: the first 3 bytes decide, no prescan needed.
  sniffer.write(sniffer.resultType === ResultType.PASSED ? body.subarray(0, 3) : body);
  const name = sniffer.encoding.toLowerCase();
  return name === "utf-8" || iconv.encodingExists(name) ? name : "utf-8";
}

/** Decodes HTML bytes to a string with {@link detectCharset}; a leading BOM is removed. */
export function decodeHtml(body: Buffer, contentType: string | null): { text: string; charset: string } {
  const charset = detectCharset(body, contentType);
  if (charset === "utf-8") {
    const start = body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0;
    return { text: body.toString("utf8", start), charset };
  }
  return { text: iconv.decode(body, charset), charset };
}
