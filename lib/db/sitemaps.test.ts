import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { createUser } from "./users";
import { parseListQuery } from "@/lib/api/list-query";
import { SITEMAP_LIST_SPEC } from "@/lib/api/sitemaps";
import { deleteSitemap, findSitemap, insertSitemap, newestSitemap, publishedEntryFiles, querySitemaps, updateSitemap } from "./sitemaps";

let n = 0;
const base = () => ({ name: "S", startUrl: "https://a.example/", fileName: `f${++n}` });

for (const backend of testBackends()) {
  describe(`lib/db/sitemaps on ${backend.name}`, () => {
    const t = useTestDb(backend);
    const user = () => createUser({ email: `s${++n}-${backend.name}@example.com`, password: "password1" });

    it("maps crawl settings to columns and back", async () => {
      const u = await user();
      const row = await insertSitemap({ userId: u.id, data: { ...base(), crawl: { maxPages: 7, userAgent: "B/1" } } });
      expect(row).toMatchObject({ maxPages: 7, userAgent: "B/1", maxDepth: 50 });
      expect(await findSitemap({ userId: u.id, sitemapId: row.id })).toEqual(row);
    });

    it("scopes every read and write by owner", async () => {
      const [a, b] = [await user(), await user()];
      const row = await insertSitemap({ userId: a.id, data: base() });
      expect(await findSitemap({ userId: b.id, sitemapId: row.id })).toBeNull();
      expect(await updateSitemap({ userId: b.id, sitemapId: row.id, data: { name: "x" } })).toBeNull();
      expect(await deleteSitemap({ userId: b.id, sitemapId: row.id })).toBe("not_found");
      expect(await querySitemaps({ userId: b.id, where: {}, orderBy: [{ id: "asc" }], take: 10 })).toEqual([]);
      expect(await newestSitemap(b.id)).toBeNull();
      expect((await findSitemap({ userId: a.id, sitemapId: row.id }))!.name).toBe("S");
    });

    it("duplicate fileName → AppError duplicate_entry on insert and update", async () => {
      const u = await user();
      const a = await insertSitemap({ userId: u.id, data: base() });
      const b = await insertSitemap({ userId: u.id, data: base() });
      await expect(insertSitemap({ userId: u.id, data: { ...base(), fileName: a.fileName } })).rejects.toMatchObject({ code: "duplicate_entry", field: "fileName" });
      await expect(updateSitemap({ userId: u.id, sitemapId: b.id, data: { fileName: a.fileName } })).rejects.toMatchObject({ code: "duplicate_entry" });
    });

    it("querySitemaps pages newest first (list grammar) without skipping or repeating rows that share a createdAt", async () => {
      const u = await user();
      const at = new Date("2030-01-01T00:00:00Z");
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await t.db.sitemap.create({ data: { ...base(), userId: u.id, createdAt: at } })).id);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const q = parseListQuery(new URLSearchParams({ size: "2", ...(cursor ? { cursor } : {}) }), SITEMAP_LIST_SPEC);
        const page: { rows: { id: string }[]; nextCursor: string | null } = q.page(await querySitemaps({ userId: u.id, where: q.where, orderBy: q.orderBy, take: q.take }));
        seen.push(...page.rows.map((r) => r.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual([...ids].sort().reverse());
      expect((await newestSitemap(u.id))!.id).toBe(seen[0]);
    });

    it("publishedEntryFiles: the sitemap index when there is one, else the first urlset; nothing when unpublished", async () => {
      const u = await user();
      const withIndex = await insertSitemap({ userId: u.id, data: base() });
      const single = await insertSitemap({ userId: u.id, data: base() });
      const none = await insertSitemap({ userId: u.id, data: base() });
      const publish = async (sitemapId: string, files: [string, string][]) => {
        const run = await t.db.run.create({ data: { sitemapId, trigger: "api", status: "succeeded" } });
        await t.db.sitemapFile.createMany({
          data: files.map(([name, kind]) => ({ name, kind, runId: run.id, sitemapId, bytes: 1, urlCount: 1, sha256: "x" })),
        });
        await t.db.sitemap.update({ where: { id: sitemapId }, data: { publishedRunId: run.id } });
        return run.id;
      };
      await publish(withIndex.id, [["a-1.xml", "urlset"], ["a-2.xml", "urlset"], ["a.xml", "sitemapindex"], ["a.txt", "txt"]]);
      await publish(single.id, [["b.xml.gz", "urlset"], ["b.json", "json"]]);
      // An older run's files are not the published ones.
      const old = await t.db.run.create({ data: { sitemapId: none.id, trigger: "api", status: "succeeded" } });
      await t.db.sitemapFile.create({ data: { name: "c.xml", kind: "urlset", runId: old.id, sitemapId: none.id, bytes: 1, urlCount: 1, sha256: "x" } });
      const rows = await Promise.all([withIndex, single, none].map((s) => findSitemap({ userId: u.id, sitemapId: s.id })));
      const entries = await publishedEntryFiles(rows.map((r) => r!));
      expect(Object.fromEntries(entries)).toEqual({ [withIndex.id]: "a.xml", [single.id]: "b.xml.gz" });
    });

    it("delete is refused while a run is active, then cascades to runs, file records and files on disk", async () => {
      const u = await user();
      const s = await insertSitemap({ userId: u.id, data: base() });
      const run = await t.db.run.create({ data: { sitemapId: s.id, trigger: "api" } });
      process.env.FILES_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "sf-del-"));
      const folder = path.join(process.env.FILES_DIR, s.id, run.id);
      fs.mkdirSync(folder, { recursive: true });
      fs.writeFileSync(path.join(folder, "a.xml"), "<urlset/>");
      await t.db.pageState.create({ data: { sitemapId: s.id, url: "http://a.example/", contentHash: "h", hashFirstSeenAt: new Date() } });
      await t.db.sitemap.update({ where: { id: s.id }, data: { activeRunId: run.id } });
      expect(await deleteSitemap({ userId: u.id, sitemapId: s.id })).toBe("active_run");
      expect(fs.existsSync(folder)).toBe(true);
      await t.db.sitemap.update({ where: { id: s.id }, data: { activeRunId: null } });
      expect(await deleteSitemap({ userId: u.id, sitemapId: s.id })).toBe("deleted");
      expect(await t.db.run.findUnique({ where: { id: run.id } })).toBeNull();
      expect(fs.existsSync(path.join(process.env.FILES_DIR, s.id))).toBe(false);
      expect(await t.db.pageState.count({ where: { sitemapId: s.id } })).toBe(0);
    });
  });
}
