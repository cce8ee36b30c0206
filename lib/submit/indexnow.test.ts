import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createFetcher } from "@/lib/crawl/fetch";
import { checkKeyFile, checkRobots } from "./checks";
import { startFakeServer, type FakeServer } from "@/tests/helpers/fake-server";
import { guardedPost } from "./http";
import { batchUrls, describeStatus, engineName, enginesReachedBy, generateIndexNowKey, indexNowEndpoints, keyInfoFor, attemptIndexNow, INDEXNOW_KEY_RE } from "./indexnow";

let engine: FakeServer;
let site: FakeServer;
let allowHosts: string[];

beforeAll(async () => {
  engine = await startFakeServer({ status: 200, body: "" });
  site = await startFakeServer();
  allowHosts = [engine.hostPort, site.hostPort];
});
afterAll(async () => {
  await engine.close();
  await site.close();
});
beforeEach(() => {
  engine.requests.length = 0;
  site.requests.length = 0;
});

const key = "0123456789abcdef0123456789abcdef";
const urls = (n: number) => Array.from({ length: n }, (_, i) => `https://shop.example/p/${i}`);
const payload = (urlList: string[]) => ({ host: "shop.example", key, keyLocation: `https://shop.example/${key}.txt`, urlList });

describe("IndexNow key and config", () => {
  it("generates 32-hex keys that satisfy the protocol's key rule", () => {
    const a = generateIndexNowKey();
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(INDEXNOW_KEY_RE.test(a)).toBe(true);
    expect(generateIndexNowKey()).not.toBe(a);
  });
  it("derives host and keyLocation from the start URL (port kept)", () => {
    expect(keyInfoFor("http://127.0.0.1:8081/docs/", key)).toEqual({
      key, host: "127.0.0.1:8081", keyLocation: `http://127.0.0.1:8081/${key}.txt`, fileContent: key,
    });
  });
  it("reads INDEXNOW_ENDPOINTS, defaulting to api.indexnow.org", () => {
    expect(indexNowEndpoints({})).toEqual(["https://api.indexnow.org/indexnow"]);
    expect(indexNowEndpoints({ INDEXNOW_ENDPOINTS: " https://www.bing.com/indexnow , https://yandex.com/indexnow" })).toEqual([
      "https://www.bing.com/indexnow", "https://yandex.com/indexnow",
    ]);
    expect(() => indexNowEndpoints({ INDEXNOW_ENDPOINTS: "ftp://x/indexnow" })).toThrow();
    expect(engineName("https://api.indexnow.org/indexnow")).toBe("indexnow:api.indexnow.org");
  });
  it("every IndexNow endpoint reaches the participating engines; another host reaches itself", () => {
    for (const ep of ["https://api.indexnow.org/indexnow", "https://www.bing.com/indexnow", "https://yandex.com/indexnow"]) {
      expect(enginesReachedBy(ep)).toEqual(["bing", "yandex", "seznam", "naver", "yep"]);
    }
    expect(enginesReachedBy("http://127.0.0.1:8123/indexnow")).toEqual(["127.0.0.1:8123"]);
  });
  it("splits 25,000 URLs into 10,000 + 10,000 + 5,000, order kept", () => {
    const b = batchUrls(urls(25_000));
    expect(b.map((x) => x.length)).toEqual([10_000, 10_000, 5_000]);
    expect(b[2][0]).toBe("https://shop.example/p/20000");
  });
  it("maps the documented answers", () => {
    expect([200, 202, 400, 403, 422, 429, 503].map((s) => describeStatus(s).outcome)).toEqual(["ok", "ok", "failed", "failed", "failed", "retry", "retry"]);
    expect(describeStatus(403).meaning).toMatch(/key not valid/);
    expect(describeStatus(422).meaning).toMatch(/do not belong to the host/);
  });
});

describe("attemptIndexNow against a fake engine on 127.0.0.1", () => {
  const first = () => ({ attempt: 1, allowHosts });
  /** Drives attempts as the submit-sitemap function does (its durable sleeps replaced by recording the delay). */
  async function untilFinal(endpoint: string, opts: Omit<Parameters<typeof attemptIndexNow>[2], "attempt">) {
    const waits: number[] = [];
    for (let attempt = 1; ; attempt++) {
      const r = await attemptIndexNow(endpoint, payload(urls(2)), { ...opts, attempt });
      if (r.outcome !== "retry") return { ...r, attempts: attempt, waits };
      waits.push(r.retryInMs!);
    }
  }

  it("POSTs JSON {host,key,keyLocation,urlList} and takes 200 as ok", async () => {
    const r = await attemptIndexNow(`${engine.origin}/indexnow`, payload(urls(3)), first());
    expect(r).toMatchObject({ outcome: "ok", httpStatus: 200, retryInMs: null });
    expect(engine.requests).toHaveLength(1);
    const req = engine.requests[0];
    expect(req.method).toBe("POST");
    expect(req.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(JSON.parse(req.body)).toEqual(payload(urls(3)));
  });

  it("refuses more than 10,000 URLs in one request", async () => {
    await expect(attemptIndexNow(`${engine.origin}/indexnow`, payload(urls(10_001)), first())).rejects.toThrow(RangeError);
    expect(engine.requests).toHaveLength(0);
  });

  for (const [status, outcome, re] of [
    [202, "ok", /validation pending/],
    [400, "failed", /Bad request/],
    [403, "failed", /key not valid/],
    [422, "failed", /do not belong/],
  ] as const) {
    it(`${status} → ${outcome}, no retry`, async () => {
      engine.script("/s" + status, [{ status, body: "engine says" }]);
      const r = await attemptIndexNow(`${engine.origin}/s${status}`, payload(urls(2)), first());
      expect(r).toMatchObject({ outcome, httpStatus: status, retryInMs: null });
      expect(r.message).toMatch(re);
      expect(r.message).toContain("engine says");
      expect(engine.requests).toHaveLength(1);
    });
  }

  it("429 with Retry-After: retry after that long, then back-off without it, then success", async () => {
    engine.script("/busy", [{ status: 429, headers: { "retry-after": "3" } }, { status: 429 }, { status: 200 }]);
    const r = await untilFinal(`${engine.origin}/busy`, { allowHosts, baseDelayMs: 500 });
    expect(r).toMatchObject({ outcome: "ok", httpStatus: 200, attempts: 3 });
    // Retry-After 3 s honoured; the second 429 has none → exponential back-off (500 · 2^1).
    expect(r.waits).toEqual([3000, 1000]);
    expect(engine.requests).toHaveLength(3);
  });

  it("Retry-After is capped and attempts are capped: 5xx forever → failed after maxAttempts", async () => {
    engine.script("/down", Array.from({ length: 10 }, () => ({ status: 503, headers: { "retry-after": "3600" } })));
    const r = await untilFinal(`${engine.origin}/down`, { allowHosts, maxAttempts: 3, maxDelayMs: 2000 });
    expect(r).toMatchObject({ outcome: "failed", httpStatus: 503, attempts: 3, retryInMs: null });
    expect(r.message).toMatch(/gave up after 3 attempts/);
    expect(r.waits).toEqual([2000, 2000]);
    expect(engine.requests).toHaveLength(3);
  });
});

describe("guardedPost: the SSRF guard", () => {
  it("refuses loopback and private targets that are not allow-listed, sending nothing", async () => {
    const before = engine.requests.length;
    const r = await guardedPost(`${engine.origin}/x`, { body: "{}", allowHosts: [] });
    expect(r.error?.code).toBe("blocked_host");
    expect(r.status).toBeNull();
    expect((await guardedPost("http://10.0.0.1/x", { body: "{}", allowHosts: [] })).error?.code).toBe("blocked_host");
    expect((await guardedPost("http://localhost:1/x", { body: "{}", allowHosts: [] })).error?.code).toBe("blocked_host");
    expect((await guardedPost("file:///etc/passwd", { body: "{}", allowHosts: [] })).error?.code).toBe("invalid_url");
    // A public-looking name that resolves to a private address is refused at connect time (no DNS rebinding).
    const rebind = await guardedPost("http://evil.example:80/x", { body: "{}", allowHosts: [], lookup: async () => [{ address: "127.0.0.1", family: 4 }] });
    expect(rebind.error?.code).toBe("blocked_host");
    expect(engine.requests.length).toBe(before);
  });
});

describe("live checks on a fake site", () => {
  const info = keyInfoFor("http://127.0.0.1/", key); // host overwritten below
  const siteInfo = () => ({ ...info, keyLocation: `${site.origin}/${key}.txt`, host: site.hostPort });
  const fetcher = () => createFetcher({ userAgent: "test", timeoutMs: 5000, maxBodyBytes: 65536, allowHosts });

  it("key file present with the key → ok; absent → message says exactly where to put it; wrong content → mismatch", async () => {
    const f = fetcher();
    site.route(`/${key}.txt`, { status: 200, body: `${key}\n` });
    expect((await checkKeyFile(siteInfo(), f)).ok).toBe(true);
    site.route(`/${key}.txt`, null);
    const missing = await checkKeyFile(siteInfo(), f);
    expect(missing).toMatchObject({ ok: false, httpStatus: 404 });
    expect(missing.message).toContain(`${site.origin}/${key}.txt`);
    expect(missing.message).toContain(`whose whole content is ${key}`);
    site.route(`/${key}.txt`, { status: 301, headers: { location: `/keys/${key}.txt` } });
    site.route(`/keys/${key}.txt`, { status: 200, body: key });
    expect((await checkKeyFile(siteInfo(), f)).ok).toBe(true); // a redirect on the same host is followed
    site.route(`/${key}.txt`, { status: 302, headers: { location: `https://elsewhere.example/${key}.txt` } });
    expect(await checkKeyFile(siteInfo(), f)).toMatchObject({ ok: false, httpStatus: 302 }); // never to another host
    site.route(`/${key}.txt`, { status: 200, body: "something else" });
    expect((await checkKeyFile(siteInfo(), f)).message).toMatch(/does not match/);
    await f.close();
  });

  it("robots.txt Sitemap: line present / absent, disallow of the sitemap URL and of submitted URLs", async () => {
    const f = fetcher();
    const sitemapUrl = `${site.origin}/s/abc/docs.xml`;
    site.route("/robots.txt", { status: 200, body: `User-agent: *\nDisallow: /private/\n\nSitemap: ${sitemapUrl}\n` });
    const ok = await checkRobots({ siteUrl: `${site.origin}/`, sitemapUrl, urls: [`${site.origin}/a`, `${site.origin}/private/b`], fetcher: f });
    expect(ok).toMatchObject({ sitemapLinePresent: true, sitemapDisallowed: false, disallowedUrls: 1, httpStatus: 200, outcome: "parsed" });

    site.route("/robots.txt", { status: 200, body: `User-agent: *\nDisallow: /s/\nSitemap: ${site.origin}/other.xml\n` });
    const absent = await checkRobots({ siteUrl: `${site.origin}/`, sitemapUrl, fetcher: f });
    expect(absent).toMatchObject({ sitemapLinePresent: false, sitemapDisallowed: true, sitemapLines: [`${site.origin}/other.xml`] });
    expect(absent.message).toContain(`no "Sitemap: ${sitemapUrl}" line`);

    // Sitemap served by Sitemap Forge on another host: the site's robots.txt does not govern it.
    const cross = await checkRobots({ siteUrl: `${site.origin}/`, sitemapUrl: "https://forge.example/s/abc/docs.xml", fetcher: f });
    expect(cross.sitemapDisallowed).toBeNull();

    site.route("/robots.txt", null);
    const none = await checkRobots({ siteUrl: `${site.origin}/`, sitemapUrl, fetcher: f });
    expect(none).toMatchObject({ sitemapLinePresent: false, outcome: "unavailable", httpStatus: 404 });
    await f.close();
  });
});
