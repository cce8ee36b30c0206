/**
 * A hostile site: infinite calendars (by query and by path), session ids minted on every
 * page, ever-growing relative paths served as soft 200s, and a redirect loop, around a small set of real pages.
 *
 * What must be listed (`TRUTH`) is listed — recall 1.0 — and every other listed URL belongs to a trap space and
 * stays within its documented cap (lib/crawl/traps.ts) — so precision 1.0 on the real pages, with the traps'
 * pages bounded: ≤ 50 query variants of the calendar, ≤ maxDepth path-calendar pages, ≤ 1 repeat of a path
 * segment run. No request and no listed URL ever carries a session id.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DEFAULT_CRAWL_SETTINGS, type CrawlRecord } from "@/lib/core/types";
import { crawl, type CrawlSummary } from "./crawler";

const html = (links: string[], body = "") =>
  `<!DOCTYPE html><html><head><title>t</title></head><body>${links.map((h) => `<a href="${h}">${h}</a>`).join(" ")}${body}</body></html>`;
let counter = 0;
const sid = () => `s${(++counter).toString(36)}x${Math.random().toString(36).slice(2, 8)}`;

const TRUTH = ["/", "/about", "/products/", "/products/1", "/products/2", "/products/3", "/blog/", "/blog/post-1", "/blog/post-2", "/events/", "/cal/", "/docs/guide/intro"];
const MAX_DEPTH = 20;

type Site = { origin: string; hostPort: string; requests: string[]; close(): Promise<void> };
let site: Site;
const records: CrawlRecord[] = [];
let summary: CrawlSummary;

/** The hostile application: every route is computed from the path, as a misbehaving application would. */
async function startHostile(): Promise<Site> {
  const requests: string[] = [];
  const app = http.createServer((req, res) => {
    const url = req.url ?? "/";
    requests.push(url);
    const send = (status: number, body: string, headers: Record<string, string> = {}) =>
      void res.writeHead(status, { "content-type": "text/html; charset=utf-8", ...headers }).end(body);
    const [path, query = ""] = url.split("?");
    const params = new URLSearchParams(query);
    if (path === "/robots.txt") return send(200, "User-agent: *\nDisallow:\n", { "content-type": "text/plain" });
    if (path === "/") return send(200, html([`/about?PHPSESSID=${sid()}`, "/products/;jsessionid=ABC123", "/blog/", "/events/", "/cal/", "/docs/guide/intro", "/loop-a"]));
    if (path === "/about") return send(200, html(["/", `/blog/?sid=${sid()}`]));
    if (path === "/products/") return send(200, html(["/products/1", "/products/2", `/products/3?osCsid=${sid()}`]));
    // Every product page mints new session ids in its links.
    if (/^\/products\/\d$/.test(path)) return send(200, html([`/products/?PHPSESSID=${sid()}`, `/products/${(Number(path.slice(-1)) % 3) + 1};jsessionid=${sid()}`]));
    if (path === "/blog/") return send(200, html(["/blog/post-1", "/blog/post-2"]));
    if (/^\/blog\/post-\d$/.test(path)) return send(200, html(["/blog/", `/blog/post-1?sessionid=${sid()}`]));
    // Query calendar: every month links to the next and the previous one and to its week and day views, forever.
    if (path === "/events/") {
      if (!params.has("month")) return send(200, html(["/events/?month=0"]));
      const m = Number(params.get("month"));
      const views = ["week", "day"].map((v) => `/events/?month=${m}&view=${v}`);
      return send(200, html([`/events/?month=${m + 1}`, `/events/?month=${m - 1}`, ...views, "/events/"]));
    }
    // Path calendar: /cal/ → /cal/1/ → /cal/2/ … forever.
    if (path === "/cal/") return send(200, html(["/cal/1/"]));
    const cal = /^\/cal\/(\d+)\/$/.exec(path);
    if (cal) return send(200, html([`/cal/${Number(cal[1]) + 1}/`, "/cal/"]));
    // Growing relative paths: any /docs/(guide/)+intro is a soft 200 whose relative link adds another "guide/".
    if (/^\/docs\/(guide\/)+intro$/.test(path)) return send(200, html(["guide/intro", "../../"]));
    if (path === "/loop-a") return send(302, "", { location: "/loop-b" });
    if (path === "/loop-b") return send(302, "", { location: "/loop-a" });
    return send(404, "not found");
  });
  await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
  const { port } = app.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    hostPort: `127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        app.closeAllConnections();
        app.close(() => resolve());
      }),
  };
}

beforeAll(async () => {
  site = await startHostile();
  summary = await crawl(
    { ...DEFAULT_CRAWL_SETTINGS, startUrl: `${site.origin}/`, concurrency: 8, timeoutMs: 5_000, maxDepth: MAX_DEPTH },
    { allowHosts: [site.hostPort], onRecord: (r) => void records.push(r) },
  );
}, 60_000);

afterAll(() => site?.close());

const path = (u: string) => u.slice(site.origin.length);
const SESSION = /sessid|jsessionid|[?&;](sid|sessionid|oscsid)=/i;
const trapSpace = {
  calendar: (p: string) => /^\/events\/\?month=-?\d+(&view=\w+)?$/.test(p),
  pathCalendar: (p: string) => /^\/cal\/\d+\/$/.test(p),
  growing: (p: string) => /^\/docs\/(guide\/){2,}intro$/.test(p),
};

it("lists every real page (recall 1.0)", () => {
  const listed = new Set(records.filter((r) => r.included).map((r) => path(r.url)));
  for (const p of TRUTH) expect(listed.has(p), p).toBe(true);
});

it("lists nothing else outside the bounded trap spaces (precision 1.0 on the real pages)", () => {
  const extra = records.filter((r) => r.included).map((r) => path(r.url)).filter((p) => !TRUTH.includes(p));
  const outside = extra.filter((p) => !trapSpace.calendar(p) && !trapSpace.pathCalendar(p) && !trapSpace.growing(p));
  expect(outside).toEqual([]);
  expect(extra.filter(trapSpace.calendar).length).toBeLessThanOrEqual(DEFAULT_CRAWL_SETTINGS.maxQueryVariants);
  expect(extra.filter(trapSpace.pathCalendar).length).toBeLessThanOrEqual(MAX_DEPTH);
  expect(extra.filter(trapSpace.growing)).toEqual(["/docs/guide/guide/intro"]); // one repeat allowed, no more
});

it("never requests or lists a session id; each real page is fetched once", () => {
  expect(site.requests.filter((p) => SESSION.test(p))).toEqual([]);
  expect(records.filter((r) => SESSION.test(r.url))).toEqual([]);
  for (const p of TRUTH) expect(site.requests.filter((q) => q === p), p).toHaveLength(1);
  expect(new Set(records.map((r) => r.url)).size).toBe(records.length);
});

it("stops every trap at its documented cap, with reasons, in a bounded number of requests", () => {
  const reason = (p: string) => records.find((r) => path(r.url) === p)?.reason;
  // 50 query variants of /events/ crawled at most (both directions of the calendar count against one quota).
  expect(site.requests.filter((p) => trapSpace.calendar(p))).toHaveLength(DEFAULT_CRAWL_SETTINGS.maxQueryVariants);
  expect(records.filter((r) => trapSpace.calendar(path(r.url)) && r.reason === "crawl_trap").length).toBeGreaterThan(0);
  expect(reason("/docs/guide/guide/guide/intro")).toBe("crawl_trap");
  expect(records.some((r) => trapSpace.pathCalendar(path(r.url)) && r.reason === "max_depth")).toBe(true);
  expect(reason("/loop-a")).toBe("redirect_limit");
  expect(summary.excludedByReason.crawl_trap).toBeGreaterThan(0);
  expect(site.requests.length).toBeLessThan(TRUTH.length + 50 + MAX_DEPTH + 10);
});
