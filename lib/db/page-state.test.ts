/**
 * PageState rules (lib/db/page-state.ts) on PGlite and PostgreSQL: when a page's lastmod (hashFirstSeenAt) moves and
 * when it does not, what a 304 replay keeps, and what the revalidator hands the crawler.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { PageSnapshot } from "@/lib/core/types";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { getDb } from "./client";
import { createRevalidator, deletePageStates, expandSnapshot, loadRevalidations, prunePageStates, snapshotFingerprint, upsertPageStates, type PageObservation } from "./page-state";

const snap = (links: string[] = []): PageSnapshot => ({
  status: 200,
  included: true,
  reason: null,
  contentHash: "h",
  data: null,
  links: links.map((url) => ({ url, nofollow: false })),
});
const obs = (over: Partial<PageObservation> & { url: string; contentHash: string; seenAt: Date }): PageObservation => ({
  etag: null,
  lastModified: null,
  lastModifiedIso: null,
  snapshot: snap(),
  replayed: false,
  ...over,
});
const at = (iso: string) => new Date(iso);

for (const backend of testBackends()) {
  describe(`page state on ${backend.name}`, () => {
    const t = useTestDb(backend);
    let sitemapId = "";
    beforeAll(async () => {
      const user = await t.db.user.create({ data: { email: `ps-${backend.name}@example.com`, passwordHash: "x" } });
      sitemapId = (await t.db.sitemap.create({ data: { userId: user.id, name: "PS", startUrl: "https://a.example/", fileName: "ps" } })).id;
    });
    const up = (pages: PageObservation[]) => upsertPageStates(getDb(), sitemapId, pages);
    const first = async (url: string) => (await t.db.pageState.findUnique({ where: { sitemapId_url: { sitemapId, url } } }))!;

    it("first sight: the Last-Modified header when valid and not in the future, else the time seen (whole seconds)", async () => {
      const r = await up([
        obs({ url: "u:plain", contentHash: "a", seenAt: at("2026-11-20T08:00:00.750Z") }),
        obs({ url: "u:header", contentHash: "b", seenAt: at("2026-11-20T08:00:00Z"), lastModifiedIso: "2026-10-01T12:00:00Z" }),
        obs({ url: "u:future", contentHash: "c", seenAt: at("2026-11-20T08:00:00Z"), lastModifiedIso: "2027-01-01T00:00:00Z" }),
        obs({ url: "u:garbage", contentHash: "d", seenAt: at("2026-11-20T08:00:00Z"), lastModifiedIso: "not a date" }),
      ]);
      expect(Object.fromEntries([...r].map(([k, v]) => [k, v.toISOString()]))).toEqual({
        "u:plain": "2026-11-20T08:00:00.000Z",
        "u:header": "2026-10-01T12:00:00.000Z",
        "u:future": "2026-11-20T08:00:00.000Z",
        "u:garbage": "2026-11-20T08:00:00.000Z",
      });
    });

    it("same hash later: first-seen kept (whatever the header says now); validators and snapshot refreshed", async () => {
      const r = await up([
        obs({ url: "u:plain", contentHash: "a", seenAt: at("2026-11-25T00:00:00Z"), etag: '"v2"', lastModifiedIso: "2026-11-24T00:00:00Z", snapshot: snap(["x"]) }),
      ]);
      expect(r.get("u:plain")!.toISOString()).toBe("2026-11-20T08:00:00.000Z");
      const row = await first("u:plain");
      expect(row.etag).toBe('"v2"');
      expect(expandSnapshot(row.snapshot)!.links).toEqual([{ url: "x", nofollow: false }]);
      expect(row.updatedAt.toISOString()).toBe("2026-11-25T00:00:00.000Z");
    });

    it("hash changed: a newer Last-Modified dates the change, else the visit that saw it", async () => {
      const r = await up([
        obs({ url: "u:plain", contentHash: "a2", seenAt: at("2026-11-26T10:00:00Z") }),
        obs({ url: "u:header", contentHash: "b2", seenAt: at("2026-11-26T10:00:00Z"), lastModifiedIso: "2026-11-26T09:30:00Z" }),
        // The header is older than what we knew (a stale server clock or a template-only date): our visit dates it.
        obs({ url: "u:garbage", contentHash: "d2", seenAt: at("2026-11-26T10:00:00Z"), lastModifiedIso: "2026-01-01T00:00:00Z" }),
      ]);
      expect(r.get("u:plain")!.toISOString()).toBe("2026-11-26T10:00:00.000Z");
      expect(r.get("u:header")!.toISOString()).toBe("2026-11-26T09:30:00.000Z");
      expect(r.get("u:garbage")!.toISOString()).toBe("2026-11-26T10:00:00.000Z");
    });

    it("a 304 replay keeps the stored snapshot, and the stored validators unless the 304 repeats them", async () => {
      await up([obs({ url: "u:r", contentHash: "r", seenAt: at("2026-11-01T00:00:00Z"), etag: '"e1"', lastModified: "Sun, 01 Nov 2026 00:00:00 GMT", snapshot: snap(["kept"]) })]);
      const r = await up([obs({ url: "u:r", contentHash: "r", seenAt: at("2026-11-02T00:00:00Z"), replayed: true, snapshot: null })]);
      expect(r.get("u:r")!.toISOString()).toBe("2026-11-01T00:00:00.000Z");
      let row = await first("u:r");
      expect(row).toMatchObject({ etag: '"e1"', lastModified: "Sun, 01 Nov 2026 00:00:00 GMT" });
      expect(expandSnapshot(row.snapshot)!.links).toEqual([{ url: "kept", nofollow: false }]);
      await up([obs({ url: "u:r", contentHash: "r", seenAt: at("2026-11-03T00:00:00Z"), replayed: true, etag: '"e2"', snapshot: null })]);
      row = await first("u:r");
      expect(row.etag).toBe('"e2"');
      expect(expandSnapshot(row.snapshot)!.links).toEqual([{ url: "kept", nofollow: false }]);
      // A full fetch whose links are unknown stores no snapshot: no replay is offered for it next time.
      await up([obs({ url: "u:r", contentHash: "r", seenAt: at("2026-11-04T00:00:00Z"), etag: '"e3"', snapshot: null })]);
      expect((await first("u:r")).snapshot).toBeNull();
    });

    it("the revalidator answers validators + snapshot for replayable pages only, batching lookups", async () => {
      await up([
        obs({ url: "v:etag", contentHash: "1", seenAt: at("2026-11-01T00:00:00Z"), etag: '"x"', snapshot: snap(["l1"]) }),
        obs({ url: "v:lm", contentHash: "2", seenAt: at("2026-11-01T00:00:00Z"), lastModified: "Sun, 01 Nov 2026 00:00:00 GMT", snapshot: snap() }),
        obs({ url: "v:novalidator", contentHash: "3", seenAt: at("2026-11-01T00:00:00Z"), snapshot: snap() }),
        obs({ url: "v:nosnapshot", contentHash: "4", seenAt: at("2026-11-01T00:00:00Z"), etag: '"y"', snapshot: null }),
      ]);
      const revalidate = createRevalidator(sitemapId, { maxBatch: 2 });
      const [a, b, c, d, e] = await Promise.all(["v:etag", "v:lm", "v:novalidator", "v:nosnapshot", "v:unknown"].map(revalidate));
      expect(a).toEqual({ etag: '"x"', snapshot: snap(["l1"]) });
      expect(b).toEqual({ lastModified: "Sun, 01 Nov 2026 00:00:00 GMT", snapshot: snap() });
      expect([c, d, e]).toEqual([null, null, null]);
      expect((await loadRevalidations(sitemapId, ["v:etag", "v:lm"])).size).toBe(2);
      // A sitemap with no stored page answers null without querying per URL.
      expect(await createRevalidator("no-such-sitemap")("v:etag")).toBeNull();
    });

    it("stores a snapshot's links as URLs plus nofollow indexes, and replays both that and the earlier {url, nofollow} form", async () => {
      const links = [{ url: "n:a", nofollow: false }, { url: "n:b", nofollow: true }, { url: "n:c", nofollow: false }];
      await up([obs({ url: "n:page", contentHash: "n", seenAt: at("2026-11-01T00:00:00Z"), etag: '"n"', snapshot: { ...snap(), links } })]);
      expect((await first("n:page")).snapshot).toMatchObject({ links: ["n:a", "n:b", "n:c"], nofollow: [1] });
      expect(await createRevalidator(sitemapId)("n:page")).toEqual({ etag: '"n"', snapshot: { ...snap(), links } });
      // A row written before the compact form: links as objects, no `nofollow` list.
      await t.db.pageState.create({
        data: { sitemapId, url: "n:old", contentHash: "o", hashFirstSeenAt: at("2026-10-01T00:00:00Z"), etag: '"o"', snapshot: { ...snap(), links }, updatedAt: at("2026-10-01T00:00:00Z") },
      });
      expect(await createRevalidator(sitemapId)("n:old")).toEqual({ etag: '"o"', snapshot: { ...snap(), links } });
      expect(expandSnapshot({ status: 200, included: true, reason: null, links: "not a list" })).toBeNull();
    });

    it("snapshots taken under other crawl settings are not replayed", async () => {
      const fpA = snapshotFingerprint({ images: true, trailingSlash: "keep" });
      const fpB = snapshotFingerprint({ images: false, trailingSlash: "keep" });
      expect(fpA).not.toBe(fpB);
      expect(snapshotFingerprint({ images: true, trailingSlash: "keep", maxPages: 5 })).toBe(fpA); // irrelevant settings
      await up([obs({ url: "w:fp", contentHash: "5", seenAt: at("2026-11-01T00:00:00Z"), etag: '"z"', snapshot: { ...snap(["l"]), settings: fpA } })]);
      expect(await createRevalidator(sitemapId, { fingerprint: fpA })("w:fp")).toEqual({ etag: '"z"', snapshot: snap(["l"]) });
      expect(await createRevalidator(sitemapId, { fingerprint: fpB })("w:fp")).toBeNull();
    });

    it("listing switches are part of the snapshot fingerprint", () => {
      const base = { images: true, trailingSlash: "keep", excludeNoindex: true, followNofollow: false, respectCanonical: true };
      const fp = snapshotFingerprint(base);
      expect(snapshotFingerprint({ ...base, excludeNoindex: false })).not.toBe(fp);
      expect(snapshotFingerprint({ ...base, followNofollow: true })).not.toBe(fp);
      expect(snapshotFingerprint({ ...base, respectCanonical: false })).not.toBe(fp);
    });

    it("prunePageStates forgets pages no recent succeeded run fetched (200), or unseen for maxAgeDays", async () => {
      const user = await t.db.user.create({ data: { email: `ps-prune-${backend.name}@example.com`, passwordHash: "x" } });
      const sm = (await t.db.sitemap.create({ data: { userId: user.id, name: "Prune", startUrl: "https://p.example/", fileName: "pr" } })).id;
      const other = (await t.db.sitemap.create({ data: { userId: user.id, name: "Other", startUrl: "https://o.example/", fileName: "ot" } })).id;
      const day = (n: number) => new Date(Date.UTC(2026, 10, n, 10, 0, 0));
      // Runs on days 1..5; day 4 failed. Each fetched some URLs: [url, status].
      const inventory: [number, "succeeded" | "failed", [string, number][]][] = [
        [1, "succeeded", [["gone", 200], ["old", 200], ["kept", 200], ["fresh", 200], ["broken", 200]]],
        [2, "succeeded", [["old", 200], ["kept", 200], ["fresh", 200], ["broken", 404]]],
        [3, "succeeded", [["kept", 200], ["fresh", 200], ["broken", 404]]],
        [4, "failed", [["old", 200], ["gone", 200]]],
        [5, "succeeded", [["fresh", 200], ["broken", 404]]],
      ];
      for (const [n, status, urls] of inventory) {
        const run = await t.db.run.create({ data: { sitemapId: sm, trigger: "api", status, createdAt: day(n), startedAt: day(n), finishedAt: day(n) } });
        await t.db.runUrl.createMany({ data: urls.map(([url, st]) => ({ runId: run.id, url, status: st, included: st === 200 })) });
      }
      // Observation times are those of a fixed crawl clock, unrelated to the runs' own timestamps.
      for (const url of ["gone", "old", "kept", "fresh", "broken"]) {
        await upsertPageStates(getDb(), sm, [obs({ url, contentHash: url, seenAt: day(20) })]);
      }
      await upsertPageStates(getDb(), other, [obs({ url: "gone", contentHash: "g", seenAt: day(1) })]); // never touched
      const urls = async (id: string) => (await t.db.pageState.findMany({ where: { sitemapId: id }, select: { url: true } })).map((r) => r.url).sort();

      // Not enough succeeded runs for keepRuns 5, and no age rule: nothing goes.
      expect(await prunePageStates(sm, { keepRuns: 5, maxAgeDays: null })).toBe(0);
      // Last 3 succeeded runs = days 5, 3, 2 (the failed day-4 run does not count): "gone" was fetched on day 1 only,
      // "broken" answered 404 since day 2.
      expect(await prunePageStates(sm, { maxAgeDays: null })).toBe(2);
      expect(await urls(sm)).toEqual(["fresh", "kept", "old"]);
      // keepRuns 2 → days 5 and 3: "old" goes.
      expect(await prunePageStates(sm, { keepRuns: 2, maxAgeDays: null })).toBe(1);
      expect(await urls(sm)).toEqual(["fresh", "kept"]);
      // Age rule: observed on day 20; 3 days before day 25 → both go, whatever the runs.
      expect(await prunePageStates(sm, { keepRuns: 50, maxAgeDays: 3, now: day(25) })).toBe(2);
      expect(await urls(sm)).toEqual([]);
      expect(await urls(other)).toEqual(["gone"]);
      await expect(prunePageStates(sm, { keepRuns: 0 })).rejects.toThrow(RangeError);
    });

    it("deletePageStates forgets a sitemap's pages", async () => {
      expect(await deletePageStates(sitemapId)).toBeGreaterThan(5);
      expect(await t.db.pageState.count({ where: { sitemapId } })).toBe(0);
    });
  });
}
