/**
 * Templates (table Template), always scoped by owner: another account's template is "not found" (null).
 * The content is parsed before it is stored (lib/templates/sandbox.ts); `version` grows by one when the content
 * changes. Delete is refused while a sitemap or a feed uses the template (also enforced by the foreign keys,
 * ON DELETE RESTRICT).
 *
 * Errors: insert/update throw AppError("invalid_value", field "content") for a template that does not parse
 * (message with the line and column) or is empty.
 */
import type { TemplateList } from "./list-models";
import { Prisma } from "@/generated/prisma/client";
import { AppError } from "@/lib/core/errors";
import type { ListQuery } from "@/lib/api/list-query";
import type { TCreateTemplateBody, TTemplateDto, TUpdateTemplateBody } from "@/lib/schemas/templates";
import { parseTemplate, TemplateSyntaxError, type TemplateKind } from "@/lib/templates/sandbox";
import { getDb } from "./client";

const select = {
  id: true,
  number: true,
  name: true,
  kind: true,
  content: true,
  version: true,
  createdAt: true,
  updatedAt: true,
  _count: { select: { sitemaps: true, feeds: true } },
} as const satisfies Prisma.TemplateSelect;
export type TemplateRow = Prisma.TemplateGetPayload<{ select: typeof select }>;

/** The API DTO of a template row: `usedBy` counts the sitemaps and feeds that use it; dates as ISO 8601 strings. */
export function toTemplateDto(r: TemplateRow): TTemplateDto {
  return {
    id: r.id,
    number: r.number,
    name: r.name,
    kind: r.kind as TemplateKind,
    content: r.content,
    version: r.version,
    usedBy: { sitemaps: r._count.sitemaps, feeds: r._count.feeds },
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

/** Parses `content` in the sandbox; a syntax error becomes 422 invalid_value on `content`. */
export function assertTemplateParses(content: string): void {
  try {
    parseTemplate(content);
  } catch (err) {
    if (err instanceof TemplateSyntaxError) throw new AppError("invalid_value", err.message, { field: "content", details: { line: err.line, column: err.column } });
    throw err;
  }
}

/**
 * Creates a template for `userId`. Throws AppError 422 `invalid_value` (field `content`, `details: { line, column }`)
 * when the Liquid source does not parse.
 */
export async function insertTemplate(opts: { userId: string; data: TCreateTemplateBody }): Promise<TemplateRow> {
  assertTemplateParses(opts.data.content);
  return getDb().template.create({ data: { ...opts.data, userId: opts.userId }, select });
}

/** The user's template with that id, or null. */
export async function findTemplate(opts: { userId: string; templateId: string }): Promise<TemplateRow | null> {
  return getDb().template.findFirst({ where: { id: opts.templateId, userId: opts.userId }, select });
}

/** A page of the user's templates for a parsed list query (lib/api/list-query.ts). */
export async function listTemplates(opts: { userId: string; q: ListQuery<TemplateList> }) {
  return opts.q.page(await queryTemplates(opts));
}

/** Up to `q.take` templates of the account in the query's order, after skipping `skip` (offset pages; default 0). */
export async function queryTemplates(opts: { userId: string; q: ListQuery<TemplateList>; skip?: number }): Promise<TemplateRow[]> {
  return getDb().template.findMany({
    where: { AND: [{ userId: opts.userId }, opts.q.where] },
    orderBy: opts.q.orderBy,
    take: opts.q.take,
    skip: opts.skip,
    select,
  });
}

/**
 * Applies `name` and `content` to the user's template; new content increments `version`. Returns the row (unchanged
 * when nothing differs), or null when the user has no such template. Throws AppError 422 as insertTemplate does.
 */
export async function updateTemplate(opts: { userId: string; templateId: string; data: TUpdateTemplateBody }): Promise<TemplateRow | null> {
  const current = await getDb().template.findFirst({ where: { id: opts.templateId, userId: opts.userId }, select: { content: true } });
  if (!current) return null;
  const data: Prisma.TemplateUpdateManyMutationInput = {};
  if (opts.data.name !== undefined) data.name = opts.data.name;
  if (opts.data.content !== undefined) {
    assertTemplateParses(opts.data.content);
    if (opts.data.content !== current.content) {
      data.content = opts.data.content;
      data.version = { increment: 1 };
    }
  }
  if (Object.keys(data).length === 0) return findTemplate(opts); // nothing changes (e.g. the same content again)
  const { count } = await getDb().template.updateMany({ where: { id: opts.templateId, userId: opts.userId }, data });
  return count === 1 ? findTemplate(opts) : null;
}

/** "deleted", "not_found" (not the user's) or "in_use" (a sitemap or feed refers to it). */
export async function deleteTemplate(opts: { userId: string; templateId: string }): Promise<"deleted" | "not_found" | "in_use"> {
  const row = await findTemplate(opts);
  if (!row) return "not_found";
  if (row._count.sitemaps > 0 || row._count.feeds > 0) return "in_use";
  try {
    const { count } = await getDb().template.deleteMany({ where: { id: opts.templateId, userId: opts.userId } });
    return count === 1 ? "deleted" : "not_found";
  } catch (err) {
    // A sitemap or feed picked it up between the check and the delete: the RESTRICT foreign key refuses.
    if (err instanceof Prisma.PrismaClientKnownRequestError && (err.code === "P2003" || err.code === "P2014")) return "in_use";
    throw err;
  }
}

/** The template a sitemap export or feed refresh renders with (no owner check: the caller holds the owner's row). */
export async function loadTemplateById(templateId: string | null) {
  if (!templateId) return null;
  return getDb().template.findUnique({ where: { id: templateId }, select: { id: true, name: true, kind: true, content: true, version: true } });
}
