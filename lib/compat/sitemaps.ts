/**
 * Sitemaps as the compatibility adapters read them: the native DTO (lib/api/sitemaps.ts toSitemapDtos — settings,
 * numeric `number`, shop fields exportStatus/protocolId/lastExport*, newest run, public entry URL). Owner-scoped.
 */
import { toSitemapDtos } from "@/lib/api/sitemaps";
import { findSitemap, listSitemaps } from "@/lib/db/sitemaps";
import type { TSitemapDto } from "@/lib/schemas/sitemaps";

export type CompatSitemap = TSitemapDto;

/** One of `userId`'s sitemaps, or null. */
export async function loadSitemapForCompat(userId: string, sitemapId: string): Promise<CompatSitemap | null> {
  const row = await findSitemap({ userId, sitemapId });
  return row ? (await toSitemapDtos([row]))[0] : null;
}

/** Every sitemap of `userId`, newest first (walks the native keyset pages of 100). */
export async function loadSitemapsForCompat(userId: string): Promise<CompatSitemap[]> {
  const out: CompatSitemap[] = [];
  let after = null;
  for (;;) {
    const page = await listSitemaps({ userId, limit: 100, after });
    out.push(...(await toSitemapDtos(page.rows)));
    if (!page.next) return out;
    after = page.next;
  }
}
