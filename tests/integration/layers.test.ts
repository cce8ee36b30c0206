/**
 * The layering rule of ARCHITECTURE.md: lib/ never imports app/ (routes, pages) or inngest/ (functions). Reads every
 * non-test source file under lib/ and looks for static or dynamic imports of "@/app/…" or "@/inngest…" (comments
 * are stripped first, so a doc line naming a route does not count).
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "..", "..");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [p] : [];
  });
}

const stripComments = (src: string) => src.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
const UPWARD = /(?:from\s*|import\s*\(\s*)["']@\/(?:app|inngest)(?:\/|["'])/;

describe("layers", () => {
  it("no module under lib/ imports app/ or inngest/", () => {
    const offenders = sources(path.join(ROOT, "lib"))
      .filter((f) => UPWARD.test(stripComments(readFileSync(f, "utf8"))))
      .map((f) => path.relative(ROOT, f));
    expect(offenders).toEqual([]);
  });

  it("the check sees an upward import (so an empty list means something)", () => {
    expect(UPWARD.test(stripComments('const r = await import("@/app/api/inngest/route");'))).toBe(true);
    expect(UPWARD.test(stripComments('import { functions } from "@/inngest";'))).toBe(true);
    expect(UPWARD.test(stripComments('// passes () => import("@/app/api/inngest/route")'))).toBe(false);
  });
});
