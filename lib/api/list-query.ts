/**
 * The one list grammar of /api/v1 (every list endpoint parses its query string here).
 *
 *   ?size=1..300 (alias `limit`; default 20)
 *   &cursor=<opaque> (alias `pageToken`; the `next_cursor` of the previous page)
 *   &sort=<field>:asc|desc (default: the spec's defaultSort, normally createdAt:desc)
 *   &filter[<field>]=<value>             (operation eq)
 *   &filter[<field>][<op>]=<value>       (op: eq ne lt lte gt gte in contains; `in` takes a comma-separated list)
 *
 * Values are typed by the endpoint's ListSpec: string, int, number, boolean (true|false|1|0), date (ISO 8601),
 * enum (one of `values`), array fields (contains = "has this element"). `null` is a value for nullable fields
 * (eq/ne only). Several filters are ANDed; unrelated query parameters are ignored (endpoints read their own).
 *
 * Errors — 400, like the shop API (a query string is not a body; bodies stay 422), `field` names the parameter:
 *   syntax_error       sort without exactly one ':' or with a direction other than asc|desc; a `filter…` parameter
 *                      that is not filter[field] or filter[field][op]
 *   unknown_field      sort or filter on a field the endpoint does not declare (or does not allow for that use)
 *   unknown_operation  an operation outside the list, or one the field's type does not support
 *   invalid_value      size not an integer in 1..300; a value not parseable for the field's type; a cursor this API
 *                      did not return or one made for another sort
 *
 * Keyset pagination for any sort: rows are ordered by (sort column, id) in the same direction with NULLs last, and
 * the cursor is base64url JSON { s: "field:dir", v: sort value of the last row, i: its id }. The next page is the
 * rows strictly after that pair, so pages stay stable while rows are inserted or deleted (no OFFSET).
 *
 * `contains` on a string column is a case-insensitive substring match: the value's LIKE wildcards (`%`, `_`) and the
 * escape character `\` are escaped, so `filter[name][contains]=50%25` matches names containing "50%" literally
 * (Prisma passes the value into ILIKE '%…%' as is; PostgreSQL's default LIKE escape character is `\`).
 *
 * Filters on derived fields (computed from other tables, e.g. a sitemap's lastRunStatus) are not turned into `where`;
 * they come back in `deferred` for the endpoint to resolve (typically to an `id in (…)` condition).
 *
 * Typing: a ListSpec is generic over the listed model's Prisma input types (`ListSpec<RunList>`, the models' types in
 * lib/db/list-models.ts: `{ where: Prisma.RunWhereInput; orderBy: Prisma.RunOrderByWithRelationInput }`), so
 * `column` must name a field of the model and the parsed `where`/`orderBy` go to `findMany` without casts. The untyped default (plain records) is
 * for tests and specs that never reach Prisma.
 */
import { AppError, type ErrorCode } from "@/lib/core/errors";

export const LIST_OPS = ["eq", "ne", "lt", "lte", "gt", "gte", "in", "contains"] as const;
export type ListOp = (typeof LIST_OPS)[number];
export type SortDir = "asc" | "desc";

export const MAX_PAGE_SIZE = 300;
export const DEFAULT_PAGE_SIZE = 20;
const MAX_IN_VALUES = 100;

export type FieldType = "string" | "int" | "number" | "boolean" | "date" | "enum" | "stringArray" | "intArray";
export type FilterValue = string | number | boolean | Date | null;

/** The top-level field names of a Prisma `WhereInput` (its columns and relations, not AND/OR/NOT). */
export type ColumnOf<W> = Exclude<Extract<keyof W, string>, "AND" | "OR" | "NOT">;

type AnyWhere = Record<string, unknown>;

/** A listed model's Prisma input types: `where` its `WhereInput`, `orderBy` its `OrderByWithRelationInput`. */
export type ListModel = { where: object; orderBy: object };
type AnyModel = { where: AnyWhere; orderBy: AnyWhere };

export type FieldSpec<W extends object = AnyWhere> = {
  type: FieldType;
  /** Prisma scalar column (top-level) this field maps to; omit for derived fields (`deferred`). */
  column?: ColumnOf<W>;
  /** enum: the allowed values. */
  values?: readonly string[];
  /** The column can be NULL (enables `null` values; sorting puts NULLs last). */
  nullable?: boolean;
  /** Filterable (default true) / sortable (default true when a column is set). */
  filter?: boolean;
  sort?: boolean;
  /** Custom `where` for this field (e.g. JSON columns); receives the parsed value(s). */
  where?: (op: ListOp, value: FilterValue | FilterValue[]) => W;
  /**
   * Derived field: filters are returned in `deferred` instead of `where`. Sortable only with `sort: true`, in memory
   * (`memorySort` of the result; see sortInMemory).
   */
  deferred?: boolean;
  /** Operations allowed; default by type. */
  ops?: readonly ListOp[];
};

/**
 * An endpoint's list grammar over model M (its Prisma where/orderBy input types; see the module comment).
 */
export type ListSpec<M extends ListModel = AnyModel> = {
  fields: Record<string, FieldSpec<M["where"]>>;
  /** Default "createdAt:desc". */
  defaultSort?: { field: string; dir: SortDir };
  /** Id column used as the tie-breaker (default "id"); a column unique within the listed rows. */
  idColumn?: ColumnOf<M["where"]>;
  /** Type-level only (never set): carries M's orderBy, which no field mentions, to parseListQuery's result. */
  readonly model?: M;
};

export type ParsedFilter = { field: string; op: ListOp; value: FilterValue | FilterValue[] };

export type ListQuery<M extends ListModel = AnyModel> = {
  size: number;
  sort: { field: string; dir: SortDir };
  filters: ParsedFilter[];
  /** Filters on `deferred` fields, for the endpoint to resolve. */
  deferred: ParsedFilter[];
  /**
   * Set when sorting by a derived field: `orderBy` is then only the id tie-breaker, the cursor is NOT in `where`, and
   * the endpoint orders in memory with sortInMemory (after = the cursor's (value, id)).
   */
  memorySort: { field: string; dir: SortDir; nullable: boolean; after: { value: FilterValue; id: string } | null } | null;
  /**
   * The column sort and the cursor's position as plain values (null for a sort on a derived field), for a caller
   * that pages in its own SQL: rows ordered by (column dir NULLS LAST, idColumn dir), strictly after `after`. The
   * same order and condition as `orderBy` and the keyset part of `where`.
   */
  keyset: { column: string; idColumn: string; dir: SortDir; nullable: boolean; after: { value: FilterValue; id: string } | null } | null;
  /** Prisma `where`: the column filters AND the keyset condition of the cursor. */
  where: M["where"];
  /** Prisma `orderBy`: sort column then id, same direction. */
  orderBy: M["orderBy"][];
  /** Rows to fetch: size + 1 (the extra row tells whether there is a next page). */
  take: number;
  /** Cuts the fetched rows to `size` and builds `next_cursor` from the last row kept (null on the last page). */
  page<T extends Record<string, unknown>>(rows: T[]): { rows: T[]; nextCursor: string | null };
};

/** A list-grammar error: the code's usual envelope, always HTTP 400 (query strings, like the shop API). */
export class ListQueryError extends AppError {
  constructor(code: ErrorCode, message: string, field?: string) {
    super(code, message, { field });
  }
  override get status(): number {
    return 400;
  }
}

const DEFAULT_OPS: Record<FieldType, readonly ListOp[]> = {
  string: LIST_OPS,
  int: ["eq", "ne", "lt", "lte", "gt", "gte", "in"],
  number: ["eq", "ne", "lt", "lte", "gt", "gte", "in"],
  date: ["eq", "ne", "lt", "lte", "gt", "gte"],
  boolean: ["eq", "ne"],
  enum: ["eq", "ne", "in"],
  stringArray: ["contains"],
  intArray: ["contains"],
};

// The database's Int columns (PostgreSQL int4): a value outside is a database error, so it is refused here. Deferred
// fields are compared in memory and take any integer the pattern allows.
const INT4_MIN = -2_147_483_648;
const INT4_MAX = 2_147_483_647;
const isInt4 = (n: number) => Number.isInteger(n) && n >= INT4_MIN && n <= INT4_MAX;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** One raw value parsed for `spec`'s type, or a 400 invalid_value naming `param`. */
function parseValue(spec: FieldSpec, raw: string, param: string, allowNull: boolean): FilterValue {
  const bad = (why: string): never => {
    throw new ListQueryError("invalid_value", `"${raw}" is not ${why} (${param}).`, param);
  };
  if (raw === "null" && allowNull && spec.nullable) return null;
  switch (spec.type) {
    case "string":
    case "stringArray":
      if (raw.length > 2048) bad("a value of at most 2,048 characters");
      return raw;
    case "int":
    case "intArray": {
      if (!/^-?\d{1,15}$/.test(raw)) bad("an integer");
      const n = Number(raw);
      if (!spec.deferred && !isInt4(n)) bad(`an integer from ${INT4_MIN} to ${INT4_MAX}`);
      return n;
    }
    case "number": {
      const n = Number(raw);
      if (raw.trim() === "" || !Number.isFinite(n)) bad("a number");
      return n;
    }
    case "boolean":
      if (raw === "true" || raw === "1") return true;
      if (raw === "false" || raw === "0") return false;
      return bad("a boolean (true, false, 1 or 0)");
    case "date": {
      const t = ISO_DATE.test(raw) ? Date.parse(raw) : NaN;
      if (Number.isNaN(t)) bad("an ISO 8601 date");
      return new Date(t);
    }
    case "enum":
      if (!spec.values?.includes(raw)) bad(`one of ${spec.values?.join(", ")}`);
      return raw;
  }
}

/** `value` for PostgreSQL LIKE/ILIKE with `\` as the escape character: `%`, `_` and `\` match themselves. */
export const escapeLike = (value: string): string => value.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The Prisma condition of one filter on a column field. */
function columnWhere(spec: FieldSpec, op: ListOp, value: FilterValue | FilterValue[]): AnyWhere {
  if (spec.where) return spec.where(op, value) as AnyWhere;
  const c: string = spec.column!;
  switch (op) {
    case "eq":
      return { [c]: value };
    case "ne":
      // SQL `<>` is never true for NULL; "not equal" includes rows without a value.
      if (value === null) return { NOT: { [c]: null } };
      return spec.nullable ? { OR: [{ [c]: { not: value } }, { [c]: null }] } : { [c]: { not: value } };
    case "in":
      return { [c]: { in: value } };
    case "contains":
      if (spec.type === "stringArray" || spec.type === "intArray") return { [c]: { has: value } };
      return { [c]: { contains: escapeLike(String(value)), mode: "insensitive" } };
    default:
      return { [c]: { [op]: value } };
  }
}

type CursorPayload = { s: string; v: string | number | boolean | null; i: string };

function encodeListCursor(p: CursorPayload): string {
  return Buffer.from(JSON.stringify(p), "utf8").toString("base64url");
}

function decodeListCursor(raw: string, sortKey: string, spec: FieldSpec): { value: FilterValue; id: string } {
  const bad = (why: string): never => {
    throw new ListQueryError("invalid_value", `\`cursor\` ${why}.`, "cursor");
  };
  let p: CursorPayload | null = null;
  try {
    p = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as CursorPayload;
  } catch {
    bad("is not a cursor this API returned");
  }
  if (!p || typeof p !== "object" || typeof p.s !== "string" || typeof p.i !== "string" || !("v" in p)) {
    return bad("is not a cursor this API returned");
  }
  if (p.s !== sortKey) bad(`was made for sort=${p.s}; repeat that sort or start without a cursor`);
  // A cursor is only base64 JSON: a forged one must not reach the database as a value its column can't hold.
  if (p.i.includes("\u0000")) bad("is not a cursor this API returned");
  if (p.v === null) return { value: null, id: p.i };
  if (spec.type === "date") {
    const t = typeof p.v === "string" && ISO_DATE.test(p.v) ? Date.parse(p.v) : NaN;
    if (Number.isNaN(t)) bad("is not a cursor this API returned");
    return { value: new Date(t), id: p.i };
  }
  if (!cursorValueFits(spec, p.v)) bad("is not a cursor this API returned");
  return { value: p.v, id: p.i };
}

/** Whether a cursor's sort value has the type of the sorted field (what the API writes from a row of it). */
function cursorValueFits(spec: FieldSpec, v: unknown): boolean {
  switch (spec.type) {
    case "string":
      return typeof v === "string" && !v.includes("\u0000");
    case "enum":
      return typeof v === "string" && !!spec.values?.includes(v);
    case "int":
      return typeof v === "number" && (spec.deferred ? Number.isSafeInteger(v) : isInt4(v));
    case "number":
      return typeof v === "number" && Number.isFinite(v);
    case "boolean":
      return typeof v === "boolean";
    default:
      return false;
  }
}

/** Rows strictly after (value, id) in the order (column dir NULLS LAST, id dir). */
function keysetWhere(column: string, idColumn: string, dir: SortDir, value: FilterValue, id: string, nullable: boolean) {
  const cmp = dir === "asc" ? "gt" : "lt";
  if (column === idColumn) return { [column]: { [cmp]: value } };
  if (value === null) return { [column]: null, [idColumn]: { [cmp]: id } };
  // Prisma has no lt/gt for booleans (a validation error): false < true, so "after" is the other value, or none.
  const after = typeof value === "boolean" ? ((cmp === "gt") !== value ? { [column]: !value } : { [idColumn]: { in: [] } }) : { [column]: { [cmp]: value } };
  const or: Record<string, unknown>[] = [after, { [column]: value, [idColumn]: { [cmp]: id } }];
  if (nullable) or.push({ [column]: null });
  return { OR: or };
}

const FILTER_KEY = /^filter\[([^\][]*)\](?:\[([^\][]*)\])?$/;

/**
 * Parses the list grammar of `params` for the endpoint described by `spec`.
 * Throws ListQueryError (HTTP 400) with the codes listed at the top of this module.
 */
export function parseListQuery<M extends ListModel>(params: URLSearchParams, spec: ListSpec<M>): ListQuery<M> {
  const idColumn: string = spec.idColumn ?? "id";
  // Parsing works on column names as strings; the types come back at the end (see `typed`).
  const fields = spec.fields as unknown as Record<string, FieldSpec>;

  // size / limit
  const rawSize = params.get("size") ?? params.get("limit");
  const sizeParam = params.has("size") ? "size" : "limit";
  let size = DEFAULT_PAGE_SIZE;
  if (rawSize !== null) {
    if (!/^\d{1,6}$/.test(rawSize)) throw new ListQueryError("invalid_value", `\`${sizeParam}\` must be an integer in 1..${MAX_PAGE_SIZE}.`, sizeParam);
    size = Number(rawSize);
    if (size < 1 || size > MAX_PAGE_SIZE) throw new ListQueryError("invalid_value", `\`${sizeParam}\` must be in 1..${MAX_PAGE_SIZE}.`, sizeParam);
  }

  // sort
  const def = spec.defaultSort ?? { field: "createdAt", dir: "desc" as const };
  let sort = def;
  const rawSort = params.get("sort");
  if (rawSort !== null) {
    const parts = rawSort.split(":");
    if (parts.length !== 2) throw new ListQueryError("syntax_error", "`sort` must be field:asc or field:desc (exactly one ':').", "sort");
    const [field, dir] = parts;
    if (dir !== "asc" && dir !== "desc") throw new ListQueryError("syntax_error", "The direction of `sort` must be asc or desc.", "sort");
    const f = fields[field];
    const sortable = f && f.sort !== false && (f.deferred ? f.sort === true : !!f.column);
    if (!sortable) {
      throw new ListQueryError("unknown_field", `Cannot sort by "${field}"; sortable: ${sortableFields(spec).join(", ")}.`, field || "sort");
    }
    sort = { field, dir };
  }
  const sortSpec = fields[sort.field];
  if (!sortSpec?.column && !sortSpec?.deferred) throw new Error(`list spec: default sort field ${sort.field} has no column`);
  const inMemory = !!sortSpec.deferred;

  // filters
  const filters: ParsedFilter[] = [];
  for (const [key, raw] of params) {
    if (!key.startsWith("filter")) continue;
    const m = FILTER_KEY.exec(key);
    if (!m) throw new ListQueryError("syntax_error", `"${key}" is not filter[field] or filter[field][operation].`, key);
    const [, field, opRaw] = m;
    const f = fields[field];
    if (!f || f.filter === false) {
      throw new ListQueryError("unknown_field", `Cannot filter by "${field}"; filterable: ${filterableFields(spec).join(", ")}.`, field || key);
    }
    const op = (opRaw ?? "eq") as ListOp;
    if (!(LIST_OPS as readonly string[]).includes(op)) {
      throw new ListQueryError("unknown_operation", `Unknown filter operation "${opRaw}"; use one of ${LIST_OPS.join(", ")}.`, key);
    }
    const allowed = f.ops ?? DEFAULT_OPS[f.type];
    if (!allowed.includes(op)) {
      throw new ListQueryError("unknown_operation", `Operation "${op}" is not available for "${field}"; use ${allowed.join(", ")}.`, key);
    }
    let value: FilterValue | FilterValue[];
    if (op === "in") {
      const items = raw.split(",");
      if (items.length > MAX_IN_VALUES) throw new ListQueryError("invalid_value", `At most ${MAX_IN_VALUES} values in "in".`, key);
      value = items.map((s) => parseValue(f, s, key, false));
    } else {
      value = parseValue(f, raw, key, op === "eq" || op === "ne");
    }
    filters.push({ field, op, value });
  }
  const deferred = filters.filter((x) => fields[x.field].deferred);
  const conditions = filters.filter((x) => !fields[x.field].deferred).map((x) => columnWhere(fields[x.field], x.op, x.value));

  // cursor / pageToken
  let cursorAfter: { value: FilterValue; id: string } | null = null;
  let keysetAfter: { value: FilterValue; id: string } | null = null;
  const sortKey = `${sort.field}:${sort.dir}`;
  const rawCursor = params.get("cursor") ?? params.get("pageToken");
  if (rawCursor !== null) {
    if (rawCursor.length === 0 || rawCursor.length > 2000) throw new ListQueryError("invalid_value", "`cursor` is not a cursor this API returned.", "cursor");
    const c = decodeListCursor(rawCursor, sortKey, sortSpec);
    if (inMemory) cursorAfter = c;
    else {
      conditions.push(keysetWhere(sortSpec.column!, idColumn, sort.dir, c.value, c.id, !!sortSpec.nullable));
      keysetAfter = c;
    }
  }

  const col: string = sortSpec.column ?? sort.field;
  // A unique sort column (e.g. url within a run) is its own tie-breaker.
  const orderBy = inMemory
    ? [{ [idColumn]: sort.dir }]
    : [
        sortSpec.nullable ? { [col]: { sort: sort.dir, nulls: "last" } } : { [col]: sort.dir },
        ...(col === idColumn ? [] : [{ [idColumn]: sort.dir }]),
      ];
  const where = conditions.length === 0 ? {} : conditions.length === 1 ? conditions[0] : { AND: conditions };
  // The one place the built records meet Prisma's types: every key comes from the spec's typed `column`s (or its
  // own `where`), with the operators Prisma's filter inputs define (equals/not/in/lt/…/contains+mode/has, OR/AND/NOT).
  const typed = { where: where as M["where"], orderBy: orderBy as M["orderBy"][] };

  return {
    size,
    sort,
    filters,
    deferred,
    memorySort: inMemory ? { field: sort.field, dir: sort.dir, nullable: !!sortSpec.nullable, after: cursorAfter } : null,
    keyset: inMemory ? null : { column: col, idColumn, dir: sort.dir, nullable: !!sortSpec.nullable, after: keysetAfter },
    ...typed,
    take: size + 1,
    page<T extends Record<string, unknown>>(rows: T[]) {
      const kept = rows.slice(0, size);
      const last = kept[kept.length - 1];
      if (rows.length <= size || !last) return { rows: kept, nextCursor: null };
      const v = last[col];
      const value = v instanceof Date ? v.toISOString() : typeof v === "bigint" ? Number(v) : (v as CursorPayload["v"]);
      return { rows: kept, nextCursor: encodeListCursor({ s: sortKey, v: value ?? null, i: String(last[idColumn]) }) };
    },
  };
}

/**
 * Orders `items` ({ id, value } — the derived sort value of each row the filters let through) the way a column sort
 * would (value in the sort direction, NULLs last, then id in the same direction), keeps those strictly after the
 * cursor, and returns the first `q.take` (size + 1). Pass the rows, each with the sort field set to its value, to
 * `q.page()` to get the next cursor. Memory: O(rows of the account), for derived fields only.
 */
export function sortInMemory<T extends { id: string; value: FilterValue }>(items: T[], q: Pick<ListQuery, "memorySort" | "take">): T[] {
  const ms = q.memorySort;
  if (!ms) return items.slice(0, q.take);
  const d = ms.dir === "asc" ? 1 : -1;
  const num = (v: FilterValue) => (v instanceof Date ? v.getTime() : v);
  const cmp = (a: { id: string; value: FilterValue }, b: { id: string; value: FilterValue }): number => {
    if (a.value === null && b.value !== null) return 1;
    if (b.value === null && a.value !== null) return -1;
    const x = num(a.value);
    const y = num(b.value);
    if (x !== null && y !== null && x !== y) return (x! < y! ? -1 : 1) * d;
    return a.id === b.id ? 0 : (a.id < b.id ? -1 : 1) * d;
  };
  const sorted = [...items].sort(cmp);
  const after = ms.after;
  return (after ? sorted.filter((x) => cmp(x, after) > 0) : sorted).slice(0, q.take);
}

/** parseListQuery on a request's query string. */
export const readListQuery = <M extends ListModel>(req: Request, spec: ListSpec<M>): ListQuery<M> =>
  parseListQuery(new URL(req.url).searchParams, spec);

/**
 * The names of a spec's fields that `sort=` accepts (its own column, or a deferred field marked `sort: true`); named in
 * 400 messages.
 */
export const sortableFields = <M extends ListModel>(spec: ListSpec<M>) =>
  Object.entries(spec.fields)
    .filter(([, f]) => f.sort !== false && (f.deferred ? f.sort === true : !!f.column))
    .map(([k]) => k);
/**
 * The names of a spec's fields that `filter[…]` accepts (every field without `filter: false`); named in 400 messages.
 */
export const filterableFields = <M extends ListModel>(spec: ListSpec<M>) => Object.entries(spec.fields).filter(([, f]) => f.filter !== false).map(([k]) => k);

/**
 * Applies deferred filters to derived values computed by the endpoint: `values` maps row id → { field: value }.
 * Returns the ids whose derived values pass every deferred filter (for an `id in (…)` condition).
 */
export function matchDeferred(deferred: ParsedFilter[], values: Map<string, Record<string, FilterValue>>): string[] {
  const cmp = (a: FilterValue, b: FilterValue): number => {
    const x = a instanceof Date ? a.getTime() : a;
    const y = b instanceof Date ? b.getTime() : b;
    return x! < y! ? -1 : x! > y! ? 1 : 0;
  };
  const eq = (a: FilterValue, b: FilterValue) => (a === null || b === null ? a === b : cmp(a, b) === 0);
  const test = (f: ParsedFilter, v: FilterValue): boolean => {
    const one = f.value as FilterValue;
    switch (f.op) {
      case "eq": return eq(v, one);
      case "ne": return !eq(v, one);
      case "in": return (f.value as FilterValue[]).some((x) => eq(v, x));
      case "contains": return typeof v === "string" && typeof one === "string" && v.toLowerCase().includes(one.toLowerCase());
      default: {
        if (v === null || one === null) return false;
        const c = cmp(v, one);
        return f.op === "lt" ? c < 0 : f.op === "lte" ? c <= 0 : f.op === "gt" ? c > 0 : c >= 0;
      }
    }
  };
  const ids: string[] = [];
  for (const [id, row] of values) if (deferred.every((f) => test(f, row[f.field] ?? null))) ids.push(id);
  return ids;
}
