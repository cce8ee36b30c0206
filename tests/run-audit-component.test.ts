/**
 * components/run-audit.tsx rendered on the server (react-dom/server) with a pre-filled query cache: the summary line,
 * the count per kind as filters, one row per finding with its reason and detail, and the CSV link.
 */
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { RunAudit } from "@/components/run-audit";
import { auditKeys, type AuditPage } from "@/lib/client/audit";

const page: AuditPage = {
  data: [
    { url: "https://e.com/moved", kind: "not_indexable", reason: "redirect", detail: { status: 301, target: "https://e.com/about" } },
    { url: "https://e.com/s.xml", kind: "sitemap_error", reason: "doctype", detail: { message: "declares a DOCTYPE" } },
    { url: "https://e.com/unlisted", kind: "missing_from_sitemap", reason: null, detail: null },
  ],
  next_cursor: "abc",
  summary: {
    source: "robots",
    found: true,
    files: [{ url: "https://e.com/sitemap.xml", root: "urlset", locs: 12 }],
    sitemapUrls: 12,
    truncated: false,
    counts: { sitemap_error: 1, not_indexable: 8, not_crawled: 0, missing_from_sitemap: 1, orphan: 1 },
    createdAt: "2026-12-07T12:00:00.000Z",
  },
};

const render = (data: AuditPage | null) => {
  const client = new QueryClient();
  if (data) client.setQueryData(auditKeys.page("run1", "", null), data);
  return renderToStaticMarkup(createElement(QueryClientProvider, { client }, createElement(RunAudit, { runId: "run1" })));
};

describe("RunAudit component", () => {
  it("shows the summary, the kinds with counts, the findings and the CSV link", () => {
    const html = render(page);
    expect(html).toContain("Read from robots.txt Sitemap: lines: 1 file, 12 URLs.");
    expect(html.match(/data-testid="run-audit-kind"/g)).toHaveLength(5);
    expect(html).toMatch(/Not indexable <span[^>]*>8<\/span>/);
    expect(html.match(/data-testid="run-audit-row"/g)).toHaveLength(3);
    expect(html).toContain("HTTP 301");
    expect(html).toContain("→ https://e.com/about");
    expect(html).toContain("declares a DOCTYPE");
    expect(html).toContain('href="/api/v1/runs/run1/audit?format=csv"');
  });

  it("a run without a stored audit says so", () => {
    const html = render({ data: [], next_cursor: null, summary: null });
    expect(html).toContain("No audit stored for this run yet.");
    expect(html).not.toContain("run-audit-csv");
  });
});
