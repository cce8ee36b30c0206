/**
 * Sitemaps (table Sitemap), always scoped by owner: another account's sitemap is "not found" (null / false).
 * The API's nested `crawl` and `extensions` settings are flat columns here (maxPages, …, rules, renderJs, images, …).
 * `auth` (staging credentials) is stored only encrypted, in `authEncrypted` (lib/auth/secrets.ts, AES-256-GCM);
 * an update merges it part by part (basicAuth / headers / cookies: omitted = kept, null = removed).
 * Errors: insert/update throw AppError("duplicate_entry", field "fileName") when the account already uses the name;
 * SecretsKeyError when credentials are given but no key is configured (SECRETS_KEY / NEXTAUTH_SECRET).
 */
import { Prisma } from "@/generated/prisma/client";
import { decryptJson, encryptJson, SITEMAP_AUTH_PURPOSE } from "@/lib/auth/secrets";
import { AppError } from "@/lib/core/errors";
import type { SiteAuth } from "@/lib/core/types";
import type { TAuthInput, TCreateSitemap, TUpdateSitemap } from "@/lib/schemas/sitemaps";
import { getDb } from "./client";
import { removeSitemapFiles } from "./files";
import { deletePageStates } from "./page-state";

/** A sitemap row as Prisma returns it, for callers outside lib/db. */
export type { Sitemap } from "@/generated/prisma/client";

/** The columns of SitemapRow (lib/db/sitemap-page.ts reads the same ones in raw SQL). */
export const SITEMAP_ROW_SELECT = {
  id: true,
  name: true,
  startUrl: true,
  fileName: true,
  active: true,
  maxFileEntries: true,
  maxFileSize: true,
  gzip: true,
  maxPages: true,
  maxDepth: true,
  concurrency: true,
  userAgent: true,
  respectRobots: true,
  rules: true,
  queryPolicy: true,
  queryAllowlist: true,
  trailingSlash: true,
  maxUrlLength: true,
  respectCrawlDelay: true,
  importRobotsSitemaps: true,
  renderJs: true,
  images: true,
  imageHosts: true,
  hreflang: true,
  video: true,
  news: true,
  newsPublicationName: true,
  newsLanguage: true,
  authEncrypted: true,
  number: true,
  excludeNoindex: true,
  followNofollow: true,
  respectCanonical: true,
  collapseDuplicates: true,
  priorityMode: true,
  extraFormats: true,
  xslStylesheet: true,
  defaultPriority: true,
  defaultChangefreq: true,
  lastmod: true,
  lastmodSource: true,
  subScopes: true,
  templateId: true,
  exportCharset: true,
  writeIntoRobots: true,
  exportAfterImport: true,
  exportPlan: true,
  exportCron: true,
  timezone: true,
  publishGuard: true,
  activeRunId: true,
  publishedRunId: true,
  createdAt: true,
  updatedAt: true,
} as const satisfies Prisma.SitemapSelect;
const select = SITEMAP_ROW_SELECT;
export type SitemapRow = Prisma.SitemapGetPayload<{ select: typeof select }>;

/** Reads Sitemap.authEncrypted; null when absent. Throws SecretsKeyError when it cannot be decrypted. */
export function readSiteAuth(authEncrypted: string | null): SiteAuth | null {
  return authEncrypted ? decryptJson<SiteAuth>(authEncrypted, SITEMAP_AUTH_PURPOSE) : null;
}

/** Which credential parts are set, for the DTO (names only). Unreadable credentials count as none. */
export function authSummary(authEncrypted: string | null): { basicAuth: boolean; headers: string[]; cookies: string[] } {
  let auth: SiteAuth | null = null;
  try {
    auth = readSiteAuth(authEncrypted);
  } catch {
    auth = null;
  }
  return { basicAuth: !!auth?.basicAuth, headers: Object.keys(auth?.headers ?? {}), cookies: Object.keys(auth?.cookies ?? {}) };
}

/** Merges an auth patch into the current credentials and encrypts the result (null when nothing is left). */
function mergeAuth(current: SiteAuth | null, patch: TAuthInput | undefined): string | null {
  if (patch === null || patch === undefined) return null;
  const next: SiteAuth = { ...current };
  for (const part of ["basicAuth", "headers", "cookies"] as const) {
    const v = patch[part];
    if (v === null) delete next[part];
    else if (v !== undefined) (next as Record<string, unknown>)[part] = v;
  }
  const empty = !next.basicAuth && Object.keys(next.headers ?? {}).length === 0 && Object.keys(next.cookies ?? {}).length === 0;
  return empty ? null : encryptJson(next, SITEMAP_AUTH_PURPOSE);
}

const toColumns = <T extends TUpdateSitemap>({ crawl, extensions, output, options, auth: _auth, ...rest }: T) => ({
  ...rest,
  ...crawl,
  ...extensions,
  ...output,
  ...(options?.exportCharset !== undefined ? { exportCharset: options.exportCharset } : {}),
});

/** templateId must name one of the user's templates of kind "xml" (422 invalid_value on templateId otherwise). */
async function assertXmlTemplate(userId: string, templateId: string | null | undefined): Promise<void> {
  if (templateId === null || templateId === undefined) return;
  const t = await getDb().template.findFirst({ where: { id: templateId, userId }, select: { kind: true } });
  if (!t) throw new AppError("invalid_value", `Template ${templateId} not found.`, { field: "templateId" });
  if (t.kind !== "xml") throw new AppError("invalid_value", `Template ${templateId} is a ${t.kind} template; a sitemap needs an xml template.`, { field: "templateId" });
}

async function mapDuplicate<T>(op: Promise<T>): Promise<T> {
  try {
    return await op;
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
      throw new AppError("duplicate_entry", "You already have a sitemap with this fileName.", { field: "fileName" });
    }
    throw err;
  }
}

/**
 * Creates a sitemap for `userId` (staging credentials encrypted, the shop API's field spellings kept). Throws AppError
 * 422 `invalid_value` for a `templateId` that is not one of the user's xml templates, 409 `duplicate_entry` (field
 * `fileName`) when the user has a sitemap with that fileName.
 */
export async function insertSitemap(opts: { userId: string; data: TCreateSitemap; shopSpelling?: ShopSpelling }): Promise<SitemapRow> {
  await assertXmlTemplate(opts.userId, opts.data.templateId);
  const authEncrypted = mergeAuth(null, opts.data.auth);
  const shopSpelling = opts.shopSpelling ?? {};
  return mapDuplicate(getDb().sitemap.create({ data: { ...toColumns(opts.data), authEncrypted, shopSpelling, userId: opts.userId }, select }));
}

/** The user's sitemap with that id, or null (another account's sitemap is null too). */
export async function findSitemap(opts: { userId: string; sitemapId: string }): Promise<SitemapRow | null> {
  return getDb().sitemap.findFirst({ where: { id: opts.sitemapId, userId: opts.userId }, select });
}

/**
 * One page of the user's sitemaps under the list grammar (lib/api/list-query.ts): `where`/`orderBy`/`take` as parsed,
 * `ids` an extra id restriction (deferred filters), rows fetched = take (size + 1).
 */
export async function querySitemaps(opts: {
  userId: string;
  where: Prisma.SitemapWhereInput;
  orderBy: Prisma.SitemapOrderByWithRelationInput[];
  /** Rows to return; undefined = every matching row. */
  take?: number;
  ids?: string[];
}): Promise<SitemapRow[]> {
  return getDb().sitemap.findMany({
    where: { AND: [{ userId: opts.userId }, opts.where, ...(opts.ids ? [{ id: { in: opts.ids } }] : [])] },
    orderBy: opts.orderBy,
    take: opts.take,
    select,
  });
}

/** The user's newest sitemap (createdAt, then id), or null. */
export async function newestSitemap(userId: string): Promise<SitemapRow | null> {
  return getDb().sitemap.findFirst({ where: { userId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], select });
}

/**
 * Applies `data` (the native PATCH semantics); `shopSpelling` (the shop adapter's) replaces the keys it names in the
 * same write. Null when the sitemap is not the user's.
 */
export async function updateSitemap(opts: {
  userId: string;
  sitemapId: string;
  data: TUpdateSitemap;
  shopSpelling?: ShopSpelling;
}): Promise<SitemapRow | null> {
  await assertXmlTemplate(opts.userId, opts.data.templateId);
  const data: Prisma.SitemapUpdateManyMutationInput = toColumns(opts.data);
  if (opts.shopSpelling && Object.keys(opts.shopSpelling).length) {
    const before = (await shopSpellings([opts.sitemapId])).get(opts.sitemapId) ?? {};
    data.shopSpelling = { ...before, ...opts.shopSpelling };
  }
  if (opts.data.auth !== undefined) {
    let current: SiteAuth | null = null;
    if (opts.data.auth !== null) {
      const row = await getDb().sitemap.findFirst({ where: { id: opts.sitemapId, userId: opts.userId }, select: { authEncrypted: true } });
      if (!row) return null;
      try {
        current = readSiteAuth(row.authEncrypted);
      } catch {
        current = null; // written with a key we no longer have: the patch starts from nothing
      }
    }
    data.authEncrypted = mergeAuth(current, opts.data.auth);
  }
  const { count } = await mapDuplicate(getDb().sitemap.updateMany({ where: { id: opts.sitemapId, userId: opts.userId }, data }));
  return count === 1 ? findSitemap(opts) : null;
}

/**
 * Deletes the sitemap with its runs and file records (cascade) and then its published files on disk.
 * Refused while a run is queued or running (it would keep writing for a deleted sitemap).
 * Returns "deleted", "not_found" (not the user's) or "active_run".
 */
export async function deleteSitemap(opts: { userId: string; sitemapId: string }): Promise<"deleted" | "not_found" | "active_run"> {
  const { count } = await getDb().sitemap.deleteMany({ where: { id: opts.sitemapId, userId: opts.userId, activeRunId: null } });
  if (count === 1) {
    await deletePageStates(opts.sitemapId); // no foreign key: page state outlives runs by design
    await removeSitemapFiles(opts.sitemapId);
    return "deleted";
  }
  const exists = await getDb().sitemap.findFirst({ where: { id: opts.sitemapId, userId: opts.userId }, select: { id: true } });
  return exists ? "active_run" : "not_found";
}

/**
 * The entry file of each sitemap's published run: its sitemap index, else its first urlset by name.
 * Sitemaps with nothing published are absent from the map.
 */
export async function publishedEntryFiles(rows: { id: string; publishedRunId: string | null }[]): Promise<Map<string, string>> {
  const runIds = rows.flatMap((r) => (r.publishedRunId ? [r.publishedRunId] : []));
  if (!runIds.length) return new Map();
  const files = await getDb().sitemapFile.findMany({
    where: { runId: { in: runIds }, kind: { in: ["sitemapindex", "urlset"] } },
    select: { sitemapId: true, name: true, kind: true },
    orderBy: { name: "asc" },
  });
  const entries = new Map<string, string>();
  for (const f of files) {
    if (f.kind === "sitemapindex" || !entries.has(f.sitemapId)) entries.set(f.sitemapId, f.name);
  }
  return entries;
}

/** A sitemap's schedule plan with its ids (lib/schedule/due.ts reads exportPlan, exportCron, timezone). */
export type PlannedSitemapRow = { id: string; userId: string; name: string; exportPlan: number[]; exportCron: string | null; timezone: string };

/**
 * Active sitemaps with a plan (a non-empty exportPlan or an exportCron), of every account or of `userId` only.
 * Order: `"id"` (the scheduler's stable order) or `"created"` (oldest first, then id; the API's order).
 */
export async function listPlannedSitemaps(opts: { userId?: string; order: "id" | "created" }): Promise<PlannedSitemapRow[]> {
  return getDb().sitemap.findMany({
    where: { ...(opts.userId ? { userId: opts.userId } : {}), active: true, OR: [{ exportPlan: { isEmpty: false } }, { exportCron: { not: null } }] },
    select: { id: true, userId: true, name: true, exportPlan: true, exportCron: true, timezone: true },
    orderBy: opts.order === "id" ? [{ id: "asc" }] : [{ createdAt: "asc" }, { id: "asc" }],
  });
}

/** The id of the sitemap's published run (null: nothing published, or no such sitemap). */
export async function publishedRunIdOf(sitemapId: string): Promise<string | null> {
  return (await getDb().sitemap.findUnique({ where: { id: sitemapId }, select: { publishedRunId: true } }))?.publishedRunId ?? null;
}

/** The fields a run request checks (lib/runs/request-run.ts) of `userId`'s sitemap, or null. */
export async function findSitemapForRunRequest(opts: { userId: string; sitemapId: string }) {
  return getDb().sitemap.findFirst({ where: { id: opts.sitemapId, userId: opts.userId }, select: { id: true, active: true, activeRunId: true, subScopes: true } });
}

/** The sitemap's active flag and active run id, or null (why a run claim was refused). */
export async function findSitemapRunState(sitemapId: string): Promise<{ active: boolean; activeRunId: string | null } | null> {
  return getDb().sitemap.findUnique({ where: { id: sitemapId }, select: { activeRunId: true, active: true } });
}

/**
 * Ids of `userId`'s sitemaps matching `where` (and `ids` when given), oldest first (createdAt, id) — for the derived
 * list filters and sorts (lib/api/sitemaps.ts) and batch starts (lib/api/runs.ts).
 */
export async function sitemapIdsWhere(userId: string, where: Prisma.SitemapWhereInput = {}, ids?: string[]): Promise<string[]> {
  const rows = await getDb().sitemap.findMany({
    where: { AND: [{ userId }, where, ...(ids ? [{ id: { in: ids } }] : [])] },
    select: { id: true },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
  return rows.map((r) => r.id);
}

/** Whether a sitemap has published files and a run queued or running; null when it does not exist. */
export async function publishState(sitemapId: string): Promise<{ published: boolean; running: boolean } | null> {
  const row = await getDb().sitemap.findUnique({ where: { id: sitemapId }, select: { publishedRunId: true, activeRunId: true } });
  return row ? { published: row.publishedRunId !== null, running: row.activeRunId !== null } : null;
}

/** The shop API adapter's spelling of a sitemap's fileName and exportCharset (Sitemap.shopSpelling). */
export type ShopSpelling = { fileName?: string; exportCharset?: string };

/** The stored shop spellings of these sitemaps, by id (sitemaps without one are absent). */
export async function shopSpellings(sitemapIds: string[]): Promise<Map<string, ShopSpelling>> {
  if (!sitemapIds.length) return new Map();
  const rows = await getDb().sitemap.findMany({ where: { id: { in: sitemapIds } }, select: { id: true, shopSpelling: true } });
  return new Map(rows.map((r) => [r.id, (r.shopSpelling ?? {}) as ShopSpelling]));
}
