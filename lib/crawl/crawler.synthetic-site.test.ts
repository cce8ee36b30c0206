/**
 * Precision/recall against the shared benchmark site (../shared/bench/site/server.mjs), which publishes the exact
 * URL set a correct crawler lists (`/__truth.json`) and counts what it was asked for (`/__stats`): robots.txt
 * Disallow, noindex meta and header, canonical duplicates, nofollow-only pages, query variants, fragments,
 * 301s, 404s, PDFs, images, and links to other hosts. Loopback only.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { DEFAULT_CRAWL_SETTINGS, type CrawlRecord } from "@/lib/core/types";
import { crawl } from "./crawler";
import { startSyntheticSite, type SyntheticSite } from "@/tests/helpers/synthetic-site";

const PAGES = 2000;

let site: SyntheticSite | undefined;
let origin = "";

beforeAll(async () => {
  site = await startSyntheticSite({ pages: PAGES });
  origin = site.origin;
}, 30_000);

afterAll(() => {
  site?.stop();
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
