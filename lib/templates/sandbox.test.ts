import { describe, expect, it } from "vitest";
import { parseTemplate, renderTemplate, TemplateRenderError, TemplateSyntaxError, TEMPLATE_LIMITS } from "./sandbox";

const renderErr = async (src: string, data: Record<string, unknown> = {}, opts = {}) => {
  try {
    await renderTemplate(src, data, opts);
  } catch (e) {
    return e as Error;
  }
  throw new Error("rendered without error");
};

describe("template sandbox", () => {
  it("renders loops and filters and escapes every output for XML", async () => {
    const out = await renderTemplate("{% for u in urls %}<loc>{{ u.loc }}</loc>{% endfor %}|{{ t | upcase }}", {
      urls: [{ loc: "https://e.com/?a=1&b=<2>" }, { loc: "https://e.com/'\"" }],
      t: "x&y",
    });
    expect(out).toBe("<loc>https://e.com/?a=1&amp;b=&lt;2&gt;</loc><loc>https://e.com/&#39;&#34;</loc>|X&amp;Y");
    expect(await renderTemplate("{{ s | raw }}", { s: "<b>" })).toBe("<b>");
  });

  it.each(["{% include '/etc/passwd' %}", "{% render 'x' %}", "{% layout 'base' %}", "{%- include 'https://evil.example/x' -%}"])(
    "refuses %s at parse time (no file system)",
    (src) => {
      expect(() => parseTemplate(src)).toThrow(TemplateSyntaxError);
      expect(() => parseTemplate(src)).toThrow(/not available: templates cannot read files/);
    },
  );

  it("reports syntax errors with their line", () => {
    const err = (() => {
      try {
        parseTemplate("line one\nline two\n{% if %}");
      } catch (e) {
        return e as TemplateSyntaxError;
      }
    })();
    expect(err).toBeInstanceOf(TemplateSyntaxError);
    expect(err!.line).toBe(3);
    expect(err!.message).toMatch(/line 3/);
    expect(() => parseTemplate("{{ x | no_such_filter }}")).toThrow(/undefined filter/);
    expect(() => parseTemplate("   \n ")).toThrow(/empty/);
    expect(() => parseTemplate("{% for %}")).toThrow(TemplateSyntaxError);
    expect(() => parseTemplate("x".repeat(TEMPLATE_LIMITS.sourceBytes + 1))).toThrow(/longer than/);
  });

  it("hides prototype members (ownPropertyOnly)", async () => {
    const out = await renderTemplate("[{{ o.constructor }}][{{ o.__proto__ }}][{{ o.toString }}][{{ s.constructor.name }}][{{ o.a }}]", { o: { a: 1 }, s: "str" });
    expect(out).toBe("[][][][][1]");
  });

  it("stops a huge loop by the memory limit (before the time limit)", async () => {
    const e = await renderErr("{% for i in (1..100000000) %}x{% endfor %}");
    expect(e).toBeInstanceOf(TemplateRenderError);
    expect((e as TemplateRenderError).reason).toBe("memory");
  });

  it("stops output beyond the byte cap", async () => {
    const e = await renderErr("{% for i in (1..3000) %}{% for j in (1..3000) %}0123456789{% endfor %}{% endfor %}", {}, { outputBytes: 100_000 });
    expect((e as TemplateRenderError).reason).toBe("output_too_large");
    // Exactly at the cap is fine; one byte over is not.
    expect(await renderTemplate("{{ s }}", { s: "é".repeat(5) }, { outputBytes: 10 })).toBe("ééééé");
    expect(((await renderErr("{{ s }}", { s: "é".repeat(5) + "x" }, { outputBytes: 10 })) as TemplateRenderError).reason).toBe("output_too_large");
  });

  it("stops a render that runs past the time limit", async () => {
    // Without the limit this render ends normally (no error) after 16 M iterations.
    const e = await renderErr("{% for i in (1..4000) %}{% for j in (1..4000) %}{% endfor %}{% endfor %}", {}, { renderMs: 300 });
    expect((e as TemplateRenderError).reason).toBe("timeout");
  });
});
