/**
 * Test-only reads of a sitemap's runs (the app lists runs through GET /api/v1/runs, lib/db/runs.ts queryRuns), and a
 * run seeded as its crawl step leaves it, for tests of the export step, and a run finished as a worker would.
 */
import { getDb } from "@/lib/db/client";
import { publishRunFiles } from "@/lib/db/files";
import { claimRun, finishRun, toRunDto } from "@/lib/db/runs";
import type { TRunDto } from "@/lib/schemas/runs";

/** The newest run of `userId`'s sitemap `sitemapId`, or null. */
export async function latestRunOf(opts: { sitemapId: string; userId: string }): Promise<TRunDto | null> {
  const row = await getDb().run.findFirst({
    where: { sitemapId: opts.sitemapId, sitemap: { userId: opts.userId } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
  return row ? toRunDto(row) : null;
}

/**
 * A claimed, running run of `sitemapId` whose crawl is done: `n` listed URLs
 * `https://www.example.com/<salt>/page-000001` … with lastmods one minute apart from 2026-01-01, inserted in one
 * statement (fast for tens of thousands). Returns the run id. Throws when the sitemap has an active run.
 */
export async function seedCrawledRun(sitemapId: string, n: number, salt: string): Promise<string> {
  const db = getDb();
  const run = await claimRun({ sitemapId, trigger: "api" });
  if (!run) throw new Error(`sitemap ${sitemapId} already has an active run`);
  await db.run.update({ where: { id: run.id }, data: { status: "running", startedAt: new Date("2026-11-22T00:00:00Z") } });
  await db.$executeRaw`
    INSERT INTO "RunUrl" ("runId", "url", "status", "included", "depth", "lastmod", "contentHash")
    SELECT ${run.id}, 'https://www.example.com/' || ${salt} || '/page-' || lpad(g::text, 6, '0'), 200, true, 1,
           timestamp '2026-01-01 00:00:00' + make_interval(mins => g), md5(g::text)
    FROM generate_series(1, ${n}::int) g`;
  return run.id;
}

/**
 * Waits (up to 6 s) for a queued or running run of `userId`'s sitemaps (of `kind` when given) and finishes it as a
 * worker would: succeeded with one urlset of 482 URLs (the Sitemap.xml API example's count, 19,150 bytes) plus
 * `extraFiles`, or failed ("DNS lookup failed") with `fail`. Returns the run id; throws when no run appears.
 */
export async function completeNextRun(
  userId: string,
  opts: { fail?: boolean; extraFiles?: { name: string; kind: string }[]; kind?: "crawl" | "export" } = {},
): Promise<string> {
  for (let i = 0; i < 300; i++) {
    const run = await getDb().run.findFirst({
      where: { status: { in: ["queued", "running"] }, sitemap: { userId }, ...(opts.kind ? { kind: opts.kind } : {}) },
      include: { sitemap: true },
    });
    if (run) {
      if (opts.fail) {
        await finishRun(run.id, { status: "failed", error: "DNS lookup failed" });
      } else {
        const extra = (opts.extraFiles ?? []).map((f) => ({ ...f, bytes: 100, urlCount: 482, sha256: "0".repeat(64) }));
        await publishRunFiles({
          sitemapId: run.sitemapId,
          runId: run.id,
          files: [{ name: `${run.sitemap.fileName}.xml`, kind: "urlset", bytes: 19150, urlCount: 482, sha256: "0".repeat(64) }, ...extra],
        });
        await getDb().run.update({ where: { id: run.id }, data: { urlsListed: 482 } });
        await finishRun(run.id, { status: "succeeded", bytesWritten: 19150, filesWritten: 1, urlsWritten: 1 });
      }
      return run.id;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("no run started");
}
