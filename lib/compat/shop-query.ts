/**
 * List queries of the shop API adapter (lib/compat/shop.ts): the shop's query string (`size`, `sort=field:dir`,
 * `filter[field]…`, `pageToken`) rewritten into the native list grammar (lib/api/list-query.ts) on native field
 * names, and native field errors renamed back into the shop's names. Errors: ShopError (400 invalidCharacters) and
 * AppError from the native parser, renamed.
 */
import { parseListQuery, type ListModel, type ListQuery, type ListSpec } from "@/lib/api/list-query";
import { AppError } from "@/lib/core/errors";
import { ShopError } from "./shop-http";

/**
 * Rewrites the shop query string into the native grammar: field names renamed (unknown ones stay unknown, so the
 * native parser answers unknownDataField), `pageToken` → cursor, a non-integer `size` → invalidCharacters.
 * `mapValue` translates filter values (templateId numbers → our ids).
 */
export async function nativeParams(url: URL, fields: Record<string, string>, mapValue?: (field: string, raw: string) => Promise<string>): Promise<URLSearchParams> {
  const out = new URLSearchParams();
  for (const [key, value] of url.searchParams) {
    if (key === "size") {
      if (!/^\d+$/.test(value)) throw new ShopError(400, "invalidCharacters", "size is not an integer.", "size");
      out.set("size", value);
    } else if (key === "pageToken") {
      out.set("cursor", value);
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
