/**
 * The shop API's protocols resource: GET sitemaps/protocols, our runs in the document's terms (exportStatus 0..4,
 * sitemap and template numbers, subshop ids). Errors: ShopError / AppError from the list query.
 */
import { shopFailure } from "./run-failure";
import type { FilterValue, ListOp, ListSpec } from "@/lib/api/list-query";
import type { RunList } from "@/lib/db/list-models";
import { RUN_LIST_SPEC } from "@/lib/api/runs";
import type { Principal } from "@/lib/auth/authenticate";
import { sitemapNumbers, templateNumbers } from "@/lib/db/numbers";
import { runsByIds, runSortKeys, toRunDto, type RunSortKey } from "@/lib/db/runs";
import { findSitemap } from "@/lib/db/sitemaps";
import { exportStatusOf, RUN_STATUSES_OF_CODE } from "./shop-export-status";
import { offsetPage, shopListQuery, shopPageIndex, shopSort, sortShopKeys, type ShopSortValue } from "./shop-query";
import { subshopId } from "./shop-sitemaps";

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
      where: (op, v) => eqNeIn(op, (codes) => ({ status: { in: codes.flatMap((c) => RUN_STATUSES_OF_CODE[c] ?? []) } }), v),
    },
    lastExportStarted: RUN_LIST_SPEC.fields.startedAt,
    lastExportFinished: RUN_LIST_SPEC.fields.finishedAt,
    createdAt: RUN_LIST_SPEC.fields.createdAt,
    // runs are append-only but for their end: a protocol changes last when it finishes
    updatedAt: RUN_LIST_SPEC.fields.finishedAt,
  },
};
const PROTOCOL_FIELDS = Object.fromEntries(Object.keys(PROTOCOL_LIST_SPEC.fields).map((k) => [k, k]));

/**
 * The document's sort fields of protocols, each a value of a run's sort keys (lib/db/runs.ts runSortKeys), as the
 * answer shows them (no null: template 0 = none, lastExportFinished "" before success).
 */
const PROTOCOL_SORTS: Record<string, (k: RunSortKey) => ShopSortValue> = {
  id: (k) => k.number,
  sitemap: (k) => k.sitemapNumber,
  template: (k) => k.templateNumber ?? 0,
  exportStatus: (k) => exportStatusOf(k.status),
  lastExportStarted: (k) => (k.startedAt ?? k.createdAt).toISOString(),
  lastExportFinished: (k) => (k.status === "succeeded" && k.finishedAt ? k.finishedAt.toISOString() : ""),
  createdAt: (k) => k.createdAt.toISOString(),
  updatedAt: (k) => (k.finishedAt ?? k.startedAt ?? k.createdAt).toISOString(),
};

/**
 * GET sitemaps/protocols: the account's runs as the document's protocols, a page of the shop's list. Filters run in
 * the database; the sort (any of the document's fields, `template` and `sitemap` by number, `exportStatus` by code)
 * orders the matching runs' sort keys in memory, then only the page's runs are loaded.
 */
export async function listShopProtocols(principal: Principal, req: Request): Promise<Response> {
  const url = new URL(req.url);
  const index = shopPageIndex(url);
  const sort = shopSort(url, Object.keys(PROTOCOL_SORTS)) ?? { field: "id", dir: "asc" };
  const filtersOnly = new URL(url);
  filtersOnly.searchParams.delete("sort");
  const q = await shopListQuery(filtersOnly, PROTOCOL_FIELDS, PROTOCOL_LIST_SPEC);
  const keys = await runSortKeys({ userId: principal.userId, where: q.where });
  const idOf = new Map(keys.map((k) => [k.number, k.id]));
  const valueOf = PROTOCOL_SORTS[sort.field];
  const ordered = sortShopKeys(keys.map((k) => ({ id: k.number, value: valueOf(k) })), sort.dir);
  const page = offsetPage(ordered.slice(index * q.size, (index + 1) * q.size + 1), q.size, index);
  const rows = new Map((await runsByIds({ userId: principal.userId, ids: page.rows.map((n) => idOf.get(n)!) })).map((r) => [r.number, r]));
  // a run deleted between the two queries (its sitemap deleted) is left out of the page
  const runs = page.rows.flatMap((n) => (rows.has(n) ? [toRunDto(rows.get(n)!)] : []));
  const sitemapIds = [...new Set(runs.map((r) => r.sitemapId))];
  const [numbers, dtos] = await Promise.all([sitemapNumbers(sitemapIds), Promise.all(sitemapIds.map((id) => findSitemap({ userId: principal.userId, sitemapId: id })))]);
  const templateOf = new Map(dtos.flatMap((d) => (d ? [[d.id, d.templateId] as const] : [])));
  const tNumbers = await templateNumbers([...templateOf.values()].filter((t): t is string => !!t));
  return Response.json({
    data: runs.map((r) => {
      const t = templateOf.get(r.sitemapId);
      return {
        id: r.number,
        sitemap: numbers.get(r.sitemapId) ?? 0,
        template: t ? (tNumbers.get(t) ?? 0) : 0,
        subshopIds: r.subScopes.map(subshopId),
        exportStatus: exportStatusOf(r.status),
        status: r.status,
        trigger: r.trigger,
        lastExportStarted: r.startedAt ?? r.createdAt,
        lastExportFinished: r.status === "succeeded" ? (r.finishedAt ?? "") : "",
        urlsListed: r.progress.urlsListed,
        error: r.error ?? "",
        ...shopFailure(r),
        createdAt: r.createdAt,
        updatedAt: r.finishedAt ?? r.startedAt ?? r.createdAt,
      };
    }),
    nextPageToken: page.nextPageToken,
  });
}
