/**
 * The shop API's status resource: GET sitemaps/{id}/status, from the native status (lib/api/status.ts).
 * Errors: ShopError (400 invalid id, 404).
 */
import type { Principal } from "@/lib/auth/authenticate";
import { sitemapStatus } from "@/lib/api/status";
import { findSitemap } from "@/lib/db/sitemaps";
import { exportStatusOf, noNulls, shopExportFields } from "./shop-export-status";
import { ShopError } from "./shop-http";
import { shopFailure } from "./run-failure";
import { sitemapIdOf, subshopId } from "./shop-sitemaps";

/**
 * GET sitemaps/{id}/status: the export status of the whole sitemap and of each subshop (sub-scope), from the native
 * status (lib/api/status.ts) — real runs, unlike the document's "does not track real processes". No null in the
 * document's Integer and String fields: 0 and "" before the first (successful) run. When the newest run failed
 * (exportStatus 2), `errorCode` and `errorHint` say why (lib/core/run-outcome.ts; "" otherwise).
 */
export async function getShopStatus(principal: Principal, rawId: string): Promise<Response> {
  const id = await sitemapIdOf(principal, rawId);
  const row = await findSitemap({ userId: principal.userId, sitemapId: id });
  if (!row) throw new ShopError(404, "notFound", "The sitemap was not found.");
  const st = await sitemapStatus(row);
  return Response.json({
    id: st.number,
    ...noNulls(shopExportFields(st.lastRun, st.lastSucceededAt)),
    ...shopFailure(st.lastRun),
    urls: st.urls,
    subshops: st.subScopes.map((s) => ({
      subshopId: subshopId(s.key),
      name: s.name,
      exportStatus: exportStatusOf(s.status),
      protocolId: s.lastRun?.number ?? 0,
      lastExportStarted: s.lastRun ? (s.lastRun.startedAt ?? s.lastRun.createdAt) : "",
      lastExportFinished: s.lastRun?.status === "succeeded" ? (s.lastRun.finishedAt ?? "") : "",
      urls: s.urls,
    })),
  });
}
