import { describe, expect, it } from "vitest";
import {
  EMPTY_RUN_URL_FILTERS,
  reasonDetail,
  runChangesPath,
  runDuplicatesPath,
  runPageHref,
  runUrlFiltersFrom,
  runUrlFiltersSearch,
  runUrlsCsvHref,
  runUrlsPath,
  shortUrl,
} from "./run-urls";

const params = (path: string) => Object.fromEntries(new URL(path, "http://x").searchParams);

describe("run page query strings", () => {
  it("round-trips the URL table's filters through the page query string", () => {
    const f = { listed: "excluded" as const, reason: "redirect", status: "301", q: "/tutorial & more", sort: "inlinks:desc" as const, cluster: "ab".repeat(32) };
    const search = runUrlFiltersSearch(f);
    expect(search.startsWith("?")).toBe(true);
    expect(runUrlFiltersFrom(new URLSearchParams(search.slice(1)))).toEqual(f);
    expect(runUrlFiltersSearch(EMPTY_RUN_URL_FILTERS)).toBe("");
  });

  it("ignores malformed values in the page query string", () => {
    expect(runUrlFiltersFrom(new URLSearchParams("listed=maybe&status=4040&q="))).toEqual(EMPTY_RUN_URL_FILTERS);
    expect(runUrlFiltersFrom(new URLSearchParams("status=abc")).status).toBe("");
    expect(runUrlFiltersFrom(new URLSearchParams("cluster=not-a-hash")).cluster).toBe("");
    expect(runUrlFiltersFrom(new URLSearchParams("reason=no_such_reason")).reason).toBe("");
    // URL order is the default and is not spelled out; an order the table does not offer is ignored.
    expect(runUrlFiltersFrom(new URLSearchParams("sort=url:asc")).sort).toBe("");
    expect(runUrlFiltersFrom(new URLSearchParams("sort=lastmod:desc")).sort).toBe("");
    expect(runUrlFiltersSearch({ ...EMPTY_RUN_URL_FILTERS, sort: "url:asc" })).toBe("");
    expect(runUrlFiltersSearch({ ...EMPTY_RUN_URL_FILTERS, status: "40", q: "   " })).toBe("");
  });

  it("maps filters to the list grammar of GET /api/v1/runs/{id}/urls", () => {
    const path = runUrlsPath("run 1", { listed: "excluded", reason: "", status: "404", q: " 50% " }, "CUR", 50);
    expect(path.startsWith("/api/v1/runs/run%201/urls?")).toBe(true);
    expect(params(path)).toEqual({
      "filter[listed]": "false",
      "filter[status]": "404",
      "filter[url][contains]": "50%",
      sort: "url:asc",
      size: "50",
      cursor: "CUR",
    });
    // A reason names excluded URLs by itself; listed-only maps to included=true.
    expect(params(runUrlsPath("r", { listed: "excluded", reason: "redirect", status: "", q: "" }, null))).toEqual({
      "filter[reason]": "redirect",
      sort: "url:asc",
      size: "50",
    });
    expect(params(runUrlsPath("r", { ...EMPTY_RUN_URL_FILTERS, listed: "listed" }, null))["filter[listed]"]).toBe("true");
    expect(params(runUrlsPath("r", { ...EMPTY_RUN_URL_FILTERS, sort: "inlinks:desc" }, null)).sort).toBe("inlinks:desc");
  });

  it("a duplicate cluster filters the table (filter[cluster]); the duplicates list pages by cursor, largest first", () => {
    const id = "0f".repeat(32);
    expect(runPageHref("r", { cluster: id })).toBe(`/dashboard/runs/r?cluster=${id}#run-urls`);
    expect(params(runUrlsPath("r", { ...EMPTY_RUN_URL_FILTERS, cluster: id }, null))["filter[cluster]"]).toBe(id);
    expect(params(runDuplicatesPath("run 1", "CUR"))).toEqual({ sort: "size:desc", size: "10", members: "10", cursor: "CUR" });
    expect(runDuplicatesPath("run 1", null).startsWith("/api/v1/runs/run%201/duplicates?")).toBe(true);
  });

  it("downloads the whole filtered inventory as CSV (no page size or cursor)", () => {
    expect(params(runUrlsCsvHref("r", { ...EMPTY_RUN_URL_FILTERS, reason: "noindex_meta" }))).toEqual({
      "filter[reason]": "noindex_meta",
      sort: "url:asc",
      format: "csv",
    });
  });

  it("pages the changes of one kind", () => {
    expect(params(runChangesPath("r", "removed", "C", 20))).toEqual({ "filter[kind]": "removed", size: "20", cursor: "C" });
    expect(params(runChangesPath("r", null, null))).toEqual({ size: "20" });
  });

  it("links to the run page, filtered and scrolled to the table when a filter is given", () => {
    expect(runPageHref("abc")).toBe("/dashboard/runs/abc");
    expect(runPageHref("abc", { reason: "robots_disallowed" })).toBe("/dashboard/runs/abc?reason=robots_disallowed#run-urls");
    expect(runPageHref("abc", {})).toBe("/dashboard/runs/abc");
  });
});

describe("URL table cells", () => {
  it("shortens same-origin URLs only", () => {
    expect(shortUrl("http://127.0.0.1:8181/a/b.html?x=1", "http://127.0.0.1:8181")).toBe("/a/b.html?x=1");
    expect(shortUrl("http://127.0.0.1:81810/a", "http://127.0.0.1:8181")).toBe("http://127.0.0.1:81810/a");
    expect(shortUrl("https://other.example/a", null)).toBe("https://other.example/a");
  });

  it("explains a reason by its detail", () => {
    expect(reasonDetail({ target: "http://s/b", redirectKind: "meta_refresh" })).toBe("→ http://s/b (meta refresh)");
    expect(reasonDetail({ target: "http://s/b", redirectKind: "http" })).toBe("→ http://s/b");
    expect(reasonDetail({ robotsRule: "Disallow: /private/", robotsLine: 3 })).toBe("Disallow: /private/ (robots.txt line 3)");
    expect(reasonDetail({ noindex: ["meta", "x-robots-tag"] })).toBe("noindex from the meta tag and X-Robots-Tag");
    expect(reasonDetail(null)).toBeNull();
    expect(reasonDetail({})).toBeNull();
  });
});
