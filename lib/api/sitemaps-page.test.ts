import { describe, expect, it } from "vitest";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { runDtosByIds } from "@/lib/db/runs";
import { sitemapFacts } from "@/lib/db/sitemap-facts";
import { sitemapPageWithFacts } from "@/lib/db/sitemap-page";
import { insertSitemap, querySitemaps } from "@/lib/db/sitemaps";
import { createUser } from "@/lib/db/users";
import { parseListQuery, sortableFields } from "./list-query";
import { listSitemapsPage, SITEMAP_LIST_SPEC_RUN_SORTS } from "./sitemaps";

// The one-statement page (lib/db/sitemap-page.ts) must return what the Prisma path returns: the same rows (every
// column, same JS types), in the same order, the same cursors, and the facts sitemapFacts reads for those rows.
let n = 0;
for (const backend of testBackends()) {
  describe(`GET /api/v1/sitemaps's one-statement page on ${backend.name}`, () => {
    const t = useTestDb(backend);

    async function seed() {
      const u = await createUser({ email: `sp${++n}-${backend.name}@example.com`, password: "password1" });
      const other = await createUser({ email: `sp${++n}-${backend.name}@example.com`, password: "password1" });
      await insertSitemap({ userId: other.id, data: { name: "Other", startUrl: "https://o.example/", fileName: "o" } });
      const same = new Date("2031-02-03T04:05:06.789Z");
      for (let i = 0; i < 9; i++) {
        const s = await insertSitemap({ userId: u.id, data: { name: `S${i % 3}`, startUrl: `https://s${i}.example/`, fileName: `f${i}` } });
        await t.db.sitemap.update({
          where: { id: s.id },
          data: {
            // Ties on createdAt, name, timezone and active, so the id tie-break decides.
            createdAt: i % 3 === 0 ? same : new Date(same.getTime() + i * 1000),
            updatedAt: new Date(same.getTime() - i * 61_000),
            active: i % 2 === 0,
            timezone: i % 4 === 0 ? "Europe/Berlin" : "UTC",
            userAgent: i % 2 ? `UA ${i}` : null,
            rules: i === 1 ? [{ action: "exclude", pattern: "/x*", syntax: "glob" }] : [],
            subScopes: i === 2 ? [{ key: "de", name: "DE", pathPrefix: "/de/" }] : [],
            queryAllowlist: i === 3 ? ["a", "b"] : [],
            exportPlan: i === 4 ? [3, 15] : [],
            publishGuard: i === 5 ? null : 0.25,
            defaultPriority: i === 6 ? 0.7 : null,
            maxFileSize: 1000 + (i % 2),
          },
        });
      }
      // Facts: one sitemap with runs and published files.
      const [first] = await querySitemaps({ userId: u.id, where: {}, orderBy: [{ id: "asc" }] });
      const run = await t.db.run.create({
        data: { sitemapId: first.id, trigger: "api", status: "succeeded", createdAt: same, startedAt: same, finishedAt: new Date(same.getTime() + 5000), urlsListed: 7 },
      });
      await t.db.sitemapFile.create({ data: { name: "f.xml", kind: "urlset", runId: run.id, sitemapId: first.id, bytes: 1, urlCount: 1, sha256: "x" } });
      await t.db.sitemap.update({ where: { id: first.id }, data: { publishedRunId: run.id } });
      await t.db.run.create({ data: { sitemapId: first.id, trigger: "api", status: "queued", createdAt: new Date(same.getTime() + 9000) } });
      // Another with a finished run carrying every kind of column and an audit summary.
      const [, second] = await querySitemaps({ userId: u.id, where: {}, orderBy: [{ id: "asc" }] });
      const done = await t.db.run.create({
        data: {
          sitemapId: second.id, trigger: "schedule", status: "failed", createdAt: same, startedAt: same, finishedAt: new Date(same.getTime() + 1234),
          bytesWritten: 5_000_000_000n, excludedByReason: { robots: 2 }, errorCode: "site_unreachable", errorDetail: { status: 503 },
          warnings: ["robots_unreachable"], subScopes: ["de"], scheduledFor: same, urlsWritten: 3, kind: "export",
        },
      });
      await t.db.runAudit.create({ data: { runId: done.id, source: "robots", found: true, sitemapUrls: 2, counts: { missing: 1 } } });
      return u.id;
    }

    it("pages every column sort, both directions, exactly as the Prisma path (rows, cursors, facts)", async () => {
      const userId = await seed();
      const columnSorts = sortableFields(SITEMAP_LIST_SPEC_RUN_SORTS).filter((f) => SITEMAP_LIST_SPEC_RUN_SORTS.fields[f].column);
      expect(columnSorts).toEqual(expect.arrayContaining(["createdAt", "name", "templateId", "active", "number", "id"]));
      for (const field of columnSorts) {
        for (const dir of ["asc", "desc"]) {
          let cursor: string | null = null;
          let runsSeen = 0;
          const seen: string[] = [];
          do {
            const params: URLSearchParams = new URLSearchParams({ size: "4", sort: `${field}:${dir}`, ...(cursor ? { cursor } : {}) });
            const q = parseListQuery(params, SITEMAP_LIST_SPEC_RUN_SORTS);
            const fast = await listSitemapsPage(userId, q);
            expect(fast.known, `${field}:${dir} takes the one-statement path`).toBeDefined();
            const viaPrisma = q.page(await querySitemaps({ userId, where: q.where, orderBy: q.orderBy, take: q.take }));
            expect(fast.rows, `${field}:${dir}`).toEqual(viaPrisma.rows);
            expect(fast.nextCursor).toBe(viaPrisma.nextCursor);
            const facts = await sitemapFacts(fast.rows);
            expect(new Map([...fast.known!.facts].filter(([id]) => fast.rows.some((r) => r.id === id)))).toEqual(facts);
            // The newest runs' DTOs as runDtosByIds reads them (Prisma, audit included).
            const newest = [...facts.values()].flatMap((f) => (f.latestRun ? [f.latestRun.id] : []));
            expect(new Map([...fast.known!.runs].filter(([id]) => newest.includes(id)))).toEqual(await runDtosByIds(newest));
            runsSeen += newest.length;
            seen.push(...fast.rows.map((r) => r.id));
            cursor = fast.nextCursor;
          } while (cursor);
          expect(seen.length, `${field}:${dir} lists each of the 9 once`).toBe(9);
          expect(new Set(seen).size).toBe(9);
          expect(runsSeen, "two sitemaps have runs").toBe(2);
        }
      }
    });

    it("a filtered list and a sort on run facts keep the Prisma path; unknown columns are refused by the raw path", async () => {
      const userId = await seed();
      const filtered = await listSitemapsPage(userId, parseListQuery(new URLSearchParams({ "filter[name]": "S1" }), SITEMAP_LIST_SPEC_RUN_SORTS));
      expect(filtered.known).toBeUndefined();
      expect(filtered.rows.map((r) => r.name)).toEqual(["S1", "S1", "S1"]);
      const byRun = await listSitemapsPage(userId, parseListQuery(new URLSearchParams({ sort: "lastSucceededAt:desc" }), SITEMAP_LIST_SPEC_RUN_SORTS));
      expect(byRun.known).toBeUndefined();
      expect(byRun.rows).toHaveLength(9);
      expect(await sitemapPageWithFacts({ userId, column: "authEncrypted", idColumn: "id", dir: "asc", nullable: true, after: null, take: 5 })).toBeNull();
    });
  });
}
