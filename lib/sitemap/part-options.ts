/**
 * Options of the part writers (lib/sitemap/parts.ts): defaults and validation, and the URL of a written file.
 * Errors: SitemapOptionsError naming the first bad option.
 */
import { MAX_BYTES_PER_FILE, MAX_URLS_PER_FILE } from "@/lib/core/types";
import { SitemapOptionsError } from "./errors";
import { isSafeName } from "./names";
import type { PartedOutputOptions } from "./parts";
import { encodeLoc, w3cDatetime } from "./xml";

/** Joins a base URL prefix and a file name with exactly one "/". */
export function joinUrl(baseUrl: string, name: string): string {
  return baseUrl.endsWith("/") ? baseUrl + name : `${baseUrl}/${name}`;
}

/**
 * `PartedOutputOptions` with their defaults filled in (50,000 URLs, 52,428,800 bytes, gzip off at level 6,
 * invalid → "throw"), validated: names, limits, `baseUrl` (checked against the first part's name, `<fileName>-1<ext>`),
 * `lastmodForIndex` and `invalid`.
 * @throws SitemapOptionsError naming the first bad option.
 */
export function resolvePartedOptions(opts: PartedOutputOptions, partExt: string) {
  const o = {
    dir: opts.dir,
    fileName: opts.fileName,
    baseUrl: opts.baseUrl,
    maxFileEntries: opts.maxFileEntries ?? MAX_URLS_PER_FILE,
    maxFileSize: opts.maxFileSize ?? MAX_BYTES_PER_FILE,
    gzip: opts.gzip ?? false,
    gzipLevel: opts.gzipLevel ?? 6,
    lastmodForIndex: opts.lastmodForIndex,
    invalid: opts.invalid ?? "throw",
  };
  checkCommonOptions(o);
  checkBaseUrl(o.baseUrl, `${o.fileName}-1${partExt}${o.gzip ? ".gz" : ""}`);
  if (o.lastmodForIndex !== undefined && o.lastmodForIndex !== null && w3cDatetime(o.lastmodForIndex) === null) {
    throw new SitemapOptionsError("lastmodForIndex must be a valid W3C Datetime or Date.");
  }
  if (o.invalid !== "throw" && o.invalid !== "skip") throw new SitemapOptionsError('invalid must be "throw" or "skip".');
  return o;
}

/** Validates options shared by the public writers. @throws SitemapOptionsError naming the first bad option. */
export function checkCommonOptions(o: {
  dir: unknown;
  fileName: unknown;
  maxFileEntries: number;
  maxFileSize: number;
  gzipLevel: number;
}): void {
  if (typeof o.dir !== "string" || o.dir === "") throw new SitemapOptionsError("dir must be a non-empty path.");
  if (!isSafeName(o.fileName)) {
    throw new SitemapOptionsError(
      `fileName ${JSON.stringify(String(o.fileName))} must match [A-Za-z0-9._-], without a leading dot or "..".`,
    );
  }
  if (/\.(xml|txt|json|html?)(\.gz)?$/i.test(o.fileName)) {
    throw new SitemapOptionsError(`fileName is a base name without extension, got ${JSON.stringify(o.fileName)}.`);
  }
  if (!Number.isInteger(o.maxFileEntries) || o.maxFileEntries < 1 || o.maxFileEntries > MAX_URLS_PER_FILE) {
    throw new SitemapOptionsError(`maxFileEntries must be an integer from 1 to ${MAX_URLS_PER_FILE}.`);
  }
  if (!Number.isInteger(o.maxFileSize) || o.maxFileSize < 1 || o.maxFileSize > MAX_BYTES_PER_FILE) {
    throw new SitemapOptionsError(`maxFileSize must be an integer from 1 to ${MAX_BYTES_PER_FILE} bytes.`);
  }
  if (!Number.isInteger(o.gzipLevel) || o.gzipLevel < 0 || o.gzipLevel > 9) {
    throw new SitemapOptionsError("gzipLevel must be an integer from 0 to 9.");
  }
}

/**
 * Checks that `baseUrl` is an absolute http(s) URL prefix without query or fragment, so that
 * `joinUrl(baseUrl, name)` is a valid `<loc>`. @throws SitemapOptionsError
 */
export function checkBaseUrl(baseUrl: unknown, sampleName: string): void {
  if (typeof baseUrl !== "string") throw new SitemapOptionsError("baseUrl must be an absolute http(s) URL.");
  try {
    const u = new URL(encodeLoc(joinUrl(baseUrl, sampleName)));
    if (u.search || u.hash) throw new Error("query or fragment");
  } catch {
    throw new SitemapOptionsError(
      `baseUrl ${JSON.stringify(baseUrl.slice(0, 200))} must be an absolute http(s) URL prefix without query or fragment.`,
    );
  }
}
