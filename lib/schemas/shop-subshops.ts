/**
 * The account's shop subshops (docs/api-core.md, "Shop subshops"; docs/compat.md, Shop API): the base URL behind each
 * subshop id the shop API's `subshopIds` name. GET/PUT /api/v1/account/shop-subshops and the dashboard's Account page.
 *
 * PUT body: `{ subshops: [{ subshopId, baseUrl }] }` — the whole set (≤ 100; an id left out is removed).
 * `subshopId`: an integer ≥ 0 or a string matching the sub-scope key grammar `^[a-z0-9][a-z0-9_-]{0,49}$` (stored as
 * that key, lower case; unique in the list, else 422 invalid_value). `baseUrl`: checked exactly like a sitemap's
 * `startUrl` (absolute http(s) URL without credentials, ≤ 2,048 chars, port 80, 443 or CRAWL_ALLOWED_PORTS unless the
 * host:port is in CRAWL_ALLOW_HOSTS; else 422 invalid_value / invalid_format) and stored normalised.
 * DTO: `{ subshopId (the key, a string), baseUrl, filesUrl (the public folder of its files, ends in "/"), createdAt,
 * updatedAt }`, ordered by id (digit-only ids numerically, before the others).
 */
import { z } from "zod";
import { SUB_SCOPE_KEY_RE, ZStartUrl } from "./sitemaps";

export const MAX_SHOP_SUBSHOPS = 100;

/** A subshop id as the shop sends it (integer or string) → the sub-scope key it is stored as. */
export const ZSubshopId = z
  .union([z.number().int().min(0).max(999_999_999_999_999), z.string()])
  .transform((v) => String(v).trim().toLowerCase())
  .pipe(z.string().regex(SUB_SCOPE_KEY_RE, "A subshop id is an integer ≥ 0 or matches ^[a-z0-9][a-z0-9_-]{0,49}$."));

export const ZShopSubshopInput = z.strictObject({
  subshopId: ZSubshopId,
  baseUrl: ZStartUrl,
});

export const ZPutShopSubshopsBody = z.strictObject({
  subshops: z
    .array(ZShopSubshopInput)
    .max(MAX_SHOP_SUBSHOPS)
    .superRefine((list, ctx) => {
      const seen = new Set<string>();
      list.forEach((s, i) => {
        if (seen.has(s.subshopId)) ctx.addIssue({ code: "custom", path: [i, "subshopId"], message: `Subshop id "${s.subshopId}" is listed twice.` });
        seen.add(s.subshopId);
      });
    }),
});
export type TPutShopSubshopsBody = z.infer<typeof ZPutShopSubshopsBody>;

export const ZShopSubshopDto = z.object({
  subshopId: z.string(),
  baseUrl: z.string(),
  filesUrl: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TShopSubshopDto = z.infer<typeof ZShopSubshopDto>;

/** Order of subshop ids: digit-only ids numerically, then the others by code point. */
export function compareSubshopKeys(a: string, b: string): number {
  const [da, db] = [/^\d+$/.test(a), /^\d+$/.test(b)];
  if (da && db) return Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0);
  if (da !== db) return da ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
