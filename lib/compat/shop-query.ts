/**
 * List queries of the shop API adapter (lib/compat/shop.ts): the shop's query string (`size`, `sort=field:dir`,
 * `filter[field]…`) rewritten into the native list grammar (lib/api/list-query.ts) on native field names, and native
 * field errors renamed back into the shop's names. Errors: ShopError (400 invalidCharacters) and AppError from the
 * native parser, renamed.
 *
 * Pages are numbered as the document has it: `pageToken` is a number ≥ 0, the index of the page (0 = the first),
 * and `nextPageToken` the index of the next one (null on the last page). The shop's sort fields include values the
 * database cannot order by (exportStatus codes, template numbers, subshop lists), so the sitemaps and protocols
 * lists order their matching rows' sort keys in memory (sortShopKeys) and load only the page's rows.
 */
import { parseListQuery, type ListModel, type ListQuery, type ListSpec } from "@/lib/api/list-query";
import { AppError } from "@/lib/core/errors";
import { ShopError } from "./shop-http";

/**
 * Rewrites the shop query string into the native grammar: field names renamed (unknown ones stay unknown, so the
 * native parser answers unknownDataField), `pageToken` left out (shopPageIndex), a non-integer `size` →
 * invalidCharacters.
 * `mapValue` translates filter values (templateId numbers → our ids).
 */
export async function nativeParams(url: URL, fields: Record<string, string>, mapValue?: (field: string, raw: string) => Promise<string>): Promise<URLSearchParams> {
  const out = new URLSearchParams();
  for (const [key, value] of url.searchParams) {
    if (key === "size") {
      if (!/^\d+$/.test(value)) throw new ShopError(400, "invalidCharacters", "size is not an integer.", "size");
      out.set("size", value);
    } else if (key === "pageToken") {
      continue; // page index, read by shopPageIndex
    } else if (key === "sort") {
      const [f, ...rest] = value.split(":");
      out.set("sort", [fields[f] ?? `${f}\u0000`, ...rest].join(":"));
    } else if (key.startsWith("filter")) {
      const m = /^filter\[([^\][]*)\](.*)$/.exec(key);
      if (!m) {
        out.append(key, value);
        continue;
      }
      const native = fields[m[1]] ?? `${m[1]}\u0000`;
      // subshopIds is an array: a plain filter means "contains this subshop"
      const op = native === "subScopes" && m[2] === "" ? "[contains]" : m[2];
      out.append(`filter[${native}]${op}`, mapValue ? await mapValue(m[1], value) : value);
    }
  }
  return out;
}

/** Errors of the rewritten query name the shop's fields again. */
export function renameFieldError(err: unknown, fields: Record<string, string>): never {
  if (err instanceof AppError) {
    const back = Object.fromEntries(Object.entries(fields).map(([shop, nat]) => [nat, shop]));
    const fix = (s: string) => s.replace(/\u0000/g, "").replace(/filter\[([^\]]*)\]/, (_m, f: string) => `filter[${back[f] ?? f}]`);
    const field = err.field === undefined ? undefined : back[err.field] ?? fix(err.field);
    throw new AppError(err.code, fix(err.message).replace(/"([^"]+)"/, (_m, f: string) => `"${back[f] ?? f}"`), { field });
  }
  throw err;
}


/**
 * The parsed native list query of a shop list request: `fields` maps the shop's field names to native ones,
 * `defaultSort` (a native `field:dir`) applies when the request names none. Throws what the native parser throws,
 * with the shop's field names.
 */
export async function shopListQuery<M extends ListModel>(
  url: URL,
  fields: Record<string, string>,
  spec: ListSpec<M>,
  opts: { defaultSort?: string; mapValue?: (field: string, raw: string) => Promise<string> } = {},
): Promise<ListQuery<M>> {
  const params = await nativeParams(url, fields, opts.mapValue);
  if (opts.defaultSort && !params.has("sort")) params.set("sort", opts.defaultSort);
  try {
    return parseListQuery(params, spec);
  } catch (err) {
    renameFieldError(err, fields);
  }
}

/**
 * `pageToken`: the page's index, an integer ≥ 0 (absent = 0). Throws ShopError 400 invalidValue "pageToken is not a
 * number or is less than 0." (the document's wording).
 */
export function shopPageIndex(url: URL): number {
  const raw = url.searchParams.get("pageToken");
  if (raw === null || raw === "") return 0;
  if (!/^\d{1,9}$/.test(raw)) throw new ShopError(400, "invalidValue", "pageToken is not a number or is less than 0.", "pageToken");
  return Number(raw);
}

/** The rows of page `index` (`size` rows each) out of a fetch of up to size + 1 rows from its offset. */
export function offsetPage<T>(rows: T[], size: number, index: number): { rows: T[]; nextPageToken: number | null } {
  return { rows: rows.slice(0, size), nextPageToken: rows.length > size ? index + 1 : null };
}

export type ShopSort = { field: string; dir: "asc" | "desc" };

/**
 * The shop's `sort=field:dir` against its sortable `fields`; null when absent. Throws ShopError 400 syntaxError
 * (not exactly one ":", or a direction other than asc/desc) or unknownDataField (field).
 */
export function shopSort(url: URL, fields: readonly string[]): ShopSort | null {
  const raw = url.searchParams.get("sort");
  if (raw === null) return null;
  const parts = raw.split(":");
  if (parts.length !== 2) throw new ShopError(400, "syntaxError", 'sort contains more than one or no ":".', "sort");
  const [field, dir] = parts;
  if (dir !== "asc" && dir !== "desc") throw new ShopError(400, "syntaxError", `sort direction "${dir}" is neither asc nor desc.`, "sort");
  if (!fields.includes(field)) throw new ShopError(400, "unknownDataField", `"${field}" is not a sort field.`, field);
  return { field, dir };
}

/** A sort value of the shop's fields: scalars, or arrays (subshopIds) compared element by element. */
export type ShopSortValue = string | number | boolean | null | (string | number)[];

function compareValues(a: ShopSortValue, b: ShopSortValue): number {
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = compareValues(a[i], b[i]);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  // mixed subshop ids (numbers and strings) and strings: numbers first, then code-unit order
  if (typeof a === "number") return -1;
  if (typeof b === "number") return 1;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Orders sort keys `{ id, value }` by value in `dir`, NULLs last in both directions (as the native grammar does),
 * ties by id ascending; returns the ids. `id` is the shop's integer id.
 */
export function sortShopKeys(keys: { id: number; value: ShopSortValue }[], dir: "asc" | "desc"): number[] {
  const sign = dir === "asc" ? 1 : -1;
  return [...keys]
    .sort((a, b) => {
      if (a.value === null || b.value === null) return a.value === b.value ? a.id - b.id : a.value === null ? 1 : -1;
      return sign * compareValues(a.value, b.value) || a.id - b.id;
    })
    .map((k) => k.id);
}
