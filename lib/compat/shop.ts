/**
 * Shop API adapter (the shop system's sitemaps API document; docs/compat.md) under the base path `/api/shop/` — every
 * endpoint of the document as `/api/shop/sitemaps…` with a Bearer API key. Field mapping (theirs ← ours):
 *
 *   id ← number · active · name · fileName · subshopIds ← subScopes[].key (digit-only keys as integers) ·
 *   templateId ← the template's number (null = the built-in writer) · maxFileSize · maxFileEntries ·
 *   options.exportCharset · writeIntoRobots · exportAfterImport · exportPlan (hours) · exportStatus 0..4 ·
 *   protocolId ← newest run's number · lastExportStarted · lastExportFinished · createdAt · updatedAt (ISO 8601 UTC)
 *   + startUrl (ours: the site we crawl; the shop API exports from its database and has no such field)
 *   + files (the generated files, one entry per subshop folder: {subshopId, fileName, url, size, entries, type}).
 *
 * Lists: `size` 1..300 (default 20), `sort=field:asc|desc`, `filter[field]=value` / `filter[field][op]=value`
 * (the native grammar, lib/api/list-query.ts, on the shop's field names), `pageToken` = the page's index (a number
 * ≥ 0; lib/compat/shop-query.ts). Answer: `{ data: [...], nextPageToken }`. Keys: `Authorization` or
 * `X-Authorization: Bearer <key>`.
 * Writes: POST (all the document's "missing" fields required), PUT (any subset), DELETE → 204.
 * The site: the subshops' base URLs are account settings (lib/compat/shop-subshops.ts; GET/PUT
 * /api/v1/account/shop-subshops, the dashboard's Account page). On create, `startUrl` is the base URL of the first of
 * `subshopIds` (none: the account's first subshop); a subshop without a base URL is 400 missing saying where to set it;
 * subshops of one sitemap on two origins are 400 invalidValue. `startUrl` (ours) overrides. A `fileName` ending in
 * ".xml" is stored without it (we add the extension when writing files). A subshopId without a sub-scope yet becomes
 * `{ key, name: "Subshop <id>", pathPrefix: <its base URL's path, else "/"> }`.
 * Files: public at /shop/{accountId}/sitemaps/{subshopId}/{file} (lib/compat/shop-files.ts).
 *
 * One module per resource: shop-sitemaps.ts, shop-templates.ts, shop-status.ts, shop-protocols.ts,
 * shop-generate.ts, shop-files.ts (the subshop folders), shop-subshops.ts (the account setting); list queries in shop-query.ts, request/error plumbing and the zod body check in shop-http.ts.
 * This module is their public surface (the route handlers import from here).
 */
export { generateShopHour, generateShopImport, generateShopSitemap } from "./shop-generate";
export { listShopProtocols, PROTOCOL_LIST_SPEC } from "./shop-protocols";
export { getShopStatus } from "./shop-status";
export { createShopSitemap, deleteShopSitemap, getShopSitemap, listShopSitemaps, toShopSitemaps, updateShopSitemap, type ShopSitemap } from "./shop-sitemaps";
export { createShopTemplate, deleteShopTemplate, getShopTemplate, listShopTemplates, updateShopTemplate, type ShopTemplate } from "./shop-templates";
