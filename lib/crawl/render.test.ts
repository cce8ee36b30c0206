/**
 * JavaScript rendering on Debian's Chromium (/usr/bin/chromium): an SPA whose links exist only after its script
 * runs, an XHR-driven page, and a page that tries to reach other hosts from the browser (all refused: every
 * browser request goes through the crawler's guarded fetcher or is aborted).
 */
import fs from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_CRAWL_SETTINGS, type CrawlRecord, type CrawlSettings } from "@/lib/core/types";
import { crawl } from "./crawler";
import { page, startSite, type RouteSpec, type TestSite } from "@/tests/helpers/site";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const sites: TestSite[] = [];
afterEach(async () => {
  await Promise.all(sites.splice(0).map((s) => s.close()));
});

const shell = (script: string) =>
  `<!DOCTYPE html><html><head><title>app</title></head><body><div id="root"></div><script src="/app.js"></script><script>${script}</script></body></html>`;
const APP_JS = `window.render = (links) => { const root = document.getElementById("root"); for (const l of links) { const a = document.createElement("a"); a.href = l; a.textContent = l; root.appendChild(a); } };`;

async function run(routes: Record<string, RouteSpec>, settings: Partial<CrawlSettings>, allowExtra: string[] = []) {
  const site = await startSite({ "/app.js": { body: APP_JS, type: "text/javascript" }, ...routes });
  sites.push(site);
  const records: CrawlRecord[] = [];
  const summary = await crawl(
    { ...DEFAULT_CRAWL_SETTINGS, startUrl: `${site.origin}/`, concurrency: 2, timeoutMs: 15_000, ...settings },
    { allowHosts: [site.hostPort, ...allowExtra], onRecord: (r) => void records.push(r), render: { executablePath: CHROMIUM } },
  );
  const path = (u: string) => u.slice(site.origin.length);
  return { site, records, summary, listed: records.filter((r) => r.included).map((r) => path(r.url)).sort(), byPath: new Map(records.map((r) => [path(r.url), r])) };
}

// Skipped only outside CI when the browser is missing; in CI (CI=true) a missing Chromium fails these tests.
describe.skipIf(!fs.existsSync(CHROMIUM) && !process.env.CI)("renderJs", () => {
  const spa: Record<string, RouteSpec> = {
    "/": { body: shell(`render(["/products", "/about"]);`) },
    "/products": { body: shell(`fetch("/api/items").then((r) => r.json()).then((items) => render(items.map((i) => "/item/" + i)));`) },
    "/api/items": { body: JSON.stringify([1, 2]), type: "application/json" },
    "/about": { body: page([], "", "<p>" + "Server-rendered text. ".repeat(20) + "</p>") },
    "/item/1": { body: page() },
    "/item/2": { body: page() },
  };

  it("off: an SPA shell yields only its start page", async () => {
    const r = await run(spa, { renderJs: "off" });
    expect(r.listed).toEqual(["/"]);
    expect(r.summary.pagesRendered).toBe(0);
  });

  it("auto: renders only empty shells; links created by scripts and by XHR data are found", async () => {
    const r = await run(spa, { renderJs: "auto" });
    expect(r.listed).toEqual(["/", "/about", "/item/1", "/item/2", "/products"]);
    expect(r.summary.pagesRendered).toBe(2); // "/" and "/products"; /about and the items are server-rendered
    // The shell document was served from the crawler's own response: fetched once, not twice.
    expect(r.site.requests.filter((p) => p === "/")).toHaveLength(1);
    expect(r.byPath.get("/")?.contentHash).toMatch(/^[0-9a-f]{64}$/);
  }, 60_000);

  it("always: renders every HTML page; a static noindex page is not rendered", async () => {
    const r = await run(
      { ...spa, "/about": { body: page([], '<meta name="robots" content="noindex">') } },
      { renderJs: "always" },
    );
    expect(r.byPath.get("/about")?.reason).toBe("noindex_meta");
    expect(r.summary.pagesRendered).toBe(4); // "/", "/products", "/item/1", "/item/2"
  }, 60_000);

  it("the browser reaches nothing but the crawl's origin: other hosts, images, beacons and POSTs are refused", async () => {
    const victim = await startSite({ "/steal": { body: "x" }, "/img.png": { body: "x" } }, { host: "127.0.0.2" });
    sites.push(victim);
    const other = await startSite({ "/x": { body: "x" } }); // allow-listed for the crawler, still another origin
    sites.push(other);
    const hostile = shell(
      [
        `fetch("${victim.origin}/steal").catch(() => {});`,
        `fetch("${other.origin}/x").catch(() => {});`,
        `fetch("http://169.254.169.254/latest/meta-data/").catch(() => {});`,
        `new Image().src = "${victim.origin}/img.png";`,
        `fetch("/api/write", { method: "POST", body: "x" }).catch(() => {});`,
        `navigator.sendBeacon && navigator.sendBeacon("/beacon", "x");`,
        `try { new WebSocket("ws://${victim.hostPort}/ws"); } catch {}`,
        `render(["/ok"]);`,
      ].join("\n"),
    );
    const r = await run({ "/": { body: hostile }, "/ok": { body: page() }, "/api/write": { body: "" }, "/beacon": { body: "" } }, { renderJs: "always" }, [other.hostPort]);
    expect(r.listed).toEqual(["/", "/ok"]);
    await new Promise((res) => setTimeout(res, 300)); // let any straggler arrive
    expect(victim.requests).toEqual([]);
    expect(other.requests).toEqual([]);
    expect(r.site.requests).not.toContain("/api/write");
    expect(r.site.requests).not.toContain("/beacon");
  }, 60_000);

  it("a missing browser degrades to the static HTML (the crawl goes on)", async () => {
    const site = await startSite({ "/app.js": { body: APP_JS, type: "text/javascript" }, "/": { body: shell(`render(["/x"]);`) } });
    sites.push(site);
    const records: CrawlRecord[] = [];
    const summary = await crawl(
      { ...DEFAULT_CRAWL_SETTINGS, startUrl: `${site.origin}/`, renderJs: "always" },
      { allowHosts: [site.hostPort], onRecord: (r) => void records.push(r), render: { executablePath: "/nonexistent/chromium" } },
    );
    expect(records.map((r) => r.included)).toEqual([true]);
    expect(summary.pagesRendered).toBe(0);
  }, 60_000);
});
