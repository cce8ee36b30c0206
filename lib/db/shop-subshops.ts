/**
 * The account's shop subshops (table ShopSubshop: the base URL behind each shop subshop id) and the lookups the shop
 * API adapter makes on them: which published sitemap files a subshop's folder shows (lib/compat/shop-files.ts).
 * Keys are sub-scope keys (lib/schemas/sitemaps.ts SUB_SCOPE_KEY_RE); base URLs arrive checked and normalised
 * (lib/schemas/shop-subshops.ts).
 */
import { compareSubshopKeys } from "@/lib/schemas/shop-subshops";
import { subScopesOf } from "@/lib/schemas/sitemaps";
import { getDb, TX_OPTIONS } from "./client";

export type ShopSubshopRow = { key: string; baseUrl: string; createdAt: Date; updatedAt: Date };

/** The account's subshops, ordered by id (digit-only ids numerically first). */
export async function listShopSubshops(userId: string): Promise<ShopSubshopRow[]> {
  const rows = await getDb().shopSubshop.findMany({ where: { userId }, select: { key: true, baseUrl: true, createdAt: true, updatedAt: true } });
  return rows.sort((a, b) => compareSubshopKeys(a.key, b.key));
}

/**
 * Replaces the account's subshops with `subshops` in one transaction: ids left out are deleted, the others inserted
 * or given their new base URL (an unchanged one keeps its updatedAt). Returns the new set, ordered by id.
 */
export async function replaceShopSubshops(userId: string, subshops: { key: string; baseUrl: string }[]): Promise<ShopSubshopRow[]> {
  await getDb().$transaction(async (tx) => {
    await tx.shopSubshop.deleteMany({ where: { userId, key: { notIn: subshops.map((s) => s.key) } } });
    const current = new Map((await tx.shopSubshop.findMany({ where: { userId }, select: { key: true, baseUrl: true } })).map((r) => [r.key, r.baseUrl]));
    for (const s of subshops) {
      if (current.get(s.key) === s.baseUrl) continue;
      await tx.shopSubshop.upsert({
        where: { userId_key: { userId, key: s.key } },
        create: { userId, key: s.key, baseUrl: s.baseUrl },
        update: { baseUrl: s.baseUrl },
      });
    }
  }, TX_OPTIONS);
  return listShopSubshops(userId);
}

/**
 * The sitemaps whose files a subshop's folder shows, oldest (lowest number) first: those listing the subshop in
 * their sub-scopes, and those with no sub-scopes (the shop document: "exported for all subshops") whose start URL is
 * on the subshop base URL's origin. Only sitemaps with published files.
 */
export async function sitemapsOfSubshop(userId: string, key: string, origin: string | null): Promise<{ id: string; publishedRunId: string }[]> {
  const rows = await getDb().sitemap.findMany({
    where: { userId, publishedRunId: { not: null } },
    orderBy: { number: "asc" },
    select: { id: true, publishedRunId: true, subScopes: true, startUrl: true },
  });
  return rows
    .filter((r) => {
      const scopes = subScopesOf(r.subScopes);
      if (scopes.length) return scopes.some((s) => s.key === key);
      return origin !== null && originOf(r.startUrl) === origin;
    })
    .map((r) => ({ id: r.id, publishedRunId: r.publishedRunId! }));
}

const originOf = (url: string): string | null => {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
};

/** The one sitemap (of `candidates`, first wins) whose published run has a file called `name`, or null. */
export async function ownerOfPublishedFile(candidates: { id: string; publishedRunId: string }[], name: string): Promise<string | null> {
  if (!candidates.length) return null;
  const rows = await getDb().sitemapFile.findMany({ where: { runId: { in: candidates.map((c) => c.publishedRunId) }, name }, select: { sitemapId: true } });
  const having = new Set(rows.map((r) => r.sitemapId));
  return candidates.find((c) => having.has(c.id))?.id ?? null;
}

export type PublishedFileSummary = { name: string; kind: string; bytes: number; urlCount: number };

/** The published files of each sitemap (name order), by sitemap id; a sitemap with nothing published maps to []. */
export async function publishedFilesOfSitemaps(sitemapIds: string[]): Promise<Map<string, PublishedFileSummary[]>> {
  const out = new Map<string, PublishedFileSummary[]>(sitemapIds.map((id) => [id, []]));
  if (!sitemapIds.length) return out;
  const sitemaps = await getDb().sitemap.findMany({ where: { id: { in: sitemapIds }, publishedRunId: { not: null } }, select: { publishedRunId: true } });
  const runIds = sitemaps.map((s) => s.publishedRunId!);
  if (!runIds.length) return out;
  const files = await getDb().sitemapFile.findMany({
    where: { runId: { in: runIds } },
    orderBy: { name: "asc" },
    select: { sitemapId: true, name: true, kind: true, bytes: true, urlCount: true },
  });
  for (const f of files) out.get(f.sitemapId)?.push({ name: f.name, kind: f.kind, bytes: f.bytes, urlCount: f.urlCount });
  return out;
}
