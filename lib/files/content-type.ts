/**
 * Content-Type of a published file by its extension: the one table used when serving (lib/api/files.ts) and when
 * storing in an object store (lib/files/s3-storage.ts). A `.gz` file is `application/gzip`: stored and served as it
 * is, never content-encoded. Pure.
 */
const CONTENT_TYPES: Record<string, string> = {
  xml: "application/xml; charset=utf-8",
  gz: "application/gzip",
  txt: "text/plain; charset=utf-8",
  json: "application/json",
  html: "text/html; charset=utf-8",
};

/**
 * The Content-Type of a file name by its extension, case-insensitive; `application/octet-stream` for an extension not
 * in the table.
 */
export const contentTypeFor = (name: string): string =>
  CONTENT_TYPES[name.slice(name.lastIndexOf(".") + 1).toLowerCase()] ?? "application/octet-stream";
