/**
 * The shop API's templates resource: GET/POST sitemaps/templates, GET/PUT/DELETE sitemaps/templates/{id}. A shop
 * template is a native template of kind "xml" (renders one urlset part). Bodies are checked by zod only
 * (lib/compat/shop-http.ts parseShopBody). Errors: ShopError / AppError; a storage failure on create → 503.
 */
import { z } from "zod";
import type { ListSpec } from "@/lib/api/list-query";
import type { TemplateList } from "@/lib/db/list-models";
import type { Principal } from "@/lib/auth/authenticate";
import { AppError } from "@/lib/core/errors";
import { templateIdByNumber } from "@/lib/db/numbers";
import { deleteTemplate, findTemplate, insertTemplate, queryTemplates, toTemplateDto, updateTemplate, type TemplateRow } from "@/lib/db/templates";
import { TEMPLATE_LIST_SPEC } from "@/lib/templates/list-spec";
import { parseShopBody, readShopBody, ShopError, shopId } from "./shop-http";
import { offsetPage, shopListQuery, shopPageIndex } from "./shop-query";

export type ShopTemplate = { id: number; name: string; content: string; createdAt: string; updatedAt: string };
const toShopTemplate = (r: TemplateRow): ShopTemplate => {
  const d = toTemplateDto(r);
  return { id: d.number, name: d.name, content: d.content, createdAt: d.createdAt, updatedAt: d.updatedAt };
};

const TEMPLATE_FIELDS: Record<string, string> = { id: "number", name: "name", content: "content", createdAt: "createdAt", updatedAt: "updatedAt" };
const SHOP_TEMPLATE_SPEC: ListSpec<TemplateList> = {
  ...TEMPLATE_LIST_SPEC,
  fields: { ...TEMPLATE_LIST_SPEC.fields, content: { type: "string", column: "content" } },
};

/** GET sitemaps/templates: the account's templates as a page of the shop's list (page `pageToken`, an offset page). */
export async function listShopTemplates(principal: Principal, req: Request): Promise<Response> {
  const url = new URL(req.url);
  const index = shopPageIndex(url);
  const q = await shopListQuery(url, TEMPLATE_FIELDS, SHOP_TEMPLATE_SPEC, { defaultSort: "number:asc" });
  const page = offsetPage(await queryTemplates({ userId: principal.userId, q, skip: index * q.size }), q.size, index);
  return Response.json({ data: page.rows.map(toShopTemplate), nextPageToken: page.nextPageToken });
}

/** The template body's JSON types (both required on POST; PUT takes either). */
const ZShopTemplateBody = z.strictObject({ name: z.string().describe("a string"), content: z.string().describe("a string") });
const ZShopTemplatePatch = ZShopTemplateBody.partial();

async function templateIdOf(principal: Principal, rawId: string): Promise<string> {
  const n = shopId(rawId);
  const id = await templateIdByNumber(principal.userId, n);
  if (!id) throw new ShopError(404, "notFound", `Sitemap template with id=${n} was not found.`);
  return id;
}

/**
 * GET sitemaps/templates/{id}: the shop-shaped template whose number is `rawId`. Throws ShopError 400 invalidValue, 404
 * notFound.
 */
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
  const body = parseShopBody(ZShopTemplateBody, await readShopBody(req));
  nonEmpty(body.content);
  let row: TemplateRow;
  try {
    row = await insertTemplate({ userId: principal.userId, data: { name: body.name, kind: "xml", content: body.content } });
  } catch (err) {
    if (err instanceof AppError || err instanceof ShopError) throw err;
    console.error("[compat/shop] creating a template failed", err);
    throw new ShopError(503, "internalError", "Creating the template failed.");
  }
  return Response.json(toShopTemplate(row), { status: 201, headers: { Location: `/api/shop/sitemaps/templates/${row.number}` } });
}

/**
 * PUT sitemaps/templates/{id}: sets `name` and/or `content` and answers 200 with the shop-shaped template. Throws
 * ShopError 400 (body's JSON types, empty content), 404 notFound (unknown number, or the update found no row).
 */
export async function updateShopTemplate(principal: Principal, rawId: string, req: Request): Promise<Response> {
  const templateId = await templateIdOf(principal, rawId);
  const body = parseShopBody(ZShopTemplatePatch, await readShopBody(req));
  nonEmpty(body.content);
  const row = await updateTemplate({
    userId: principal.userId,
    templateId,
    data: { ...(body.name !== undefined ? { name: body.name } : {}), ...(body.content !== undefined ? { content: body.content } : {}) },
  });
  if (!row) throw new ShopError(404, "notFound", "The template was not found, or the update failed.");
  return Response.json(toShopTemplate(row));
}

/**
 * DELETE sitemaps/templates/{id}: 204 when deleted. Throws ShopError 404 notFound, 409 conflict while a sitemap or feed
 * uses it.
 */
export async function deleteShopTemplate(principal: Principal, rawId: string): Promise<Response> {
  const outcome = await deleteTemplate({ userId: principal.userId, templateId: await templateIdOf(principal, rawId) });
  if (outcome === "not_found") throw new ShopError(404, "notFound", `Template with id=${rawId} was not found.`);
  if (outcome === "in_use") throw new ShopError(409, "conflict", "The template is still used by a sitemap and cannot be deleted.");
  return new Response(null, { status: 204 });
}
