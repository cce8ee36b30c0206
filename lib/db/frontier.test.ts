/**
 * The persisted crawl state of a run (lib/db/frontier.ts) on PGlite and PostgreSQL: a batch is written as one unit,
 * frontier rows live until their visit finished, and a checkpoint gives back the seen-set, queue and counts.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { CrawlRecord } from "@/lib/core/types";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { claimRun } from "./runs";
import { loadCrawlCheckpoint, loadInventoryTotals, persistCrawlBatch, type CrawlBatch } from "./frontier";

const rec = (url: string, over: Partial<CrawlRecord> = {}): CrawlRecord => ({
  url,
  status: 200,
  included: true,
  reason: null,
  lastmod: null,
  depth: 1,
  ...over,
});
const batch = (b: Partial<CrawlBatch>): CrawlBatch => ({ records: [], pages: [], queued: [], completed: [], ...b });

for (const backend of testBackends()) {
  describe(`crawl checkpoint on ${backend.name}`, () => {
    const t = useTestDb(backend);
    let sitemapId = "";
    let runId = "";
    beforeAll(async () => {
      const user = await t.db.user.create({ data: { email: `fr-${backend.name}@example.com`, passwordHash: "x" } });
      sitemapId = (await t.db.sitemap.create({ data: { userId: user.id, name: "F", startUrl: "https://a.example/", fileName: "f" } })).id;
      runId = (await claimRun({ sitemapId, trigger: "api" }))!.id;
    });

    it("a fresh run has nothing to resume", async () => {
      expect(await loadCrawlCheckpoint(runId)).toEqual({
        resumed: false,
        recorded: [],
        queue: [],
        totals: { pagesFetched: 0, urlsListed: 0, urlsExcluded: 0, excludedByReason: {} },
      });
    });

    it("stores records, queued URLs and finished visits; a checkpoint gives the seen-set, queue (depth, order) and counts", async () => {
      const A = "https://a.example/";
      // Batch 1: the start page's visit: record, 3 links queued, visit finished. Its own push was in no batch.
      await persistCrawlBatch({
        runId,
        sitemapId,
        batch: batch({
          records: [rec(A, { depth: 0, lastmod: "2026-11-01T00:00:00Z" })],
          queued: [{ url: `${A}c`, depth: 1 }, { url: `${A}b`, depth: 1 }, { url: `${A}x`, depth: 1 }],
          completed: [{ url: A, depth: 0 }],
        }),
      });
      // Batch 2: /c recorded and finished (it queued /d at depth 2); /b recorded but its visit cut short (no
      // completion); a robots exclusion; /x queued and finished in the same batch after a redirect record.
      await persistCrawlBatch({
        runId,
        sitemapId,
        batch: batch({
          records: [
            rec(`${A}c`),
            rec(`${A}b`),
            rec(`${A}private`, { status: null, included: false, reason: "robots_disallowed" }),
            rec(`${A}x`, { status: 301, included: false, reason: "redirect", target: `${A}y` }),
            rec(`${A}y`),
            rec(`${A}gone`, { status: null, included: false, reason: "fetch_error" }),
          ],
          queued: [{ url: `${A}d`, depth: 2 }, { url: `${A}e`, depth: 1 }],
          completed: [{ url: `${A}c`, depth: 1 }, { url: `${A}x`, depth: 1 }],
        }),
      });
      const cp = await loadCrawlCheckpoint(runId);
      expect(cp.resumed).toBe(true);
      expect(new Set(cp.recorded)).toEqual(new Set([A, `${A}c`, `${A}b`, `${A}private`, `${A}x`, `${A}y`, `${A}gone`]));
      // /b's visit did not finish: it is visited again; depth 1 before depth 2, queue order within a depth.
      expect(cp.queue).toEqual([
        { url: `${A}b`, depth: 1 },
        { url: `${A}e`, depth: 1 },
        { url: `${A}d`, depth: 2 },
      ]);
      expect(cp.totals).toEqual({
        pagesFetched: 6, // five answers with a status + one network failure; the robots exclusion made no request
        urlsListed: 4,
        urlsExcluded: 3,
        excludedByReason: { robots_disallowed: 1, redirect: 1, fetch_error: 1 },
      });
      const a = await t.db.runUrl.findUnique({ where: { runId_url: { runId, url: A } } });
      expect(a!.lastmod!.toISOString()).toBe("2026-11-01T00:00:00.000Z"); // no hash: the header's date
    });

    it("is idempotent: the same batch written twice changes nothing; a redone visit does not record twice", async () => {
      const A = "https://a.example/";
      const again = batch({ records: [rec(`${A}b`)], queued: [], completed: [{ url: `${A}b`, depth: 1 }] });
      await persistCrawlBatch({ runId, sitemapId, batch: again });
      await persistCrawlBatch({ runId, sitemapId, batch: again });
      expect(await t.db.runUrl.count({ where: { runId, url: `${A}b` } })).toBe(1);
      expect((await loadCrawlCheckpoint(runId)).queue.map((q) => q.url)).toEqual([`${A}e`, `${A}d`]);
      expect((await loadInventoryTotals(runId)).urlsListed).toBe(4);
    });

    it("stores hashed pages' first-seen time as their lastmod, in the same transaction", async () => {
      const url = "https://a.example/hashed";
      await persistCrawlBatch({
        runId,
        sitemapId,
        batch: batch({
          records: [rec(url, { contentHash: "f".repeat(64), lastmod: "2026-10-10T10:10:10Z" })],
          pages: [
            {
              url,
              contentHash: "f".repeat(64),
              etag: null,
              lastModified: "Sat, 10 Oct 2026 10:10:10 GMT",
              lastModifiedIso: "2026-10-10T10:10:10Z",
              seenAt: new Date("2026-11-22T12:00:00Z"),
              snapshot: null,
              replayed: false,
            },
          ],
        }),
      });
      const row = (await t.db.runUrl.findUnique({ where: { runId_url: { runId, url } } }))!;
      expect(row.lastmod!.toISOString()).toBe("2026-10-10T10:10:10.000Z");
      expect(row.contentHash).toBe("f".repeat(64));
    });
  });
}
