/**
 * The shop API's protocols resource: GET sitemaps/protocols, our runs in the document's terms (exportStatus 0..4,
 * sitemap and template numbers, subshop ids). Errors: ShopError / AppError from the list query.
 */
import type { FilterValue, ListOp, ListSpec } from "@/lib/api/list-query";
import type { RunList } from "@/lib/db/list-models";
import { RUN_LIST_SPEC } from "@/lib/api/runs";
import type { Principal } from "@/lib/auth/authenticate";
import { sitemapNumbers, templateNumbers } from "@/lib/db/numbers";
import { queryRuns, toRunDto } from "@/lib/db/runs";
import { findSitemap } from "@/lib/db/sitemaps";
import type { TRunDto } from "@/lib/schemas/runs";
import { shopListQuery } from "./shop-query";
import { subshopId } from "./shop-sitemaps";

const EXPORT_STATUS_RUNS: Record<number, string[]> = { 0: ["cancelled"], 1: ["succeeded"], 2: ["failed", "held"], 3: ["queued"], 4: ["running"] };
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

const exportStatusOfRun = (r: TRunDto) => ({ cancelled: 0, succeeded: 1, failed: 2, held: 2, queued: 3, running: 4 })[r.status];

/** GET sitemaps/protocols: the account's runs as the document's protocols, a page of the shop's list. */
export async function listShopProtocols(principal: Principal, req: Request): Promise<Response> {
  const q = await shopListQuery(new URL(req.url), PROTOCOL_FIELDS, PROTOCOL_LIST_SPEC);
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
