import { describe, expect, it } from "vitest";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { sitemapFacts } from "./sitemap-facts";
import { insertSitemap } from "./sitemaps";
import { createUser } from "./users";

let n = 0;
const base = () => ({ name: "S", startUrl: "https://a.example/", fileName: `f${++n}` });

for (const backend of testBackends()) {
  describe(`lib/db/sitemap-facts on ${backend.name}`, () => {
    const t = useTestDb(backend);
    const user = () => createUser({ email: `sf${++n}-${backend.name}@example.com`, password: "password1" });
    const at = (s: string) => new Date(`2031-01-0${s}Z`);

    it("newest run (createdAt, then id), latest successful end, published entry file and its URL count, in one read", async () => {
      const u = await user();
      const [a, b, none] = [await insertSitemap({ userId: u.id, data: base() }), await insertSitemap({ userId: u.id, data: base() }), await insertSitemap({ userId: u.id, data: base() })];
      const run = (sitemapId: string, data: Record<string, unknown>) => t.db.run.create({ data: { sitemapId, trigger: "api", ...data } });
      // a: two successes (the later end wins, though its run is older), a failed one, then a queued newest run.
      const published = await run(a.id, { status: "succeeded", createdAt: at("1T00:00:00"), startedAt: at("1T00:00:01"), finishedAt: at("3T00:00:00"), urlsListed: 42 });
      await run(a.id, { status: "succeeded", createdAt: at("2T00:00:00"), startedAt: at("2T00:00:01"), finishedAt: at("2T01:00:00") });
      await run(a.id, { status: "failed", createdAt: at("4T00:00:00"), finishedAt: at("5T00:00:00") });
      const newest = await run(a.id, { status: "queued", createdAt: at("6T00:00:00") });
      await t.db.sitemapFile.createMany({
        data: [["a-1.xml", "urlset"], ["a.xml", "sitemapindex"], ["a.txt", "txt"]].map(([name, kind]) => ({ name, kind, runId: published.id, sitemapId: a.id, bytes: 1, urlCount: 1, sha256: "x" })),
      });
      // b: one running run with no success, urlsets only; two runs share createdAt: the greater id is the newest.
      const r1 = await run(b.id, { status: "running", createdAt: at("1T00:00:00"), startedAt: at("1T00:00:05") });
      const r2 = await run(b.id, { status: "cancelled", createdAt: at("1T00:00:00") });
      await t.db.sitemapFile.createMany({
        data: ["b-2.xml", "b-1.xml"].map((name) => ({ name, kind: "urlset", runId: r1.id, sitemapId: b.id, bytes: 1, urlCount: 1, sha256: "x" })),
      });
      const facts = await sitemapFacts([
        { id: a.id, publishedRunId: published.id },
        { id: b.id, publishedRunId: r1.id },
        { id: none.id, publishedRunId: null },
      ]);
      expect(facts.get(a.id)).toEqual({
        latestRun: { id: newest.id, status: "queued", startedAt: null, createdAt: at("6T00:00:00") },
        lastSucceededAt: at("3T00:00:00"),
        entryFile: "a.xml",
        publishedUrlsListed: 42,
      });
      const later = [r1, r2].sort((x, y) => (x.id < y.id ? 1 : -1))[0];
      expect(facts.get(b.id)).toMatchObject({ latestRun: { id: later.id, status: later.status }, lastSucceededAt: null, entryFile: "b-1.xml", publishedUrlsListed: 0 });
      expect(facts.get(none.id)).toEqual({ latestRun: null, lastSucceededAt: null, entryFile: null, publishedUrlsListed: null });
      // The published run is the one passed in: without it, no entry file and no count.
      expect(await sitemapFacts([{ id: a.id, publishedRunId: null }])).toEqual(new Map([[a.id, { ...facts.get(a.id), entryFile: null, publishedUrlsListed: null }]]));
      expect(await sitemapFacts([])).toEqual(new Map());
    });
  });
}
