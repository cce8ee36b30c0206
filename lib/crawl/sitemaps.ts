/**
 * Reads the sitemaps a site advertises in robots.txt (`Sitemap:` lines) so their URLs become extra crawl seeds.
 *
 * In:  sitemap URLs, a fetch function (the crawler's paced, SSRF-guarded fetcher from lib/crawl/fetch.ts), a
 *      predicate saying which sitemap URLs may be fetched at all, and budgets.
 * Out: `<loc>`s of `<urlset>` files, streamed to `onUrl` in document order; `<sitemapindex>` children are
 *      followed (breadth-first, at most {@link MAX_SITEMAP_FILES} files per crawl, index nesting ≤ 2 levels), and
 *      the files read (URL, root element, `<loc>`s) in `files`.
 * Formats: sitemaps.org urlset and sitemapindex, plain or gzip (`Content-Encoding: gzip` is undone by fetch.ts;
 *      a `.xml.gz` file served as application/gzip is recognised by its magic bytes and gunzipped here).
 * Safety (OWASP API10 "unsafe consumption"): each file is capped at {@link MAX_SITEMAP_BYTES} decompressed bytes
 *      (sitemaps.org's 50 MiB limit; a gzip bomb stops there); the XML is parsed by htmlparser2 in xmlMode as a
 *      stream, which never reads a DTD and expands no entity except the five predefined ones and numeric
 *      references — so no external entities (XXE) and no entity expansion ("billion laughs"). Memory holds the
 *      `<loc>`s of one file at a time (at most {@link MAX_URLS_PER_FILE}, sitemaps.org's limit; the rest of a
 *      larger file is ignored and reported), never the file itself. A file that declares a DOCTYPE (an internal
 *      DTD is how XXE and entity-expansion attacks start; sitemaps.org files have none) is reported and its URLs
 *      are not used; an index nested deeper than 2 levels is reported and its children are not fetched.
 * Errors: never throws for network, HTTP or XML problems; each is reported in `errors` with a machine `code`
 *      ({@link SITEMAP_PROBLEMS}) and the file is skipped (URLs read before a failure are kept, except after a
 *      DOCTYPE). Rejects only when `onUrl` rejects or the signal aborts.
 */
import { StringDecoder } from "node:string_decoder";
import zlib from "node:zlib";
import { Parser } from "htmlparser2";
import { MAX_URLS_PER_FILE } from "@/lib/core/types";
import { normalizeUrl } from "@/lib/core/url";
import type { FetchRequestOptions, FetchResult } from "./fetch";

/** Sitemap files fetched per crawl at most (index files included). */
export const MAX_SITEMAP_FILES = 50;
/** Decompressed bytes read per sitemap file (sitemaps.org: 50 MiB uncompressed). */
export const MAX_SITEMAP_BYTES = 52_428_800;
/** Longest `<loc>` kept, characters; longer ones are skipped without buffering them. */
const MAX_LOC_CHARS = 8192;
/** Index nesting followed: a robots.txt sitemap (level 0) may be an index whose children may be indexes (level 1). */
export const MAX_SITEMAP_LEVEL = 2;

/**
 * Why a sitemap file was not read, or not read whole:
 * - not_fetched: `mayFetch` refused it (another origin, robots.txt disallows it);
 * - http_error: answered a status other than 200; fetch_error: network error, timeout, SSRF guard;
 * - too_large: more than {@link MAX_SITEMAP_BYTES} bytes after decompression (read up to the cap);
 * - gzip_error / xml_error: the body is corrupt gzip / not well-formed XML (URLs before the error are kept);
 * - doctype: the file declares a DOCTYPE (DTD, entities); nothing is expanded and its URLs are not used;
 * - not_sitemap: the root element is not urlset or sitemapindex (an HTML page, JSON, plain text, an empty body);
 * - too_many_urls: more than {@link MAX_URLS_PER_FILE} `<loc>`s in one file (the rest is ignored);
 * - nested_too_deep: an index deeper than {@link MAX_SITEMAP_LEVEL} levels (its children are not fetched);
 * - too_many_files: the file budget (`maxFiles`) was spent before this file.
 */
export const SITEMAP_PROBLEMS = [
  "not_fetched",
  "http_error",
  "fetch_error",
  "too_large",
  "gzip_error",
  "xml_error",
  "doctype",
  "not_sitemap",
  "too_many_urls",
  "nested_too_deep",
  "too_many_files",
] as const;
export type SitemapProblem = (typeof SITEMAP_PROBLEMS)[number];

export type SitemapImportOptions = {
  fetch: (url: string, opts: FetchRequestOptions) => Promise<FetchResult>;
  /** Whether a sitemap URL (from robots.txt or an index) may be fetched (origin policy, robots.txt). */
  mayFetch: (url: string) => boolean | Promise<boolean>;
  /** Receives each page URL as written in `<loc>` (trimmed, entities decoded); awaited. Return false to stop. */
  onUrl: (loc: string) => void | boolean | Promise<void | boolean>;
  signal?: AbortSignal;
  maxFiles?: number;
};

/** One problem of one sitemap file: machine code, and a sentence for people. */
export type SitemapImportError = { url: string; code: SitemapProblem; error: string };

/** Files fetched, `<loc>`s handed to `onUrl`, per-file problems (the import goes on after each), and the files read. */
export type SitemapImportResult = {
  files: number;
  urls: number;
  errors: SitemapImportError[];
  /** Each file fetched: its URL, root element (null when none) and the `<loc>`s it held (page URLs or child sitemaps). */
  read: { url: string; root: string | null; locs: number }[];
};

/**
 * Streaming sitemap XML reader: feed decoded text with `write`, then `end`. Root kind decides what a loc is.
 * A DTD — a `<!DOCTYPE>` with an internal subset or an external identifier (not an HTML page's), or an `<!ENTITY>`
 * declaration — is noted (`doctype()`), never interpreted.
 */
export function createSitemapXmlParser(on: { loc: (loc: string) => void; sitemap: (loc: string) => void }) {
  let root: string | null = null;
  let doctype = false;
  let inLoc = false;
  let parentOk = false;
  let buf = "";
  let tooLong = false;
  const stack: string[] = [];
  const parser = new Parser(
    {
      onprocessinginstruction(name, data) {
        const n = name.toLowerCase();
        if (n === "!entity" || n === "!element" || n === "!attlist") doctype = true;
        // An internal subset or an external DTD; a bare `<!DOCTYPE html>` (an HTML page) is merely not a sitemap.
        else if (n === "!doctype" && (data.includes("[") || (/\b(SYSTEM|PUBLIC)\b/i.test(data) && !/^!doctype\s+html\b/i.test(data)))) doctype = true;
      },
      onopentagname(name) {
        const local = name.includes(":") ? null : name.toLowerCase(); // image:loc, video:… are not ours
        if (root === null) root = local;
        stack.push(local ?? "");
        if (local === "loc") {
          const parent = stack[stack.length - 2];
          parentOk = (root === "urlset" && parent === "url") || (root === "sitemapindex" && parent === "sitemap");
          inLoc = true;
          buf = "";
          tooLong = false;
        }
      },
      ontext(data) {
        if (!inLoc || tooLong) return;
        buf += data;
        if (buf.length > MAX_LOC_CHARS) {
          tooLong = true;
          buf = "";
        }
      },
      onclosetag() {
        const name = stack.pop();
        if (name === "loc" && inLoc) {
          inLoc = false;
          const loc = buf.trim();
          buf = "";
          if (parentOk && !tooLong && loc !== "") (root === "urlset" ? on.loc : on.sitemap)(loc);
        }
      },
    },
    { xmlMode: true, decodeEntities: true },
  );
  return {
    write: (text: string) => parser.write(text),
    end: () => parser.end(),
    /** The root element's name once seen ("urlset", "sitemapindex", …), else null. */
    root: () => root,
    /** Whether a DOCTYPE (or another DTD declaration) was met. */
    doctype: () => doctype,
  };
}

/** Fetches and parses the sitemaps (see module doc). */
export async function importSitemaps(urls: readonly string[], opts: SitemapImportOptions): Promise<SitemapImportResult> {
  const maxFiles = opts.maxFiles ?? MAX_SITEMAP_FILES;
  const result: SitemapImportResult = { files: 0, urls: 0, errors: [], read: [] };
  const problem = (url: string, code: SitemapProblem, error: string) => void result.errors.push({ url, code, error });
  const queue: { url: string; level: number }[] = urls.map((url) => ({ url, level: 0 }));
  const seen = new Set(urls);
  let stopped = false;

  while (queue.length > 0 && !stopped) {
    opts.signal?.throwIfAborted();
    const { url, level } = queue.shift()!;
    if (result.files >= maxFiles) {
      problem(url, "too_many_files", `not fetched, nor ${queue.length} more: ${maxFiles} sitemap files were read already`);
      break;
    }
    if (!(await opts.mayFetch(url))) {
      problem(url, "not_fetched", "not fetched: another origin, or disallowed by robots.txt");
      continue;
    }
    result.files++;
    const locs: string[] = [];
    const children: string[] = [];
    let overCount = false;
    const keep = (list: string[]) => (l: string) => {
      if (list.length < MAX_URLS_PER_FILE) list.push(l);
      else overCount = true;
    };
    const xml = createSitemapXmlParser({ loc: keep(locs), sitemap: keep(children) });
    const decoder = new StringDecoder("utf8");
    let gunzip = null as zlib.Gunzip | null;
    let gunzipDone: Promise<void> | null = null;
    let sniffed = false;
    let decoded = 0;
    let overCap = false;
    let parseError: string | null = null;
    const feed = (chunk: Buffer) => {
      if (overCap || parseError || xml.doctype()) return;
      decoded += chunk.length;
      if (decoded > MAX_SITEMAP_BYTES) {
        overCap = true;
        gunzip?.destroy();
        return;
      }
      try {
        xml.write(decoder.write(chunk));
      } catch (e) {
        parseError = (e as Error).message;
      }
    };
    const res = await opts.fetch(url, {
      signal: opts.signal,
      accept: "application/xml,text/xml;q=0.9,*/*;q=0.5",
      maxBodyBytes: MAX_SITEMAP_BYTES,
      readBody: ({ status }) => status === 200,
      onChunk: (chunk) => {
        if (!sniffed) {
          sniffed = true;
          if (chunk.length >= 2 && chunk[0] === 0x1f && chunk[1] === 0x8b) {
            const gz = zlib.createGunzip({ finishFlush: zlib.constants.Z_SYNC_FLUSH });
            gunzip = gz;
            gz.on("data", feed);
            gunzipDone = new Promise<void>((resolve) => {
              gz.on("end", resolve);
              gz.on("close", resolve);
              gz.on("error", (e) => {
                parseError ??= `gzip: ${e.message}`;
                resolve();
              });
            });
          }
        }
        if (gunzip) {
          if (!overCap) gunzip.write(chunk);
        } else feed(chunk);
      },
    });
    if (gunzip) {
      if (!gunzip.destroyed) gunzip.end();
      await gunzipDone;
    }
    if (res.error?.code === "aborted") opts.signal?.throwIfAborted();
    if (res.error && res.error.code !== "body_too_large") {
      problem(url, "fetch_error", `${res.error.code}: ${res.error.message}`);
    } else if (res.status !== 200) {
      problem(url, "http_error", `HTTP ${res.status}`);
    }
    try {
      if (!xml.doctype()) {
        xml.write(decoder.end());
        xml.end();
      }
    } catch (e) {
      parseError ??= (e as Error).message;
    }
    const root = xml.root();
    if (overCap || res.error?.code === "body_too_large") problem(url, "too_large", `larger than ${MAX_SITEMAP_BYTES} bytes; read up to the cap`);
    if (parseError) {
      const gz = (parseError as string).startsWith("gzip:");
      problem(url, gz ? "gzip_error" : "xml_error", gz ? (parseError as string) : `XML: ${parseError}`);
    }
    if (xml.doctype()) {
      problem(url, "doctype", "declares a DOCTYPE (DTD or entities): not expanded, its URLs are not used");
      locs.length = 0;
      children.length = 0;
    } else if (res.status === 200 && !res.error && root !== "urlset" && root !== "sitemapindex") {
      problem(url, "not_sitemap", `not a sitemap (root element ${root ?? "none"})`);
    }
    result.read.push({ url, root, locs: locs.length + children.length });
    if (overCount) problem(url, "too_many_urls", `more than ${MAX_URLS_PER_FILE} <loc>s; the rest of the file is ignored`);

    for (const loc of locs) {
      result.urls++;
      if ((await opts.onUrl(loc)) === false) {
        stopped = true;
        break;
      }
    }
    // sitemaps.org forbids an index listing indexes; we tolerate one extra level, then stop.
    if (level < MAX_SITEMAP_LEVEL) {
      for (const raw of children) {
        const child = normalizeUrl(raw, url);
        if (child !== null && !seen.has(child)) {
          seen.add(child);
          queue.push({ url: child, level: level + 1 });
        }
      }
    } else if (children.length > 0) {
      problem(url, "nested_too_deep", `an index nested more than ${MAX_SITEMAP_LEVEL} levels deep; its ${children.length} children were not fetched`);
    }
  }
  return result;
}
