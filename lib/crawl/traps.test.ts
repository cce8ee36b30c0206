import { describe, expect, it } from "vitest";
import { DEFAULT_CRAWL_SETTINGS } from "@/lib/core/types";
import { createTrapGuard, hasRepeatedRun } from "./traps";

const O = "https://e.com";
const guard = () => createTrapGuard(DEFAULT_CRAWL_SETTINGS);

describe("trap caps", () => {
  it("documented defaults", () => {
    expect(DEFAULT_CRAWL_SETTINGS).toMatchObject({ maxQueryVariants: 50, maxPathSegments: 30, maxSegmentRepeats: 1, maxDepth: 50 });
  });

  it("query variants: 50 distinct queries per path, then crawl_trap; other paths have their own quota", () => {
    const g = guard();
    for (let i = 0; i < 50; i++) expect(g.check(`${O}/cal?month=${i}`, O.length)).toBeNull();
    expect(g.check(`${O}/cal?month=50`, O.length)).toBe("query_variants");
    expect(g.check(`${O}/cal`, O.length)).toBeNull(); // the path itself is not a variant
    expect(g.check(`${O}/other?x=1`, O.length)).toBeNull();
  });

  it("path segments over the cap", () => {
    const g = guard();
    const deep = "/" + Array.from({ length: 30 }, (_, i) => `s${i}`).join("/");
    expect(g.check(O + deep, O.length)).toBeNull();
    expect(g.check(O + deep + "/x", O.length)).toBe("path_segments");
  });

  it("repeated runs of 1–3 segments: one repeat allowed, two not", () => {
    expect(hasRepeatedRun(["docs", "guide", "guide", "intro"], 1)).toBe(false);
    expect(hasRepeatedRun(["docs", "guide", "guide", "guide", "intro"], 1)).toBe(true);
    expect(hasRepeatedRun(["x", "y", "x", "y"], 1)).toBe(false);
    expect(hasRepeatedRun(["x", "y", "x", "y", "x", "y"], 1)).toBe(true);
    expect(hasRepeatedRun(["a", "b", "c", "a", "b", "c", "a", "b", "c"], 1)).toBe(true);
    expect(hasRepeatedRun(["2024", "01", "01"], 1)).toBe(false);
    expect(hasRepeatedRun(["a", "", "a", "", "a"], 1)).toBe(true); // empty segments skipped
    const g = guard();
    expect(g.check(`${O}/docs/guide/guide/intro`, O.length)).toBeNull();
    expect(g.check(`${O}/docs/guide/guide/guide/intro`, O.length)).toBe("repeated_segments");
  });
});
