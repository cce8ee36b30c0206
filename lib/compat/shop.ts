/**
 * Shop API adapter (../shared/reference-apis/shop-sitemaps-api.txt) under the base path `/api/shop/` — every
 * endpoint of the document as `/api/shop/sitemaps…` with a Bearer API key. Field mapping (theirs ← ours):
 *
 *   id ← number · active · name · fileName · subshopIds ← subScopes[].key (digit-only keys as integers) ·
 *   templateId ← the template's number (null = the built-in writer) · maxFileSize · maxFileEntries ·
 *   options.exportCharset · writeIntoRobots · exportAfterImport · exportPlan (hours) · exportStatus 0..4 ·
 *   protocolId ← newest run's number · lastExportStarted · lastExportFinished · createdAt · updatedAt (ISO 8601 UTC)
 *   + startUrl (ours: the site we crawl; the shop API exports from its database and has no such field).
 *
 * Lists: `size` 1..300 (default 20), `sort=field:asc|desc`, `filter[field]=value` / `filter[field][op]=value`
 * (the native grammar, lib/api/list-query.ts, on the shop's field names), `pageToken` = the `nextPageToken` of the
 * previous answer (opaque). Answer: `{ data: [...], nextPageToken }`.
 * Writes: POST (all the document's "missing" fields required), PUT (any subset), DELETE → 204.
 * On create, `startUrl` defaults to the account's newest sitemap's start URL (a shop has one site); without any,
 * it is missing. A `fileName` ending in ".xml" is stored without it (we add the extension when writing files).
 * A subshopId without a sub-scope yet becomes `{ key, name: "Subshop <id>", pathPrefix: "/" }` (the whole site:
 * set its path prefix through PATCH /api/v1/sitemaps/{id} for a per-section sitemap).
 */
import type { RunList, TemplateList } from "@/lib/db/list-models";
import { parseListQuery, type ListSpec } from "@/lib/api/list-query";
import { parseWith } from "@/lib/api/request";
import { resolveSitemapDeferred, SITEMAP_LIST_SPEC, toSitemapDto, toSitemapDtos } from "@/lib/api/sitemaps";
import type { Principal } from "@/lib/auth/authenticate";
import { AppError } from "@/lib/core/errors";
import { deleteSitemap, findSitemap, insertSitemap, newestSitemap, querySitemaps, updateSitemap } from "@/lib/db/sitemaps";
import { deleteTemplate, findTemplate, insertTemplate, listTemplates, toTemplateDto, updateTemplate, type TemplateRow } from "@/lib/db/templates";
import { ZCreateSitemapBody, ZUpdateSitemapBody, type TSitemapDto, type TSubScope } from "@/lib/schemas/sitemaps";
import { TEMPLATE_LIST_SPEC } from "@/lib/templates/list-spec";
import { assertCredits, RUN_LIST_SPEC, sitemapsAfterImport, sitemapsDueAt, startMany, type BatchResult } from "@/lib/api/runs";
import { sitemapStatus } from "@/lib/api/status";
import { queryRuns, toRunDto } from "@/lib/db/runs";
import type { ListOp, FilterValue } from "@/lib/api/list-query";
import type { TRunDto } from "@/lib/schemas/runs";
import { sitemapIdByNumber, sitemapNumbers, templateIdByNumber, templateNumbers } from "@/lib/db/numbers";
import { startRun } from "./runs";
import { checkShopBody, readShopBody, ShopError, shopId, type FieldKind } from "./shop-http";

// ---- shapes -----------------------------------------------------------------------------------------------------

export type ShopSitemap = {
  id: number;
  active: boolean;
  name: string;
  fileName: string;
  subshopIds: (number | string)[];
  templateId: number | null;
  maxFileSize: number;
  maxFileEntries: number;
  options: { exportCharset: string };
  writeIntoRobots: boolean;
  exportAfterImport: boolean;
  exportPlan: number[];
  exportStatus: number;
  protocolId: number | null;
  lastExportStarted: string | null;
  lastExportFinished: string | null;
  createdAt: string;
  updatedAt: string;
  startUrl: string;
};

const subshopId = (key: string): number | string => (/^\d{1,15}$/.test(key) ? Number(key) : key);

export async function toShopSitemaps(dtos: TSitemapDto[]): Promise<ShopSitemap[]> {
  const numbers = await templateNumbers(dtos.flatMap((d) => (d.templateId ? [d.templateId] : [])));
  return dtos.map((d) => ({
    id: d.number,
    active: d.active,
    name: d.name,
    fileName: d.fileName,
    subshopIds: d.subScopes.map((s) => subshopId(s.key)),
    templateId: d.templateId ? (numbers.get(d.templateId) ?? null) : null,
    maxFileSize: d.maxFileSize,
    maxFileEntries: d.maxFileEntries,
    options: { exportCharset: d.options.exportCharset },
    writeIntoRobots: d.writeIntoRobots,
    exportAfterImport: d.exportAfterImport,
    exportPlan: d.exportPlan,
    exportStatus: d.exportStatus,
    protocolId: d.protocolId,
    lastExportStarted: d.lastExportStarted,
    lastExportFinished: d.lastExportFinished,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    startUrl: d.startUrl,
  }));
}

export type ShopTemplate = { id: number; name: string; content: string; createdAt: string; updatedAt: string };
const toShopTemplate = (r: TemplateRow): ShopTemplate => {
  const d = toTemplateDto(r);
  return { id: d.number, name: d.name, content: d.content, createdAt: d.createdAt, updatedAt: d.updatedAt };
};

// ---- lists ------------------------------------------------------------------------------------------------------

/** The document's filter and sort fields of GET sitemaps, and what they are called natively. */
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

const TEMPLATE_FIELDS: Record<string, string> = { id: "number", name: "name", content: "content", createdAt: "createdAt", updatedAt: "updatedAt" };
const SHOP_TEMPLATE_SPEC: ListSpec<TemplateList> = {
  ...TEMPLATE_LIST_SPEC,
  fields: { ...TEMPLATE_LIST_SPEC.fields, content: { type: "string", column: "content" } },
};

/**
 * Rewrites the shop query string into the native grammar: field names renamed (unknown ones stay unknown, so the
 * native parser answers unknownDataField), `pageToken` → cursor, a non-integer `size` → invalidCharacters.
 * `mapValue` translates filter values (templateId numbers → our ids).
 */
async function nativeParams(url: URL, fields: Record<string, string>, mapValue?: (field: string, raw: string) => Promise<string>): Promise<URLSearchParams> {
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
function renameFieldError(err: unknown, fields: Record<string, string>): never {
  if (err instanceof AppError) {
    const back = Object.fromEntries(Object.entries(fields).map(([shop, nat]) => [nat, shop]));
    const fix = (s: string) => s.replace(/\u0000/g, "").replace(/filter\[([^\]]*)\]/, (_m, f: string) => `filter[${back[f] ?? f}]`);
    const field = err.field === undefined ? undefined : back[err.field] ?? fix(err.field);
    throw new AppError(err.code, fix(err.message).replace(/"([^"]+)"/, (_m, f: string) => `"${back[f] ?? f}"`), { field });
  }
  throw err;
}

export async function listShopSitemaps(principal: Principal, req: Request): Promise<Response> {
  const url = new URL(req.url);
  const params = await nativeParams(url, SITEMAP_FIELDS, async (field, raw) => {
    if (field !== "templateId" || raw === "null") return raw;
    const parts = await Promise.all(raw.split(",").map(async (v) => {
      const n = /^\d{1,15}$/.test(v) ? Number(v) : null;
      if (n === null) throw new ShopError(400, "invalidCharacters", `templateId filter value "${v}" is not an integer.`, "filter[templateId]");
      return (await templateIdByNumber(principal.userId, n)) ?? "-";
    }));
    return parts.join(",");
  });
  if (!params.has("sort")) params.set("sort", "number:asc");
  let q;
  try {
    q = parseListQuery(params, SITEMAP_LIST_SPEC);
  } catch (err) {
    renameFieldError(err, SITEMAP_FIELDS);
  }
  const ids = await resolveSitemapDeferred(principal.userId, q);
  const page = q.page(await querySitemaps({ userId: principal.userId, where: q.where, orderBy: q.orderBy, take: q.take, ids }));
  return Response.json({ data: await toShopSitemaps(await toSitemapDtos(page.rows)), nextPageToken: page.nextCursor });
}

export async function listShopTemplates(principal: Principal, req: Request): Promise<Response> {
  const params = await nativeParams(new URL(req.url), TEMPLATE_FIELDS);
  if (!params.has("sort")) params.set("sort", "number:asc");
  let q;
  try {
    q = parseListQuery(params, SHOP_TEMPLATE_SPEC);
  } catch (err) {
    renameFieldError(err, TEMPLATE_FIELDS);
  }
  const page = await listTemplates({ userId: principal.userId, q });
  return Response.json({ data: page.rows.map(toShopTemplate), nextPageToken: page.nextCursor });
}

// ---- sitemaps CRUD ----------------------------------------------------------------------------------------------

const SITEMAP_BODY: Record<string, FieldKind> = {
  name: "string",
  fileName: "string",
  active: "boolean",
  templateId: "integerOrNull",
  maxFileEntries: "integer",
  maxFileSize: "integer",
  exportPlan: "intArray",
  subshopIds: "array",
  options: "object",
  writeIntoRobots: "boolean",
  exportAfterImport: "boolean",
  startUrl: "string",
};
const SITEMAP_REQUIRED = ["name", "active", "fileName", "templateId", "exportAfterImport", "exportPlan", "maxFileEntries", "maxFileSize", "writeIntoRobots", "subshopIds"] as const;

/** The shop body in native terms (field checks first, then the native schema with the shop's field names). */
async function toNativeBody(principal: Principal, body: Record<string, unknown>, current: TSitemapDto | null): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const k of ["name", "active", "maxFileEntries", "maxFileSize", "exportPlan", "writeIntoRobots", "exportAfterImport", "startUrl"]) {
    if (body[k] !== undefined) out[k] = body[k];
  }
  if (typeof body.fileName === "string") out.fileName = body.fileName.replace(/\.xml(\.gz)?$/i, "");
  if (body.options !== undefined) {
    const o = body.options as Record<string, unknown>;
    for (const k of Object.keys(o)) if (k !== "exportCharset") throw new ShopError(400, "unknownDataField", `Unknown field "options.${k}".`, `options.${k}`);
    if (o.exportCharset !== undefined && typeof o.exportCharset !== "string") throw new ShopError(400, "invalidFormat", "options.exportCharset is not a string.", "options.exportCharset");
    if (o.exportCharset !== undefined) out.options = { exportCharset: o.exportCharset.toLowerCase() };
  }
  if (body.templateId !== undefined) {
    const n = body.templateId as number | null;
    if (n === null || n === 0) out.templateId = null;
    else {
      const id = n > 0 ? await templateIdByNumber(principal.userId, n) : null;
      if (!id) throw new ShopError(400, "invalidValue", "templateId is invalid.", "templateId");
      out.templateId = id;
    }
  }
  if (body.subshopIds !== undefined) {
    const existing = new Map<string, TSubScope>((current?.subScopes ?? []).map((s) => [s.key, s]));
    out.subScopes = (body.subshopIds as unknown[]).map((raw) => {
      const key = typeof raw === "number" || typeof raw === "string" ? String(raw).toLowerCase() : "";
      if (!/^[a-z0-9][a-z0-9_-]{0,49}$/.test(key)) throw new ShopError(400, "invalidValue", `subshopIds: "${String(raw)}" is not a subshop id.`, "subshopIds");
      return existing.get(key) ?? { key, name: `Subshop ${key}`, pathPrefix: "/" };
    });
  }
  return out;
}

/** The start URL of the account's newest sitemap (the shop's site), or null. */
async function defaultStartUrl(userId: string): Promise<string | null> {
  return (await newestSitemap(userId))?.startUrl ?? null;
}

async function sitemapIdOf(principal: Principal, rawId: string): Promise<string> {
  const n = shopId(rawId);
  const id = await sitemapIdByNumber(principal.userId, n);
  if (!id) throw new ShopError(404, "notFound", `Sitemap with id=${n} was not found.`);
  return id;
}

const one = async (dto: TSitemapDto) => (await toShopSitemaps([dto]))[0];

export async function getShopSitemap(principal: Principal, rawId: string): Promise<Response> {
  const id = await sitemapIdOf(principal, rawId);
  const row = await findSitemap({ userId: principal.userId, sitemapId: id });
  if (!row) throw new ShopError(404, "notFound", `Sitemap with id=${rawId} was not found.`);
  return Response.json(await one(await toSitemapDto(row)));
}

export async function createShopSitemap(principal: Principal, req: Request): Promise<Response> {
  const body = await readShopBody(req);
  checkShopBody(body, SITEMAP_BODY, SITEMAP_REQUIRED);
  const native = await toNativeBody(principal, body, null);
  if (native.startUrl === undefined) {
    const url = await defaultStartUrl(principal.userId);
    if (!url) throw new ShopError(400, "missing", "startUrl is missing: the account has no sitemap to take the site's URL from.", "startUrl");
    native.startUrl = url;
  }
  const data = parseWith(ZCreateSitemapBody, native);
  const row = await insertSitemap({ userId: principal.userId, data });
  return Response.json(await one(await toSitemapDto(row)), { status: 201, headers: { Location: `/api/shop/sitemaps/${row.number}` } });
}

export async function updateShopSitemap(principal: Principal, rawId: string, req: Request): Promise<Response> {
  const id = await sitemapIdOf(principal, rawId);
  const body = await readShopBody(req);
  checkShopBody(body, SITEMAP_BODY, []);
  const current = await findSitemap({ userId: principal.userId, sitemapId: id });
  if (!current) throw new ShopError(404, "notFound", `Sitemap with id=${rawId} was not found.`);
  const data = parseWith(ZUpdateSitemapBody, await toNativeBody(principal, body, await toSitemapDto(current)));
  const row = await updateSitemap({ userId: principal.userId, sitemapId: id, data });
  if (!row) throw new ShopError(404, "notFound", `Sitemap with id=${rawId} was not found.`);
  return Response.json(await one(await toSitemapDto(row)));
}

export async function deleteShopSitemap(principal: Principal, rawId: string): Promise<Response> {
  const id = await sitemapIdOf(principal, rawId);
  const outcome = await deleteSitemap({ userId: principal.userId, sitemapId: id });
  if (outcome === "not_found") throw new ShopError(404, "notFound", `Sitemap with id=${rawId} was not found.`);
  if (outcome === "active_run") throw new ShopError(409, "conflict", "The generation process of this sitemap is running; delete it when it has ended.");
  return new Response(null, { status: 204 });
}

// ---- generation -------------------------------------------------------------------------------------------------

/** POST sitemaps/{id}/generate[?subshopId=…]: starts a run (restricted to those sub-scopes) → 202. */
export async function generateShopSitemap(principal: Principal, rawId: string, req: Request): Promise<Response> {
  const id = await sitemapIdOf(principal, rawId);
  const subshops = new URL(req.url).searchParams.getAll("subshopId").map((s) => s.trim().toLowerCase());
  const run = await startRun(principal, id, "api", subshops);
  return Response.json({ id: shopId(rawId), protocolId: run.number, exportStatus: 3 }, { status: 202, headers: { Location: `/api/v1/runs/${run.id}` } });
}

// ---- templates --------------------------------------------------------------------------------------------------

const TEMPLATE_BODY: Record<string, FieldKind> = { name: "string", content: "string" };

async function templateIdOf(principal: Principal, rawId: string): Promise<string> {
  const n = shopId(rawId);
  const id = await templateIdByNumber(principal.userId, n);
  if (!id) throw new ShopError(404, "notFound", `Sitemap template with id=${n} was not found.`);
  return id;
}

export async function getShopTemplate(principal: Principal, rawId: string): Promise<Response> {
  const row = await findTemplate({ userId: principal.userId, templateId: await templateIdOf(principal, rawId) });
  if (!row) throw new ShopError(404, "notFound", `Sitemap template with id=${rawId} was not found.`);
  return Response.json(toShopTemplate(row));
}

const nonEmpty = (content: unknown) => {
  if (typeof content === "string" && content.trim() === "") throw new ShopError(400, "invalidValue", "content is empty.", "content");
};

/** POST sitemaps/templates: a template of kind "xml" (renders one urlset part). A storage failure → 503 internalError. */
export async function createShopTemplate(principal: Principal, req: Request): Promise<Response> {
  const body = await readShopBody(req);
  checkShopBody(body, TEMPLATE_BODY, ["name", "content"]);
  nonEmpty(body.content);
  let row: TemplateRow;
  try {
    row = await insertTemplate({ userId: principal.userId, data: { name: String(body.name), kind: "xml", content: String(body.content) } });
  } catch (err) {
    if (err instanceof AppError || err instanceof ShopError) throw err;
    console.error("[compat/shop] creating a template failed", err);
    throw new ShopError(503, "internalError", "Creating the template failed.");
  }
  return Response.json(toShopTemplate(row), { status: 201, headers: { Location: `/api/shop/sitemaps/templates/${row.number}` } });
}

export async function updateShopTemplate(principal: Principal, rawId: string, req: Request): Promise<Response> {
  const templateId = await templateIdOf(principal, rawId);
  const body = await readShopBody(req);
  checkShopBody(body, TEMPLATE_BODY, []);
  nonEmpty(body.content);
  const row = await updateTemplate({
    userId: principal.userId,
    templateId,
    data: { ...(body.name !== undefined ? { name: String(body.name) } : {}), ...(body.content !== undefined ? { content: String(body.content) } : {}) },
  });
  if (!row) throw new ShopError(404, "notFound", "The template was not found, or the update failed.");
  return Response.json(toShopTemplate(row));
}

export async function deleteShopTemplate(principal: Principal, rawId: string): Promise<Response> {
  const outcome = await deleteTemplate({ userId: principal.userId, templateId: await templateIdOf(principal, rawId) });
  if (outcome === "not_found") throw new ShopError(404, "notFound", `Template with id=${rawId} was not found.`);
  if (outcome === "in_use") throw new ShopError(409, "conflict", "The template is still used by a sitemap and cannot be deleted.");
  return new Response(null, { status: 204 });
}

// ---- status -----------------------------------------------------------------------------------------------------

/**
 * GET sitemaps/{id}/status: the export status of the whole sitemap and of each subshop (sub-scope), from the native
 * status (lib/api/status.ts) — real runs, unlike the document's "does not track real processes".
 */
export async function getShopStatus(principal: Principal, rawId: string): Promise<Response> {
  const id = await sitemapIdOf(principal, rawId);
  const row = await findSitemap({ userId: principal.userId, sitemapId: id });
  if (!row) throw new ShopError(404, "notFound", "The sitemap was not found.");
  const st = await sitemapStatus(row);
  return Response.json({
    id: st.number,
    exportStatus: st.exportStatus,
    protocolId: st.lastRun?.number ?? null,
    lastExportStarted: st.lastExportStarted,
    lastExportFinished: st.lastExportFinished,
    urls: st.urls,
    subshops: st.subScopes.map((s) => ({
      subshopId: subshopId(s.key),
      name: s.name,
      exportStatus: s.exportStatus,
      protocolId: s.lastRun?.number ?? null,
      lastExportStarted: s.lastRun ? (s.lastRun.startedAt ?? s.lastRun.createdAt) : null,
      lastExportFinished: s.lastRun?.status === "succeeded" ? s.lastRun.finishedAt : null,
      urls: s.urls,
    })),
  });
}

// ---- protocols (runs) -------------------------------------------------------------------------------------------

const EXPORT_STATUS_RUNS: Record<number, string[]> = { 0: ["cancelled"], 1: ["succeeded"], 2: ["failed"], 3: ["queued"], 4: ["running"] };
const EQ_NE_IN: readonly ListOp[] = ["eq", "ne", "in"];
const asList = (v: FilterValue | FilterValue[]) => (Array.isArray(v) ? v : [v]) as number[];
const eqNeIn = (op: ListOp, cond: (values: number[]) => Record<string, unknown>, v: FilterValue | FilterValue[]) =>
  op === "ne" ? { NOT: cond(asList(v)) } : cond(asList(v));

/** GET sitemaps/protocols: the document's filter and sort fields over runs (native RUN_LIST_SPEC columns). */
export const PROTOCOL_LIST_SPEC: ListSpec<RunList> = {
  defaultSort: { field: "id", dir: "desc" },
  fields: {
    id: RUN_LIST_SPEC.fields.number,
    sitemap: { type: "int", column: "sitemapId", ops: EQ_NE_IN, where: (op, v) => eqNeIn(op, (n) => ({ sitemap: { number: { in: n } } }), v) },
    template: { type: "int", sort: false, ops: EQ_NE_IN, where: (op, v) => eqNeIn(op, (n) => ({ sitemap: { template: { number: { in: n } } } }), v) },
    subshopIds: { type: "string", sort: false, ops: ["eq", "contains"], where: (_op, v) => ({ subScopes: { has: String(v).toLowerCase() } }) },
    exportStatus: {
      type: "int",
      column: "status",
      ops: EQ_NE_IN,
      where: (op, v) => eqNeIn(op, (codes) => ({ status: { in: codes.flatMap((c) => EXPORT_STATUS_RUNS[c] ?? []) } }), v),
    },
    lastExportStarted: RUN_LIST_SPEC.fields.startedAt,
    lastExportFinished: RUN_LIST_SPEC.fields.finishedAt,
    createdAt: RUN_LIST_SPEC.fields.createdAt,
    // runs are append-only but for their end: a protocol changes last when it finishes
    updatedAt: RUN_LIST_SPEC.fields.finishedAt,
  },
};
const PROTOCOL_FIELDS = Object.fromEntries(Object.keys(PROTOCOL_LIST_SPEC.fields).map((k) => [k, k]));

const exportStatusOfRun = (r: TRunDto) => ({ cancelled: 0, succeeded: 1, failed: 2, queued: 3, running: 4 })[r.status];

export async function listShopProtocols(principal: Principal, req: Request): Promise<Response> {
  const params = await nativeParams(new URL(req.url), PROTOCOL_FIELDS);
  let q;
  try {
    q = parseListQuery(params, PROTOCOL_LIST_SPEC);
  } catch (err) {
    renameFieldError(err, PROTOCOL_FIELDS);
  }
  const page = q.page(await queryRuns({ userId: principal.userId, where: q.where, orderBy: q.orderBy, take: q.take }));
  const runs = page.rows.map(toRunDto);
  const sitemapIds = [...new Set(runs.map((r) => r.sitemapId))];
  const [numbers, dtos] = await Promise.all([sitemapNumbers(sitemapIds), Promise.all(sitemapIds.map((id) => findSitemap({ userId: principal.userId, sitemapId: id })))]);
  const templateOf = new Map(dtos.flatMap((d) => (d ? [[d.id, d.templateId] as const] : [])));
  const tNumbers = await templateNumbers([...templateOf.values()].filter((t): t is string => !!t));
  return Response.json({
    data: runs.map((r) => {
      const t = templateOf.get(r.sitemapId);
      return {
        id: r.number,
        sitemap: numbers.get(r.sitemapId) ?? null,
        template: t ? (tNumbers.get(t) ?? null) : null,
        subshopIds: r.subScopes.map(subshopId),
        exportStatus: exportStatusOfRun(r),
        status: r.status,
        trigger: r.trigger,
        lastExportStarted: r.startedAt ?? r.createdAt,
        lastExportFinished: r.status === "succeeded" ? r.finishedAt : null,
        urlsListed: r.progress.urlsListed,
        error: r.error,
        createdAt: r.createdAt,
        updatedAt: r.finishedAt ?? r.startedAt ?? r.createdAt,
      };
    }),
    nextPageToken: page.nextCursor,
  });
}

// ---- generation by plan -----------------------------------------------------------------------------------------

async function batchAnswer(principal: Principal, r: BatchResult, extra: Record<string, unknown>): Promise<Response> {
  if (r.started.length === 0 && r.skipped.length > 0 && r.skipped.every((s) => s.reason === "unavailable")) {
    throw new ShopError(503, "serviceUnavailable", "The generation failed: the job queue is unavailable.");
  }
  const numbers = await sitemapNumbers([...r.started.map((x) => x.sitemapId), ...r.skipped.map((x) => x.sitemapId)]);
  return Response.json(
    {
      ...extra,
      started: r.started.map((x) => ({ id: numbers.get(x.sitemapId) ?? null, protocolId: x.number })),
      skipped: r.skipped.map((x) => ({ id: numbers.get(x.sitemapId) ?? null, reason: x.reason, message: x.message })),
    },
    { status: 202 },
  );
}

/** POST sitemaps/generate/hour/{hour}: the native hour plan (each sitemap's exportPlan in its timezone); 404 bad hour. */
export async function generateShopHour(principal: Principal, rawHour: string): Promise<Response> {
  if (!/^\d{1,2}$/.test(rawHour) || Number(rawHour) > 23) throw new ShopError(404, "notFound", "The hour parameter is missing or invalid (0..23).");
  const hour = Number(rawHour);
  await assertCredits(principal.userId);
  const slot = new Date();
  slot.setUTCHours(hour, 0, 0, 0);
  const r = await startMany(principal.userId, await sitemapsDueAt(principal.userId, slot), "schedule", slot);
  return batchAnswer(principal, r, { hour });
}

/** POST sitemaps/generate/import: the sitemaps marked exportAfterImport. */
export async function generateShopImport(principal: Principal): Promise<Response> {
  await assertCredits(principal.userId);
  return batchAnswer(principal, await startMany(principal.userId, await sitemapsAfterImport(principal.userId), "import", null), {});
}
