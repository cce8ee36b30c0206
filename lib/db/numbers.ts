/**
 * Identifier mapping for the compatibility adapters: their clients use integers (mysitemapgenerator's `cid`, the shop
 * API's `id`, `templateId`, `protocolId`) where the native API uses string ids. Every table they need carries a unique
 * auto-increment `number` column (prisma/schema.prisma) for this (runs: TRunDto.number already carries it); these functions translate in both directions,
 * always scoped by owner (another account's number is "not found": null / absent from the map).
 * No business logic: lookups only.
 */
import { getDb } from "./client";

/** A positive integer written as digits (≤ 15 of them), or null. Used for every numeric id in adapter input. */
export function parseNumber(raw: unknown): number | null {
  if (typeof raw === "number") return Number.isSafeInteger(raw) && raw > 0 ? raw : null;
  if (typeof raw !== "string" || !/^\d{1,15}$/.test(raw.trim())) return null;
  const n = Number(raw.trim());
  return n > 0 ? n : null;
}

/** The string id of `userId`'s sitemap with `number`, or null. */
export async function sitemapIdByNumber(userId: string, number: number): Promise<string | null> {
  const row = await getDb().sitemap.findFirst({ where: { userId, number }, select: { id: true } });
  return row?.id ?? null;
}

/** sitemap id → number, for the given ids. */
export async function sitemapNumbers(ids: string[]): Promise<Map<string, number>> {
  if (!ids.length) return new Map();
  const rows = await getDb().sitemap.findMany({ where: { id: { in: ids } }, select: { id: true, number: true } });
  return new Map(rows.map((r) => [r.id, r.number]));
}

/** The string id of `userId`'s feed with `number`, or null. */
export async function feedIdByNumber(userId: string, number: number): Promise<string | null> {
  const row = await getDb().feed.findFirst({ where: { userId, number }, select: { id: true } });
  return row?.id ?? null;
}

/** The string id of `userId`'s template with `number`, or null. */
export async function templateIdByNumber(userId: string, number: number): Promise<string | null> {
  const row = await getDb().template.findFirst({ where: { userId, number }, select: { id: true } });
  return row?.id ?? null;
}

/** template id → number, for the given ids. */
export async function templateNumbers(ids: string[]): Promise<Map<string, number>> {
  if (!ids.length) return new Map();
  const rows = await getDb().template.findMany({ where: { id: { in: ids } }, select: { id: true, number: true } });
  return new Map(rows.map((r) => [r.id, r.number]));
}

/**
 * The id of the sitemap a compatibility client names by `ref`: our string id, its number, or its fileName. Without
 * `ref`: the account's oldest active sitemap (an AnQiCMS or Sitemap.xml client has one site per key). Null if none.
 */
export async function resolveSitemapRef(userId: string, ref: string | null | undefined): Promise<string | null> {
  const db = getDb();
  if (ref === null || ref === undefined || ref.trim() === "") {
    const row = await db.sitemap.findFirst({
      where: { userId, active: true },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      select: { id: true },
    });
    return row?.id ?? null;
  }
  const v = ref.trim();
  const n = parseNumber(v);
  const row = await db.sitemap.findFirst({
    where: { userId, OR: [{ id: v }, { fileName: v }, ...(n !== null ? [{ number: n }] : [])] },
    select: { id: true },
  });
  return row?.id ?? null;
}
