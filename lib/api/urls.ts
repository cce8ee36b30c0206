/**
 * Pushed URLs endpoints' shared parts: the list specs (pushed URLs, and the published run's crawl inventory for
 * `?source=crawl`), and reading a push body (one URL or `{ urls: [...] }`).
 */
import { CHANGEFREQS } from "@/lib/schemas/sitemaps";
import { MAX_PUSH_URLS, URL_SOURCES, ZPushUrl, type TPushUrl } from "@/lib/schemas/urls";
import { z } from "zod";
import type { RunUrlList, SitemapUrlList } from "@/lib/db/list-models";
import { ListQueryError, type ListSpec } from "./list-query";
import { parseWith, readJson } from "./request";

/** Bulk pushes may be large: 10,000 URLs of up to 2,047 characters plus values. */
export const PUSH_MAX_BYTES = 8 * 1024 * 1024;

export const PUSHED_URL_LIST_SPEC: ListSpec<SitemapUrlList> = {
  defaultSort: { field: "url", dir: "asc" },
  fields: {
    id: { type: "string", column: "id", ops: ["eq", "ne", "in"] },
    url: { type: "string", column: "url" },
    source: { type: "enum", column: "source", values: URL_SOURCES },
    priority: { type: "number", column: "priority", nullable: true },
    changefreq: { type: "enum", column: "changefreq", values: CHANGEFREQS, nullable: true },
    lastmod: { type: "date", column: "lastmod", nullable: true },
    createdAt: { type: "date", column: "createdAt" },
    updatedAt: { type: "date", column: "updatedAt" },
  },
};

export const CRAWL_URL_LIST_SPEC: ListSpec<RunUrlList> = {
  defaultSort: { field: "url", dir: "asc" },
  idColumn: "url",
  fields: {
    url: { type: "string", column: "url" },
    lastmod: { type: "date", column: "lastmod", nullable: true },
    depth: { type: "int", column: "depth" },
  },
};

/** `?source=pushed|crawl` (default pushed); anything else → 400 invalid_value on `source`. */
export function listSource(req: Request): "pushed" | "crawl" {
  const s = new URL(req.url).searchParams.get("source") ?? "pushed";
  if (s !== "pushed" && s !== "crawl") {
    throw new ListQueryError("invalid_value", "`source` must be pushed (default) or crawl.", "source");
  }
  return s;
}

const ZBulk = z.strictObject({ urls: z.array(ZPushUrl).min(1).max(MAX_PUSH_URLS) });

/** One URL or `{ urls: [...] }` (422 from the schema; `urls.<i>.<field>` paths in bulk). */
export async function readPushBody(req: Request): Promise<{ bulk: boolean; items: TPushUrl[] }> {
  const body = await readJson(req, z.unknown(), { maxBytes: PUSH_MAX_BYTES });
  if (body !== null && typeof body === "object" && !Array.isArray(body) && "urls" in body) {
    return { bulk: true, items: parseWith(ZBulk, body).urls };
  }
  return { bulk: false, items: [parseWith(ZPushUrl, body)] };
}
