/**
 * Typed errors of the sitemap writer (`lib/sitemap`). Every error carries a snake_case `code`, so the API layer can
 * map it once (for example `invalid_loc` → 422) without matching on messages. No I/O, no Next imports.
 */

export type SitemapErrorCode =
  | "invalid_loc"
  | "invalid_entry"
  | "empty_sitemap"
  | "sitemap_limit"
  | "invalid_options"
  | "invalid_name"
  | "generation_exists"
  | "empty_generation";

/** Base class: `code` is stable and machine-readable; `message` is for logs and humans. */
export class SitemapError extends Error {
  readonly code: SitemapErrorCode;
  constructor(code: SitemapErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Why `encodeLoc` refused a URL (sitemaps.org: absolute http(s), fewer than 2,048 characters). */
export type InvalidLocReason = "not_absolute" | "not_http" | "too_long" | "too_short";

/**
 * A `<loc>` that cannot be written: not an absolute URL, not http(s), too long (≥ 2,048 chars after encoding) or
 * shorter than the XSD's 12-char minimum. `index` is the 0-based position in the writer's input, when known.
 */
export class InvalidLocError extends SitemapError {
  readonly reason: InvalidLocReason;
  readonly url: string;
  index?: number;
  constructor(reason: InvalidLocReason, url: string, message: string) {
    super("invalid_loc", message);
    this.reason = reason;
    // Keep logs bounded: a hostile multi-megabyte URL is cut to its first 200 chars.
    this.url = url.length > 200 ? `${url.slice(0, 200)}…` : url;
  }
}

/** An entry field other than `loc` is invalid: `changefreq` outside the enum, `priority` outside 0.0–1.0. */
export class InvalidEntryError extends SitemapError {
  readonly field: "changefreq" | "priority";
  index?: number;
  constructor(field: "changefreq" | "priority", message: string) {
    super("invalid_entry", message);
    this.field = field;
  }
}

/** The input had no (valid) entries. An empty `<urlset>` is invalid per sitemap.xsd, so nothing was written. */
export class EmptySitemapError extends SitemapError {
  constructor(message = "No entries to write: an empty <urlset> is invalid, so no file was written.") {
    super("empty_sitemap", message);
  }
}

/**
 * A protocol limit cannot be met: one entry alone exceeds `maxFileSize`, or the output would need more than 50,000
 * parts (the sitemapindex limit) or an index above 52,428,800 bytes.
 */
export class SitemapLimitError extends SitemapError {
  constructor(message: string) {
    super("sitemap_limit", message);
  }
}

/** Bad writer or publisher options (limits out of range, unsafe file name, non-absolute baseUrl, …). */
export class SitemapOptionsError extends SitemapError {
  constructor(message: string) {
    super("invalid_options", message);
  }
}

/** A sitemap key, generation id or file name that is not a safe single path segment (`^[A-Za-z0-9._-]+$`, no `..`). */
export class InvalidNameError extends SitemapError {
  constructor(what: string, value: string) {
    const shown = value.length > 80 ? `${value.slice(0, 80)}…` : value;
    super("invalid_name", `Invalid ${what} ${JSON.stringify(shown)}: expected [A-Za-z0-9._-], no leading dot, no "..".`);
  }
}

/** `publishGeneration` was asked to publish, under an id already published, files that differ from the published ones. */
export class GenerationExistsError extends SitemapError {
  constructor(generationId: string) {
    super("generation_exists", `Generation ${generationId} is already published with different content; use a fresh generation id.`);
  }
}

/** The `write` callback of `publishGeneration` produced no files, or a zero-byte file: refused, nothing published. */
export class EmptyGenerationError extends SitemapError {
  constructor(message: string) {
    super("empty_generation", message);
  }
}
