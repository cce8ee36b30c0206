/**
 * The URL inventory of a crawl without a database, as CSV (the crawl CLI's `--urls FILE|-`, scripts/crawl.ts): the
 * same columns as GET /api/v1/runs/{id}/urls?format=csv (lib/core/inventory-csv.ts), one row per URL the crawl met, in
 * the order the crawler recorded them (breadth-first).
 *
 * Two values are final only when the crawl ends: a URL's inlink count (CrawlSummary.inlinks) and whether its
 * main-content hash is shared with another URL (its duplicate cluster). So records are spooled to a temporary file
 * as they come (one JSON line each, appended synchronously per batch), and `finish` reads the spool back line by line
 * and writes the CSV with those final values. Memory: one map entry per distinct content hash (64-character hex
 * string + count, ≈ 150 bytes; HTML pages answered 200 only), no records. Disk: the spool, about the size of the CSV,
 * deleted by `finish` or `discard`.
 *
 * Columns as in the run inventory, except: `lastmod` is the page's Last-Modified (the CLI keeps no content-hash
 * history), so `lastmodSource` is "server" or empty; `published` is true for a listed URL when sitemap files were
 * written (`--out`). Errors: file system errors propagate (the CLI reports them and exits 1).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { csvLine, INVENTORY_CSV_HEADER, recordDetail, type InventoryCsvRow } from "@/lib/core/inventory-csv";
import type { CrawlRecord } from "@/lib/core/types";

/** What finish() needs besides the spooled records. */
export type InventoryFinish = {
  /** Final inlink counts of the crawl (CrawlSummary.inlinks): URL → count. */
  inlinks?: Map<string, number>;
  /** Sitemap files were written: listed URLs are in them. */
  published: boolean;
  /** Where the CSV goes (a file stream or stdout). Not ended by finish() when it is process.stdout. */
  out: NodeJS.WritableStream;
};

export type InventorySpool = {
  /** Appends a batch of records (synchronous write to the spool). */
  write(records: readonly CrawlRecord[]): void;
  /** Writes the CSV (header + one line per record) to `out`, removes the spool; resolves to the number of rows. */
  finish(opts: InventoryFinish): Promise<number>;
  /** Removes the spool without writing (the crawl failed). */
  discard(): void;
};

/** The CSV row of a spooled record with its final inlink count and cluster. */
export function inventoryRowOf(r: CrawlRecord, final: { inlinks: number; cluster: string | null; published: boolean }): InventoryCsvRow {
  const target = r.target ?? null;
  const d = recordDetail(r);
  return {
    url: r.url,
    status: r.status,
    listed: r.included,
    reason: r.reason,
    detail: d || target ? { ...(target ? { target } : {}), ...(d ?? {}) } : null,
    depth: r.depth,
    foundOn: r.foundOn ?? null,
    inlinks: Math.max(final.inlinks, r.inlinks ?? 0),
    contentType: r.contentType ?? null,
    lastmod: r.lastmod,
    lastmodSource: r.lastmod ? "server" : null,
    cluster: final.cluster,
    published: final.published && r.included,
  };
}

/** Writes `chunk` to `out`, waiting for 'drain' when its buffer is full (back-pressure to the spool reader). */
function writeOut(out: NodeJS.WritableStream, chunk: string): Promise<void> | null {
  if (out.write(chunk)) return null;
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      out.off("drain", done);
      out.off("error", done);
      if (err) reject(err);
      else resolve();
    };
    out.on("drain", done);
    out.on("error", done);
  });
}

/** A new spool in the system's temporary folder. */
export function createInventorySpool(): InventorySpool {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sf-inventory-"));
  const file = path.join(dir, "records.ndjson");
  const fd = fs.openSync(file, "w");
  let open = true;
  /** Content hash → URLs with it. */
  const hashes = new Map<string, number>();
  const remove = () => {
    if (open) fs.closeSync(fd);
    open = false;
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return {
    write(records) {
      if (!records.length) return;
      let lines = "";
      for (const r of records) {
        if (r.contentHash) hashes.set(r.contentHash, (hashes.get(r.contentHash) ?? 0) + 1);
        lines += JSON.stringify(r) + "\n";
      }
      fs.writeSync(fd, lines);
    },
    async finish({ inlinks, published, out }) {
      fs.closeSync(fd);
      open = false;
      let rows = 0;
      try {
        const pending = writeOut(out, INVENTORY_CSV_HEADER);
        if (pending) await pending;
        const lines = readline.createInterface({ input: fs.createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
        for await (const line of lines) {
          if (!line) continue;
          const r = JSON.parse(line) as CrawlRecord;
          const cluster = r.contentHash && (hashes.get(r.contentHash) ?? 0) > 1 ? r.contentHash : null;
          const wait = writeOut(out, csvLine(inventoryRowOf(r, { inlinks: inlinks?.get(r.url) ?? 0, cluster, published })));
          if (wait) await wait;
          rows++;
        }
      } finally {
        remove();
      }
      return rows;
    },
    discard: remove,
  };
}
