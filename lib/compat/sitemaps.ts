/**
 * Sitemaps as the compatibility adapters read them: the native DTO (lib/api/sitemaps.ts toSitemapDtos — settings,
 * numeric `number`, shop fields exportStatus/protocolId/lastExport*, newest run, public entry URL). Owner-scoped.
 */
import { parseListQuery } from "@/lib/api/list-query";
import { SITEMAP_LIST_SPEC, toSitemapDtos } from "@/lib/api/sitemaps";
import { findSitemap, querySitemaps } from "@/lib/db/sitemaps";
import type { TSitemapDto } from "@/lib/schemas/sitemaps";

export type CompatSitemap = TSitemapDto;

/** One of `userId`'s sitemaps, or null. */
export async function loadSitemapForCompat(userId: string, sitemapId: string): Promise<CompatSitemap | null> {
  const row = await findSitemap({ userId, sitemapId });
  return row ? (await toSitemapDtos([row]))[0] : null;
}

/** Every sitemap of `userId`, newest first (walks the list grammar's keyset pages of 100). */
export async function loadSitemapsForCompat(userId: string): Promise<CompatSitemap[]> {
  const out: CompatSitemap[] = [];
  let cursor: string | null = null;
  for (;;) {
    const q = parseListQuery(new URLSearchParams({ size: "100", ...(cursor ? { cursor } : {}) }), SITEMAP_LIST_SPEC);
    const page: { rows: Awaited<ReturnType<typeof querySitemaps>>; nextCursor: string | null } = q.page(await querySitemaps({ userId, where: q.where, orderBy: q.orderBy, take: q.take }));
    out.push(...(await toSitemapDtos(page.rows)));
    if (!page.nextCursor) return out;
    cursor = page.nextCursor;
  }
}
