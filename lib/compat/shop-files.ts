/**
 * Where the shop API's generated files are (shop-sitemaps-api.txt: "stored by default in the directory
 * /sitemaps/<subshopId>. They are publicly accessible"): the published files of an account's sitemaps, by subshop,
 * at `{APP_URL}/shop/{accountId}/sitemaps/{subshopId}/{file}` (docs/compat.md, Shop API). `{APP_URL}/shop/{accountId}`
 * stands for the document's shop domain: this service hosts many accounts, and subshop ids (1, 2 …) repeat across them.
 * The account named by SHOP_FILES_ACCOUNT (lib/env.ts) is also served at the document's own path,
 * `{APP_URL}/sitemaps/{subshopId}/{file}`, and its URLs are shown in that form.
 *
 * A subshop's folder shows the files of every sitemap listing that subshop in `subshopIds`, and of every sitemap with
 * no `subshopIds` ("exported for all subshops") whose start URL is on the subshop's base URL origin (the account
 * setting, lib/db/shop-subshops.ts). Two sitemaps on one subshop sit side by side: their fileNames differ (unique per
 * account); should a file name still occur twice (a part `products-1.xml` of `products` and a sitemap whose fileName
 * is `products-1`), the older sitemap (lower id) is served.
 *
 * Files are opened by lib/db/files.ts openPublishedFile (safe-open, the published run's rows) and answered by
 * lib/api/files.ts fileResponse (ETag, Last-Modified, 304, `.gz` as stored) — the same path as `/s/{sitemapId}/{name}`.
 */
import { getEnv } from "@/lib/env";
import { isSafeFileName, openPublishedFile, type OpenedFile } from "@/lib/db/files";
import { findUserByEmail } from "@/lib/db/users";
import { listShopSubshops, ownerOfPublishedFile, publishedFilesOfSitemaps, sitemapsOfSubshop } from "@/lib/db/shop-subshops";
import { SUB_SCOPE_KEY_RE } from "@/lib/schemas/sitemaps";
import type { TSitemapDto } from "@/lib/schemas/sitemaps";

/** A generated file as the shop sitemap shows it: one entry per subshop folder the file is in. */
export type ShopFile = {
  /** The subshop whose folder holds the file (digit-only ids as integers, like `subshopIds`). */
  subshopId: number | string;
  /** The file's name in that folder (`products.xml`, `products-1.xml` …). */
  fileName: string;
  /** Absolute public URL, `{APP_URL}/shop/{accountId}/sitemaps/{subshopId}/{fileName}` (`{APP_URL}/sitemaps/…` for
   *  the SHOP_FILES_ACCOUNT account). */
  url: string;
  /** Bytes as served (a `.gz` file compressed). */
  size: number;
  /** URLs in a urlset file (sitemaps listed, for a sitemap index; lines or items for the other formats). */
  entries: number;
  /** urlset | sitemapindex | txt | json | html | hreflang_report. */
  type: string;
};

const ACCOUNT_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** The subshop id as shown: digit-only keys as integers. */
const shown = (key: string): number | string => (/^\d{1,15}$/.test(key) ? Number(key) : key);

/** The id of the account SHOP_FILES_ACCOUNT names (served at `/sitemaps/…` too), or null (unset, no such account). */
export async function rootShopAccountId(env: Record<string, string | undefined> = process.env): Promise<string | null> {
  const email = getEnv(env).SHOP_FILES_ACCOUNT;
  return email ? ((await findUserByEmail(email))?.id ?? null) : null;
}

/**
 * The folder URLs of an account's subshops: `(subshopKey) → absolute URL ending in "/"` — `{APP_URL}/sitemaps/{id}/`
 * for the SHOP_FILES_ACCOUNT account, `{APP_URL}/shop/{accountId}/sitemaps/{id}/` for the others.
 */
export async function shopFolderUrls(userId: string, env: Record<string, string | undefined> = process.env): Promise<(subshopKey: string) => string> {
  const root = (await rootShopAccountId(env)) === userId ? "" : `/shop/${encodeURIComponent(userId)}`;
  const appUrl = getEnv(env).APP_URL;
  return (key) => `${appUrl}${root}/sitemaps/${encodeURIComponent(key)}/`;
}

const originOf = (url: string): string | null => {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
};

/**
 * Opens the file `name` of subshop `subshopId` of account `accountId` (module doc), or null (unknown account, subshop
 * or file, a name our writer cannot have produced, nothing published yet): the route answers 404.
 */
export async function openShopFile(opts: { accountId: string; subshopId: string; name: string }): Promise<OpenedFile | null> {
  const key = opts.subshopId.toLowerCase();
  if (!ACCOUNT_RE.test(opts.accountId) || !SUB_SCOPE_KEY_RE.test(key) || !isSafeFileName(opts.name)) return null;
  const subshop = (await listShopSubshops(opts.accountId)).find((s) => s.key === key);
  const candidates = await sitemapsOfSubshop(opts.accountId, key, subshop ? originOf(subshop.baseUrl) : null);
  const owner = await ownerOfPublishedFile(candidates, opts.name);
  return owner ? openPublishedFile({ sitemapId: owner, name: opts.name, userId: opts.accountId }) : null;
}

/**
 * The generated files of each sitemap as the shop shows them (`files` of the shop sitemap), by sitemap id: every
 * published file in the folder of each subshop the sitemap is exported for — its `subshopIds`, or with none the
 * account's subshops on its start URL's origin. [] before the first published run.
 */
export async function shopFilesOf(userId: string, dtos: TSitemapDto[]): Promise<Map<string, ShopFile[]>> {
  const [published, subshops, folder] = await Promise.all([publishedFilesOfSitemaps(dtos.map((d) => d.id)), listShopSubshops(userId), shopFolderUrls(userId)]);
  const out = new Map<string, ShopFile[]>();
  for (const d of dtos) {
    const files = published.get(d.id) ?? [];
    const keys = d.subScopes.length ? d.subScopes.map((s) => s.key) : subshops.filter((s) => originOf(s.baseUrl) === originOf(d.startUrl)).map((s) => s.key);
    out.set(
      d.id,
      keys.flatMap((key) =>
        files.map((f) => ({
          subshopId: shown(key),
          fileName: f.name,
          url: folder(key) + encodeURIComponent(f.name),
          size: f.bytes,
          entries: f.urlCount,
          type: f.kind,
        })),
      ),
    );
  }
  return out;
}
