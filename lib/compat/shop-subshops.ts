/**
 * The shop's subshops as account settings (docs/compat.md, Shop API; docs/api-core.md, "Shop subshops"): the shop
 * API names a sitemap's sites only by subshop id, so the base URL behind each id is set once per account — on the
 * dashboard's Account page or with GET/PUT /api/v1/account/shop-subshops (this module's `shopSubshopDtos` and
 * `putShopSubshops`) — and `POST sitemaps` crawls the base URL of the sitemap's first subshop (`siteOfSubshops`).
 * Errors: ShopError 400 `missing` (a subshop without a base URL, naming where to set it), 400 `invalidValue`
 * (subshops of one sitemap on different sites).
 */
import { listShopSubshops, replaceShopSubshops, type ShopSubshopRow } from "@/lib/db/shop-subshops";
import type { TPutShopSubshopsBody, TShopSubshopDto } from "@/lib/schemas/shop-subshops";
import { shopFolderUrls } from "./shop-files";
import { ShopError } from "./shop-http";

/** Where a client configures the subshops, for error messages. */
export const WHERE_TO_CONFIGURE =
  'Set the base URL of each subshop on the dashboard\'s Account page (/dashboard/account) or with PUT /api/v1/account/shop-subshops {"subshops":[{"subshopId":1,"baseUrl":"https://www.your-shop.example/"}]}.';

const toDto = (folder: (key: string) => string, r: ShopSubshopRow): TShopSubshopDto => ({
  subshopId: r.key,
  baseUrl: r.baseUrl,
  filesUrl: folder(r.key),
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

/** The account's subshops as the native API shows them (ordered by id). */
export async function shopSubshopDtos(userId: string): Promise<TShopSubshopDto[]> {
  const [rows, folder] = await Promise.all([listShopSubshops(userId), shopFolderUrls(userId)]);
  return rows.map((r) => toDto(folder, r));
}

/** Replaces the account's subshops (the body is checked by ZPutShopSubshopsBody) and returns the new set. */
export async function putShopSubshops(userId: string, body: TPutShopSubshopsBody): Promise<TShopSubshopDto[]> {
  const rows = await replaceShopSubshops(userId, body.subshops.map((s) => ({ key: s.subshopId, baseUrl: s.baseUrl })));
  const folder = await shopFolderUrls(userId);
  return rows.map((r) => toDto(folder, r));
}

const originOf = (url: string): string => new URL(url).origin;

/** The site a shop sitemap crawls and each subshop's path on it. */
export type SubshopSite = { startUrl: string; pathPrefixes: Map<string, string> };

/**
 * The site behind subshop ids `keys` (sub-scope keys, in the sitemap's order): the base URL of the first is the start
 * URL; each subshop's path prefix is its base URL's path. No ids (the document: "exported for all subshops"): the
 * account's first subshop (lowest id) and every subshop on its origin. One sitemap crawls one site, so the subshops it
 * lists must share an origin. Throws ShopError 400 `missing` when a listed subshop (or, for none, any subshop) has no
 * base URL yet, 400 `invalidValue` for subshops on different origins.
 */
export async function siteOfSubshops(userId: string, keys: string[]): Promise<SubshopSite> {
  const configured = await listShopSubshops(userId);
  const byKey = new Map(configured.map((s) => [s.key, s]));
  let chosen: ShopSubshopRow[];
  if (keys.length === 0) {
    if (!configured.length) throw new ShopError(400, "missing", `The account has no subshop with a base URL, so there is no site to crawl. ${WHERE_TO_CONFIGURE}`, "subshopIds");
    chosen = configured.filter((s) => originOf(s.baseUrl) === originOf(configured[0].baseUrl));
  } else {
    const unknown = keys.filter((k) => !byKey.has(k));
    if (unknown.length) {
      throw new ShopError(400, "missing", `Subshop ${unknown.join(", ")} ${unknown.length > 1 ? "have" : "has"} no base URL. ${WHERE_TO_CONFIGURE}`, "subshopIds");
    }
    chosen = keys.map((k) => byKey.get(k)!);
    const other = chosen.find((s) => originOf(s.baseUrl) !== originOf(chosen[0].baseUrl));
    if (other) {
      throw new ShopError(
        400,
        "invalidValue",
        `Subshops ${chosen[0].key} (${chosen[0].baseUrl}) and ${other.key} (${other.baseUrl}) are different sites; a sitemap crawls one site: create one sitemap per site.`,
        "subshopIds",
      );
    }
  }
  return { startUrl: chosen[0].baseUrl, pathPrefixes: new Map(chosen.map((s) => [s.key, new URL(s.baseUrl).pathname])) };
}
