/**
 * Flags of the crawl CLI → crawl settings (lib/crawl/cli-args.ts), and the launcher end to end: `node
 * scripts/crawl.mjs` builds the esbuild bundle on demand and crawls a loopback site with the new flags.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs, promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { CRAWL_ARG_OPTIONS, crawlConfigFromArgs, parseRuleArg } from "./cli-args";
import { page, startSite, type TestSite } from "@/tests/helpers/site";
import { AUDIT_SITE_EXPECTED, findingLine, startAuditSite } from "@/tests/helpers/audit-site";
import { INVENTORY_CSV_COLUMNS } from "@/lib/core/inventory-csv";

const parse = (...argv: string[]) => {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: CRAWL_ARG_OPTIONS });
  return crawlConfigFromArgs(values, positionals[0]);
};

describe("crawl CLI flags", () => {
  it("no flags: only the start URL, outputs at their defaults", () => {
    const c = parse("https://e.com/x", "--out", "o");
    expect(c.settings).toEqual({ startUrl: "https://e.com/x" });
    expect(c).toMatchObject({ fileName: "sitemap", baseUrl: "https://e.com/", maxFileEntries: 50_000, gzip: false, json: false });
  });

  it("listing switches map to excludeNoindex / followNofollow / respectCanonical", () => {
    const c = parse("https://e.com/", "--out", "o", "--no-exclude-noindex", "--follow-nofollow", "--no-canonical");
    expect(c.settings).toMatchObject({ excludeNoindex: false, followNofollow: true, respectCanonical: false });
  });

  it("every other crawl setting has a flag", () => {
    const c = parse(
      "https://e.com/", "--out", "o",
      "--rule", "exclude:glob:/private/", "--rule", "crawl_only:regex:\\?page=\\d+:x",
      "--query-policy", "allowlist", "--query-allow", "page", "--query-allow", "lang",
      "--trailing-slash", "add", "--max-url-length", "500", "--crawl-delay", "--no-robots-sitemaps",
      "--max-query-variants", "5", "--max-path-segments", "12", "--max-segment-repeats", "0",
      "--basic-auth", "u:p:w", "--header", "X-Env: staging", "--cookie", "s=1",
      "--render-js", "auto", "--no-images", "--image-host", "cdn.e.com", "--no-hreflang", "--video", "--news",
      "--news-publication", "E News", "--news-language", "de", "--timeout", "2000", "--max-body-bytes", "1000",
      "--no-robots", "--max-pages", "7", "--max-depth", "3", "--concurrency", "2",
    );
    expect(c.settings).toEqual({
      startUrl: "https://e.com/",
      rules: [
        { action: "exclude", syntax: "glob", pattern: "/private/" },
        { action: "crawl_only", syntax: "regex", pattern: "\\?page=\\d+:x" },
      ],
      queryPolicy: "allowlist",
      queryAllowlist: ["page", "lang"],
      trailingSlash: "add",
      maxUrlLength: 500,
      respectCrawlDelay: true,
      importRobotsSitemaps: false,
      maxQueryVariants: 5,
      maxPathSegments: 12,
      maxSegmentRepeats: 0,
      auth: { basicAuth: { username: "u", password: "p:w" }, headers: { "X-Env": "staging" }, cookies: { s: "1" } },
      renderJs: "auto",
      images: false,
      imageHosts: ["cdn.e.com"],
      hreflang: false,
      video: true,
      news: true,
      newsPublicationName: "E News",
      newsLanguage: "de",
      timeoutMs: 2000,
      maxBodyBytes: 1000,
      respectRobots: false,
      maxPages: 7,
      maxDepth: 3,
      concurrency: 2,
    });
  });

  it("--urls makes --out optional; --urls - cannot go with --json (both stdout)", () => {
    expect(parse("https://example.com/", "--urls", "inv.csv")).toMatchObject({ urls: "inv.csv", write: false });
    expect(parse("https://example.com/", "--urls", "-", "--out", "o")).toMatchObject({ urls: "-", write: true });
    expect(parse("https://example.com/", "--out", "o").urls).toBeNull();
    expect(() => parse("https://example.com/", "--urls", "-", "--json")).toThrow(/--urls - and --json/);
    expect(() => parse("https://example.com/")).toThrow(/--out <dir> is required \(or --audit, or --urls\)/);
  });

  it("--audit makes --out optional; --fail-on implies --audit", () => {
    expect(parse("https://e.com/", "--audit")).toMatchObject({ audit: true, failOn: null, write: false });
    expect(parse("https://e.com/", "--fail-on", "issues", "--out", "o")).toMatchObject({ audit: true, failOn: "issues", write: true });
    expect(parse("https://e.com/", "--out", "o")).toMatchObject({ audit: false, failOn: null, write: true });
  });

  it("bad values are refused with the flag named", () => {
    expect(() => parse("https://e.com/", "--out", "o", "--render-js", "sometimes")).toThrow(/--render-js/);
    expect(() => parse("https://e.com/", "--out", "o", "--rule", "exclude:regex:(a+)+$")).toThrow(/--rule "exclude:regex:\(a\+\)\+\$": The regular expression can take exponential time/);
    expect(() => parse("https://e.com/", "--out", "o", "--trailing-slash", "x")).toThrow(/--trailing-slash/);
    expect(() => parse("https://e.com/", "--out", "o", "--query-allow", "p")).toThrow(/allowlist/);
    expect(() => parse("https://e.com/", "--out", "o", "--concurrency", "0")).toThrow(/--concurrency/);
    expect(() => parse("https://e.com/", "--out", "o", "--max-pages", "1e3")).toThrow(/--max-pages/);
    expect(() => parse("https://e.com/", "--out", "o", "--header", "Host: x")).toThrow(/Host/);
    expect(() => parse("ftp://e.com/", "--out", "o")).toThrow(/http/);
    expect(() => parse("https://e.com/")).toThrow(/--out/);
    expect(() => parse("https://e.com/", "--fail-on", "warnings")).toThrow(/--fail-on/);
    expect(() => parseRuleArg("drop:glob:/x")).toThrow(/action/);
    expect(() => parseRuleArg("exclude:wild:/x")).toThrow(/syntax/);
    expect(() => parseRuleArg("exclude:glob:private")).toThrow(/glob starts/);
    expect(() => parseRuleArg("exclude:regex:(")).toThrow(/regular expression/);
  });
});

describe("npm run crawl launcher (esbuild bundle, no tsx)", () => {
  let site: TestSite | null = null;
  afterEach(async () => {
    await site?.close();
    site = null;
  });

  it("builds the bundle on demand and crawls with the new flags", { timeout: 60_000 }, async () => {
    site = await startSite({
      "/": { body: page(["/a", "/noidx", "/secret/x", "/f.pdf"]) },
      "/a": { body: page() },
      "/noidx": { body: page([], `<meta name="robots" content="noindex">`) },
      "/secret/x": { body: page() },
    });
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "crawl-cli-"));
    const repo = path.resolve(__dirname, "../..");
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["scripts/crawl.mjs", `${site.origin}/`, "--out", out, "--allow-host", site.hostPort, "--json", "--no-exclude-noindex", "--rule", "exclude:glob:/secret/"],
      { cwd: repo, env: { ...process.env, CRAWL_ALLOW_HOSTS: "" } },
    );
    const report = JSON.parse(stdout);
    expect(report.urlsListed).toBe(3); // /, /a, /noidx (noindex listed on request)
    expect(report.excludedByReason).toMatchObject({ excluded_by_rule: 1, not_html: 1 });
    expect(site.requests).not.toContain("/secret/x");
    const xml = fs.readFileSync(path.join(out, "sitemap.xml"), "utf8");
    expect(xml).toContain(`<loc>${site.origin}/noidx</loc>`);
    // The launcher ran the bundle, not tsx.
    expect(fs.existsSync(path.join(repo, "node_modules/.cache/sitemap-forge/crawl.mjs"))).toBe(true);
    fs.rmSync(out, { recursive: true, force: true });
  });

  it("--audit prints the findings of the site's own sitemaps; --fail-on exits 4 when there are some", { timeout: 60_000 }, async () => {
    site = await startAuditSite();
    const repo = path.resolve(__dirname, "../..");
    const run = (...flags: string[]) =>
      promisify(execFile)(process.execPath, ["scripts/crawl.mjs", `${site!.origin}/`, "--allow-host", site!.hostPort, ...flags], {
        cwd: repo,
        env: { ...process.env, CRAWL_ALLOW_HOSTS: "" },
      }).then(
        (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
      );
    const json = await run("--audit", "--json");
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report.out).toBeNull();
    expect(report.audit.counts).toEqual({ sitemap_error: 3, not_indexable: 8, not_crawled: 0, missing_from_sitemap: 1, orphan: 1 });
    expect(report.audit.findings.map((f: { kind: string; reason: string | null; url: string }) => findingLine(site!.origin, f)).sort()).toEqual(AUDIT_SITE_EXPECTED);
    const text = await run("--audit", "--fail-on", "issues");
    expect(text.code).toBe(4);
    expect(text.stdout).toContain("Audit of the site's own sitemaps (robots.txt Sitemap: lines)");
    expect(text.stdout).toMatch(/not_indexable +8/);
    expect(text.stdout).toContain(`${site.origin}/moved  redirect  HTTP 301  → ${site.origin}/about`);
    expect(text.stderr).toContain("Audit: 13 problems in the site's own sitemaps (--fail-on issues).");
  });

  it("--urls writes the URL inventory as CSV with the API's columns (file, or stdout with the report on stderr)", { timeout: 90_000 }, async () => {
    const home = page(["/a", "/index.html", "/gone", "/moved"], "", "<main><p>Home</p></main>");
    site = await startSite({
      "/": { body: home },
      "/index.html": { body: home }, // the same main content as / : one duplicate cluster
      "/a": { body: page(["/"]) },
      "/moved": { status: 301, headers: { location: "/a" }, body: "" },
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "crawl-cli-"));
    const repo = path.resolve(__dirname, "../..");
    const cli = (...args: string[]) =>
      promisify(execFile)(process.execPath, ["scripts/crawl.mjs", `${site!.origin}/`, "--allow-host", site!.hostPort, ...args], { cwd: repo, env: { ...process.env, CRAWL_ALLOW_HOSTS: "" } });
    /** CSV text → header and rows keyed by column (no field of this site needs quoting). */
    const parseCsv = (text: string) => {
      const [head, ...lines] = text.split("\r\n").filter(Boolean);
      const cols = head!.split(",");
      return { cols, rows: new Map(lines.map((l) => { const v = l.split(","); const r = Object.fromEntries(cols.map((c, i) => [c, v[i]!])); return [r.url!.slice(site!.origin.length), r]; })) };
    };

    const file = path.join(dir, "inventory.csv");
    const r = await cli("--urls", file, "--out", path.join(dir, "out"));
    expect(r.stdout).toContain(`wrote ${file}  (URL inventory, 5 URLs)`);
    const { cols, rows } = parseCsv(fs.readFileSync(file, "utf8"));
    expect(cols).toEqual([...INVENTORY_CSV_COLUMNS]);
    expect([...rows.keys()].sort()).toEqual(["/", "/a", "/gone", "/index.html", "/moved"]);
    expect(rows.get("/")).toMatchObject({ status: "200", listed: "true", depth: "0", foundOn: "", inlinks: "1", published: "true" }); // linked by /a
    // /a is linked by / and by /index.html (the same page body): 2 inlinks, found on / (crawled first).
    expect(rows.get("/a")).toMatchObject({ status: "200", listed: "true", depth: "1", foundOn: `${site.origin}/`, inlinks: "2", contentType: "text/html" });
    expect(rows.get("/gone")).toMatchObject({ status: "404", listed: "false", reason: "http_error", foundOn: `${site.origin}/`, published: "false" });
    expect(rows.get("/moved")).toMatchObject({ status: "301", listed: "false", reason: "redirect", target: `${site.origin}/a`, redirectKind: "http" });
    // / and /index.html share their main content: the same cluster id (the content hash); others are in none.
    expect(rows.get("/")!.cluster).toMatch(/^[0-9a-f]{64}$/);
    expect(rows.get("/index.html")!.cluster).toBe(rows.get("/")!.cluster);
    expect(rows.get("/a")!.cluster).toBe("");

    // --urls -: the CSV alone on stdout, the report on stderr; without --out nothing is published.
    const s = await cli("--urls", "-");
    const out = parseCsv(s.stdout);
    expect(out.cols).toEqual([...INVENTORY_CSV_COLUMNS]);
    expect(out.rows.size).toBe(5);
    expect(out.rows.get("/a")!.published).toBe("false");
    expect(s.stderr).toContain(`Crawled ${site.origin}/`);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("says why nothing was written (exit 1, the failure's code and hint) and warns about a truncated crawl (exit 0)", { timeout: 60_000 }, async () => {
    site = await startSite({ "/": { body: page(["/a", "/b", "/c"]) }, "/a": { body: page() }, "/b": { body: page() }, "/c": { body: page() } });
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "crawl-cli-"));
    const repo = path.resolve(__dirname, "../..");
    const cli = (...args: string[]) =>
      promisify(execFile)(process.execPath, ["scripts/crawl.mjs", ...args, "--out", out], { cwd: repo, env: { ...process.env, CRAWL_ALLOW_HOSTS: "" } }).then(
        (r) => ({ code: 0, ...r }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
      );

    const missing = await cli(`${site.origin}/missing`, "--allow-host", site.hostPort, "--json");
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout).error).toMatchObject({ code: "start_url_http_error", detail: { status: 404 } });

    const blocked = await cli(`${site.origin}/`);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain("failed blocked_by_ssrf_guard:");
    expect(blocked.stderr).toContain(`--allow-host ${site.hostPort}`);

    const truncated = await cli(`${site.origin}/`, "--allow-host", site.hostPort, "--max-pages", "2", "--concurrency", "1");
    expect(truncated.code).toBe(0);
    expect(truncated.stdout).toMatch(/^warning max_pages_reached: Stopped at maxPages: 2 URLs found were not fetched/m);
    fs.rmSync(out, { recursive: true, force: true });
  });
});
