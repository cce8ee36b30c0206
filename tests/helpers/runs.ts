/**
 * Test-only reads of a sitemap's runs (the app lists runs through GET /api/v1/runs, lib/db/runs.ts queryRuns).
 */
import { getDb } from "@/lib/db/client";
import { toRunDto } from "@/lib/db/runs";
import type { TRunDto } from "@/lib/schemas/runs";

/** The newest run of `userId`'s sitemap `sitemapId`, or null. */
export async function latestRunOf(opts: { sitemapId: string; userId: string }): Promise<TRunDto | null> {
  const row = await getDb().run.findFirst({
    where: { sitemapId: opts.sitemapId, sitemap: { userId: opts.userId } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
  return row ? toRunDto(row) : null;
}
