/**
 * The audit of a site's own sitemaps through a real run (crawl step on a loopback fixture site whose sitemaps hold
 * every kind of problem) and GET /api/v1/runs/{id}/audit: list grammar, ?kind=, CSV, ownership, bad input; both backends.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next-auth", async (orig) => ({ ...(await orig<typeof import("next-auth")>()), getServerSession: vi.fn(async () => null) }));

import { GET as getAudit } from "@/app/api/v1/runs/[id]/audit/route";
import { GET as getRunRoute } from "@/app/api/v1/runs/[id]/route";
import { claimRun } from "@/lib/db/runs";
import { storeRunAudit } from "@/lib/db/run-audit";
import type { AuditFinding, SiteSitemapAudit } from "@/lib/crawl/site-audit";
import { crawlRun } from "@/lib/runs/execute";
import { ZRunAuditFindingDto, ZRunAuditSummaryDto } from "@/lib/schemas/audit";
import { ZRunDto } from "@/lib/schemas/runs";
import { ZListBody } from "@/lib/schemas/common";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { AUDIT_SITE_EXPECTED, findingLine, startAuditSite } from "@/tests/helpers/audit-site";
import type { TestSite } from "@/tests/helpers/site";
import { ctx, expectError, expectRateLimitHeaders, mockSession, req, seedUser } from "./helpers";

afterEach(() => mockSession(null));

let site: TestSite;
beforeAll(async () => {
  site = await startAuditSite();
  process.env.CRAWL_ALLOW_HOSTS = site.hostPort;
});
afterAll(() => site.close());

const ZPage = ZListBody(ZRunAuditFindingDto.strict()).extend({ summary: ZRunAuditSummaryDto.strict().nullable() });

for (const backend of testBackends()) {
  describe(`sitemap audit of a run on ${backend.name}`, () => {
    const t = useTestDb(backend);
    let alice: Awaited<ReturnType<typeof seedUser>>;
    let bob: Awaited<ReturnType<typeof seedUser>>;
    let runId = "";

    beforeAll(async () => {
      alice = await seedUser();
      bob = await seedUser();
      const sm = await t.db.sitemap.create({ data: { userId: alice.id, name: "Audit", startUrl: `${site.origin}/`, fileName: "site", concurrency: 2 } });
      runId = (await claimRun({ sitemapId: sm.id, trigger: "api" }))!.id;
    });

    const get = (query: string, key = alice.key, headers: Record<string, string> = {}) =>
      getAudit(req("GET", `/api/v1/runs/${runId}/audit${query}`, { key, headers }), ctx({ id: runId }));

    const runDto = async () => ZRunDto.strict().parse((await (await getRunRoute(req("GET", `/api/v1/runs/${runId}`, { key: alice.key }), ctx({ id: runId }))).json()).data);

    it("before the crawl: no findings, summary null, the run DTO's audit null", async () => {
      const body = ZPage.parse(await (await get("")).json());
      expect(body).toEqual({ data: [], next_cursor: null, summary: null });
      expect((await runDto()).audit).toBeNull();
    });

    it("the crawl step stores every kind of finding against the stored inventory", async () => {
      const step = await crawlRun(runId);
      expect(step.audit).toEqual({ sitemap_error: 3, not_indexable: 8, not_crawled: 0, missing_from_sitemap: 1, orphan: 1 });
      const res = await get("?size=300");
      expect(res.status).toBe(200);
      expectRateLimitHeaders(res);
      const body = ZPage.parse(await res.json());
      expect(body.data.map((f) => findingLine(site.origin, f)).sort()).toEqual(AUDIT_SITE_EXPECTED);
      expect(body.summary).toMatchObject({ source: "robots", found: true, truncated: false, sitemapUrls: 12 });
      expect(body.summary!.files.map((f) => f.url.slice(site.origin.length))).toEqual([
        "/sitemap_index.xml",
        "/sitemap-pages.xml",
        "/sitemap-more.xml.gz",
        "/sitemap-broken.xml",
        "/sitemap-missing.xml",
        "/sitemap-html.xml",
      ]);
      const urls = body.data.map((f) => f.url);
      expect(urls).toEqual([...urls].sort()); // url:asc by default
      // The run DTO carries the audit in brief: the same counts, their total, and the findings' path.
      expect((await runDto()).audit).toEqual({
        found: true,
        source: "robots",
        sitemapUrls: 12,
        counts: { sitemap_error: 3, not_indexable: 8, not_crawled: 0, missing_from_sitemap: 1, orphan: 1 },
        issues: 13,
        href: `/api/v1/runs/${runId}/audit`,
      });
    });

    it("filters by kind (filter[kind] or ?kind=) and reason, pages with the cursor", async () => {
      const a = ZPage.parse(await (await get("?kind=not_indexable&size=3")).json());
      expect(a.data).toHaveLength(3);
      expect(a.data.every((f) => f.kind === "not_indexable")).toBe(true);
      const b = ZPage.parse(await (await get(`?kind=not_indexable&size=300&cursor=${a.next_cursor}`)).json());
      expect(a.data.length + b.data.length).toBe(8);
      const c = ZPage.parse(await (await get("?filter[reason]=redirect")).json());
      expect(c.data).toEqual([{ url: `${site.origin}/moved`, kind: "not_indexable", reason: "redirect", detail: { status: 301, target: `${site.origin}/about` } }]);
      const d = ZPage.parse(await (await get("?filter[kind]=orphan")).json());
      expect(d.data.map((f) => f.url)).toEqual([`${site.origin}/orphan`]);
    });

    it("CSV with ?format=csv or Accept: text/csv, filtered like the list", async () => {
      const res = await get("?format=csv");
      expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
      const lines = (await res.text()).split("\r\n");
      expect(lines[0]).toBe("url,kind,reason,status,target,message");
      expect(lines.at(-1)).toBe("");
      expect(lines).toHaveLength(AUDIT_SITE_EXPECTED.length + 2);
      expect(lines).toContain(`${site.origin}/moved,not_indexable,redirect,301,${site.origin}/about,`);
      const viaAccept = await (await get("?kind=missing_from_sitemap", alice.key, { accept: "text/csv" })).text();
      expect(viaAccept).toBe(`url,kind,reason,status,target,message\r\n${site.origin}/unlisted,missing_from_sitemap,,,,\r\n`);
    });

    it("bad input is a 400 in the envelope; another user's run is a 404", async () => {
      await expectError(await get("?kind=everything"), 400, "invalid_value", "kind");
      await expectError(await get("?format=xml"), 400, "invalid_value", "format");
      await expectError(await get("?sort=status:asc"), 400, "unknown_field", "status");
      await expectError(await get("", bob.key), 404, "not_found");
      await expectError(await get("?format=csv", bob.key), 404, "not_found");
    });

    it("a retried (resumed) crawl step rewrites the findings once, without orphans (it did not see every link)", async () => {
      await t.db.run.update({ where: { id: runId }, data: { status: "running" } });
      const step = await crawlRun(runId);
      expect(step.resumed).toBe(true);
      const rows = await t.db.runAuditFinding.findMany({ where: { runId } });
      expect(rows.map((f) => findingLine(site.origin, f)).sort()).toEqual(AUDIT_SITE_EXPECTED.filter((l) => !l.startsWith("orphan")));
    });

    it("many findings: written in batches, CSV streamed across keyset pages in URL order, a formula is defused", async () => {
      const sm = await t.db.sitemap.create({ data: { userId: alice.id, name: "Big", startUrl: "https://big.example/", fileName: "big" } });
      const big = (await claimRun({ sitemapId: sm.id, trigger: "api" }))!.id;
      const audit: SiteSitemapAudit = { source: "default", found: true, files: [], problems: [], urls: [], truncated: false, startUrl: "https://big.example/" };
      async function* findings(): AsyncGenerator<AuditFinding> {
        for (let i = 0; i < 2_500; i++) yield { url: `https://big.example/p${String(i).padStart(5, "0")}`, kind: "missing_from_sitemap", reason: null, detail: null };
        yield { url: "https://big.example/s.xml", kind: "sitemap_error", reason: "xml_error", detail: { message: "=HYPERLINK(\"x\")" } };
      }
      expect(await storeRunAudit(big, audit, findings())).toMatchObject({ missing_from_sitemap: 2_500, sitemap_error: 1 });
      const res = await getAudit(req("GET", `/api/v1/runs/${big}/audit?format=csv`, { key: alice.key }), ctx({ id: big }));
      const lines = (await res.text()).split("\r\n").slice(1, -1);
      expect(lines).toHaveLength(2_501);
      const urls = lines.map((l) => l.split(",")[0]);
      expect(urls).toEqual([...urls].sort());
      expect(new Set(urls).size).toBe(2_501);
      expect(lines).toContain(`https://big.example/s.xml,sitemap_error,xml_error,,,"'=HYPERLINK(""x"")"`);
      const page = ZPage.parse(await (await getAudit(req("GET", `/api/v1/runs/${big}/audit?size=300&filter[url][contains]=p0249`, { key: alice.key }), ctx({ id: big }))).json());
      expect(page.data.map((f) => f.url)).toEqual(Array.from({ length: 10 }, (_, i) => `https://big.example/p0249${i}`));
    });
  });
}
