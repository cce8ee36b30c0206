/**
 * The compatibility adapters' OpenAPI area lists exactly the handlers of the adapter route files (walked on disk),
 * with resolvable body schemas and path parameters matching the templates.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { COMPAT_OPENAPI_AREA } from "@/lib/api/openapi-compat";

const APP = path.resolve(__dirname, "../../app");
const ROOTS = ["api/import", "api/[method]", "api/shop", "v1"];
const HANDLER_RE = /export const (GET|POST|PUT|PATCH|DELETE) = (?:compatRoute|shopRoute)\b/g;

function routesOnDisk(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === "route.ts") {
        const rel = path.relative(APP, dir).split(path.sep);
        const apiPath = rel.map((s) => "/" + s.replace(/^\[(\w+)\]$/, "{$1}")).join("");
        for (const m of fs.readFileSync(full, "utf8").matchAll(HANDLER_RE)) out.push(`${m[1]} ${apiPath}`);
      }
    }
  };
  for (const r of ROOTS) walk(path.join(APP, r));
  return out.sort();
}

describe("COMPAT_OPENAPI_AREA", () => {
  it("documents exactly the adapter handlers on disk", () => {
    const onDisk = routesOnDisk();
    expect(onDisk.length).toBeGreaterThanOrEqual(17);
    expect(COMPAT_OPENAPI_AREA.endpoints.map((e) => `${e.method} ${e.path}`).sort()).toEqual(onDisk);
  });

  it("body schemas exist; success and error lists are non-empty; no path under /api/v1", () => {
    for (const e of COMPAT_OPENAPI_AREA.endpoints) {
      if (e.body) expect(COMPAT_OPENAPI_AREA.schemas, e.path).toHaveProperty(e.body);
      expect(e.success.length, e.path).toBeGreaterThan(0);
      expect(e.errors, e.path).toContain("unauthorized");
      expect(e.path.startsWith("/api/v1")).toBe(false);
    }
  });
});
