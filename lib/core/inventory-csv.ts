/**
 * The CSV form of a run's URL inventory, shared by GET /api/v1/runs/{id}/urls (`?format=csv`, lib/api/run-urls.ts)
 * and the crawl CLI (`npm run crawl -- <url> --urls FILE|-`, scripts/crawl.ts), so both write the same columns.
 *
 * RFC 4180: CRLF line ends, a header line, fields holding a comma, a double quote, CR or LF are quoted with inner
 * quotes doubled. Formula injection guard (OWASP "CSV Injection"): a text cell that starts with `=`, `+`, `-`, `@`, a
 * tab or a carriage return gets a leading single quote (`'`), so a spreadsheet shows it as text instead of evaluating
 * it. Values are as in JSON (`listed` and `published` as true/false, `noindex` joined by spaces, empty for null).
 *
 * Also the one mapping of a crawl record's reason detail (`recordDetail`): the stored RunUrl.detail
 * (lib/db/run-urls.ts inventoryColumns) and the CLI's rows use it.
 */
import type { CrawlRecord, UrlDetail } from "./types";

/** Columns of the CSV form of the inventory, in order (the same names as the JSON fields; detail flattened). */
export const INVENTORY_CSV_COLUMNS = [
  "url",
  "status",
  "listed",
  "reason",
  "target",
  "redirectKind",
  "robotsRule",
  "noindex",
  "depth",
  "foundOn",
  "inlinks",
  "contentType",
  "lastmod",
  "lastmodSource",
  "cluster",
  "published",
] as const;

/** The header line (with CRLF). */
export const INVENTORY_CSV_HEADER = INVENTORY_CSV_COLUMNS.join(",") + "\r\n";

/** One inventory row as the CSV needs it (the API's ZRunUrlDto has this shape). */
export type InventoryCsvRow = {
  url: string;
  status: number | null;
  listed: boolean;
  reason: string | null;
  detail: ({ target?: string } & UrlDetail) | null;
  depth: number;
  foundOn: string | null;
  inlinks: number;
  contentType: string | null;
  lastmod: string | null;
  lastmodSource: "content" | "server" | null;
  cluster: string | null;
  published: boolean;
};

/** Spreadsheet formula prefixes (OWASP CSV injection): a cell starting with one of these gets a leading `'`. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV field (RFC 4180) of a value, with the formula guard (see the module doc). */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "";
  let s = String(value);
  if (typeof value === "string" && FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** One CSV line (with CRLF) of an inventory row, in INVENTORY_CSV_COLUMNS order. */
export function csvLine(d: InventoryCsvRow): string {
  const cells: Record<(typeof INVENTORY_CSV_COLUMNS)[number], string | number | boolean | null | undefined> = {
    url: d.url,
    status: d.status,
    listed: d.listed,
    reason: d.reason,
    target: d.detail?.target,
    redirectKind: d.detail?.redirectKind,
    robotsRule: d.detail?.robotsRule,
    noindex: d.detail?.noindex?.join(" "),
    depth: d.depth,
    foundOn: d.foundOn,
    inlinks: d.inlinks,
    contentType: d.contentType,
    lastmod: d.lastmod,
    lastmodSource: d.lastmodSource,
    cluster: d.cluster,
    published: d.published,
  };
  return INVENTORY_CSV_COLUMNS.map((c) => csvField(cells[c])).join(",") + "\r\n";
}

/**
 * The reason detail of record `r` as stored (RunUrl.detail): the record's own detail, and for a redirect its kind
 * (`redirectKind` set by the crawler for meta refresh redirects, else "http"). Null when there is none.
 */
export function recordDetail(r: CrawlRecord): UrlDetail | null {
  const detail: UrlDetail | null = r.detail ?? null;
  if (r.reason !== "redirect") return detail;
  // Read without depending on the field's type (set only on meta refresh records).
  const kind = (r as { redirectKind?: UrlDetail["redirectKind"] | null }).redirectKind ?? "http";
  return { ...detail, redirectKind: kind };
}
