/**
 * Reads the sitemaps a site advertises in robots.txt (`Sitemap:` lines) so their URLs become extra crawl seeds.
 *
 * In:  sitemap URLs, a fetch function (the crawler's paced, SSRF-guarded fetcher from lib/crawl/fetch.ts), a
 *      predicate saying which sitemap URLs may be fetched at all, and budgets.
 * Out: `<loc>`s of `<urlset>` files, streamed to `onUrl` in document order; `<sitemapindex>` children are
 *      followed (breadth-first, at most {@link MAX_SITEMAP_FILES} files per crawl, index nesting ≤ 2 levels).
 * Formats: sitemaps.org urlset and sitemapindex, plain or gzip (`Content-Encoding: gzip` is undone by fetch.ts;
 *      a `.xml.gz` file served as application/gzip is recognised by its magic bytes and gunzipped here).
 * Safety (OWASP API10 "unsafe consumption"): each file is capped at {@link MAX_SITEMAP_BYTES} decompressed bytes
 *      (sitemaps.org's 50 MiB limit; a gzip bomb stops there); the XML is parsed by htmlparser2 in xmlMode as a
 *      stream, which never reads a DTD and expands no entity except the five predefined ones and numeric
 *      references — so no external entities (XXE) and no entity expansion ("billion laughs"). Memory holds the
 *      `<loc>`s of one file at a time (≤ 50,000 by the protocol), never the file itself.
 * Errors: never throws for network, HTTP or XML problems; they are reported in `errors` and the file is skipped
 *      (URLs read before a failure are kept). Rejects only when `onUrl` rejects or the signal aborts.
 */
import { StringDecoder } from "node:string_decoder";
import zlib from "node:zlib";
import { Parser } from "htmlparser2";
import { normalizeUrl } from "@/lib/core/url";
import type { FetchRequestOptions, FetchResult } from "./fetch";

/** Sitemap files fetched per crawl at most (index files included). */
export const MAX_SITEMAP_FILES = 50;
/** Decompressed bytes read per sitemap file (sitemaps.org: 50 MiB uncompressed). */
export const MAX_SITEMAP_BYTES = 52_428_800;
/** Longest `<loc>` kept, characters; longer ones are skipped without buffering them. */
const MAX_LOC_CHARS = 8192;

export type SitemapImportOptions = {
  fetch: (url: string, opts: FetchRequestOptions) => Promise<FetchResult>;
  /** Whether a sitemap URL (from robots.txt or an index) may be fetched (origin policy, robots.txt). */
  mayFetch: (url: string) => boolean | Promise<boolean>;
  /** Receives each page URL as written in `<loc>` (trimmed, entities decoded); awaited. Return false to stop. */
  onUrl: (loc: string) => void | boolean | Promise<void | boolean>;
  signal?: AbortSignal;
  maxFiles?: number;
};

/** Files fetched, `<loc>`s handed to `onUrl`, and per-file problems (the import goes on after each). */
export type SitemapImportResult = { files: number; urls: number; errors: { url: string; error: string }[] };

/** Streaming sitemap XML reader: feed decoded text with `write`, then `end`. Root kind decides what a loc is. */
export function createSitemapXmlParser(on: { loc: (loc: string) => void; sitemap: (loc: string) => void }) {
  let root: string | null = null;
  let inLoc = false;
  let parentOk = false;
  let buf = "";
  let tooLong = false;
  const stack: string[] = [];
  const parser = new Parser(
    {
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
  };
}

/** Fetches and parses the sitemaps (see module doc). */
export async function importSitemaps(urls: readonly string[], opts: SitemapImportOptions): Promise<SitemapImportResult> {
  const maxFiles = opts.maxFiles ?? MAX_SITEMAP_FILES;
  const result: SitemapImportResult = { files: 0, urls: 0, errors: [] };
  const queue: { url: string; level: number }[] = urls.map((url) => ({ url, level: 0 }));
  const seen = new Set(urls);
  let stopped = false;

  while (queue.length > 0 && result.files < maxFiles && !stopped) {
    opts.signal?.throwIfAborted();
    const { url, level } = queue.shift()!;
    if (!(await opts.mayFetch(url))) {
      result.errors.push({ url, error: "not fetched: another origin, or disallowed by robots.txt" });
      continue;
    }
    result.files++;
    const locs: string[] = [];
    const children: string[] = [];
    const xml = createSitemapXmlParser({ loc: (l) => void locs.push(l), sitemap: (l) => void children.push(l) });
    const decoder = new StringDecoder("utf8");
    let gunzip = null as zlib.Gunzip | null;
    let gunzipDone: Promise<void> | null = null;
    let sniffed = false;
    let decoded = 0;
    let overCap = false;
    let parseError: string | null = null;
    const feed = (chunk: Buffer) => {
      if (overCap || parseError) return;
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
      result.errors.push({ url, error: `${res.error.code}: ${res.error.message}` });
    } else if (res.status !== 200) {
      result.errors.push({ url, error: `HTTP ${res.status}` });
    }
    try {
      xml.write(decoder.end());
      xml.end();
    } catch (e) {
      parseError ??= (e as Error).message;
    }
    if (overCap || res.error?.code === "body_too_large") result.errors.push({ url, error: `larger than ${MAX_SITEMAP_BYTES} bytes; read up to the cap` });
    if (parseError) result.errors.push({ url, error: `XML: ${parseError}` });
    const root = xml.root();
    if (res.status === 200 && root !== "urlset" && root !== "sitemapindex") {
      result.errors.push({ url, error: `not a sitemap (root element ${root ?? "none"})` });
    }

    for (const loc of locs) {
      result.urls++;
      if ((await opts.onUrl(loc)) === false) {
        stopped = true;
        break;
      }
    }
    // sitemaps.org forbids an index listing indexes; we tolerate one extra level, then stop.
    if (level < 2) {
      for (const raw of children) {
        const child = normalizeUrl(raw, url);
        if (child !== null && !seen.has(child)) {
          seen.add(child);
          queue.push({ url: child, level: level + 1 });
        }
      }
    }
  }
  return result;
}
