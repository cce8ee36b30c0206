import { describe, expect, it } from "vitest";
import type { CrawlRule } from "@/lib/core/types";
import { compilePattern } from "./pattern";
import { compileRules, ruleError } from "./rules";

const O = "https://e.com";
const decide = (rules: CrawlRule[], path: string) => compileRules(rules)!(O + path, O.length);

describe("compilePattern (robots.txt syntax)", () => {
  it("prefix match, * anywhere, $ at the end only", () => {
    expect(compilePattern("/blog/")("/blog/post")).toBe(true);
    expect(compilePattern("/blog/")("/blog")).toBe(false);
    expect(compilePattern("*.pdf$")("/a/b.pdf")).toBe(true);
    expect(compilePattern("*.pdf$")("/a/b.pdf?x")).toBe(false);
    expect(compilePattern("/a$b")("/a$bc")).toBe(true); // $ inside is literal
    expect(compilePattern("")("/anything")).toBe(true);
  });

  it("is linear on hostile patterns (no backtracking blow-up)", () => {
    const path = "/" + "a".repeat(5000);
    const t = performance.now();
    expect(compilePattern("/*a*a*a*a*a*a*a*a*a*a*b")(path)).toBe(false);
    expect(performance.now() - t).toBeLessThan(500);
  });
});

describe("compileRules", () => {
  it("no rules → null (the crawler skips evaluation)", () => {
    expect(compileRules([])).toBeNull();
    expect(compileRules(undefined)).toBeNull();
  });

  it("first match wins; no match = crawl_list", () => {
    const rules: CrawlRule[] = [
      { action: "crawl_list", pattern: "/blog/keep", syntax: "glob" },
      { action: "exclude", pattern: "/blog/", syntax: "glob" },
      { action: "list_only", pattern: "*.pdf$", syntax: "glob" },
      { action: "crawl_only", pattern: "/tag/[^/]+/page/\\d+", syntax: "regex" },
    ];
    expect(decide(rules, "/blog/keep-this")).toBe("crawl_list");
    expect(decide(rules, "/blog/other")).toBe("exclude");
    expect(decide(rules, "/files/a.pdf")).toBe("list_only");
    expect(decide(rules, "/tag/x/page/3")).toBe("crawl_only");
    expect(decide(rules, "/about")).toBe("crawl_list");
  });

  it("a glob starting with a scheme matches the whole URL; a regex searches the whole URL", () => {
    expect(decide([{ action: "exclude", pattern: "https://e.com/x", syntax: "glob" }], "/x/y")).toBe("exclude");
    expect(decide([{ action: "exclude", pattern: "http://e.com/x", syntax: "glob" }], "/x/y")).toBe("crawl_list");
    expect(decide([{ action: "exclude", pattern: "^https://e\\.com/\\?", syntax: "regex" }], "/?q=1")).toBe("exclude");
    expect(decide([{ action: "exclude", pattern: "[?&]sort=", syntax: "regex" }], "/list?page=2&sort=asc")).toBe("exclude");
  });

  it("ruleError / compileRules reject unusable rules", () => {
    expect(ruleError({ action: "exclude", pattern: "blog", syntax: "glob" })).toMatch(/starts with/);
    expect(ruleError({ action: "exclude", pattern: "(", syntax: "regex" })).toMatch(/Invalid regular expression/);
    expect(ruleError({ action: "nope" as never, pattern: "/x", syntax: "glob" })).toMatch(/Unknown action/);
    expect(ruleError({ action: "exclude", pattern: "/x", syntax: "glob" })).toBeNull();
    expect(() => compileRules([{ action: "exclude", pattern: "(", syntax: "regex" }])).toThrow(TypeError);
  });
});
