import { describe, expect, it } from "vitest";
import { checkXml } from "./xml-check";
import { SITEMAP_NS, validateFeedXml, validateUrlsetXml } from "./validate";

const urlset = (body: string, ns = SITEMAP_NS) => `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="${ns}">${body}</urlset>`;

describe("checkXml (strict well-formedness)", () => {
  it.each([
    ["<a><b></a>", /unexpected close tag/],
    // saxes reads a bare `&` as the start of an entity name up to the end: refused, reported as the unclosed element.
    ["<a>x & y</a>", /unclosed tag/],
    ["<a>&nbsp;</a>", /undefined entity/],
    ["<a></a><b/>", /only one root/],
    ['<a x="1" x="2"/>', /duplicate attribute/],
    ["<a>\u0001</a>", /disallowed character/],
    ["<a><b>", /unclosed tag: b/],
    ["garbage", /outside of root/],
    ["<a/>trailing", /outside of root/],
    ['<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>', /DOCTYPE/],
    ["<a>]]></a>", /]]>/],
    ['<a b="<"/>', /disallowed character/],
    ["<a>&#0;</a>", /malformed character entity/],
    ["<a><!-- x -- y --></a>", /malformed comment/],
    ["", /root element/],
  ])("refuses %j", (xml, why) => {
    const r = checkXml(xml);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(why);
  });

  it("accepts declarations, comments, PIs, CDATA, entities and reports the line of an error", () => {
    expect(checkXml('<?xml version="1.0" encoding="UTF-8"?>\n<?xml-stylesheet href="s.xsl"?>\n<!-- c --><a x=\'1\'><![CDATA[<raw>]]>&amp;&#x1F600;</a>\n')).toEqual({ ok: true, root: "a" });
    const r = checkXml("<a>\n<b>\n</c>\n</a>");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.line).toBe(3);
  });
});

describe("validateUrlsetXml", () => {
  it("accepts a correct urlset and counts URLs", () => {
    const v = validateUrlsetXml(urlset("<url><loc>https://e.com/</loc></url><url><loc>https://e.com/a?x=1&amp;y=2</loc></url>"));
    expect(v).toMatchObject({ ok: true, errors: [], urlCount: 2 });
  });
  it("requires the sitemaps.org namespace, absolute locs ≤ 2,048 chars, one loc per url", () => {
    expect(validateUrlsetXml(urlset("<url><loc>https://e.com/</loc></url>", "http://example.com/ns")).errors.join()).toMatch(/root element must be/);
    expect(validateUrlsetXml("<sitemapindex/>").ok).toBe(false);
    expect(validateUrlsetXml(urlset("<url><loc>/relative</loc></url>")).errors.join()).toMatch(/not an absolute/);
    expect(validateUrlsetXml(urlset("<url><loc>javascript:alert(1)</loc></url>")).ok).toBe(false);
    expect(validateUrlsetXml(urlset(`<url><loc>https://e.com/${"a".repeat(2048)}</loc></url>`)).errors.join()).toMatch(/at most 2048/);
    expect(validateUrlsetXml(urlset(`<url><loc>https://e.com/${"a".repeat(2048 - 16)}</loc></url>`)).ok).toBe(true);
    expect(validateUrlsetXml(urlset("<url></url>")).errors.join()).toMatch(/0 <loc>/);
  });
  it("enforces the URL count and byte limits", () => {
    const body = "<url><loc>https://e.com/</loc></url>".repeat(11);
    expect(validateUrlsetXml(urlset(body), { maxUrls: 10 }).errors.join()).toMatch(/11 URLs/);
    expect(validateUrlsetXml(urlset(body), { maxUrls: 11 }).ok).toBe(true);
    const xml = urlset(body);
    expect(validateUrlsetXml(xml, { maxBytes: Buffer.byteLength(xml) }).ok).toBe(true);
    expect(validateUrlsetXml(xml, { maxBytes: Buffer.byteLength(xml) - 1 }).errors.join()).toMatch(/bytes/);
  });
  it("reports malformed output with a line", () => {
    const v = validateUrlsetXml(urlset("\n<url><loc>https://e.com/?a&b</loc></url>"));
    expect(v.ok).toBe(false);
    expect(v.errors[0]).toMatch(/Not well-formed XML \(line 3/);
  });
});

describe("validateFeedXml", () => {
  it("accepts RSS 2.0 and Atom, refuses other roots", () => {
    expect(validateFeedXml('<rss version="2.0"><channel><item/><item/></channel></rss>')).toMatchObject({ ok: true, urlCount: 2 });
    expect(validateFeedXml('<feed xmlns="http://www.w3.org/2005/Atom"><entry/></feed>')).toMatchObject({ ok: true, urlCount: 1 });
    expect(validateFeedXml('<rss version="0.91"><channel/></rss>').ok).toBe(false);
    expect(validateFeedXml("<feed><entry/></feed>").ok).toBe(false);
    expect(validateFeedXml("<html/>").ok).toBe(false);
  });
});
