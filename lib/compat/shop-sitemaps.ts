/**
 * The shop API's sitemaps resource: GET/POST sitemaps, GET/PUT/DELETE sitemaps/{id} (field mapping and defaults:
 * module doc of lib/compat/shop.ts). Bodies are checked by zod only: the shop's JSON types first
 * (lib/compat/shop-http.ts parseShopBody), then the native sitemap schemas (lib/schemas/sitemaps.ts) for values.
 * Errors: ShopError / AppError, answered in the shop's envelope by shopRoute.
 */
import { z } from "zod";
import { resolveSitemapDeferred, toSitemapDto, toSitemapDtos } from "@/lib/api/sitemaps";
import { parseWith } from "@/lib/api/request";
import type { Principal } from "@/lib/auth/authenticate";
import {
  deleteSitemap,
  findSitemap,
  insertSitemap,
  querySitemaps,
  shopSpellings,
  updateSitemap,
  type ShopSpelling,
} from "@/lib/db/sitemaps";
import { sitemapIdByNumber, templateIdByNumber, templateNumbers } from "@/lib/db/numbers";
import { ZCreateSitemapBody, ZUpdateSitemapBody, type TSitemapDto, type TSubScope } from "@/lib/schemas/sitemaps";
import { parseShopBody, readShopBody, ShopError, shopId } from "./shop-http";
import { SHOP_SITEMAP_LIST_SPEC, shopDeferredValues, shopExportFields } from "./shop-export-status";
import { shopFilesOf, type ShopFile } from "./shop-files";
import { siteOfSubshops, type SubshopSite } from "./shop-subshops";
import { offsetPage, shopListQuery, shopPageIndex, shopSort, sortShopKeys, type ShopSortValue } from "./shop-query";

export type ShopSitemap = {
  id: number;
  active: boolean;
  name: string;
  fileName: string;
  subshopIds: (number | string)[];
  /** The template's number; 0 = the built-in writer (the document's Integer, never null). */
  templateId: number;
  maxFileSize: number;
  maxFileEntries: number;
  options: { exportCharset: string };
  writeIntoRobots: boolean;
  exportAfterImport: boolean;
  exportPlan: number[];
  exportStatus: number;
  /** The newest run's number; 0 before the first run. */
  protocolId: number;
  /** ISO 8601 UTC; "" before the first run (the document's String, never null). */
  lastExportStarted: string;
  /** ISO 8601 UTC; "" before the first successful run. */
  lastExportFinished: string;
  createdAt: string;
  updatedAt: string;
  startUrl: string;
  /** The generated files, one entry per subshop folder (/sitemaps/<subshopId>/…); [] before the first export. */
  files: ShopFile[];
};

/** A sub-scope key as the shop shows a subshop id: digit-only keys as integers. */
export const subshopId = (key: string): number | string => (/^\d{1,15}$/.test(key) ? Number(key) : key);

/** A stored fileName as the shop sent it: `products.xml` stays `products.xml` (we store `products`). */
const NATIVE_FILE_NAME = (sent: string) => sent.replace(/\.xml(\.gz)?$/i, "");

/**
 * Our sitemap DTOs in the shop's shape: template ids as template numbers (0 = none), no null in the document's
 * Integer and String fields (0 and ""), and `fileName` / `options.exportCharset` spelled as the shop client sent them
 * while they still match what is stored (a change through the native API shows the native value).
 */
export async function toShopSitemaps(userId: string, dtos: TSitemapDto[]): Promise<ShopSitemap[]> {
  const [numbers, spellings, files] = await Promise.all([
    templateNumbers(dtos.flatMap((d) => (d.templateId ? [d.templateId] : []))),
    shopSpellings(dtos.map((d) => d.id)),
    shopFilesOf(userId, dtos),
  ]);
  return dtos.map((d) => {
    const sent = spellings.get(d.id) ?? {};
    const run = shopExportFields(d.lastRun, d.lastSucceededAt);
    return {
      id: d.number,
      active: d.active,
      name: d.name,
      fileName: sent.fileName !== undefined && NATIVE_FILE_NAME(sent.fileName) === d.fileName ? sent.fileName : d.fileName,
      subshopIds: d.subScopes.map((s) => subshopId(s.key)),
      templateId: d.templateId ? (numbers.get(d.templateId) ?? 0) : 0,
      maxFileSize: d.maxFileSize,
      maxFileEntries: d.maxFileEntries,
      options: {
        exportCharset:
          sent.exportCharset !== undefined && sent.exportCharset.toLowerCase() === d.options.exportCharset ? sent.exportCharset : d.options.exportCharset,
      },
      writeIntoRobots: d.writeIntoRobots,
      exportAfterImport: d.exportAfterImport,
      exportPlan: d.exportPlan,
      exportStatus: run.exportStatus,
      protocolId: run.protocolId ?? 0,
      lastExportStarted: run.lastExportStarted ?? "",
      lastExportFinished: run.lastExportFinished ?? "",
      createdAt: d.createdAt,
      updatedAt: d.updatedAt,
      startUrl: d.startUrl,
      files: files.get(d.id) ?? [],
    };
  });
}

/** What the shop client sent of the two fields it spells its own way (for toShopSitemaps). */
const spellingOf = (body: ShopSitemapBody): ShopSpelling => ({
  ...(body.fileName !== undefined ? { fileName: body.fileName } : {}),
  ...(body.options?.exportCharset !== undefined ? { exportCharset: body.options.exportCharset } : {}),
});


/** The document's filter and sort fields of GET sitemaps, and their names in SHOP_SITEMAP_LIST_SPEC. */
const SITEMAP_FIELDS: Record<string, string> = {
  id: "number",
  active: "active",
  name: "name",
  fileName: "fileName",
  templateId: "templateId",
  subshopIds: "subScopes",
  maxFileSize: "maxFileSize",
  maxFileEntries: "maxFileEntries",
  exportAfterImport: "exportAfterImport",
  exportStatus: "exportStatus",
  lastExportStarted: "lastExportStarted",
  lastExportFinished: "lastExportFinished",
  createdAt: "createdAt",
  updatedAt: "updatedAt",
};


/**
 * GET sitemaps: the account's sitemaps as a page of the shop's list (module doc of lib/compat/shop.ts). Filters run in
 * the database (the run facts in memory); every document sort field (templateId by template number, subshopIds
 * element by element, exportStatus by code) orders the matching sitemaps' shop values in memory, so the cost grows
 * with the number of sitemaps of the account.
 */
export async function listShopSitemaps(principal: Principal, req: Request): Promise<Response> {
  const url = new URL(req.url);
  const index = shopPageIndex(url);
  const sort = shopSort(url, Object.keys(SITEMAP_FIELDS)) ?? { field: "id", dir: "asc" };
  const filtersOnly = new URL(url);
  filtersOnly.searchParams.delete("sort");
  const q = await shopListQuery(filtersOnly, SITEMAP_FIELDS, SHOP_SITEMAP_LIST_SPEC, {
    defaultSort: "number:asc",
    mapValue: async (field, raw) => {
      if (field !== "templateId" || raw === "null") return raw;
      const parts = await Promise.all(
        raw.split(",").map(async (v) => {
          const n = /^\d{1,15}$/.test(v) ? Number(v) : null;
          if (n === null) throw new ShopError(400, "invalidCharacters", `templateId filter value "${v}" is not an integer.`, "filter[templateId]");
          return (await templateIdByNumber(principal.userId, n)) ?? "-";
        }),
      );
      return parts.join(",");
    },
  });
  const ids = await resolveSitemapDeferred(principal.userId, q, shopDeferredValues);
  const matching = await toShopSitemaps(principal.userId, await toSitemapDtos(await querySitemaps({ userId: principal.userId, where: q.where, orderBy: q.orderBy, ids })));
  const byId = new Map(matching.map((s) => [s.id, s]));
  const ordered = sortShopKeys(matching.map((s) => ({ id: s.id, value: s[sort.field as keyof ShopSitemap] as ShopSortValue })), sort.dir);
  const page = offsetPage(ordered.slice(index * q.size, (index + 1) * q.size + 1), q.size, index);
  return Response.json({ data: page.rows.map((id) => byId.get(id)!), nextPageToken: page.nextPageToken });
}

/**
 * The sitemap body's JSON types (the document's "missing" fields are required on POST; PUT takes any subset).
 * Field order is the order the document reports errors in.
 */
const ZShopSitemapBody = z.strictObject({
  name: z.string().describe("a string"),
  active: z.boolean().describe("a boolean"),
  fileName: z.string().describe("a string"),
  templateId: z.int().nullable().describe("an integer"),
  exportAfterImport: z.boolean().describe("a boolean"),
  exportPlan: z.array(z.int()).describe("an array of integers"),
  maxFileEntries: z.int().describe("an integer"),
  maxFileSize: z.int().describe("an integer"),
  writeIntoRobots: z.boolean().describe("a boolean"),
  subshopIds: z.array(z.unknown()).describe("an array"),
  options: z.strictObject({ exportCharset: z.string().describe("a string").optional() }).describe("an object").optional(),
  startUrl: z.string().describe("a string").optional(),
});
const ZShopSitemapPatch = ZShopSitemapBody.partial();
type ShopSitemapBody = z.infer<typeof ZShopSitemapPatch>;

/** A subshop id as a sub-scope key; 400 invalidValue for anything else. */
function subshopKey(raw: unknown): string {
  const key = typeof raw === "number" || typeof raw === "string" ? String(raw).toLowerCase() : "";
  if (!/^[a-z0-9][a-z0-9_-]{0,49}$/.test(key)) throw new ShopError(400, "invalidValue", `subshopIds: "${String(raw)}" is not a subshop id.`, "subshopIds");
  return key;
}

/**
 * The shop body (types checked) in native terms; the native schema then checks the values. `site`: the subshops'
 * site (account settings), which gives new sub-scopes their path prefix.
 */
async function toNativeBody(principal: Principal, body: ShopSitemapBody, current: TSitemapDto | null, site: SubshopSite | null): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const k of ["name", "active", "maxFileEntries", "maxFileSize", "exportPlan", "writeIntoRobots", "exportAfterImport", "startUrl"] as const) {
    if (body[k] !== undefined) out[k] = body[k];
  }
  if (body.fileName !== undefined) out.fileName = NATIVE_FILE_NAME(body.fileName);
  if (body.options?.exportCharset !== undefined) out.options = { exportCharset: body.options.exportCharset.toLowerCase() };
  if (body.templateId !== undefined) {
    const n = body.templateId;
    if (n === null || n === 0) out.templateId = null;
    else {
      const id = n > 0 ? await templateIdByNumber(principal.userId, n) : null;
      if (!id) throw new ShopError(400, "invalidValue", "templateId is invalid.", "templateId");
      out.templateId = id;
    }
  }
  if (body.subshopIds !== undefined) {
    const existing = new Map<string, TSubScope>((current?.subScopes ?? []).map((s) => [s.key, s]));
    out.subScopes = body.subshopIds.map((raw) => {
      const key = subshopKey(raw);
      const prefix = site?.pathPrefixes.get(key);
      return existing.get(key) ?? { key, name: `Subshop ${key}`, pathPrefix: prefix && prefix.length <= 500 ? prefix : "/" };
    });
  }
  return out;
}

/** Our id of the sitemap the shop calls `rawId` (its number); 400 invalidValue, 404 notFound. */
export async function sitemapIdOf(principal: Principal, rawId: string): Promise<string> {
  const n = shopId(rawId);
  const id = await sitemapIdByNumber(principal.userId, n);
  if (!id) throw new ShopError(404, "notFound", `Sitemap with id=${n} was not found.`);
  return id;
}

const one = async (userId: string, dto: TSitemapDto) => (await toShopSitemaps(userId, [dto]))[0];

/**
 * GET sitemaps/{id}: the shop-shaped sitemap whose number is `rawId`. Throws ShopError 400 invalidValue (not a positive
 * integer), 404 notFound.
 */
export async function getShopSitemap(principal: Principal, rawId: string): Promise<Response> {
  const id = await sitemapIdOf(principal, rawId);
  const row = await findSitemap({ userId: principal.userId, sitemapId: id });
  if (!row) throw new ShopError(404, "notFound", `Sitemap with id=${rawId} was not found.`);
  return Response.json(await one(principal.userId, await toSitemapDto(row)));
}

/**
 * POST sitemaps: creates a sitemap from the shop body; its site is the subshops' base URL (lib/compat/shop-subshops.ts
 * siteOfSubshops) unless the body gives our `startUrl`. Answers 201 with the shop-shaped sitemap and
 * `Location: /api/shop/sitemaps/{number}`. Throws ShopError (400 for the body's JSON types or subshops without a base
 * URL) and AppError from the native schema (422 codes, answered as the shop's 400s).
 */
export async function createShopSitemap(principal: Principal, req: Request): Promise<Response> {
  const body = parseShopBody(ZShopSitemapBody, await readShopBody(req));
  // The site comes from the account's subshop settings (the document has no URL field); `startUrl` (ours) overrides it.
  const keys = body.subshopIds.map(subshopKey);
  const site = body.startUrl === undefined ? await siteOfSubshops(principal.userId, keys) : await siteOfSubshops(principal.userId, keys).catch(() => null);
  const native = await toNativeBody(principal, body, null, site);
  native.startUrl ??= site!.startUrl;
  const data = parseWith(ZCreateSitemapBody, native);
  const row = await insertSitemap({ userId: principal.userId, data, shopSpelling: spellingOf(body) });
  return Response.json(await one(principal.userId, await toSitemapDto(row)), { status: 201, headers: { Location: `/api/shop/sitemaps/${row.number}` } });
}

/**
 * PUT sitemaps/{id}: updates the fields the body gives. New `subshopIds` move the sitemap to their site when every
 * one has a base URL, else the site stays; subshops on two origins are refused unless the body gives our `startUrl`.
 * Answers 200 with the shop-shaped sitemap. Throws ShopError 400/404 and the native schema's AppErrors.
 */
export async function updateShopSitemap(principal: Principal, rawId: string, req: Request): Promise<Response> {
  const id = await sitemapIdOf(principal, rawId);
  const body = parseShopBody(ZShopSitemapPatch, await readShopBody(req));
  const current = await findSitemap({ userId: principal.userId, sitemapId: id });
  if (!current) throw new ShopError(404, "notFound", `Sitemap with id=${rawId} was not found.`);
  // New subshopIds move the sitemap to their site when every one of them has a base URL; else the site stays (a
  // sitemap made with our startUrl before its subshops were configured). Subshops on two sites are still refused.
  const keepSite = (e: unknown) => {
    if (body.startUrl !== undefined || (e instanceof ShopError && e.type === "missing")) return null;
    throw e;
  };
  const site = body.subshopIds !== undefined ? await siteOfSubshops(principal.userId, body.subshopIds.map(subshopKey)).catch(keepSite) : null;
  const native = await toNativeBody(principal, body, await toSitemapDto(current), site);
  if (site && native.startUrl === undefined) native.startUrl = site.startUrl;
  const data = parseWith(ZUpdateSitemapBody, native);
  const row = await updateSitemap({ userId: principal.userId, sitemapId: id, data, shopSpelling: spellingOf(body) });
  if (!row) throw new ShopError(404, "notFound", `Sitemap with id=${rawId} was not found.`);
  return Response.json(await one(principal.userId, await toSitemapDto(row)));
}

/** DELETE sitemaps/{id}: 204 when deleted. Throws ShopError 404 notFound, 409 conflict while a run of it is active. */
export async function deleteShopSitemap(principal: Principal, rawId: string): Promise<Response> {
  const id = await sitemapIdOf(principal, rawId);
  const outcome = await deleteSitemap({ userId: principal.userId, sitemapId: id });
  if (outcome === "not_found") throw new ShopError(404, "notFound", `Sitemap with id=${rawId} was not found.`);
  if (outcome === "active_run") throw new ShopError(409, "conflict", "The generation process of this sitemap is running; delete it when it has ended.");
  return new Response(null, { status: 204 });
}
