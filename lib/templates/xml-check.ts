/**
 * Strict XML 1.0 well-formedness check of template output, on `saxes` (a non-recovering SAX parser that implements
 * the XML 1.0 well-formedness constraints; the parsers we use for HTML — htmlparser2, cheerio — recover from errors,
 * which is what a validator must not do).
 *
 * `checkXml(xml, visitor?)` parses once, streaming (no tree), and reports the first well-formedness error with its
 * 1-based line and column, or calls the visitor for each element. saxes checks: one root element, matching tags,
 * attribute syntax and uniqueness, only the five predefined entities and numeric references to legal characters,
 * characters legal in XML 1.0, comments, CDATA sections, processing instructions and the XML declaration. A DOCTYPE is
 * refused on top of that (no DTDs, so no entity expansion or external fetches).
 *
 * Errors: never throws; returns `{ ok: false, error: { message, line, column } }`.
 */
import { SaxesParser } from "saxes";

export type XmlCheckError = { message: string; line: number; column: number };
export type XmlVisitor = {
  /** An element started: qualified name and its attributes (values unescaped). `depth` 0 = root. */
  open?(name: string, attrs: Record<string, string>, depth: number): void;
  /** The element at `depth` ended, with its own character data and CDATA (unescaped, concatenated). */
  close?(name: string, text: string, depth: number): void;
};
export type XmlCheckResult = { ok: true; root: string } | { ok: false; error: XmlCheckError };

class Refused extends Error {}

/**
 * Parses `xml` once with saxes and returns `{ ok: true, root }` or the first error with its line and column (module
 * doc). Never throws.
 */
export function checkXml(xml: string, visitor: XmlVisitor = {}): XmlCheckResult {
  const parser = new SaxesParser({ position: true });
  let error: XmlCheckError | null = null;
  let root: string | null = null;
  const stack: { name: string; text: string[] }[] = [];
  const refuse = (message: string): never => {
    // saxes prefixes "line:column: "; the position is reported separately.
    error ??= { message: message.replace(/^\d+:\d+: /, "").replace(/\.$/, ""), line: parser.line, column: parser.column };
    throw new Refused(message);
  };
  parser.on("error", (e) => refuse(e.message));
  parser.on("doctype", () => refuse("a DOCTYPE is not allowed (no DTDs)"));
  parser.on("opentag", (tag) => {
    const attrs: Record<string, string> = {};
    for (const [k, v] of Object.entries(tag.attributes)) attrs[k] = typeof v === "string" ? v : v.value;
    root ??= tag.name;
    visitor.open?.(tag.name, attrs, stack.length);
    stack.push({ name: tag.name, text: [] });
  });
  const addText = (t: string) => void stack[stack.length - 1]?.text.push(t);
  parser.on("text", addText);
  parser.on("cdata", addText);
  parser.on("closetag", (tag) => {
    const top = stack.pop();
    visitor.close?.(tag.name, top ? top.text.join("") : "", stack.length);
  });
  try {
    parser.write(xml).close();
  } catch (e) {
    if (!(e instanceof Refused)) throw e;
  }
  if (error) return { ok: false, error };
  return root === null ? { ok: false, error: { message: "document must contain a root element", line: 1, column: 0 } } : { ok: true, root };
}
