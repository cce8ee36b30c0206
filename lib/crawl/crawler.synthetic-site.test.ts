/**
 * Precision/recall against the shared benchmark site (../shared/bench/site/server.mjs), which publishes the exact
 * URL set a correct crawler lists (`/__truth.json`) and counts what it was asked for (`/__stats`): robots.txt
 * Disallow, noindex meta and header, canonical duplicates, nofollow-only pages, query variants, fragments,
 * 301s, 404s, PDFs, images, and links to other hosts. Loopback only.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DEFAULT_CRAWL_SETTINGS, type CrawlRecord } from "@/lib/core/types";
import { crawl } from "./crawler";

const repoRoot = resolve(fileURLToPath(import.meta.url), "../../..");
const serverScript = join(repoRoot, "..", "shared", "bench", "site", "server.mjs");
const PAGES = 2000;

let child: ChildProcess;
let origin = "";

beforeAll(async () => {
  const port = await new Promise<number>((ok) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const p = (srv.address() as { port: number }).port;
      srv.close(() => ok(p));
    });
  });
  origin = `http://127.0.0.1:${port}`;
  child = spawn(process.execPath, [serverScript, "--pages", String(PAGES), "--port", String(port)], { stdio: ["ignore", "ignore", "pipe"] });
  await new Promise<void>((ok, fail) => {
    child.stderr!.on("data", (d: Buffer) => d.toString().includes("synthetic site:") && ok());
    child.once("exit", (code) => fail(new Error(`bench server exited with ${code}`)));
  });
}, 30_000);

afterAll(() => {
  child?.kill();
});

it(`lists exactly the benchmark's ground truth (${PAGES}-page synthetic site), never touching disallowed or nofollow-only pages`, async () => {
  const truth = (await (await fetch(`${origin}/__truth.json`)).json()) as { urls: string[]; lastmod: string[] };
  await fetch(`${origin}/__reset`);
  const records: CrawlRecord[] = [];
  const summary = await crawl(
    { ...DEFAULT_CRAWL_SETTINGS, startUrl: `${origin}/`, concurrency: 10 },
    { allowHosts: [origin.slice("http://".length)], onRecord: (r) => void records.push(r) },
  );
  const stats = (await (await fetch(`${origin}/__stats`)).json()) as Record<string, number>;

  const listed = new Map(records.filter((r) => r.included).map((r) => [r.url, r]));
  expect([...listed.keys()].sort()).toEqual([...truth.urls].sort());
  truth.urls.forEach((u, i) => expect(listed.get(u)?.lastmod, u).toBe(truth.lastmod[i].replace(/\.\d{3}Z$/, "Z")));
  expect(stats.robots).toBe(1);
  expect(stats.private).toBe(0); // robots.txt Disallow honoured
  expect(stats.hidden).toBe(0); // rel=nofollow honoured
  expect(new Set(records.map((r) => r.url)).size).toBe(records.length); // one record per URL
  expect(summary.excludedByReason.robots_disallowed).toBeGreaterThan(0);
  expect(summary.excludedByReason.noindex_meta).toBeGreaterThan(0);
  expect(summary.excludedByReason.noindex_header).toBeGreaterThan(0);
  expect(summary.excludedByReason.canonical_elsewhere).toBeGreaterThan(0);
  expect(summary.excludedByReason.redirect).toBeGreaterThan(0);
  expect(summary.excludedByReason.not_html).toBeGreaterThan(0);
  expect(summary.excludedByReason.http_error).toBeGreaterThan(0);
}, 60_000);
