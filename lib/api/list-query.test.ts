import { describe, expect, it } from "vitest";
import { matchDeferred, parseListQuery, sortInMemory, type ListSpec } from "./list-query";

const spec: ListSpec = {
  fields: {
    id: { type: "string", column: "id" },
    name: { type: "string", column: "name" },
    number: { type: "int", column: "number" },
    score: { type: "number", column: "score" },
    active: { type: "boolean", column: "active" },
    status: { type: "enum", column: "status", values: ["queued", "running", "succeeded"] },
    createdAt: { type: "date", column: "createdAt" },
    finishedAt: { type: "date", column: "finishedAt", nullable: true },
    exportPlan: { type: "intArray", column: "exportPlan", sort: false },
    derivedScore: { type: "int", deferred: true },
  },
};

const q = (s: string) => parseListQuery(new URLSearchParams(s), spec);
const fails = (s: string, code: string, field?: string) =>
  expect(() => q(s)).toThrow(expect.objectContaining({ code, status: 400, ...(field ? { field } : {}) }));

describe("list grammar: size, sort, defaults", () => {
  it("defaults: size 20, createdAt:desc then id:desc, no filters", () => {
    const r = q("");
    expect(r.size).toBe(20);
    expect(r.take).toBe(21);
    expect(r.orderBy).toEqual([{ createdAt: "desc" }, { id: "desc" }]);
    expect(r.where).toEqual({});
  });

  it("size and its alias limit, 1..300", () => {
    expect(q("size=300").size).toBe(300);
    expect(q("limit=7").size).toBe(7);
    fails("size=0", "invalid_value", "size");
    fails("size=301", "invalid_value", "size");
    fails("size=2.5", "invalid_value", "size");
    fails("limit=abc", "invalid_value", "limit");
  });

  it("sort=field:dir; nullable columns sort NULLs last", () => {
    expect(q("sort=name:asc").orderBy).toEqual([{ name: "asc" }, { id: "asc" }]);
    expect(q("sort=finishedAt:desc").orderBy).toEqual([{ finishedAt: { sort: "desc", nulls: "last" } }, { id: "desc" }]);
  });

  it("sort errors: syntax_error for ':' count or direction, unknown_field for undeclared/unsortable fields", () => {
    fails("sort=name", "syntax_error", "sort");
    fails("sort=name:asc:desc", "syntax_error", "sort");
    fails("sort=name:up", "syntax_error", "sort");
    fails("sort=nope:asc", "unknown_field", "nope");
    fails("sort=derivedScore:asc", "unknown_field", "derivedScore");
    fails("sort=exportPlan:asc", "unknown_field", "exportPlan");
  });
});

describe("list grammar: filters", () => {
  it("eq by default, typed values, ANDed", () => {
    const r = q("filter[active]=true&filter[number][gte]=10&filter[createdAt][lt]=2030-01-01T00:00:00Z");
    expect(r.where).toEqual({
      AND: [{ active: true }, { number: { gte: 10 } }, { createdAt: { lt: new Date("2030-01-01T00:00:00Z") } }],
    });
  });

  it("ne includes NULLs on nullable columns; null is a value for eq/ne", () => {
    expect(q("filter[name][ne]=x").where).toEqual({ name: { not: "x" } });
    const d = new Date("2030-01-01");
    expect(q("filter[finishedAt][ne]=2030-01-01").where).toEqual({ OR: [{ finishedAt: { not: d } }, { finishedAt: null }] });
    expect(q("filter[finishedAt]=null").where).toEqual({ finishedAt: null });
    expect(q("filter[finishedAt][ne]=null").where).toEqual({ NOT: { finishedAt: null } });
  });

  it("in (comma list), contains (case-insensitive substring; has for arrays)", () => {
    expect(q("filter[status][in]=queued,running").where).toEqual({ status: { in: ["queued", "running"] } });
    expect(q("filter[name][contains]=Doc").where).toEqual({ name: { contains: "Doc", mode: "insensitive" } });
    expect(q("filter[exportPlan][contains]=3").where).toEqual({ exportPlan: { has: 3 } });
    // LIKE wildcards and the escape character are escaped, so they match themselves.
    expect(q("filter[name][contains]=50%25_a%5Cb").where).toEqual({ name: { contains: "50\\%\\_a\\\\b", mode: "insensitive" } });
  });

  it("deferred fields come back separately", () => {
    const r = q("filter[derivedScore]=1&filter[active]=false");
    expect(r.where).toEqual({ active: false });
    expect(r.deferred).toEqual([{ field: "derivedScore", op: "eq", value: 1 }]);
  });

  it("unknown_field, unknown_operation, invalid_value, syntax_error", () => {
    fails("filter[nope]=1", "unknown_field", "nope");
    fails("filter[name][like]=x", "unknown_operation", "filter[name][like]");
    fails("filter[number][contains]=1", "unknown_operation");
    fails("filter[active][lt]=true", "unknown_operation");
    fails("filter[number]=abc", "invalid_value", "filter[number]");
    // A column's integer is PostgreSQL's int4; a deferred field takes larger ones (compared in memory).
    fails("filter[number]=2147483648", "invalid_value", "filter[number]");
    fails("filter[number][gt]=-999999999999999", "invalid_value", "filter[number][gt]");
    expect(q("filter[number]=-2147483648").filters[0].value).toBe(-2_147_483_648);
    expect(q("filter[derivedScore]=99999999999").deferred[0].value).toBe(99_999_999_999);
    fails("filter[score]=1e999", "invalid_value");
    fails("filter[active]=yes", "invalid_value");
    fails("filter[status]=paused", "invalid_value");
    fails("filter[createdAt][gt]=yesterday", "invalid_value");
    fails("filter[status][in]=queued,nope", "invalid_value");
    fails("filter[name]=null&filter[number]=null", "invalid_value", "filter[number]");
    fails("filter[name", "syntax_error");
    fails("filter[a][b][c]=1", "syntax_error");
    fails("filter=1", "syntax_error");
  });
});

describe("list grammar: keyset cursors", () => {
  const rows = [
    { id: "c", name: "b", createdAt: new Date("2030-01-03"), finishedAt: null },
    { id: "b", name: "a", createdAt: new Date("2030-01-02"), finishedAt: new Date("2030-02-01") },
    { id: "a", name: "a", createdAt: new Date("2030-01-01"), finishedAt: null },
  ];

  it("page() keeps size rows and encodes the last one; the next query continues strictly after it", () => {
    const r = q("size=2&sort=name:desc");
    const p = r.page(rows);
    expect(p.rows).toHaveLength(2);
    expect(p.nextCursor).not.toBeNull();
    const next = q(`size=2&sort=name:desc&cursor=${p.nextCursor}`);
    expect(next.where).toEqual({ OR: [{ name: { lt: "a" } }, { name: "a", id: { lt: "b" } }] });
    expect(q("size=3").page(rows).nextCursor).toBeNull();
  });

  it("dates round-trip; a NULL sort value continues among NULLs; nullable includes NULLs after values", () => {
    const p = q("size=1&sort=finishedAt:asc").page([rows[1], rows[0]]);
    expect(q(`sort=finishedAt:asc&pageToken=${p.nextCursor}`).where).toEqual({
      OR: [{ finishedAt: { gt: new Date("2030-02-01") } }, { finishedAt: new Date("2030-02-01"), id: { gt: "b" } }, { finishedAt: null }],
    });
    const n = q("size=1&sort=finishedAt:asc").page([rows[0], rows[2]]);
    expect(q(`sort=finishedAt:asc&cursor=${n.nextCursor}`).where).toEqual({ finishedAt: null, id: { gt: "c" } });
  });

  it("a cursor for another sort or garbage → invalid_value on cursor", () => {
    const p = q("size=1&sort=name:asc").page(rows);
    fails(`sort=name:desc&cursor=${p.nextCursor}`, "invalid_value", "cursor");
    fails("cursor=!!!", "invalid_value", "cursor");
    fails(`cursor=${Buffer.from('{"s":1}').toString("base64url")}`, "invalid_value", "cursor");
  });

  it("a forged cursor whose value or id its column can't hold → invalid_value on cursor (not a database error)", () => {
    const forged = (sort: string, v: unknown, i: unknown = "x") => `sort=${sort}&cursor=${Buffer.from(JSON.stringify({ s: sort, v, i })).toString("base64url")}`;
    for (const [sort, v] of [
      ["number:asc", "abc"],
      ["number:asc", 1e20],
      ["number:asc", 1.5],
      ["number:asc", 2_147_483_648],
      ["score:asc", "1"],
      ["name:asc", "a\u0000b"],
      ["name:asc", 5],
      ["name:asc", { a: 1 }],
      ["active:asc", "yes"],
      ["status:asc", "paused"],
      ["createdAt:asc", "-200000-01-01T00:00:00Z"],
    ] as const) {
      fails(forged(sort, v), "invalid_value", "cursor");
    }
    fails(forged("name:asc", "a", "x\u0000"), "invalid_value", "cursor");
    // What the API writes from a row still reads back.
    expect(q(forged("number:asc", 2_147_483_647)).keyset?.after).toEqual({ value: 2_147_483_647, id: "x" });
    expect(q(forged("status:asc", "queued")).keyset?.after).toEqual({ value: "queued", id: "x" });
  });

  it("cursor filters AND the keyset", () => {
    const p = q("size=1").page(rows);
    const r = q(`size=1&filter[active]=true&cursor=${p.nextCursor}`);
    expect(r.where).toEqual({
      AND: [{ active: true }, { OR: [{ createdAt: { lt: new Date("2030-01-03") } }, { createdAt: new Date("2030-01-03"), id: { lt: "c" } }] }],
    });
  });
});

describe("matchDeferred", () => {
  it("applies ops to derived values", () => {
    const values = new Map<string, Record<string, number | null>>([
      ["a", { derivedScore: 1 }],
      ["b", { derivedScore: 2 }],
      ["c", { derivedScore: null }],
    ]);
    expect(matchDeferred([{ field: "derivedScore", op: "eq", value: 1 }], values)).toEqual(["a"]);
    expect(matchDeferred([{ field: "derivedScore", op: "ne", value: 1 }], values)).toEqual(["b", "c"]);
    expect(matchDeferred([{ field: "derivedScore", op: "in", value: [1, 2] }], values)).toEqual(["a", "b"]);
    expect(matchDeferred([{ field: "derivedScore", op: "gte", value: 2 }], values)).toEqual(["b"]);
  });
});

describe("sortInMemory (derived sort fields)", () => {
  const mspec: ListSpec = { fields: { ...spec.fields, derivedScore: { type: "int", deferred: true, sort: true, nullable: true } } };
  const items = [
    { id: "a", value: 2 },
    { id: "b", value: null },
    { id: "c", value: 1 },
    { id: "d", value: 2 },
  ];
  it("orders by value (NULLs last) then id, pages strictly after the cursor", () => {
    const q = parseListQuery(new URLSearchParams("sort=derivedScore:desc&size=2"), mspec);
    expect(q.memorySort).toMatchObject({ field: "derivedScore", dir: "desc" });
    expect(q.orderBy).toEqual([{ id: "desc" }]);
    const first = sortInMemory(items, q);
    expect(first.map((x) => x.id)).toEqual(["d", "a", "c"]);
    const p = q.page(first.map((x) => ({ ...x, derivedScore: x.value })));
    const q2 = parseListQuery(new URLSearchParams(`sort=derivedScore:desc&size=2&cursor=${p.nextCursor}`), mspec);
    expect(q2.where).toEqual({});
    expect(sortInMemory(items, q2).map((x) => x.id)).toEqual(["c", "b"]);
    const asc = parseListQuery(new URLSearchParams("sort=derivedScore:asc&size=10"), mspec);
    expect(sortInMemory(items, asc).map((x) => x.id)).toEqual(["c", "a", "d", "b"]);
  });
});
