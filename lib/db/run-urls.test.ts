import { describe, expect, it } from "vitest";
import type { CrawlRecord } from "@/lib/core/types";
import { inventoryColumns } from "./run-urls";

const base: CrawlRecord = { url: "https://x.test/a", status: 200, included: true, reason: null, lastmod: null, depth: 1 };

describe("inventoryColumns (the RunUrl inventory columns of a record)", () => {
  it("copies found on, inlinks, content type and detail", () => {
    const r: CrawlRecord = { ...base, foundOn: "https://x.test/", inlinks: 4, contentType: "text/html", detail: { noindex: ["meta"] } };
    expect(inventoryColumns(r, null)).toEqual({ foundOn: "https://x.test/", inlinks: 4, contentType: "text/html", lastmodSource: null, detail: { noindex: ["meta"] } });
    expect(inventoryColumns(base, null)).toEqual({ foundOn: null, inlinks: 0, contentType: null, lastmodSource: null, detail: null });
  });

  it("names the lastmod source from what dated it: the content hash, else Last-Modified", () => {
    const at = new Date("2026-01-01T00:00:00Z");
    expect(inventoryColumns({ ...base, contentHash: "h" }, at).lastmodSource).toBe("content");
    expect(inventoryColumns({ ...base, lastmod: at.toISOString() }, at).lastmodSource).toBe("server");
    expect(inventoryColumns({ ...base, contentHash: "h" }, null).lastmodSource).toBeNull();
  });

  it("gives a redirect its kind: http for a 3xx, or the record's redirectKind (meta refresh)", () => {
    const hop: CrawlRecord = { ...base, status: 301, included: false, reason: "redirect", target: "https://x.test/b" };
    expect(inventoryColumns(hop, null).detail).toEqual({ redirectKind: "http" });
    const meta = { ...hop, status: 200, redirectKind: "meta_refresh" } as CrawlRecord;
    expect(inventoryColumns(meta, null).detail).toEqual({ redirectKind: "meta_refresh" });
    expect(inventoryColumns({ ...base, reason: "http_error", included: false }, null).detail).toBeNull();
  });
});
