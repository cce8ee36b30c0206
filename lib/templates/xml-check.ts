/**
 * A strict, dependency-free XML 1.0 well-formedness checker for template output (the parsers we ship —
 * htmlparser2, xmlbuilder2 — recover from errors, which is what a validator must not do).
 *
 * `checkXml(xml)` walks the document once (O(n), no tree is built) and reports the first well-formedness error with
 * its 1-based line and column, or the elements it saw through a visitor. Checked: optional XML declaration first,
 * exactly one root element, matching start/end tags, attribute syntax (quoted, no `<`, no duplicate names), entity
 * references (only the five predefined ones and numeric references to legal characters), characters legal in XML 1.0,
 * comments (no `--` inside), CDATA sections, processing instructions. A DOCTYPE is refused (no DTDs, so no entity
 * expansion or external fetches), as are names that are not XML names in the ASCII range plus any non-ASCII letter.
 *
 * Errors: never throws; returns `{ ok: false, error: { message, line, column } }`.
 */

export type XmlCheckError = { message: string; line: number; column: number };
export type XmlVisitor = {
  /** An element started: qualified name and its attributes (values unescaped). `depth` 0 = root. */
  open?(name: string, attrs: Record<string, string>, depth: number): void;
  /** Text content of the element at `depth` ended (character data and CDATA, unescaped, concatenated). */
  close?(name: string, text: string, depth: number): void;
};
export type XmlCheckResult = { ok: true; root: string } | { ok: false; error: XmlCheckError };

const NAME = /^[A-Za-z_:\u00C0-\uFFFF][A-Za-z0-9_:.\-\u00B7\u00C0-\uFFFF]*$/;
// XML 1.0 Char production minus what JS strings can hold as lone surrogates (checked separately).
const ILLEGAL_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const PREDEFINED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

class XmlError extends Error {
  constructor(message: string, readonly pos: number) {
    super(message);
  }
}

function legalCodePoint(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/** Unescapes character data or an attribute value starting at `offset` in the document (for error positions). */
function unescape(s: string, offset: number): string {
  if (ILLEGAL_CHAR.test(s)) throw new XmlError("a character that XML 1.0 does not allow", offset + s.search(ILLEGAL_CHAR));
  if (!s.includes("&")) return s;
  return s.replace(/&([^;]{0,12});?/g, (m, ref: string, at: number) => {
    if (!m.endsWith(";")) throw new XmlError("`&` must start an entity reference such as &amp;", offset + at);
    if (ref in PREDEFINED) return PREDEFINED[ref];
    const num = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(ref);
    if (num) {
      const cp = num[1] ? parseInt(num[1], 16) : Number(num[2]);
      if (!legalCodePoint(cp)) throw new XmlError(`character reference ${m} names a character XML does not allow`, offset + at);
      return String.fromCodePoint(cp);
    }
    throw new XmlError(`unknown entity ${m} (only &amp; &lt; &gt; &quot; &apos; and numeric references)`, offset + at);
  });
}

function position(xml: string, pos: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < pos && i < xml.length; i++) if (xml.charCodeAt(i) === 10) (line++, (last = i));
  return { line, column: pos - last };
}

/** Checks `xml` (a decoded string); calls `visitor` for each element. See the module doc. */
export function checkXml(xml: string, visitor: XmlVisitor = {}): XmlCheckResult {
  try {
    return { ok: true, root: walk(xml, visitor) };
  } catch (err) {
    if (err instanceof XmlError) return { ok: false, error: { message: err.message, ...position(xml, err.pos) } };
    throw err;
  }
}

function walk(xml: string, v: XmlVisitor): string {
  const n = xml.length;
  let i = xml.charCodeAt(0) === 0xfeff ? 1 : 0;
  const stack: { name: string; text: string[] }[] = [];
  let root = "";
  let rootClosed = false;
  if (xml.startsWith("<?xml", i) && /\s/.test(xml[i + 5] ?? "")) {
    const end = xml.indexOf("?>", i);
    if (end < 0) throw new XmlError("unterminated XML declaration", i);
    if (!/^<\?xml\s+version\s*=\s*(["'])1\.[0-9]\1(\s+encoding\s*=\s*(["'])[A-Za-z][A-Za-z0-9._-]*\3)?(\s+standalone\s*=\s*(["'])(yes|no)\5)?\s*\?>$/.test(xml.slice(i, end + 2))) {
      throw new XmlError("malformed XML declaration", i);
    }
    i = end + 2;
  }
  while (i < n) {
    const lt = xml.indexOf("<", i);
    const textEnd = lt < 0 ? n : lt;
    if (textEnd > i) {
      const raw = xml.slice(i, textEnd);
      if (raw.includes("]]>")) throw new XmlError("`]]>` is not allowed in character data", i + raw.indexOf("]]>"));
      if (stack.length === 0) {
        if (raw.trim() !== "") throw new XmlError(rootClosed ? "content after the root element" : "text before the root element", i);
        if (ILLEGAL_CHAR.test(raw)) throw new XmlError("a character that XML 1.0 does not allow", i);
      } else stack[stack.length - 1].text.push(unescape(raw, i));
    }
    if (lt < 0) break;
    i = lt;
    if (xml.startsWith("<!--", i)) {
      const end = xml.indexOf("-->", i + 4);
      if (end < 0) throw new XmlError("unterminated comment", i);
      if (xml.slice(i + 4, end).includes("--")) throw new XmlError("`--` inside a comment", i);
      i = end + 3;
    } else if (xml.startsWith("<![CDATA[", i)) {
      if (stack.length === 0) throw new XmlError("CDATA outside the root element", i);
      const end = xml.indexOf("]]>", i + 9);
      if (end < 0) throw new XmlError("unterminated CDATA section", i);
      const data = xml.slice(i + 9, end);
      if (ILLEGAL_CHAR.test(data)) throw new XmlError("a character that XML 1.0 does not allow", i);
      stack[stack.length - 1].text.push(data);
      i = end + 3;
    } else if (xml.startsWith("<!", i)) {
      throw new XmlError("DOCTYPE and other declarations are not allowed", i);
    } else if (xml.startsWith("<?", i)) {
      const end = xml.indexOf("?>", i + 2);
      if (end < 0) throw new XmlError("unterminated processing instruction", i);
      const target = /^[^\s?]+/.exec(xml.slice(i + 2, end))?.[0] ?? "";
      if (!NAME.test(target) || target.toLowerCase() === "xml") throw new XmlError("malformed processing instruction", i);
      i = end + 2;
    } else if (xml.startsWith("</", i)) {
      const end = xml.indexOf(">", i);
      if (end < 0) throw new XmlError("unterminated end tag", i);
      const name = xml.slice(i + 2, end).trimEnd();
      const top = stack.pop();
      if (!top) throw new XmlError(`end tag </${name}> without a start tag`, i);
      if (top.name !== name) throw new XmlError(`end tag </${name}> does not match <${top.name}>`, i);
      v.close?.(name, top.text.join(""), stack.length);
      if (stack.length === 0) rootClosed = true;
      i = end + 1;
    } else {
      const atTop = stack.length === 0;
      const tag = startTag(xml, i, stack, v, rootClosed);
      i = tag.next;
      if (atTop) root = tag.name;
      if (stack.length === 0) rootClosed = true;
    }
  }
  if (stack.length) throw new XmlError(`<${stack[stack.length - 1].name}> is never closed`, n);
  if (!root) throw new XmlError("no root element", 0);
  for (let k = 0; k < n; k++) {
    const c = xml.charCodeAt(k);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = xml.charCodeAt(k + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) throw new XmlError("a lone surrogate (broken UTF-16)", k);
      k++;
    } else if (c >= 0xdc00 && c <= 0xdfff) throw new XmlError("a lone surrogate (broken UTF-16)", k);
  }
  return root;
}

function startTag(xml: string, i: number, stack: { name: string; text: string[] }[], v: XmlVisitor, rootClosed: boolean): { next: number; name: string } {
  if (stack.length === 0 && rootClosed) throw new XmlError("a second root element", i);
  const m = /^<([^\s/>]+)/.exec(xml.slice(i, i + 300));
  if (!m || !NAME.test(m[1])) throw new XmlError("`<` must start a tag (escape it as &lt;)", i);
  const name = m[1];
  let j = i + m[0].length;
  const attrs: Record<string, string> = {};
  for (;;) {
    const ws = /^\s*/.exec(xml.slice(j, j + 200))![0].length;
    j += ws;
    if (xml.startsWith("/>", j) || xml[j] === ">") break;
    if (j >= xml.length) throw new XmlError(`unterminated start tag <${name}>`, i);
    if (ws === 0) throw new XmlError(`attributes of <${name}> must be separated by white space`, j);
    const a = /^([^\s=/>]+)\s*=\s*(["'])/.exec(xml.slice(j, j + 300));
    if (!a || !NAME.test(a[1])) throw new XmlError(`malformed attribute in <${name}>`, j);
    const valueStart = j + a[0].length;
    const close = xml.indexOf(a[2], valueStart);
    if (close < 0) throw new XmlError(`unterminated attribute value in <${name}>`, j);
    const raw = xml.slice(valueStart, close);
    if (raw.includes("<")) throw new XmlError("`<` inside an attribute value", valueStart + raw.indexOf("<"));
    if (a[1] in attrs) throw new XmlError(`duplicate attribute ${a[1]} in <${name}>`, j);
    attrs[a[1]] = unescape(raw, valueStart);
    j = close + 1;
  }
  v.open?.(name, attrs, stack.length);
  if (xml[j] === ">") {
    stack.push({ name, text: [] });
    return { next: j + 1, name };
  }
  v.close?.(name, "", stack.length);
  return { next: j + 2, name };
}
